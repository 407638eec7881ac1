"""Reads about a household's lifecycle: income against the poverty line, the exit checklist, its cadre."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.id_numbers import age_on
from households.models import (
    CADRE_HOUSEHOLD_LIMIT,
    Cadre,
    CadreAssignment,
    Household,
    Income,
    Member,
    PovertyLine,
    StatusEvent,
)
from households.permissions import households_scope
from households.rules import COMPULSORY_SCHOOL_AGES, COMPULSORY_STAGES, SAFE_GRADES, SAFE_WATER_SOURCES
from organisation.roles import DISTRICT_READERS, Role
from organisation.scoping import Access, has_district_reach, role_of

# Cadres belong to no town: district users see them all, town users those who help their households.
CADRE_VIEWERS = DISTRICT_READERS | {Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION}


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


# Income against the poverty line


@dataclass(frozen=True)
class IncomeStanding:
    """A year's per-capita net income beside that year's poverty line; either may be missing."""

    year: int
    income: Income | None
    line: PovertyLine | None

    @property
    def above(self) -> bool | None:
        """Whether per-capita net income is above the line; None while either is missing."""
        if self.income is None or self.line is None:
            return None
        return self.income.per_capita_net_income > self.line.amount

    @property
    def message(self) -> str:
        values = {"year": self.year}
        if self.income is None and self.line is None:
            return _("No income is recorded for %(year)d, and no poverty line is entered for %(year)d.") % values
        if self.income is None:
            return _("No income is recorded for %(year)d.") % values
        values |= {"income": money(self.income.per_capita_net_income)}
        if self.line is None:
            return (
                _(
                    "Per-capita net income of %(year)d is %(income)s yuan, but no poverty line is entered for "
                    "%(year)d; the district office enters it."
                )
                % values
            )
        values |= {"line": money(self.line.amount)}
        if self.above:
            message = _(
                "Per-capita net income of %(year)d is %(income)s yuan, above the poverty line of %(line)s yuan."
            )
        else:
            message = _(
                "Per-capita net income of %(year)d is %(income)s yuan, not above the poverty line of %(line)s yuan."
            )
        return message % values


def household_income_standing(*, household: Household, year: int) -> IncomeStanding:
    return IncomeStanding(
        year=year,
        income=Income.objects.filter(household=household, year=year).first(),
        line=PovertyLine.objects.filter(year=year).first(),
    )


def household_income_standings(*, household: Household) -> list[IncomeStanding]:
    """Every recorded year of the household, newest first, each with its poverty line."""
    incomes = list(Income.objects.filter(household=household).order_by("-year"))
    lines = PovertyLine.objects.in_bulk([income.year for income in incomes], field_name="year")
    return [IncomeStanding(year=income.year, income=income, line=lines.get(income.year)) for income in incomes]


# The exit checklist: 两不愁三保障 and safe drinking water


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    passed: bool
    reason: str = ""


CHECKLIST_LABELS = {
    "income": gettext_lazy("Income above the poverty line"),
    "food_and_clothing": gettext_lazy("No worry about food and clothing"),
    "compulsory_education": gettext_lazy("Compulsory education"),
    "medical_cover": gettext_lazy("Basic medical cover"),
    "safe_housing": gettext_lazy("Safe housing"),
    "safe_water": gettext_lazy("Safe drinking water"),
}


def checklist_date(year: int) -> dt.date:
    """The day the checklist of ``year`` looks at: the year's last day, or today while the year runs."""
    return min(dt.date(year, 12, 31), timezone.localdate())


def household_exit_checklist(*, household: Household, year: int, on: dt.date | None = None) -> list[ChecklistItem]:
    """Every item of the exit standard for ``household`` in ``year``; members' ages are taken ``on``
    (default: see ``checklist_date``)."""
    on = on or checklist_date(year)
    members = list(Member.objects.filter(household=household).order_by("id"))
    return [
        _income_item(household, year),
        _food_and_clothing_item(household),
        _compulsory_education_item(members, on),
        _medical_cover_item(members),
        _safe_housing_item(household, on),
        _safe_water_item(household),
    ]


def checklist_failures(items: list[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if not item.passed]


def _item(key: str, reasons: list[str]) -> ChecklistItem:
    return ChecklistItem(key=key, label=str(CHECKLIST_LABELS[key]), passed=not reasons, reason=" ".join(reasons))


def _names(members: list[Member]) -> str:
    return ", ".join(member.name for member in members)


def _income_item(household: Household, year: int) -> ChecklistItem:
    standing = household_income_standing(household=household, year=year)
    return _item("income", [] if standing.above else [standing.message])


def _food_and_clothing_item(household: Household) -> ChecklistItem:
    reasons = [] if household.food_and_clothing_secure else [_("Food and clothing are not recorded as secure.")]
    return _item("food_and_clothing", reasons)


def _compulsory_education_item(members: list[Member], on: dt.date) -> ChecklistItem:
    reasons = []
    out_of_school = [
        f"{member.name} ({age_on(member.birth_date, on)})"
        for member in members
        if age_on(member.birth_date, on) in COMPULSORY_SCHOOL_AGES and member.school_stage not in COMPULSORY_STAGES
    ]
    if out_of_school:
        reasons.append(
            _("Aged 6 to 15 on %(date)s but not in school: %(members)s.")
            % {"date": on.isoformat(), "members": ", ".join(out_of_school)}
        )
    if at_risk := [member for member in members if member.dropout_risk]:
        reasons.append(_("At risk of dropping out of school: %(members)s.") % {"members": _names(at_risk)})
    return _item("compulsory_education", reasons)


def _medical_cover_item(members: list[Member]) -> ChecklistItem:
    if not members:
        return _item("medical_cover", [_("No members are recorded, so their medical cover cannot be checked.")])
    uninsured = [member for member in members if not member.medical_insurance]
    reasons = []
    if uninsured:
        reasons.append(
            _("Not in the rural cooperative medical insurance: %(members)s.") % {"members": _names(uninsured)}
        )
    return _item("medical_cover", reasons)


def _safe_housing_item(household: Household, on: dt.date) -> ChecklistItem:
    grade = household.housing_grade
    if not grade:
        return _item("safe_housing", [_("The house has not been appraised for safety.")])
    if grade in SAFE_GRADES:
        return _item("safe_housing", [])
    plans = household.renovation_plans.all()
    if plans.filter(completed_on__isnull=False, completed_on__lte=on).exists():
        return _item("safe_housing", [])
    values = {"grade": household.get_housing_grade_display()}
    if plan := plans.filter(Q(completed_on__isnull=True) | Q(completed_on__gt=on)).order_by("-planned_start").first():
        values["date"] = plan.planned_completion.isoformat()
        reason = _("The house is %(grade)s and its renovation is not completed (planned for %(date)s).") % values
    else:
        reason = _("The house is %(grade)s and has no renovation plan.") % values
    return _item("safe_housing", [reason])


def _safe_water_item(household: Household) -> ChecklistItem:
    reasons = []
    if not household.water_source:
        reasons.append(_("The drinking-water source is not recorded."))
    elif household.water_source not in SAFE_WATER_SOURCES:
        reasons.append(
            _("The drinking-water source (%(source)s) is not safe.") % {"source": household.get_water_source_display()}
        )
    if household.drinking_water_difficult:
        reasons.append(_("Drinking water is recorded as difficult."))
    return _item("safe_water", reasons)


# Status history


def household_status_events(*, household: Household) -> QuerySet[StatusEvent]:
    events = StatusEvent.objects.filter(household=household).select_related("recorded_by")
    return events.order_by("-effective_on", "-id")


# Assistance cadres


def may_view_cadres(user) -> bool:
    return user.is_authenticated and (user.is_superuser or role_of(user) in CADRE_VIEWERS)


def current_assignments() -> QuerySet[CadreAssignment]:
    return CadreAssignment.objects.filter(released_on__isnull=True)


def cadres_visible(*, user, access: Access = Access.VIEW) -> QuerySet[Cadre]:
    """The cadres ``user`` may see (or change): with district reach, all; otherwise the cadres who now help
    a household in the user's scope, and the cadres who help nobody yet (free to be assigned)."""
    if not may_view_cadres(user):
        return Cadre.objects.none()
    cadres = Cadre.objects.annotate(
        households_helped=Count("assignments", filter=Q(assignments__released_on__isnull=True))
    )
    if has_district_reach(user, access):
        return cadres
    helping_here = households_scope(user, access, current_assignments()).values("cadre_id")
    busy = current_assignments().filter(cadre=OuterRef("pk"))
    return cadres.filter(Q(pk__in=helping_here) | ~Exists(busy))


def cadres_search(*, user, query: str = "") -> QuerySet[Cadre]:
    cadres = cadres_visible(user=user)
    if query := query.strip():
        cadres = cadres.filter(Q(name__icontains=query) | Q(work_unit__icontains=query) | Q(phone__icontains=query))
    return cadres.order_by("name", "id")


@dataclass(frozen=True)
class CadreLoad:
    """The households a cadre helps now, as ``user`` may see them; those elsewhere are only counted."""

    cadre: Cadre
    assignments: list[CadreAssignment]
    elsewhere: int

    @property
    def total(self) -> int:
        return len(self.assignments) + self.elsewhere

    @property
    def full(self) -> bool:
        return self.total >= CADRE_HOUSEHOLD_LIMIT

    @property
    def places_left(self) -> int:
        return max(CADRE_HOUSEHOLD_LIMIT - self.total, 0)

    @property
    def file_numbers(self) -> list[str]:
        return [assignment.household.file_number for assignment in self.assignments]


def cadre_load(*, cadre: Cadre, user) -> CadreLoad:
    current = current_assignments().filter(cadre=cadre)
    visible = list(
        households_scope(user, Access.VIEW, current)
        .select_related("household__village__town")
        .order_by("household__file_number")
    )
    return CadreLoad(cadre=cadre, assignments=visible, elsewhere=current.count() - len(visible))


def household_current_assignment(*, household: Household) -> CadreAssignment | None:
    return current_assignments().filter(household=household).select_related("cadre").first()


def household_assignments(*, household: Household) -> QuerySet[CadreAssignment]:
    return CadreAssignment.objects.filter(household=household).select_related("cadre").order_by("-starts_on", "-id")


def households_without_cadre(*, user, town_id: int | None = None) -> QuerySet[Household]:
    helped = current_assignments().filter(household=OuterRef("pk"))
    households = households_scope(user).filter(~Exists(helped)).select_related("village__town")
    if town_id is not None:
        households = households.filter(village__town_id=town_id)
    return households.order_by("village__town__code", "village__code", "file_number")
