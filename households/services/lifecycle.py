"""Writes to a household's lifecycle: yearly income, status changes (exit and return), assistance cadres."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from households.choices import OUT_OF_POVERTY, HouseholdStatus, ReturnCause
from households.models import (
    CADRE_HOUSEHOLD_LIMIT,
    Cadre,
    CadreAssignment,
    Household,
    Income,
    StatusEvent,
)
from households.permissions import CADRE_MANAGERS, HOUSEHOLD_KEEPERS, STATUS_RECORDERS, households_scope
from households.rules import FIRST_INCOME_YEAR, MAY_RETURN_FROM, cadre_term_end
from households.selectors.lifecycle import cadre_load, checklist_failures, household_exit_checklist
from organisation.locking import locked_in_reach
from organisation.scoping import Access
from organisation.validation import role_require

MAX_AMOUNT = Decimal("999999999.99")
MAX_HOUSEHOLD_SIZE = 50
CADRE_LIMIT_CONSTRAINT = "cadre_household_limit"


def _locked_household(user: User, household: Household) -> Household:
    """The household, locked, if the user may change it: two people writing to it wait for each other."""
    return locked_in_reach(households_scope, user, household, message=_("You may not change this household."))


# Income


def _amount_check(value, label) -> str | None:
    """Why ``value`` is not an amount in yuan, if it is not."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return _("%(field)s must be an amount in yuan.") % {"field": label}
    value = Decimal(value)
    if not value.is_finite():
        return _("%(field)s must be an amount in yuan.") % {"field": label}
    if value < 0:
        return _("%(field)s cannot be negative.") % {"field": label}
    if value > MAX_AMOUNT:
        return _("%(field)s cannot be more than %(max)s yuan.") % {"field": label, "max": f"{MAX_AMOUNT:,}"}
    if value != value.quantize(Decimal("0.01")):
        return _("%(field)s has more than two decimal places (fen).") % {"field": label}
    return None


def income_check(*, year, household_size, **amounts) -> None:
    """The rules of one year's income; ``ValidationError`` keyed by field, each message naming the field."""
    errors = {}
    fields = Income._meta
    this_year = timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_INCOME_YEAR <= year <= this_year:
        errors["year"] = _("%(field)s must be a year from %(first)d to %(last)d.") % {
            "field": capfirst(fields.get_field("year").verbose_name),
            "first": FIRST_INCOME_YEAR,
            "last": this_year,
        }
    for name, value in amounts.items():
        field = fields.get_field(name)
        assert isinstance(field, Field)  # the amounts are columns of Income, not relations
        if problem := _amount_check(value, capfirst(field.verbose_name)):
            errors[name] = problem
    if (
        isinstance(household_size, bool)
        or not isinstance(household_size, int)
        or not 1 <= household_size <= MAX_HOUSEHOLD_SIZE
    ):
        errors["household_size"] = _("%(field)s must be a whole number from 1 to %(max)d.") % {
            "field": capfirst(fields.get_field("household_size").verbose_name),
            "max": MAX_HOUSEHOLD_SIZE,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def income_record(
    *,
    user: User,
    household: Household,
    year: int,
    wages: Decimal,
    business: Decimal,
    transfers: Decimal,
    property_income: Decimal,
    business_costs: Decimal,
    household_size: int,
) -> Income:
    """Record the household's income of ``year``, or correct it if that year is already recorded."""
    role_require(user, HOUSEHOLD_KEEPERS)
    # The household's lock makes two people entering the same year wait for each other, not collide.
    _locked_household(user, household)
    amounts = {
        "wages": wages,
        "business": business,
        "transfers": transfers,
        "property_income": property_income,
        "business_costs": business_costs,
    }
    income_check(year=year, household_size=household_size, **amounts)
    income = Income.objects.filter(household_id=household.pk, year=year).first() or Income(
        household_id=household.pk, year=year
    )
    for name, value in amounts.items():
        setattr(income, name, Decimal(value))
    income.household_size = household_size
    income.compute_totals()
    income.save()
    return income


# Status


@transaction.atomic
def household_status_change(
    *,
    user: User,
    household: Household,
    status: str,
    effective_on: dt.date,
    return_cause: str = "",
    note: str = "",
) -> StatusEvent:
    """Change the household's status from ``effective_on``, recording the dated event.

    Out of poverty only when every item of the exit checklist of ``effective_on``'s year passes;
    back into poverty (returned) only with its cause, illness or disaster (point 12).
    """
    role_require(user, STATUS_RECORDERS, _("Only the district office and town staff may change a household's status."))
    locked = _locked_household(user, household)

    errors = {}
    if status not in HouseholdStatus.values:
        errors["status"] = _("Choose one of the statuses.")
    elif status == locked.status:
        errors["status"] = _("The household's status is already “%(status)s”.") % {
            "status": locked.get_status_display()
        }
    elif status == HouseholdStatus.RETURNED and locked.status not in MAY_RETURN_FROM:
        errors["status"] = _(
            "Only a household that is out of poverty or marginal can return to poverty; this one is “%(status)s”."
        ) % {"status": locked.get_status_display()}
    if status == HouseholdStatus.RETURNED:
        if not return_cause:
            errors["return_cause"] = _(
                "Say why the household returned to poverty: illness or disaster (work plan point 12)."
            )
        elif return_cause not in ReturnCause.values:
            errors["return_cause"] = _("A household returns to poverty through illness or disaster.")
    elif return_cause:
        errors["return_cause"] = _("A cause of return is recorded only when the household returns to poverty.")
    if effective_on > timezone.localdate():
        errors["effective_on"] = _("The date a status takes effect cannot be in the future.")
    elif locked.status_since and effective_on < locked.status_since:
        errors["effective_on"] = _(
            "The household has had its present status since %(date)s; a change cannot take effect before that."
        ) % {"date": locked.status_since.isoformat()}
    if errors:
        raise ValidationError(errors)

    if status in OUT_OF_POVERTY:
        failed = checklist_failures(
            household_exit_checklist(household=locked, year=effective_on.year, on=effective_on)
        )
        if failed:
            raise ValidationError(
                [
                    ValidationError(
                        _("The household cannot be marked out of poverty: the exit checklist fails."),
                        code="exit_checklist",
                    ),
                    *(ValidationError(f"{item.label}: {item.reason}", code=item.key) for item in failed),
                ]
            )

    event = StatusEvent.objects.create(
        household=locked,
        status=status,
        effective_on=effective_on,
        return_cause=return_cause,
        note=note.strip(),
        recorded_by=user,
    )
    locked.status, locked.status_since = status, effective_on
    locked.save(update_fields=["status", "status_since", "updated_at"])
    household.status, household.status_since = status, effective_on
    return event


# Assistance cadres


def cadre_managers_check(user: User) -> None:
    role_require(
        user, CADRE_MANAGERS, _("Only the district office and town staff may enter and assign assistance cadres.")
    )


@transaction.atomic
def cadre_create(*, user: User, name: str, work_unit: str, phone: str) -> Cadre:
    cadre_managers_check(user)
    return Cadre.objects.create(name=name.strip(), work_unit=work_unit.strip(), phone=phone.strip())


@transaction.atomic
def cadre_update(*, user: User, cadre: Cadre, name: str, work_unit: str, phone: str) -> Cadre:
    cadre_managers_check(user)
    if not households_scope(user, Access.CHANGE, Cadre.objects.filter(pk=cadre.pk)).exists():
        raise PermissionDenied(_("You may not change this cadre."))
    cadre.name, cadre.work_unit, cadre.phone = name.strip(), work_unit.strip(), phone.strip()
    cadre.save(update_fields=["name", "work_unit", "phone"])
    return cadre


def cadre_limit_reached(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == CADRE_LIMIT_CONSTRAINT


def cadre_full_message(*, cadre: Cadre, user: User) -> str:
    load = cadre_load(cadre=cadre, user=user)
    values = {
        "cadre": str(cadre),
        "limit": CADRE_HOUSEHOLD_LIMIT,
        "households": ", ".join(load.file_numbers) or "—",
        "elsewhere": load.elsewhere,
    }
    if load.elsewhere:
        return (
            _(
                "%(cadre)s already helps %(limit)d households, the most a cadre may help: %(households)s, and "
                "%(elsewhere)d elsewhere. Release one of them first or choose another cadre."
            )
            % values
        )
    return (
        _(
            "%(cadre)s already helps %(limit)d households, the most a cadre may help: %(households)s. "
            "Release one of them first or choose another cadre."
        )
        % values
    )


@transaction.atomic
def cadre_assign(
    *,
    user: User,
    household: Household,
    cadre: Cadre,
    starts_on: dt.date,
    term_ends_on: dt.date | None = None,
) -> CadreAssignment:
    """Make ``cadre`` the household's responsible cadre from ``starts_on``, releasing the one before.

    The database holds the limit of five households per cadre (trigger ``cadre_household_limit``), so two
    assignments of the same cadre at the same moment cannot both pass it.
    """
    cadre_managers_check(user)
    _locked_household(user, household)
    if not households_scope(user, Access.CHANGE, Cadre.objects.filter(pk=cadre.pk)).exists():
        raise PermissionDenied(_("You may not assign this cadre."))
    if term_ends_on is None:
        term_ends_on = cadre_term_end(starts_on)
    if term_ends_on < starts_on:
        raise ValidationError(
            {"term_ends_on": _("The term cannot end (%(end)s) before it starts.") % {"end": term_ends_on.isoformat()}}
        )
    try:
        with transaction.atomic():
            held = CadreAssignment.objects.select_for_update().filter(household_id=household.pk, released_on=None)
            if current := held.first():
                if current.cadre_id == cadre.pk:
                    raise ValidationError(
                        {"cadre": _("%(cadre)s already helps this household.") % {"cadre": str(cadre)}}
                    )
                if starts_on < current.starts_on:
                    raise ValidationError(
                        {
                            "starts_on": _(
                                "The present cadre has helped since %(date)s; a new one cannot start before that."
                            )
                            % {"date": current.starts_on.isoformat()}
                        }
                    )
                current.released_on = starts_on
                current.save(update_fields=["released_on"])
            return CadreAssignment.objects.create(
                household_id=household.pk, cadre=cadre, starts_on=starts_on, term_ends_on=term_ends_on
            )
    except IntegrityError as error:
        if cadre_limit_reached(error):
            raise ValidationError({"cadre": cadre_full_message(cadre=cadre, user=user)}) from error
        raise
