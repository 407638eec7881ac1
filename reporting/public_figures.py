"""The district's progress figures on the page without login (points 2, 4 and 15: 公示, 业绩公示).

Which figures are published, read from the stored summary (``reporting.selectors``) and turned into plain text:
the district's and each town's, never a village's, so no figure comes near a single household. The result holds
names of towns and numbers only: no record id, no person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisation.models import District, Town
from organisation.money import money_text
from organisation.periods import previous_month
from organisation.roles import Level
from partners.selectors.public import (
    PublicCommendation,
    PublicComment,
    PublicDepartment,
    public_commendations,
    public_evaluations,
    public_plan_progress,
)
from projects.models import Category, ProjectStatus
from reporting.choices import Domain, FigureUnit
from reporting.indicators import INDICATORS, Indicator, Period
from reporting.selectors import Figures, figures_of, figures_of_children, summary_build_of

# Money is published in units of 10,000 yuan, as the district's statistical reports are.
TEN_THOUSAND = Decimal(10000)
CENTS = Decimal("0.01")
TEN_THOUSAND_YUAN = pgettext_lazy("unit of a figure", "10,000 yuan")
NO_VALUE = "—"


@dataclass(frozen=True)
class PublicGroupSpec:
    """Columns under one header (shown when a table has more than one group)."""

    title: str | Promise
    codes: tuple[str, ...]


@dataclass(frozen=True)
class PublicTableSpec:
    key: str
    title: str | Promise
    note: str | Promise
    groups: tuple[PublicGroupSpec, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for group in self.groups for code in group.codes)


def _one_group(*codes: str) -> tuple[PublicGroupSpec, ...]:
    return (PublicGroupSpec(title="", codes=codes),)


# What the page publishes, in this order. Every code must be an indicator of the district and of a town
# (tests/reporting/test_public_figures.py); the codes of the projects' stages, categories and yield bands are the
# projects figures' (reporting/indicators/projects.py).
PUBLIC_TABLES: tuple[PublicTableSpec, ...] = (
    PublicTableSpec(
        key="funds",
        title=_("Poverty-alleviation funds disbursed, by town"),
        note=_("Funds the district allotted to each town, the part paid on to villages, and the disbursement rate."),
        groups=_one_group("funds_allotted", "funds_paid_to_villages", "funds_disbursement_rate"),
    ),
    PublicTableSpec(
        key="projects",
        title=_("Industry projects and their income, by town"),
        note=_("Projects in the project file, their investment, and the income they brought in this year."),
        groups=_one_group("projects_total", "projects_investment", "projects_income_year"),
    ),
    PublicTableSpec(
        key="project_stages",
        title=_("Industry projects by stage, by town"),
        note=_("From the proposal through the joint review, the publicity and construction to operation."),
        groups=_one_group(*(f"projects_stage_{status}" for status in ProjectStatus.values)),
    ),
    PublicTableSpec(
        key="project_categories",
        title=_("Industry projects by category, by town"),
        note=_("Projects of every stage, by the kind of industry they develop."),
        groups=_one_group(*(f"projects_category_{category}" for category in Category.values)),
    ),
    PublicTableSpec(
        key="project_yields",
        title=_("Industry projects by yield, by town"),
        note=_(
            "Projects by their latest yield: the income of twelve months against the investment. The work plan asks "
            "for at least 6%."
        ),
        groups=_one_group(
            "projects_yield_none",
            "projects_yield_0",
            "projects_yield_0_to_6",
            "projects_yield_6_to_10",
            "projects_yield_10_plus",
        ),
    ),
    PublicTableSpec(
        key="sectors",
        title=_("Progress of the sectors, by town"),
        note=_("Households out of poverty and returned to it, and the rectification of the problems found."),
        groups=(
            PublicGroupSpec(title=Domain.HOUSEHOLDS.label, codes=("households_out", "households_returned")),
            PublicGroupSpec(title=Domain.AUDITS.label, codes=("ledger_items_closed", "ledger_rectification_rate")),
        ),
    ),
)


def public_codes() -> tuple[str, ...]:
    return tuple(code for table in PUBLIC_TABLES for code in table.codes)


@dataclass(frozen=True)
class PublicColumn:
    code: str
    name: str | Promise
    unit: str | Promise
    definition: str | Promise


@dataclass(frozen=True)
class PublicColumnGroup:
    title: str | Promise
    columns: list[PublicColumn]


@dataclass(frozen=True)
class PublicCell:
    code: str
    text: str


@dataclass(frozen=True)
class PublicRow:
    name: str
    cells: list[PublicCell]


@dataclass(frozen=True)
class PublicTable:
    key: str
    title: str | Promise
    note: str | Promise
    groups: list[PublicColumnGroup]
    rows: list[PublicRow]
    total: PublicRow

    @property
    def columns(self) -> list[PublicColumn]:
        return [column for group in self.groups for column in group.columns]


@dataclass(frozen=True)
class PublicFigures:
    district: str
    month: dt.date
    built_at: dt.datetime
    tables: list[PublicTable]


def figure_text(indicator: Indicator, value: Decimal | None) -> str:
    """A stored value as published: money in 10,000 yuan with two decimals, a rate with two, a count whole; each
    with its thousands separated. The unit is stated in the column's header (``figure_unit``)."""
    if value is None:
        return NO_VALUE
    if indicator.is_money:
        return money_text((value / TEN_THOUSAND).quantize(CENTS, rounding=ROUND_HALF_UP))
    if indicator.unit == FigureUnit.PERCENT or value != value.to_integral_value():
        return f"{value.quantize(CENTS, rounding=ROUND_HALF_UP):,}"
    return f"{int(value):,}"


def figure_unit(indicator: Indicator) -> str | Promise:
    return TEN_THOUSAND_YUAN if indicator.is_money else indicator.unit.label


def _column(code: str) -> PublicColumn:
    indicator = INDICATORS[code]
    return PublicColumn(code=code, name=indicator.name, unit=figure_unit(indicator), definition=indicator.definition)


def _row(name: str, codes: tuple[str, ...], figures: Figures) -> PublicRow:
    return PublicRow(
        name=name,
        cells=[PublicCell(code=code, text=figure_text(INDICATORS[code], figures.get(code))) for code in codes],
    )


def public_figures(*, today: dt.date) -> PublicFigures | None:
    """The district's and its towns' published figures of the current month (of the month before while the current
    one has not been computed yet), or None when none were computed. A fixed number of queries."""
    build = summary_build_of(Period.of(today)) or summary_build_of(Period.of(previous_month(today)))
    district = District.objects.order_by("code").values_list("pk", "name").first()
    if build is None or district is None:
        return None
    district_id, district_name = district
    period = Period(build.month)
    codes = public_codes()
    district_figures = figures_of(period=period, level=Level.DISTRICT, unit_id=district_id)
    if not district_figures:
        return None
    by_town = figures_of_children(period=period, level=Level.TOWN, parent_id=district_id, codes=codes)
    towns = Town.objects.filter(pk__in=list(by_town)).order_by("code").values_list("pk", "name")
    tables = [
        PublicTable(
            key=spec.key,
            title=spec.title,
            note=spec.note,
            groups=[
                PublicColumnGroup(title=group.title, columns=[_column(code) for code in group.codes])
                for group in spec.groups
            ],
            rows=[_row(name, spec.codes, by_town[town_id]) for town_id, name in towns],
            total=_row(district_name, spec.codes, district_figures),
        )
        for spec in PUBLIC_TABLES
    ]
    return PublicFigures(district=district_name, month=build.month, built_at=build.built_at, tables=tables)


@dataclass(frozen=True)
class PublicPartners:
    """业绩公示 of point 15 and the honours of point 17: each department's action plan progress and pairings, the
    approved commendations, and the public's evaluations the district office published, with its answers."""

    departments: list[PublicDepartment]
    commendations: list[PublicCommendation]
    evaluations: list[PublicComment]


def public_partners() -> PublicPartners:
    """Read from the partners' records, which are a few hundred rows at most (a department's targets, its pairings):
    a fixed number of queries."""
    return PublicPartners(
        departments=public_plan_progress(),
        commendations=public_commendations(),
        evaluations=public_evaluations(),
    )
