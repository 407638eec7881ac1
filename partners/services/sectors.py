"""Point 15, 行业帮扶: the leading group's departments, their three-year action plans with quarterly progress (kept
by the district office), and the pairings of departments with poor villages (脱贫共建) with what was given (recorded
by the district office, or by a town's staff for its villages)."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.choices import Quarter
from organisation.locking import locked_in_reach
from organisation.models import Village
from organisation.scoping import Access
from organisation.validation import date_check, role_require, text_required
from partners.choices import PLAN_YEARS, SupportKind
from partners.models import Department, Pairing, PairingSupport, PlanTarget, TargetProgress
from partners.permissions import PLAN_KEEPERS, VILLAGE_RECORDERS, partners_scope


@transaction.atomic
def department_add(*, user: User, name: str, sort_order: int = 0) -> Department:
    """A member unit of the leading group joins the list."""
    role_require(user, PLAN_KEEPERS, _("The district office keeps the list of sector departments."))
    name = text_required(name, "name", _("Give the department's name."))
    if Department.objects.filter(name=name).exists():
        raise ValidationError({"name": _("This department is already on the list.")})
    return Department.objects.create(name=name, sort_order=sort_order or 0)


@transaction.atomic
def plan_target_add(
    *, user: User, department: Department, year: int, measure: str, unit: str, target: Decimal
) -> PlanTarget:
    """A target of the department's 2018-2020 action plan for one year: a measure, its unit and the target."""
    role_require(user, PLAN_KEEPERS, _("The district office keeps the departments' action plans."))
    department = locked_in_reach(partners_scope, user, department)
    if year not in PLAN_YEARS:
        raise ValidationError({"year": _("The action plan covers 2018 to 2020.")})
    measure = text_required(measure, "measure", _("Name the measure."))
    unit = text_required(unit, "unit", _("Give the measure's unit."))
    if target is None or target <= 0:
        raise ValidationError({"target": _("The target must be more than zero.")})
    if PlanTarget.objects.filter(department=department, year=year, measure=measure).exists():
        raise ValidationError({"measure": _("This measure already has a target for the year.")})
    return PlanTarget.objects.create(department=department, year=year, measure=measure, unit=unit, target=target)


@transaction.atomic
def target_progress_record(
    *, user: User, target: PlanTarget, quarter: int, achieved: Decimal, note: str = ""
) -> TargetProgress:
    """What was achieved towards the target in a quarter of its year; a quarter entered again is corrected."""
    role_require(user, PLAN_KEEPERS, _("The district office enters the action plans' progress."))
    target = locked_in_reach(partners_scope, user, target)
    if quarter not in Quarter.values:
        raise ValidationError({"quarter": _("Choose the quarter.")})
    if achieved is None or achieved < 0:
        raise ValidationError({"achieved": _("What was achieved cannot be negative.")})
    progress, _created = TargetProgress.objects.update_or_create(
        target=target,
        quarter=quarter,
        defaults={"achieved": achieved, "note": (note or "").strip(), "recorded_by": user},
    )
    return progress


@transaction.atomic
def pairing_add(
    *, user: User, department: Department, village: Village, starts_on: dt.date, ends_on: dt.date | None = None
) -> Pairing:
    """脱贫共建: the department pairs with the poor village from ``starts_on`` (to ``ends_on``, if known)."""
    role_require(user, VILLAGE_RECORDERS, _("The district office and town staff record pairings."))
    village = locked_in_reach(partners_scope, user, village)
    department = locked_in_reach(partners_scope, user, department, access=Access.VIEW)
    starts_on = date_check(starts_on, "starts_on", missing=_("Give the day the pairing starts."))
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The pairing cannot end before it starts.")})
    overlapping = Pairing.objects.filter(department=department, village=village).exclude(ends_on__lt=starts_on)
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise ValidationError({"village": _("The department is already paired with this village at that time.")})
    return Pairing.objects.create(
        department=department, village=village, starts_on=starts_on, ends_on=ends_on, recorded_by=user
    )


@transaction.atomic
def pairing_end(*, user: User, pairing: Pairing, ends_on: dt.date) -> Pairing:
    """The pairing ends on ``ends_on``."""
    role_require(user, VILLAGE_RECORDERS, _("The district office and town staff record pairings."))
    pairing = locked_in_reach(partners_scope, user, pairing)
    if pairing.ends_on is not None:
        raise ValidationError({"ends_on": _("This pairing has already ended.")})
    ends_on = date_check(ends_on, "ends_on", after=(_("the start of the pairing"), pairing.starts_on))
    pairing.ends_on = ends_on
    pairing.save(update_fields=["ends_on"])
    return pairing


@transaction.atomic
def pairing_support_add(
    *,
    user: User,
    pairing: Pairing,
    kind: str,
    given_on: dt.date,
    people: int | None = None,
    amount: Decimal | None = None,
    description: str = "",
) -> PairingSupport:
    """One dated item the department gave the village: people sent (how many), money (yuan) or materials (what,
    and their value in yuan if known)."""
    role_require(user, VILLAGE_RECORDERS, _("The district office and town staff record what a department gave."))
    pairing = locked_in_reach(partners_scope, user, pairing)
    given_on = date_check(given_on, "given_on", after=(_("the start of the pairing"), pairing.starts_on))
    if pairing.ends_on is not None and given_on > pairing.ends_on:
        raise ValidationError({"given_on": _("The pairing had ended by that day.")})
    description = (description or "").strip()
    if kind == SupportKind.PEOPLE:
        if not people or people <= 0:
            raise ValidationError({"people": _("Give how many people were sent.")})
        amount = None
    elif kind == SupportKind.MONEY:
        if amount is None or amount <= 0:
            raise ValidationError({"amount": _("Give the amount in yuan, more than zero.")})
        people = None
    elif kind == SupportKind.MATERIALS:
        description = text_required(description, "description", _("Say which materials were given."))
        if amount is not None and amount <= 0:
            raise ValidationError({"amount": _("The materials' value must be more than zero, or left empty.")})
        people = None
    else:
        raise ValidationError({"kind": _("Choose what was given.")})
    return PairingSupport.objects.create(
        pairing=pairing,
        kind=kind,
        given_on=given_on,
        people=people,
        amount=amount,
        description=description,
        recorded_by=user,
    )
