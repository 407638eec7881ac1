"""Reads about a household's lifecycle: income against the poverty line, the exit checklist, its cadre."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

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
from households.rules import (
    EXIT_CHECKS,
    EXIT_STANDARDS,
    exit_check_flags,
    exit_households,
    income_above_line,
    member_age,
)
from households.selectors.as_of import households_on, without_cadre
from organisation.actors import Actor
from organisation.money import money_text
from organisation.scoping import Access

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

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
        return income_above_line(self.income.per_capita_net_income, self.line.amount)

    @property
    def message(self) -> str:
        values: dict[str, object] = {"year": self.year}
        if self.income is None and self.line is None:
            return _("No income is recorded for %(year)d, and no poverty line is entered for %(year)d.") % values
        if self.income is None:
            return _("No income is recorded for %(year)d.") % values
        values |= {"income": money_text(self.income.per_capita_net_income)}
        if self.line is None:
            return (
                _(
                    "Per-capita net income of %(year)d is %(income)s yuan, but no poverty line is entered for "
                    "%(year)d; the district office enters it."
                )
                % values
            )
        values |= {"line": money_text(self.line.amount)}
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


def checklist_date(year: int) -> dt.date:
    """The day the checklist of ``year`` looks at: the year's last day, or today while the year runs."""
    return min(dt.date(year, 12, 31), timezone.localdate())


def household_exit_checklist(*, household: Household, year: int, on: dt.date | None = None) -> list[ChecklistItem]:
    """Every standard of ``households.rules.EXIT_STANDARDS`` for ``household`` in ``year``. A standard fails when
    one of its checks (``households.rules.EXIT_CHECKS``: the conditions the ``exit_*`` data-quality rules query)
    holds, with a reason for each; members' ages and completed renovations are taken ``on`` (default: see
    ``checklist_date``)."""
    on = on or checklist_date(year)
    household_checks = [check for check in EXIT_CHECKS if not check.of_members]
    member_checks = [check for check in EXIT_CHECKS if check.of_members]
    one = exit_households(Household.objects.filter(pk=household.pk), year=year)
    judged = exit_check_flags(one, household_checks, on).get()
    flagged = exit_check_flags(Member.objects.filter(household=household), member_checks, on)
    members = list(flagged.annotate(age=member_age(on)).order_by("id"))
    reasons: dict[str, list[str]] = {key: [] for key in EXIT_STANDARDS}
    for check in EXIT_CHECKS:
        failing = [member for member in members if getattr(member, check.code)] if check.of_members else []
        if failing or (not check.of_members and getattr(judged, check.code)):
            reasons[check.standard].append(EXIT_REASONS[check.code](judged, failing, year, on))
    return [
        ChecklistItem(key=key, label=str(label), passed=not reasons[key], reason=" ".join(reasons[key]))
        for key, label in EXIT_STANDARDS.items()
    ]


class WithAge(TypedDict):
    age: int  # full years on the checklist's day (households.rules.member_age)


if TYPE_CHECKING:
    # A member as the checklist's reasons read them: with their age on the checklist's day.
    AgedMember: TypeAlias = WithAnnotations[Member, WithAge]


def checklist_failures(items: list[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if not item.passed]


def _names(members: Iterable[Member]) -> str:
    return ", ".join(member.name for member in members)


def _income_reason(household: Household, members: "list[AgedMember]", year: int, on: dt.date) -> str:
    return household_income_standing(household=household, year=year).message


def _out_of_school_reason(household: Household, members: "list[AgedMember]", year: int, on: dt.date) -> str:
    named = ", ".join(f"{member.name} ({member.age})" for member in members)
    return _("Aged 6 to 15 on %(date)s but not in school: %(members)s.") % {"date": on.isoformat(), "members": named}


def _unsafe_house_reason(household: Household, members: "list[AgedMember]", year: int, on: dt.date) -> str:
    values = {"grade": household.get_housing_grade_display()}
    unfinished = household.renovation_plans.filter(Q(completed_on__isnull=True) | Q(completed_on__gt=on))
    if plan := unfinished.order_by("-planned_start").first():
        values["date"] = plan.planned_completion.isoformat()
        return _("The house is %(grade)s and its renovation is not completed (planned for %(date)s).") % values
    return _("The house is %(grade)s and has no renovation plan.") % values


def _water_source_reason(household: Household, members: "list[AgedMember]", year: int, on: dt.date) -> str:
    if not household.water_source:
        return _("The drinking-water source is not recorded.")
    return _("The drinking-water source (%(source)s) is not safe.") % {"source": household.get_water_source_display()}


# Why the checklist refuses, for each check of households.rules.EXIT_CHECKS: (household, the members that fail
# a check of members, the year, the day) -> the reason.
EXIT_REASONS: dict[str, Callable[[Household, "list[AgedMember]", int, dt.date], str]] = {
    "exit_without_income": _income_reason,
    "exit_income_line_missing": _income_reason,
    "exit_income_not_above_line": _income_reason,
    "exit_food_and_clothing_not_secure": lambda *_args: _("Food and clothing are not recorded as secure."),
    "exit_child_out_of_school": _out_of_school_reason,
    "exit_dropout_risk": lambda household, members, *_args: (
        _("At risk of dropping out of school: %(members)s.") % {"members": _names(members)}
    ),
    "exit_without_members": lambda *_args: _("No members are recorded, so their medical cover cannot be checked."),
    "exit_member_uninsured": lambda household, members, *_args: (
        _("Not in the rural cooperative medical insurance: %(members)s.") % {"members": _names(members)}
    ),
    "exit_house_not_appraised": lambda *_args: _("The house has not been appraised for safety."),
    "exit_unsafe_house": _unsafe_house_reason,
    "exit_unsafe_water_source": _water_source_reason,
    "exit_drinking_water_difficult": lambda *_args: _("Drinking water is recorded as difficult."),
}


# Status history


def household_status_events(*, household: Household) -> QuerySet[StatusEvent]:
    events = StatusEvent.objects.filter(household=household).select_related("recorded_by")
    return events.order_by("-effective_on", "-id")


# Assistance cadres


def current_assignments() -> QuerySet[CadreAssignment]:
    return CadreAssignment.objects.filter(released_on__isnull=True)


def cadres_search(*, user: Actor, query: str = "") -> QuerySet[Cadre]:
    cadres = households_scope(user, Access.VIEW, Cadre.objects.all())
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


def cadre_load(*, cadre: Cadre, user: Actor) -> CadreLoad:
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


def households_without_cadre(
    *, user: Actor, town_id: int | None = None, village_id: int | None = None, on: dt.date | None = None
) -> QuerySet[Household]:
    """The households of the user's scope that need a responsible cadre and have none (``as_of.without_cadre``):
    their status calls for one (``rules.CADRE_HELPED_STATUSES``) and no cadre helps them on ``on`` (default
    today). With ``on``, only the households registered by then (the household list's ``?without_cadre=1&on=``
    and the figure ``households_without_cadre`` are this set)."""
    households = households_scope(user)
    if town_id is not None:
        households = households.filter(village__town_id=town_id)
    if village_id is not None:
        households = households.filter(village_id=village_id)
    if on is not None:
        households = households_on(households, on)
    return (
        households.filter(without_cadre(on or timezone.localdate()))
        .select_related("village__town")
        .order_by("village__town__code", "village__code", "file_number")
    )
