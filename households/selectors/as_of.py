"""The household file as of a day: who was registered, in which status, and the conditions the household list
filters on and the figures count (``reporting.indicators.households``). Each is defined once here, so a figure and
the list it opens cannot disagree.

A day reads the dates the records have:

- a household is registered from the day it was entered (``created_at``, in the district's time zone);
- its status on a day is its present status when that took effect on or before the day (or never changed), else
  the status of its latest change (``StatusEvent``) effective on or before the day, and "not yet out" before any;
- a cadre helps a household from ``starts_on`` until the day it is released (``released_on``, excluded);
- a dibao enrolment runs from ``starts_on`` to ``ends_on`` (included, open when empty);
- a data-quality problem is open from the day it was first found until the day it was resolved (excluded);
- a renovation counts from the day it was completed.

The rest (housing grade, water, members' insurance) has no date: it is read as it stands.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from households.choices import OUT_OF_POVERTY, HouseholdStatus
from households.models import (
    CadreAssignment,
    DibaoEnrolment,
    Household,
    Member,
    QualityProblem,
    RenovationPlan,
    StatusEvent,
)
from households.rules import CADRE_HELPED_STATUSES, drinking_water_difficult, house_unsafe, member_uninsured
from organisation.periods import month_end, month_start

# The annotation ``households_on`` adds: the household's status on the day.
STATUS_ON = "status_on"
# The status filter's value for both statuses out of poverty (policies continuing or ended).
STATUS_OUT = "out"


def status_on(on: dt.date) -> Case:
    """The household's status on ``on`` (see the module's note)."""
    changes = StatusEvent.objects.filter(household=OuterRef("pk"), effective_on__lte=on).order_by(
        "-effective_on", "-id"
    )
    return Case(
        When(Q(status_since__isnull=True) | Q(status_since__lte=on), then=F("status")),
        default=Coalesce(Subquery(changes.values("status")[:1]), Value(HouseholdStatus.NOT_OUT.value)),
        output_field=CharField(),
    )


def status_in(statuses, on: dt.date) -> Q:
    """The household's status on ``on`` is one of ``statuses`` (the same reading as ``status_on``, as a filter whose
    subqueries run once, not once per household: a household whose present status took effect after the day is
    judged by its latest change on or before the day, or is "not yet out" without one)."""
    statuses = tuple(statuses)
    if on >= timezone.localdate():
        # A status never takes effect in the future (household_status_change refuses it): on today or later the
        # present status is the status on the day, and the lists of what needs doing now need no subquery.
        return Q(status__in=statuses)
    settled = (Q(status_since__isnull=True) | Q(status_since__lte=on)) & Q(status__in=statuses)
    changes_by_then = StatusEvent.objects.filter(effective_on__lte=on, household__status_since__gt=on)
    latest = changes_by_then.order_by("household_id", "-effective_on", "-id").distinct("household_id").values("pk")
    condition = settled | Q(
        pk__in=StatusEvent.objects.filter(pk__in=latest, status__in=statuses).values("household_id")
    )
    if HouseholdStatus.NOT_OUT in statuses:
        unchanged_by_then = Household.objects.filter(status_since__gt=on).exclude(
            pk__in=changes_by_then.values("household_id")
        )
        condition |= Q(pk__in=unchanged_by_then.values("pk"))
    return condition


def registered_on(on: dt.date, path: str = "") -> Q:
    """The household (at ``path``, e.g. ``household__``) was in the register on ``on``."""
    return Q(**{f"{path}created_at__date__lte": on})


def households_on(households: QuerySet[Household], on: dt.date) -> QuerySet[Household]:
    """``households`` registered on ``on``."""
    return households.filter(registered_on(on))


def statuses_of(status: str) -> tuple[str, ...]:
    """The statuses a status filter's value stands for: one status, or both out of poverty (``STATUS_OUT``)."""
    if status == STATUS_OUT:
        return tuple(OUT_OF_POVERTY)
    return (status,) if status in HouseholdStatus.values else ()


# Records current on a day


def assignments_current_on(on: dt.date) -> QuerySet[CadreAssignment]:
    """Cadre assignments started on or before ``on`` and not released by then."""
    return CadreAssignment.objects.filter(Q(starts_on__lte=on) & (Q(released_on__isnull=True) | Q(released_on__gt=on)))


def dibao_enrolments_on(on: dt.date) -> QuerySet[DibaoEnrolment]:
    return DibaoEnrolment.objects.filter(Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on)))


def quality_problems_open_on(on: dt.date) -> QuerySet[QualityProblem]:
    """Problems found on or before ``on`` and not resolved by the end of it (a problem found again after it was
    resolved counts as open since it was first found)."""
    return QualityProblem.objects.filter(
        Q(first_found_at__date__lte=on) & (Q(resolved_at__isnull=True) | Q(resolved_at__date__gt=on))
    )


# The conditions of a household on a day: the household list's check boxes, and the figures that count them.


def without_cadre(on: dt.date) -> Q:
    """A household whose status on the day calls for a responsible cadre (``rules.CADRE_HELPED_STATUSES``) and that
    no cadre helps on the day."""
    helped = assignments_current_on(on).filter(household=OuterRef("pk"))
    return status_in(CADRE_HELPED_STATUSES, on) & ~Q(Exists(helped))


def on_dibao(on: dt.date) -> Q:
    return Q(Exists(dibao_enrolments_on(on).filter(household=OuterRef("pk"))))


def with_problems(on: dt.date) -> Q:
    return Q(Exists(quality_problems_open_on(on).filter(household=OuterRef("pk"))))


def with_uninsured_member(on: dt.date) -> Q:
    """A member not in the rural cooperative medical insurance (``rules.member_uninsured``)."""
    return Q(Exists(Member.objects.filter(household=OuterRef("pk")).filter(member_uninsured(on))))


def renovated(on: dt.date) -> Q:
    """A renovation of the house completed on or before the day."""
    return Q(Exists(RenovationPlan.objects.filter(household=OuterRef("pk"), completed_on__lte=on)))


@dataclass(frozen=True)
class HouseholdFlag:
    """A condition the household list filters on (``?<code>=1``)."""

    code: str
    label: str | Promise
    condition: Callable[[dt.date], Q]


HOUSEHOLD_FLAGS = (
    HouseholdFlag("without_cadre", _("No cadre"), without_cadre),
    HouseholdFlag("dibao", _("On dibao"), on_dibao),
    HouseholdFlag("with_problems", _("Data-quality problem open"), with_problems),
    HouseholdFlag("uninsured", _("Member without medical insurance"), with_uninsured_member),
    # Point 10: a dilapidated house (grade C or D) not yet renovated, as the exit standard reads it.
    HouseholdFlag("unsafe_house", _("Dilapidated house"), house_unsafe),
    HouseholdFlag("renovated", _("House renovated"), renovated),
    HouseholdFlag("water_difficult", _("Drinking water difficult"), drinking_water_difficult),
)
HOUSEHOLD_FLAG_BY_CODE = {flag.code: flag for flag in HOUSEHOLD_FLAGS}


def with_status_on(households: QuerySet[Household], on: dt.date) -> QuerySet[Household]:
    """``households`` each with its status on ``on`` (``status_on``), to show it; filter with ``status_in``."""
    return households.annotate(**{STATUS_ON: status_on(on)})


# Changes within a month: the monthly report's household changes.


def _month_days(month: dt.date) -> tuple[dt.date, dt.date]:
    return month_start(month), month_end(month)


def exit_events() -> QuerySet[StatusEvent]:
    """Status changes out of poverty: to a status out of poverty from one that was not (a change between the two
    statuses out of poverty is not an exit). The status before the first change is "not yet out"."""
    earlier = StatusEvent.objects.filter(household=OuterRef("household")).filter(
        Q(effective_on__lt=OuterRef("effective_on")) | Q(effective_on=OuterRef("effective_on"), id__lt=OuterRef("id"))
    )
    before = Coalesce(
        Subquery(earlier.order_by("-effective_on", "-id").values("status")[:1]),
        Value(HouseholdStatus.NOT_OUT.value),
        output_field=CharField(),
    )
    return (
        StatusEvent.objects.filter(status__in=OUT_OF_POVERTY)
        .annotate(status_before=before)
        .exclude(status_before__in=OUT_OF_POVERTY)
    )


def added_in(month: dt.date) -> Q:
    """Entered in the register within the month."""
    first, last = _month_days(month)
    return Q(created_at__date__gte=first, created_at__date__lte=last)


def exited_in(month: dt.date) -> Q:
    """Out of poverty by a change effective within the month (``exit_events``)."""
    first, last = _month_days(month)
    return Q(Exists(exit_events().filter(household=OuterRef("pk"), effective_on__range=(first, last))))


def returned_in(month: dt.date) -> Q:
    """Returned to poverty by a change effective within the month."""
    first, last = _month_days(month)
    changes = StatusEvent.objects.filter(
        household=OuterRef("pk"), status=HouseholdStatus.RETURNED, effective_on__range=(first, last)
    )
    return Q(Exists(changes))


@dataclass(frozen=True)
class HouseholdChange:
    """A change of the register within a month the household list filters on (``?change=<code>&month=YYYY-MM``)."""

    code: str
    label: str | Promise
    condition: Callable[[dt.date], Q]


HOUSEHOLD_CHANGES = (
    HouseholdChange("added", _("Registered in the month"), added_in),
    HouseholdChange("exited", _("Out of poverty in the month"), exited_in),
    HouseholdChange("returned", _("Returned to poverty in the month"), returned_in),
)
HOUSEHOLD_CHANGE_BY_CODE = {change.code: change for change in HOUSEHOLD_CHANGES}
