"""An industry project's life (points 1-3): proposal, the moves between states, and entering an old project.

The allowed moves are declared once, in ``MOVES``: from which states, to which, and which roles make them. The
joint review's moves (return, publicity, approval) are made by ``projects.services.review`` through the same
:func:`project_move`, so every change of status, whoever makes it, is checked against the table, locks the
project, and leaves a ``StatusChange`` dated the day it happened, by the user who recorded it, with its note.

Every date a user gives is the day the step happened (a paper record may be entered later): never later than
today, never earlier than the project's last change.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funds.models import Allocation, Hop, Transfer
from households.models import Household
from organisation.locking import locked_in_reach
from organisation.models import Town, Village
from organisation.money import ZERO
from organisation.roles import Role
from organisation.scoping import Access, may_act, towns_for
from organisation.validation import date_check, role_require
from projects.models import (
    Category,
    Enterprise,
    IndustrialPark,
    IndustryProject,
    Investment,
    InvestmentSource,
    ProjectStatus,
    ReviewDepartment,
    StatusChange,
)
from projects.permissions import (
    COURSE_CHANGERS,
    DISTRICT_DECIDERS,
    DISTRICT_WRITERS,
    EXISTING_RECORDERS,
    PROJECT_MANAGERS,
    PROJECT_OUT_OF_REACH,
    projects_scope,
)
from projects.services.enterprises import enterprise_refuse_if_blacklisted

S = ProjectStatus


@dataclass(frozen=True)
class Move:
    """One kind of status change: its name (the ``move`` of the transition page), where it may start, where it
    leads (``None``: back to the state the project was suspended from), and who makes it."""

    name: str
    label: str
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
# A project entered as existing is entered at one of these states.
EXISTING_STATES = (S.COMPLETED, S.OPERATING)


class InvestmentLine(NamedTuple):
    """Money for a project from one source; ``allocation`` where it came down the funds chain."""

    source: str
    amount: Decimal
    allocation: Allocation | None = None


# --- Checks shared by every step ----------------------------------------------------------------------------------


def check_date(value: dt.date | None, field: str, *, not_before: dt.date | None = None) -> dt.date:
    """A day a step happened: given, not after today, and not before ``not_before`` (the project's last change)."""
    date_check(value, field)
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


def locked_for_move(*, user, project: IndustryProject, move: str) -> IndustryProject:
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
    user,
    project: IndustryProject,
    move: str,
    changed_on: dt.date,
    note: str = "",
    fields: dict | None = None,
    date_field: str = "changed_on",
) -> IndustryProject:
    """Make ``move`` on a project the caller has checked and locked with :func:`locked_for_move`: the one place a
    project's status changes. ``fields`` are saved with the new status."""
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


def project_move(*, user, project: IndustryProject, move: str, changed_on: dt.date, **kwargs) -> IndustryProject:
    """:func:`locked_for_move` then :func:`move_apply`, for a move with no condition of its own."""
    project = locked_for_move(user=user, project=project, move=move)
    return move_apply(user=user, project=project, move=move, changed_on=changed_on, **kwargs)


def _status_before_suspension(project: IndustryProject) -> str:
    change = project.status_changes.filter(to_status=S.SUSPENDED).order_by("-recorded_at", "-pk").first()
    return change.from_status if change and change.from_status else S.APPROVED


def moves_open_to(*, user, project: IndustryProject, names=LIFECYCLE_MOVES) -> list[Move]:
    """The moves of ``names`` the user could make on the project now (its state and their role; reach is the
    caller's): what the project's page offers."""
    return [
        MOVES[name] for name in names if project.status in MOVES[name].sources and may_act(user, MOVES[name].roles)
    ]


# --- What a project is --------------------------------------------------------------------------------------------


def _check_text(**values: str) -> dict[str, str]:
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    for name, value in cleaned.items():
        if not value:
            raise ValidationError({name: _("This field is required.")})
    return cleaned


def _check_project(
    *,
    town: Town,
    villages,
    category: str,
    park: IndustrialPark | None,
    planned_start: dt.date | None,
    planned_completion: dt.date | None,
    investments: list,
    operator_enterprise: Enterprise | None,
    operator_household: Household | None,
    current_operator: Enterprise | None = None,
) -> tuple[list[Village], list[InvestmentLine]]:
    villages = list(villages or [])
    if not villages:
        raise ValidationError({"villages": _("Name at least one village the project is for.")})
    if any(village.town_id != town.pk for village in villages):
        raise ValidationError({"villages": _("Every village must belong to %(town)s.") % {"town": town}})
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    if park is not None and park.town_id != town.pk:
        raise ValidationError({"park": _("The industrial park must be one of %(town)s.") % {"town": town}})
    if planned_completion is None:
        raise ValidationError({"planned_completion": _("Give the planned completion date.")})
    if planned_start and planned_completion < planned_start:
        raise ValidationError({"planned_completion": _("The planned completion cannot be before the planned start.")})
    if operator_enterprise and operator_household:
        raise ValidationError(
            {"operator_household": _("A project has one operator: an enterprise or a household, not both.")}
        )
    # A blacklisted enterprise is refused when it is named, not when an earlier choice is kept.
    if operator_enterprise is not None and operator_enterprise != current_operator:
        enterprise_refuse_if_blacklisted(enterprise=operator_enterprise, field="operator_enterprise")
    if operator_household is not None and operator_household.village.town_id != town.pk:
        raise ValidationError(
            {"operator_household": _("The operating household must live in %(town)s.") % {"town": town}}
        )
    return villages, _check_investments(town, investments)


def _check_investments(town: Town, investments: list) -> list[InvestmentLine]:
    lines = [InvestmentLine(*line) for line in investments or []]
    for line in lines:
        if line.source not in InvestmentSource.values:
            raise ValidationError({"investments": _("Choose the source of every investment.")})
        if line.amount is None or line.amount <= ZERO:
            raise ValidationError({"investments": _("Every investment must be greater than zero.")})
        if (
            line.allocation is not None
            and not Transfer.objects.filter(allocation=line.allocation, town=town, hop=Hop.TO_TOWN).exists()
        ):
            raise ValidationError(
                {
                    "investments": _("Allocation %(allocation)s has not been allotted to %(town)s.")
                    % {"allocation": line.allocation.document_number, "town": town}
                }
            )
    return lines


def _save_investments(project: IndustryProject, lines: list[InvestmentLine]) -> None:
    """The project's investments become ``lines``; unchanged ones stay as they are (and so does their history)."""
    existing = list(project.investments.all())
    if [(i.source, i.amount, i.allocation_id) for i in existing] == [
        (line.source, line.amount, line.allocation.pk if line.allocation else None) for line in lines
    ]:
        return
    project.investments.all().delete()
    Investment.objects.bulk_create(
        [
            Investment(project=project, source=line.source, amount=line.amount, allocation=line.allocation)
            for line in lines
        ]
    )


def _require_town(user, town: Town) -> None:
    if not towns_for(user, Access.CHANGE, DISTRICT_WRITERS).filter(pk=town.pk).exists():
        raise PermissionDenied(_("%(town)s is outside the towns you work for.") % {"town": town})


def _new_code(town: Town, year: int) -> str:
    """``XM{year}-{last three digits of the town's code}-{number of the year in that prefix}``.

    Two towns whose codes end alike share the numbering of the prefix, so the code stays unique; the prefix is
    locked (a transaction-level advisory lock) while the next number is taken.
    """
    prefix = f"XM{year}-{town.code[-3:]}-"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [prefix])
    last = IndustryProject.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in last[:1] if code[len(prefix) :].isdigit()]
    return f"{prefix}{(numbers[0] if numbers else 0) + 1:04d}"


# --- Town staff: proposal, changes, submission -------------------------------------------------------------------


@transaction.atomic
def project_propose(
    *,
    user,
    town: Town,
    villages,
    name: str,
    category: str,
    park: IndustrialPark | None = None,
    content: str,
    scale: str,
    implementing_unit: str,
    planned_start: dt.date | None = None,
    planned_completion: dt.date,
    investments: list,
    operator_enterprise: Enterprise | None = None,
    operator_household: Household | None = None,
    proposed_on: dt.date | None = None,
) -> IndustryProject:
    """Town staff propose a project of their town; it starts as a proposal, numbered, with its investments."""
    role_require(user, PROJECT_MANAGERS)
    _require_town(user, town)
    text = _check_text(name=name, content=content, scale=scale, implementing_unit=implementing_unit)
    villages, lines = _check_project(
        town=town,
        villages=villages,
        category=category,
        park=park,
        planned_start=planned_start,
        planned_completion=planned_completion,
        investments=investments,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
    )
    proposed_on = check_date(proposed_on or timezone.localdate(), "proposed_on")
    project = IndustryProject.objects.create(
        code=_new_code(town, proposed_on.year),
        town=town,
        category=category,
        park=park,
        planned_start=planned_start,
        planned_completion=planned_completion,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
        status=S.PROPOSAL,
        created_by=user,
        **text,
    )
    project.villages.set(villages)
    _save_investments(project, lines)
    StatusChange.objects.create(
        project=project, from_status="", to_status=S.PROPOSAL, changed_on=proposed_on, changed_by=user
    )
    return project


@transaction.atomic
def project_update(
    *,
    user,
    project: IndustryProject,
    villages,
    name: str,
    category: str,
    park: IndustrialPark | None = None,
    content: str,
    scale: str,
    implementing_unit: str,
    planned_start: dt.date | None = None,
    planned_completion: dt.date,
    investments: list,
    operator_enterprise: Enterprise | None = None,
    operator_household: Household | None = None,
) -> IndustryProject:
    """A proposal is corrected by its town before it goes to the review (its town stays)."""
    role_require(user, PROJECT_MANAGERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    if project.status != S.PROPOSAL:
        raise ValidationError(
            _("Only a proposal can be changed; this project is “%(status)s”.")
            % {"status": status_label(project.status)}
        )
    text = _check_text(name=name, content=content, scale=scale, implementing_unit=implementing_unit)
    villages, lines = _check_project(
        town=project.town,
        villages=villages,
        category=category,
        park=park,
        planned_start=planned_start,
        planned_completion=planned_completion,
        investments=investments,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
        current_operator=project.operator_enterprise,
    )
    changes = {
        **text,
        "category": category,
        "park": park,
        "planned_start": planned_start,
        "planned_completion": planned_completion,
        "operator_enterprise": operator_enterprise,
        "operator_household": operator_household,
    }
    changed = [field for field, value in changes.items() if getattr(project, field) != value]
    for field in changed:
        setattr(project, field, changes[field])
    if changed:
        project.save(update_fields=changed)
    if {v.pk for v in villages} != set(project.villages.values_list("pk", flat=True)):
        project.villages.set(villages)
    _save_investments(project, lines)
    return project


@transaction.atomic
def project_submit_for_review(
    *, user, project: IndustryProject, submitted_on: dt.date | None = None, note: str = ""
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
    *, user, project: IndustryProject, started_on: dt.date, note: str = ""
) -> IndustryProject:
    return project_move(
        user=user,
        project=project,
        move="start_construction",
        changed_on=started_on,
        note=note,
        fields={"construction_started_on": started_on},
    )


@transaction.atomic
def project_complete(*, user, project: IndustryProject, accepted_on: dt.date, note: str = "") -> IndustryProject:
    """Construction finished and accepted (竣工验收) on ``accepted_on``."""
    return project_move(
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
def project_start_operation(*, user, project: IndustryProject, started_on: dt.date, note: str = "") -> IndustryProject:
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
def project_suspend(*, user, project: IndustryProject, suspended_on: dt.date, reason: str) -> IndustryProject:
    return project_move(user=user, project=project, move="suspend", changed_on=suspended_on, note=reason)


@transaction.atomic
def project_resume(*, user, project: IndustryProject, resumed_on: dt.date, note: str = "") -> IndustryProject:
    """A suspended project goes back to the state it was suspended from (operating again needs the platform)."""
    project = locked_for_move(user=user, project=project, move="resume")
    if _status_before_suspension(project) == S.OPERATING:
        _require_three_assets(project)
    return move_apply(user=user, project=project, move="resume", changed_on=resumed_on, note=note)


@transaction.atomic
def project_convert(*, user, project: IndustryProject, converted_on: dt.date, reason: str) -> IndustryProject:
    """The project is converted into another use (转化提升): it leaves the lifecycle, with the reason."""
    return project_move(user=user, project=project, move="convert", changed_on=converted_on, note=reason)


# --- A project built before the system: entered at its present state ---------------------------------------------


@transaction.atomic
def project_register_existing(
    *,
    user,
    town: Town,
    villages,
    name: str,
    category: str,
    park: IndustrialPark | None = None,
    content: str,
    scale: str,
    implementing_unit: str,
    investments: list,
    status: str,
    construction_started_on: dt.date | None = None,
    completed_on: dt.date,
    operation_started_on: dt.date | None = None,
    three_assets_number: str = "",
    operator_enterprise: Enterprise | None = None,
    operator_household: Household | None = None,
    note: str = "",
) -> IndustryProject:
    """Enter a project built before (point 3: every project since 2014) as completed or operating, with the days
    it was built; it did not pass the review in the system and is marked as entered existing."""
    role_require(user, EXISTING_RECORDERS)
    _require_town(user, town)
    if status not in EXISTING_STATES:
        raise ValidationError({"status": _("An existing project is entered as completed or operating.")})
    text = _check_text(name=name, content=content, scale=scale, implementing_unit=implementing_unit)
    check_date(completed_on, "completed_on")
    if construction_started_on and construction_started_on > completed_on:
        raise ValidationError(
            {"construction_started_on": _("Construction cannot start after the project was completed.")}
        )
    changed_on = completed_on
    three_assets_number = (three_assets_number or "").strip()
    if status == S.OPERATING:
        check_date(operation_started_on, "operation_started_on")
        if operation_started_on < completed_on:
            raise ValidationError(
                {"operation_started_on": _("Operation cannot start before the project was completed.")}
            )
        if not three_assets_number:
            raise ValidationError(
                {"three_assets_number": _("An operating project is on the three-assets platform: give its number.")}
            )
        changed_on = operation_started_on
    else:
        operation_started_on = None
    if three_assets_number and IndustryProject.objects.filter(three_assets_number=three_assets_number).exists():
        raise ValidationError(
            {
                "three_assets_number": _("Three-assets platform number %(number)s is already used by another project.")
                % {"number": three_assets_number}
            }
        )
    villages, lines = _check_project(
        town=town,
        villages=villages,
        category=category,
        park=park,
        planned_start=None,
        planned_completion=completed_on,
        investments=investments,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
    )
    if not lines:
        raise ValidationError({"investments": _("Enter the money invested in the project.")})
    project = IndustryProject.objects.create(
        code=_new_code(town, completed_on.year),
        town=town,
        category=category,
        park=park,
        planned_start=construction_started_on,
        planned_completion=completed_on,
        construction_started_on=construction_started_on,
        completed_on=completed_on,
        operation_started_on=operation_started_on,
        three_assets_number=three_assets_number,
        operator_enterprise=operator_enterprise,
        operator_household=operator_household,
        status=status,
        entered_as_existing=True,
        created_by=user,
        **text,
    )
    project.villages.set(villages)
    _save_investments(project, lines)
    StatusChange.objects.create(
        project=project,
        from_status="",
        to_status=status,
        changed_on=changed_on,
        changed_by=user,
        note=note.strip() or _("Entered as an existing project."),
    )
    return project


def project_total_investment(project: IndustryProject) -> Decimal:
    return project.investments.aggregate(total=Sum("amount"))["total"] or ZERO
