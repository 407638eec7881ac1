"""An industry project's life (points 1-3): the state machine, the one place a project's status changes.

The allowed moves are declared once, in ``MOVES``: from which states, to which, and which roles make them. The
joint review's moves (return, publicity, approval) are made by ``projects.services.review`` through the same
:func:`locked_for_move` and :func:`move_apply`, so every change of status, whoever makes it, is checked against the
table, locks the project, and leaves a ``StatusChange`` dated the day it happened, by the user who recorded it, with
its note. What a project is (its proposal, and a project entered as built before the system) is
``projects.services.proposals``.

Every date a user gives is the day the step happened (a paper record may be entered later): never later than
today, never earlier than the project's last change.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisation.actors import Actor
from organisation.locking import locked_in_reach
from organisation.roles import Role
from organisation.scoping import may_act
from organisation.validation import date_check, role_require
from projects.models import (
    IndustryProject,
    ProjectStatus,
    ReviewDepartment,
    StatusChange,
)
from projects.permissions import (
    COURSE_CHANGERS,
    DISTRICT_DECIDERS,
    PROJECT_MANAGERS,
    PROJECT_OUT_OF_REACH,
    projects_scope,
)

S = ProjectStatus


@dataclass(frozen=True)
class Move:
    """One kind of status change: its name (the ``move`` of the transition page), where it may start, where it
    leads (``None``: back to the state the project was suspended from), and who makes it."""

    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None
    roles: frozenset[Role]
    # Whether the user must say why (the note is then required).
    needs_reason: bool = False


# The whole state machine. The review's moves are listed here too; their extra conditions (every member
# department agreed, the publicity ran its course, every objection answered) are in ``projects.services.review``.
MOVES: dict[str, Move] = {
    move.name: move
    for move in [
        Move("submit", gettext_lazy("Submit for joint review"), frozenset({S.PROPOSAL}), S.REVIEW, PROJECT_MANAGERS),
        Move(
            "return",
            gettext_lazy("Return to the proposer"),
            frozenset({S.REVIEW, S.PUBLICITY}),
            S.PROPOSAL,
            DISTRICT_DECIDERS,
        ),
        Move("publicity", gettext_lazy("Open the publicity"), frozenset({S.REVIEW}), S.PUBLICITY, DISTRICT_DECIDERS),
        Move("approve", gettext_lazy("Approve the project"), frozenset({S.PUBLICITY}), S.APPROVED, DISTRICT_DECIDERS),
        Move(
            "start_construction",
            gettext_lazy("Start construction"),
            frozenset({S.APPROVED}),
            S.CONSTRUCTION,
            PROJECT_MANAGERS,
        ),
        Move(
            "complete",
            gettext_lazy("Record completion and acceptance"),
            frozenset({S.CONSTRUCTION}),
            S.COMPLETED,
            PROJECT_MANAGERS,
        ),
        Move(
            "start_operation", gettext_lazy("Start operation"), frozenset({S.COMPLETED}), S.OPERATING, PROJECT_MANAGERS
        ),
        Move(
            "suspend",
            gettext_lazy("Suspend"),
            frozenset({S.APPROVED, S.CONSTRUCTION, S.COMPLETED, S.OPERATING}),
            S.SUSPENDED,
            COURSE_CHANGERS,
            needs_reason=True,
        ),
        Move(
            "resume",
            gettext_lazy("Resume"),
            frozenset({S.SUSPENDED}),
            None,
            COURSE_CHANGERS,
        ),
        Move(
            "convert",
            gettext_lazy("Convert"),
            frozenset({S.COMPLETED, S.OPERATING, S.SUSPENDED}),
            S.CONVERTED,
            COURSE_CHANGERS,
            needs_reason=True,
        ),
    ]
}
# The moves a project's own page offers (the review's have pages of their own).
LIFECYCLE_MOVES = ("submit", "start_construction", "complete", "start_operation", "suspend", "resume", "convert")
# --- Checks shared by every step ----------------------------------------------------------------------------------


def check_date(value: dt.date | None, field: str, *, not_before: dt.date | None = None) -> dt.date:
    """A day a step happened: given, not after today, and not before ``not_before`` (the project's last change)."""
    value = date_check(value, field)
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field: _("The date cannot be earlier than the project's last status change (%(date)s).")
                % {"date": not_before}
            }
        )
    return value


def last_change_date(project: IndustryProject) -> dt.date | None:
    return project.status_changes.aggregate(last=Max("changed_on"))["last"]


def status_label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


def locked_for_move(*, user: User, project: IndustryProject, move: str) -> IndustryProject:
    """The project, locked for the rest of the transaction, once the user's role makes ``move``, the project is
    within their reach, and its state is one the move starts from."""
    spec = MOVES[move]
    role_require(user, spec.roles)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    if project.status not in spec.sources:
        raise ValidationError(
            _("“%(move)s” cannot be done on a project that is “%(status)s”.")
            % {"move": spec.label, "status": status_label(project.status)}
        )
    return project


def move_apply(
    *,
    user: User,
    project: IndustryProject,
    move: str,
    changed_on: dt.date,
    note: str = "",
    fields: dict | None = None,
    date_field: str = "changed_on",
) -> IndustryProject:
    """Make ``move``: the one place a project's status changes. ``fields`` are saved with the new status.

    The role, the reach and the state are checked here, on the project locked (:func:`locked_for_move`), whoever
    calls; a caller that checked conditions of its own on the project it locked first holds that lock already.
    """
    project = locked_for_move(user=user, project=project, move=move)
    spec = MOVES[move]
    note = note.strip()
    if spec.needs_reason and not note:
        raise ValidationError({"note": _("Say why.")})
    check_date(changed_on, date_field, not_before=last_change_date(project))
    target = spec.target or _status_before_suspension(project)
    fields = fields or {}
    for name, value in fields.items():
        setattr(project, name, value)
    previous, project.status = project.status, target
    project.save(update_fields=["status", *fields])
    StatusChange.objects.create(
        project=project, from_status=previous, to_status=target, changed_on=changed_on, changed_by=user, note=note
    )
    return project


def _status_before_suspension(project: IndustryProject) -> str:
    change = project.status_changes.filter(to_status=S.SUSPENDED).order_by("-recorded_at", "-pk").first()
    return change.from_status if change and change.from_status else S.APPROVED


def moves_open_to(*, user: Actor, project: IndustryProject, names=LIFECYCLE_MOVES) -> list[Move]:
    """The moves of ``names`` the user could make on the project now (its state and their role; reach is the
    caller's): what the project's page offers."""
    return [
        MOVES[name] for name in names if project.status in MOVES[name].sources and may_act(user, MOVES[name].roles)
    ]


# --- Town staff: submission -------------------------------------------------------------------------------------


@transaction.atomic
def project_submit_for_review(
    *, user: User, project: IndustryProject, submitted_on: dt.date | None = None, note: str = ""
) -> IndustryProject:
    """A proposal goes to the review committee: a new review round, whose opinions start empty."""
    project = locked_for_move(user=user, project=project, move="submit")
    missing = []
    if not project.investments.exists():
        missing.append(_("Enter at least one investment before the project goes to the joint review."))
    if not ReviewDepartment.objects.filter(is_member=True).exists():
        missing.append(_("The review committee has no member department yet: the district office must configure it."))
    if missing:
        raise ValidationError(missing)
    return move_apply(
        user=user,
        project=project,
        move="submit",
        changed_on=submitted_on or timezone.localdate(),
        note=note,
        fields={"review_round": project.review_round + 1},
    )


# --- Town staff: construction and operation; suspension and conversion -------------------------------------------


@transaction.atomic
def project_start_construction(
    *, user: User, project: IndustryProject, started_on: dt.date, note: str = ""
) -> IndustryProject:
    return move_apply(
        user=user,
        project=project,
        move="start_construction",
        changed_on=started_on,
        note=note,
        fields={"construction_started_on": started_on},
    )


@transaction.atomic
def project_complete(*, user: User, project: IndustryProject, accepted_on: dt.date, note: str = "") -> IndustryProject:
    """Construction finished and accepted (竣工验收) on ``accepted_on``."""
    return move_apply(
        user=user,
        project=project,
        move="complete",
        changed_on=accepted_on,
        note=note,
        fields={"completed_on": accepted_on},
    )


def _require_three_assets(project: IndustryProject) -> None:
    if not project.three_assets_number.strip():
        raise ValidationError(
            {
                "three_assets_number": _(
                    "The project is not on the three-assets platform: the economic management station must enter "
                    "its three-assets platform number before it operates."
                )
            }
        )


@transaction.atomic
def project_start_operation(
    *, user: User, project: IndustryProject, started_on: dt.date, note: str = ""
) -> IndustryProject:
    """A completed project starts operating; point 3: only once it is on the three-assets platform."""
    project = locked_for_move(user=user, project=project, move="start_operation")
    _require_three_assets(project)
    return move_apply(
        user=user,
        project=project,
        move="start_operation",
        changed_on=started_on,
        note=note,
        fields={"operation_started_on": started_on},
    )


@transaction.atomic
def project_suspend(*, user: User, project: IndustryProject, suspended_on: dt.date, reason: str) -> IndustryProject:
    return move_apply(user=user, project=project, move="suspend", changed_on=suspended_on, note=reason)


@transaction.atomic
def project_resume(*, user: User, project: IndustryProject, resumed_on: dt.date, note: str = "") -> IndustryProject:
    """A suspended project goes back to the state it was suspended from (operating again needs the platform)."""
    project = locked_for_move(user=user, project=project, move="resume")
    if _status_before_suspension(project) == S.OPERATING:
        _require_three_assets(project)
    return move_apply(user=user, project=project, move="resume", changed_on=resumed_on, note=note)


@transaction.atomic
def project_convert(*, user: User, project: IndustryProject, converted_on: dt.date, reason: str) -> IndustryProject:
    """The project is converted into another use (转化提升): it leaves the lifecycle, with the reason."""
    return move_apply(user=user, project=project, move="convert", changed_on=converted_on, note=reason)
