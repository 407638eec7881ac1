"""Rectification plans (整改转化方案): the yield job opens a draft; the town fills it in, starts it and completes it.

draft -> in progress -> completed. A plan leaves draft only once it names its remedy, steps, responsible unit and
deadline (the database checks it too); pairing names another project of the district. The town's staff and
station (``PLAN_KEEPERS``) and the district office work on plans.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.locking import locked_in_reach
from organisation.validation import role_require
from projects.models import IndustryProject, PlanStatus, RectificationPlan, Remedy
from projects.permissions import PLAN_WORKERS, projects_scope


def _locked_plan(user: User, plan: RectificationPlan) -> RectificationPlan:
    """The plan, locked for the change, if ``user`` may work on it; PermissionDenied otherwise."""
    role_require(user, PLAN_WORKERS, _("Only the town's staff, its station and the district office work on plans."))
    return locked_in_reach(projects_scope, user, plan, message=_("This plan is not in your town."))


def _opened_on(plan: RectificationPlan) -> dt.date:
    return timezone.localdate(plan.created_at)


def _missing(plan: RectificationPlan) -> dict[str, str]:
    """The fields a plan must fill in before it starts, with what to say about each."""
    missing = {}
    if not plan.remedy:
        missing["remedy"] = _("Choose the remedy.")
    if not plan.steps.strip():
        missing["steps"] = _("Describe the steps.")
    if not plan.responsible_unit.strip():
        missing["responsible_unit"] = _("Name the responsible unit.")
    if plan.deadline is None:
        missing["deadline"] = _("Set a deadline.")
    if plan.remedy == Remedy.PAIR and plan.paired_project_id is None:
        missing["paired_project"] = _("Name the project to pair with.")
    return missing


@transaction.atomic
def plan_update(
    *,
    user: User,
    plan: RectificationPlan,
    remedy: str,
    steps: str,
    responsible_unit: str,
    deadline: dt.date | None,
    paired_project: IndustryProject | None = None,
) -> RectificationPlan:
    """Write what the plan will do. A draft may be saved incomplete; a started plan must stay complete."""
    plan = _locked_plan(user, plan)
    if plan.status == PlanStatus.COMPLETED:
        raise ValidationError(_("A completed plan no longer changes."))
    errors = {}
    if remedy and remedy not in Remedy.values:
        errors["remedy"] = _("Choose one of the remedies.")
    if remedy == Remedy.PAIR:
        if paired_project is not None and paired_project.pk == plan.project_id:
            errors["paired_project"] = _("A project cannot be paired with itself.")
        elif paired_project is not None and paired_project.town.district_id != plan.project.town.district_id:
            errors["paired_project"] = _("Pair with a project of the district.")
    else:
        # Only pairing names another project.
        paired_project = None
    if deadline is not None and deadline < _opened_on(plan):
        errors["deadline"] = _("The deadline cannot be before the plan was opened (%(date)s).") % {
            "date": _opened_on(plan).isoformat()
        }
    if errors:
        raise ValidationError(errors)
    plan.remedy = remedy or ""
    plan.steps = (steps or "").strip()
    plan.responsible_unit = (responsible_unit or "").strip()
    plan.deadline = deadline
    plan.paired_project = paired_project
    if plan.status != PlanStatus.DRAFT and (missing := _missing(plan)):
        raise ValidationError(missing)
    plan.save(update_fields=["remedy", "steps", "responsible_unit", "deadline", "paired_project"])
    return plan


@transaction.atomic
def plan_start(*, user: User, plan: RectificationPlan) -> RectificationPlan:
    """draft -> in progress, once the plan says what, who and by when."""
    plan = _locked_plan(user, plan)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan is started."))
    if missing := _missing(plan):
        raise ValidationError(missing)
    plan.status = PlanStatus.IN_PROGRESS
    plan.save(update_fields=["status"])
    return plan


@transaction.atomic
def plan_complete(
    *, user: User, plan: RectificationPlan, completed_on: dt.date, today: dt.date | None = None
) -> RectificationPlan:
    """in progress -> completed on ``completed_on``; its effect shows in the next calendar year's yield."""
    plan = _locked_plan(user, plan)
    today = today or timezone.localdate()
    if plan.status != PlanStatus.IN_PROGRESS:
        raise ValidationError(_("Only a plan in progress is completed."))
    if completed_on > today:
        raise ValidationError({"completed_on": _("The completion day cannot be in the future.")})
    if completed_on < _opened_on(plan):
        raise ValidationError(
            {
                "completed_on": _("A plan cannot be completed before it was opened (%(date)s).")
                % {"date": _opened_on(plan).isoformat()}
            }
        )
    plan.status = PlanStatus.COMPLETED
    plan.completed_on = completed_on
    plan.save(update_fields=["status", "completed_on"])
    return plan
