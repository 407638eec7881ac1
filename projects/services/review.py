"""The joint review and the publicity (point 2): opinions, return, publicity, objections, approval.

The district office records, for each round of the review, the opinion of every member department of the review
committee. A project goes forward only when every current member department agreed in the current round (agreeing
with conditions counts as agreeing; the conditions are kept with the approval). A disagreement does not send the
project back by itself: the office returns it with :func:`review_return` once the departments have spoken, so the
proposer gets every department's reasons at once; until then the disagreement blocks the publicity.

Publicity counts whole days and includes its first and last day: a 7-day publicity starting on the 1st ends on the
7th, and the project can be approved from the 8th, once every objection received is answered.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.locking import locked_in_reach
from organisation.validation import role_require
from projects.models import (
    IndustryProject,
    Objection,
    Opinion,
    ProjectsPolicy,
    ProjectStatus,
    Publicity,
    ReviewDepartment,
    ReviewOpinion,
)
from projects.permissions import DISTRICT_DECIDERS, PROJECT_OUT_OF_REACH, projects_scope
from projects.selectors.projects import RoundStanding, review_round_standing
from projects.services.lifecycle import (
    check_date,
    last_change_date,
    locked_for_move,
    move_apply,
    status_label,
)
from projects.services.proposals import project_total_investment


def publicity_end(starts_on: dt.date, days: int) -> dt.date:
    """The last day of a publicity of ``days`` days starting on ``starts_on`` (both days included)."""
    return starts_on + dt.timedelta(days=days - 1)


def _conditions_note(standing: RoundStanding) -> str:
    return "\n".join(
        _("Condition of %(department)s: %(comments)s") % {"department": o.department.name, "comments": o.comments}
        for o in standing.conditional
    )


def _standing_problems(standing: RoundStanding) -> list[str]:
    problems = []
    if standing.missing:
        problems.append(
            _("No opinion recorded yet from: %(departments)s.")
            % {"departments": "、".join(d.name for d in standing.missing)}
        )
    for opinion in standing.disagreed:
        problems.append(
            _("%(department)s disagrees: %(comments)s")
            % {"department": opinion.department.name, "comments": opinion.comments}
        )
    if not standing.members:
        problems.append(_("The review committee has no member department."))
    return problems


@transaction.atomic
def review_opinion_record(
    *, user: User, project: IndustryProject, department: ReviewDepartment, opinion: str, comments: str = ""
) -> ReviewOpinion:
    """The district office records a member department's opinion in the project's current round.

    A department's opinion may be corrected while the project is still under review (the history keeps the
    earlier one); a disagreement or a condition says why.
    """
    role_require(user, DISTRICT_DECIDERS)
    project = locked_in_reach(projects_scope, user, project, message=PROJECT_OUT_OF_REACH)
    if project.status != ProjectStatus.REVIEW:
        raise ValidationError(
            _("Opinions are recorded while the project is under joint review; it is “%(status)s”.")
            % {"status": status_label(project.status)}
        )
    if not ReviewDepartment.objects.filter(pk=department.pk, is_member=True).exists():
        raise ValidationError(
            {"department": _("%(department)s does not sit on the review committee.") % {"department": department}}
        )
    if opinion not in Opinion.values:
        raise ValidationError({"opinion": _("Choose the department's opinion.")})
    comments = (comments or "").strip()
    if opinion != Opinion.AGREE and not comments:
        raise ValidationError({"comments": _("A disagreement or an agreement with conditions says why.")})
    record, created = ReviewOpinion.objects.get_or_create(
        project=project,
        review_round=project.review_round,
        department=department,
        defaults={"opinion": opinion, "comments": comments, "recorded_by": user},
    )
    if not created and (record.opinion, record.comments) != (opinion, comments):
        record.opinion, record.comments, record.recorded_by = opinion, comments, user
        record.recorded_at = timezone.now()
        record.save(update_fields=["opinion", "comments", "recorded_by", "recorded_at"])
    return record


@transaction.atomic
def review_return(
    *, user: User, project: IndustryProject, returned_on: dt.date | None = None, note: str = ""
) -> IndustryProject:
    """Send the project back to its town as a proposal, with the reasons.

    Under review: only when a member department disagreed in the current round; every disagreeing department's
    reasons go into the status change's note (with the office's own note). Under publicity (an objection upheld):
    the office says why. The town corrects the proposal and submits it again, which opens a new round.
    """
    project = locked_for_move(user=user, project=project, move="return")
    note = (note or "").strip()
    reasons = []
    if project.status == ProjectStatus.REVIEW:
        standing = review_round_standing(project=project)
        if not standing.disagreed:
            raise ValidationError(
                _("No member department disagrees in this round: the project is returned only on a disagreement.")
            )
        reasons = [
            _("%(department)s disagrees: %(comments)s")
            % {"department": opinion.department.name, "comments": opinion.comments}
            for opinion in standing.disagreed
        ]
    elif not note:
        raise ValidationError({"note": _("Say why the project is returned.")})
    return move_apply(
        user=user,
        project=project,
        move="return",
        changed_on=returned_on or timezone.localdate(),
        note="\n".join([*reasons, note]).strip(),
        date_field="returned_on",
    )


@transaction.atomic
def publicity_open(*, user: User, project: IndustryProject, starts_on: dt.date) -> Publicity:
    """Publish the project's content, scale, deadline and investment for the policy's number of days, once every
    member department agreed in the current round; the project is then under publicity."""
    project = locked_for_move(user=user, project=project, move="publicity")
    problems = _standing_problems(review_round_standing(project=project))
    if problems:
        raise ValidationError([_("The publicity cannot open yet."), *problems])
    check_date(starts_on, "starts_on", not_before=last_change_date(project))
    ends_on = publicity_end(starts_on, ProjectsPolicy.current().publicity_days)
    publicity = Publicity.objects.create(
        project=project,
        starts_on=starts_on,
        ends_on=ends_on,
        content=project.content,
        scale=project.scale,
        planned_completion=project.planned_completion,
        total_investment=project_total_investment(project),
        published_by=user,
    )
    move_apply(
        user=user,
        project=project,
        move="publicity",
        changed_on=starts_on,
        note=_("Publicity from %(start)s to %(end)s.") % {"start": starts_on, "end": ends_on},
        date_field="starts_on",
    )
    return publicity


def current_publicity(project: IndustryProject) -> Publicity | None:
    return project.publicities.order_by("-starts_on", "-pk").first()


def _open_publicity(project: IndustryProject) -> Publicity:
    """The publicity the project is under now (locked project, checked user)."""
    publicity = current_publicity(project) if project.status == ProjectStatus.PUBLICITY else None
    if publicity is None:
        raise ValidationError(
            _("Objections are recorded and answered while the project is under publicity, until it is approved.")
        )
    return publicity


@transaction.atomic
def objection_record(
    *, user: User, publicity: Publicity, received_on: dt.date, raised_by: str = "", content: str
) -> Objection:
    """An objection received about a project under publicity: recorded until the project is approved (one that
    arrives after the period's last day is still recorded and answered)."""
    role_require(user, DISTRICT_DECIDERS)
    project = locked_in_reach(projects_scope, user, publicity.project, message=PROJECT_OUT_OF_REACH)
    current = _open_publicity(project)
    if current.pk != publicity.pk:
        raise ValidationError(_("This publicity is over; record the objection on the project's current publicity."))
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": _("Write down the objection.")})
    check_date(received_on, "received_on")
    if received_on < publicity.starts_on:
        raise ValidationError(
            {
                "received_on": _("The publicity started on %(date)s: no objection before it.")
                % {"date": publicity.starts_on}
            }
        )
    return Objection.objects.create(
        publicity=publicity,
        received_on=received_on,
        raised_by=(raised_by or "").strip(),
        content=content,
        recorded_by=user,
    )


@transaction.atomic
def objection_answer(*, user: User, objection: Objection, answer: str, answered_on: dt.date) -> Objection:
    """The office's answer to an objection; every objection is answered before the project is approved."""
    role_require(user, DISTRICT_DECIDERS)
    objection = locked_in_reach(projects_scope, user, objection, message=PROJECT_OUT_OF_REACH)
    project = locked_in_reach(projects_scope, user, objection.publicity.project, message=PROJECT_OUT_OF_REACH)
    _open_publicity(project)
    if objection.answered_on is not None:
        raise ValidationError(_("This objection was answered on %(date)s.") % {"date": objection.answered_on})
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write down the answer.")})
    check_date(answered_on, "answered_on")
    if answered_on < objection.received_on:
        raise ValidationError(
            {
                "answered_on": _("The objection was received on %(date)s: the answer cannot be earlier.")
                % {"date": objection.received_on}
            }
        )
    objection.answer, objection.answered_on, objection.answered_by = answer, answered_on, user
    objection.save(update_fields=["answer", "answered_on", "answered_by"])
    return objection


@transaction.atomic
def project_approve(*, user: User, project: IndustryProject, approved_on: dt.date) -> IndustryProject:
    """Approve a project under publicity once the period has run its full course (from the day after its last
    day), every objection is answered and every member department agreed in the current round.

    A refusal lists every reason at once.
    """
    project = locked_for_move(user=user, project=project, move="approve")
    check_date(approved_on, "approved_on", not_before=last_change_date(project))
    publicity = current_publicity(project)
    reasons = []
    if publicity is None:
        reasons.append(_("The project has not been published."))
    else:
        if approved_on <= publicity.ends_on:
            reasons.append(
                _("The publicity runs until %(end)s: the project can be approved from %(next)s.")
                % {"end": publicity.ends_on, "next": publicity.ends_on + dt.timedelta(days=1)}
            )
        unanswered = list(publicity.objections.filter(answered_on__isnull=True).order_by("received_on", "pk"))
        if unanswered:
            reasons.append(
                _("%(count)d objection(s) received during the publicity are not answered yet (received on %(dates)s).")
                % {"count": len(unanswered), "dates": "、".join(str(o.received_on) for o in unanswered)}
            )
    standing = review_round_standing(project=project)
    reasons.extend(_standing_problems(standing))
    if reasons:
        raise ValidationError(reasons)
    return move_apply(
        user=user,
        project=project,
        move="approve",
        changed_on=approved_on,
        note=_conditions_note(standing),
        date_field="approved_on",
    )
