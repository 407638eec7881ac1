"""Figures of the industry projects (points 1-4): the projects by stage and category, their investment and income,
the yield against the floor of 6%, the rectification plans, the industrial parks and the property rights.

Every figure is taken as of the period's last day and counted by town (a project belongs to one town and may serve
several villages, so a village figure would count a project twice in its town). What a project was on a past day
is read from ``projects.selectors.as_of``, the yield classes and bands from ``projects.selectors.income``, so each
figure and the list its ``records`` opens use the same expressions: the list filtered as the figure is counted
(``?as_of=``, ``?open_on=``, the yield overview's "latest assessment as of") gives the same number for any month.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, Sum, Value
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from organisation.models import Town
from organisation.roles import Level
from projects.models import (
    BELOW_FLOOR,
    Category,
    IncomeRecord,
    IndustrialPark,
    IndustryProject,
    Investment,
    ProjectStatus,
    RectificationPlan,
    YieldClass,
)
from projects.selectors import as_of as as_of_reads
from projects.selectors.income import (
    BELOW_FLOOR_FILTER,
    YieldBand,
    classification_condition,
    latest_assessments_on,
    plan_open_condition,
    plan_overdue_on,
    yield_band_condition,
)
from projects.selectors.projects import RIGHTS_CONFIRMED, RIGHTS_UNCONFIRMED
from reporting.choices import Domain, FigureUnit
from reporting.indicators.base import Indicator, Period, Rows, grouped

Records = Callable[[Level, int, Period], str | None]


def _day(period: Period) -> dt.date:
    return period.as_of


# --- Computations ---------------------------------------------------------------------------------------------------


def _projects(period: Period, *, status: str | None = None, **filters) -> Rows:
    return grouped(
        IndustryProject.objects.filter(as_of_reads.in_status_on(_day(period), status), **filters), "town_id"
    )


def _investment(period: Period) -> Rows:
    day = _day(period)
    existing = as_of_reads.projects_on(day).values("pk")
    return (
        Investment.objects.filter(Q(invested_on__isnull=True) | Q(invested_on__lte=day), project__in=existing)
        .order_by()
        .values_list("project__town_id")
        .annotate(total=Sum("amount"))
        .values_list("project__town_id", "total")
    )


def _income_year(period: Period) -> Rows:
    return (
        IncomeRecord.objects.filter(received_on__range=(period.year_start, period.as_of))
        .order_by()
        .values_list("project__town_id")
        .annotate(total=Sum("amount"))
        .values_list("project__town_id", "total")
    )


def _assessments(condition: Q) -> Callable[[Period], Rows]:
    def compute(period: Period) -> Rows:
        return grouped(latest_assessments_on(_day(period)).filter(condition), "project__town_id")

    return compute


def _plans_open(period: Period) -> Rows:
    return grouped(RectificationPlan.objects.filter(plan_open_condition(_day(period))), "project__town_id")


def _plans_overdue(period: Period) -> Rows:
    return grouped(RectificationPlan.objects.filter(plan_overdue_on(period.counted_on)), "project__town_id")


def _parks(period: Period) -> Rows:
    return grouped(IndustrialPark.objects.filter(established_on__lte=_day(period)), "town_id")


def _towns_without_park(period: Period) -> Rows:
    parks = IndustrialPark.objects.filter(town=OuterRef("pk"), established_on__lte=_day(period))
    return Town.objects.exclude(Exists(parks)).annotate(one=Value(1)).values_list("pk", "one")


def _rights(confirmed: bool) -> Callable[[Period], Rows]:
    def compute(period: Period) -> Rows:
        day = _day(period)
        done = as_of_reads.confirmed_on(day)
        projects = as_of_reads.projects_on(day).filter(as_of_reads.needs_confirmation_on(day))
        return grouped(projects.filter(done if confirmed else ~done), "town_id")

    return compute


# --- Where a figure's records are listed ----------------------------------------------------------------------------


def _list_url(name: str, level: Level, unit_id: int, filters: dict) -> str | None:
    """The list ``name`` of the district or of one town, filtered; none for a village (these figures are by town)."""
    if level == Level.VILLAGE:
        return None
    where = {"town": unit_id} if level == Level.TOWN else {}
    return f"{reverse(name)}?{urlencode({**where, **filters})}"


def _project_list(**filters) -> Records:
    def records(level: Level, unit_id: int, period: Period) -> str | None:
        return _list_url("projects:project_list", level, unit_id, {"as_of": _day(period).isoformat(), **filters})

    return records


def _income_list(level: Level, unit_id: int, period: Period) -> str | None:
    dates = {"received_from": period.year_start.isoformat(), "received_to": period.as_of.isoformat()}
    return _list_url("projects:project_list", level, unit_id, dates)


def _yield_list(**filters) -> Records:
    def records(level: Level, unit_id: int, period: Period) -> str | None:
        return _list_url("projects:yield_overview", level, unit_id, {"as_of": _day(period).isoformat(), **filters})

    return records


def _plans_open_list(level: Level, unit_id: int, period: Period) -> str | None:
    return _list_url("projects:plan_list", level, unit_id, {"open_on": _day(period).isoformat()})


def _plans_overdue_list(level: Level, unit_id: int, period: Period) -> str | None:
    return _list_url("projects:plan_list", level, unit_id, {"open_on": period.counted_on.isoformat(), "overdue": "on"})


def _park_list(level: Level, unit_id: int, period: Period) -> str | None:
    return _list_url("projects:park_list", level, unit_id, {"as_of": _day(period).isoformat()})


# --- The indicators -------------------------------------------------------------------------------------------------


def _by_town(**fields: Any) -> Indicator:
    """An indicator of the projects, counted by town."""
    return Indicator(domain=Domain.PROJECTS, finest=Level.TOWN, **fields)


_STAGES = tuple(
    _by_town(
        code=f"projects_stage_{status.value}",
        name=status.label,
        unit=FigureUnit.PROJECTS,
        point="2",
        definition=_(
            "Projects at this stage at the end of the month: the stage each project was moved to by its latest "
            "status change on or before that day (a project with no status change recorded: its current status)."
        ),
        compute=(lambda value: lambda period: _projects(period, status=value))(status.value),
        records=_project_list(status=status.value),
    )
    for status in ProjectStatus
)

_CATEGORIES = tuple(
    _by_town(
        code=f"projects_category_{category.value}",
        name=category.label,
        unit=FigureUnit.PROJECTS,
        point="1",
        definition=_("Projects of this category that existed at the end of the month, whatever their stage."),
        compute=(lambda value: lambda period: _projects(period, category=value))(category.value),
        records=_project_list(category=category.value),
    )
    for category in Category
)

_YIELD_BANDS = {
    YieldBand.NONE: "projects_yield_none",
    YieldBand.ZERO: "projects_yield_0",
    YieldBand.BELOW_FLOOR: "projects_yield_0_to_6",
    YieldBand.FLOOR_TO_TEN: "projects_yield_6_to_10",
    YieldBand.TEN_PLUS: "projects_yield_10_plus",
}

_BANDS = tuple(
    _by_town(
        code=code,
        name=band.label,
        unit=FigureUnit.PROJECTS,
        point="4",
        definition=_(
            "Projects whose latest yield assessment on or before the end of the month (income received in its twelve "
            "months / total investment) falls in this band; 6% is the floor as the yield rule compares it, exactly."
        ),
        compute=_assessments(yield_band_condition(band)),
        records=_yield_list(band=band.value),
    )
    for band, code in _YIELD_BANDS.items()
)

_CLASSES = {
    YieldClass.WEAK: ("projects_weak", _("Weak projects (yield below 6%)")),
    YieldClass.IDLE: ("projects_idle", _("Idle (dormant) projects")),
    YieldClass.STRUGGLING: ("projects_struggling", _("Struggling projects")),
}

_CLASS_INDICATORS = tuple(
    _by_town(
        code=code,
        name=name,
        unit=FigureUnit.PROJECTS,
        point="4",
        definition=_(
            "Projects whose latest yield assessment on or before the end of the month put them in this class "
            "(the yield job's classification: idle without income, struggling when the operator paid less than "
            "agreed, weak below 6%)."
        ),
        compute=_assessments(classification_condition(yield_class)),
        records=_yield_list(classification=yield_class.value),
    )
    for yield_class, (code, name) in _CLASSES.items()
)

PROJECTS_INDICATORS: tuple[Indicator, ...] = (
    _by_town(
        code="projects_total",
        name=_("Industry projects"),
        unit=FigureUnit.PROJECTS,
        point="1",
        definition=_(
            "Industry projects that existed at the end of the month, at every stage from proposal to converted "
            "(a project exists from its first status change, an existing project entered later from its completion)."
        ),
        compute=_projects,
        records=_project_list(),
    ),
    *_STAGES,
    *_CATEGORIES,
    _by_town(
        code="projects_investment",
        name=_("Total investment in projects"),
        unit=FigureUnit.YUAN,
        point="1",
        definition=_(
            "The money invested in the projects that existed at the end of the month: investments made on or before "
            "that day, and those recorded without a date."
        ),
        compute=_investment,
        records=_project_list(),
    ),
    _by_town(
        code="projects_income_year",
        name=_("Project income this year"),
        unit=FigureUnit.YUAN,
        point="4",
        definition=_("Income the projects' operators paid, received from 1 January to the end of the month."),
        compute=_income_year,
        records=_income_list,
    ),
    _by_town(
        code="projects_below_floor",
        name=_("Projects below the 6% floor"),
        unit=FigureUnit.PROJECTS,
        point="4",
        definition=_(
            "Projects whose latest yield assessment on or before the end of the month is below the floor of 6%: "
            "weak, idle (dormant) or struggling."
        ),
        compute=_assessments(Q(classification__in=BELOW_FLOOR)),
        records=_yield_list(classification=BELOW_FLOOR_FILTER),
    ),
    *_BANDS,
    *_CLASS_INDICATORS,
    _by_town(
        code="rectification_plans_open",
        name=_("Rectification plans open"),
        unit=FigureUnit.PROJECTS,
        point="4",
        definition=_(
            "Rectification plans of projects below the floor open at the end of the month: opened by then and not "
            "completed by then (drafts included)."
        ),
        compute=_plans_open,
        records=_plans_open_list,
    ),
    _by_town(
        code="rectification_plans_overdue",
        name=_("Rectification plans past their deadline"),
        unit=FigureUnit.PROJECTS,
        point="4",
        definition=_(
            "Rectification plans open at the end of the month (today, for the month under way) whose deadline had "
            "passed by then."
        ),
        compute=_plans_overdue,
        records=_plans_overdue_list,
        should_be_zero=True,
    ),
    _by_town(
        code="parks_total",
        name=_("Industrial parks"),
        unit=FigureUnit.ITEMS,
        point="1",
        definition=_("Poverty-alleviation industrial parks established on or before the end of the month."),
        compute=_parks,
        records=_park_list,
    ),
    _by_town(
        code="towns_without_park",
        name=_("Towns without an industrial park"),
        unit=FigureUnit.TOWNS,
        point="1",
        definition=_(
            "Towns and streets with no industrial park established by the end of the month (the target: one in "
            "every town by the end of 2020)."
        ),
        compute=_towns_without_park,
        records=_park_list,
        should_be_zero=True,
    ),
    _by_town(
        code="projects_rights_confirmed",
        name=_("Projects with their property right confirmed"),
        unit=FigureUnit.PROJECTS,
        point="3",
        definition=_(
            "Projects built since 2014 (completed by the end of the month, or operating with no completion date) "
            "whose property-right confirmation is dated on or before that day."
        ),
        compute=_rights(confirmed=True),
        records=_project_list(rights=RIGHTS_CONFIRMED),
    ),
    _by_town(
        code="projects_rights_unconfirmed",
        name=_("Projects with their property right not confirmed"),
        unit=FigureUnit.PROJECTS,
        point="3",
        definition=_(
            "Projects built since 2014 (completed by the end of the month, or operating with no completion date) "
            "with no property-right confirmation dated on or before that day."
        ),
        compute=_rights(confirmed=False),
        records=_project_list(rights=RIGHTS_UNCONFIRMED),
        should_be_zero=True,
    ),
)
