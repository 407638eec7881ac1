"""The dashboards: which figures each level's page shows (by indicator code, from ``reporting.indicators.INDICATORS``)
and the page built from the stored figures.

A page reads the summary tables only (``reporting.selectors``): the unit's figures of the twelve months ending with
the month shown (its cards and its trends, one query), the figures of the units below it (the comparison, one query),
and when and for which months the figures were computed. The one exception are the four lists of what needs action
now (overdue transfers, projects below the 6% floor, overdue ledger items, households without a cadre): their first
rows are read from the domains' own selectors, ten rows each, and each links to the full filtered list.

Every number links one step down: the district's cards to the district's lists, a town's bar to the town's
dashboard, a village's bar to the village's, and at every level a number to the filtered list of the records behind
it (``Indicator.records``).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.conf import settings
from django.db.models import QuerySet
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audits.selectors.ledger import Overdue, item_list
from funds.selectors.overdue import overdue_transfer_list
from households.selectors.lifecycle import households_without_cadre
from organisation.actors import Actor
from organisation.models import District, Town, Village
from organisation.money import money_text
from organisation.periods import previous_month
from organisation.roles import Level
from projects.selectors.income import yields_below_floor
from reporting.choices import FigureUnit
from reporting.indicators import INDICATORS, Indicator, Period
from reporting.models import SummaryBuild
from reporting.selectors import Figures, figures_of, figures_of_children, figures_trend

Unit = District | Town | Village

LEVEL_BELOW = {Level.DISTRICT: Level.TOWN, Level.TOWN: Level.VILLAGE}
TREND_MONTHS = 12
ACTION_ROWS = 10
TEN_THOUSAND = Decimal(10_000)
CENTS = Decimal("0.01")
WAN_YUAN = pgettext_lazy("unit of a figure", "10,000 yuan")


# --- The layout ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardGroup:
    """A row of KPI cards, one per indicator."""

    key: str
    title: str | Promise
    codes: tuple[str, ...]


@dataclass(frozen=True)
class TrendChart:
    """A line chart of the unit's figures over the last twelve months; its codes share one unit."""

    key: str
    title: str | Promise
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    cards: tuple[CardGroup, ...]
    # The indicators offered in the comparison of the units below (the district's towns, a town's villages).
    comparison: tuple[str, ...]
    comparison_default: str
    trends: tuple[TrendChart, ...]


CARDS = (
    CardGroup(
        "households",
        _("Households"),
        (
            "households_registered",
            "households_out",
            "households_returned",
            "households_without_cadre",
            "cadres_over_cap",
        ),
    ),
    CardGroup(
        "funds",
        _("Funds"),
        ("funds_allotted", "funds_paid_to_villages", "funds_disbursement_rate", "transfers_overdue", "reports_late"),
    ),
    CardGroup(
        "projects",
        _("Projects"),
        ("projects_total", "projects_investment", "projects_income_year", "projects_below_floor"),
    ),
    CardGroup(
        "audits",
        _("Rectification"),
        ("ledger_items_open", "ledger_items_overdue", "ledger_rectification_rate"),
    ),
)

COMPARISON = (
    "households_registered",
    "households_not_out",
    "households_out",
    "households_returned",
    "households_without_cadre",
    "funds_allotted",
    "funds_paid_to_villages",
    "funds_disbursement_rate",
    "transfers_overdue",
    "reports_late",
    "projects_total",
    "projects_investment",
    "projects_income_year",
    "projects_below_floor",
    "ledger_items_open",
    "ledger_items_overdue",
    "ledger_rectification_rate",
)

TRENDS = (
    TrendChart(
        "households",
        _("Households by status"),
        ("households_not_out", "households_out", "households_returned"),
    ),
    TrendChart("funds", _("Funds allotted and paid to villages"), ("funds_allotted", "funds_paid_to_villages")),
    TrendChart(
        "projects", _("Project investment and income this year"), ("projects_investment", "projects_income_year")
    ),
    TrendChart("audits", _("Ledger items open and overdue"), ("ledger_items_open", "ledger_items_overdue")),
)

LAYOUTS = {
    Level.DISTRICT: Layout(CARDS, COMPARISON, "households_registered", TRENDS),
    Level.TOWN: Layout(CARDS, COMPARISON, "households_registered", TRENDS),
    Level.VILLAGE: Layout(CARDS, (), "", TRENDS),
}


def layout_codes() -> set[str]:
    """Every indicator code a dashboard names."""
    codes: set[str] = set()
    for layout in LAYOUTS.values():
        codes.update(code for group in layout.cards for code in group.codes)
        codes.update(layout.comparison)
        codes.update(code for chart in layout.trends for code in chart.codes)
    codes.update(action.code for action in ACTIONS)
    return codes


def shown_at(codes, level: Level) -> list[Indicator]:
    """The indicators of ``codes`` that make sense at ``level``, in the order given."""
    return [INDICATORS[code] for code in codes if INDICATORS[code].at(level)]


# --- How a figure reads ----------------------------------------------------------------------------------------------


def unit_label(indicator: Indicator) -> str:
    return str(FigureUnit(indicator.unit).label)


def count_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def figure_text(indicator: Indicator, value: Decimal | None, label: str | None = None) -> str:
    """A figure with its unit: "1,234 户", "12,345.60 元", "85.50%"; "—" when it has no value. ``label``: the unit's
    name when the caller has it already (a table of many figures translates it once)."""
    if value is None:
        return "—"
    if indicator.unit == FigureUnit.PERCENT:
        return f"{value.quantize(CENTS, rounding=ROUND_HALF_UP)}%"
    label = label if label is not None else unit_label(indicator)
    if indicator.unit == FigureUnit.YUAN:
        return f"{money_text(value)} {label}"
    return f"{count_text(value)} {label}"


def in_wan(value: Decimal) -> Decimal:
    """Yuan in units of 10,000 yuan (万元), two decimals."""
    return (value / TEN_THOUSAND).quantize(CENTS, rounding=ROUND_HALF_UP)


def card_text(indicator: Indicator, value: Decimal | None) -> str:
    """A card states a sum of money in 万元 (the exact yuan beside it); every other figure as ``figure_text``."""
    if value is not None and indicator.is_money:
        return f"{money_text(in_wan(value))} {WAN_YUAN}"
    return figure_text(indicator, value)


def axis_label(indicator: Indicator) -> str:
    """The unit of a chart's value axis: money is drawn in 万元."""
    return str(WAN_YUAN) if indicator.is_money else unit_label(indicator)


def chart_number(indicator: Indicator, value: Decimal | None) -> float | None:
    if value is None:
        return None
    return float(in_wan(value) if indicator.is_money else value)


# --- Where a number leads --------------------------------------------------------------------------------------------


def month_param(month: dt.date) -> str:
    return f"{month:%Y-%m}"


@lru_cache(maxsize=8192)
def _dashboard_path(level: Level, unit_id: int, urlconf: str, prefix: str) -> str:
    """A unit's dashboard path, reversed once per unit (a district's comparison names 200 towns, and reversing each
    on every request took a quarter of the page). ``urlconf`` and ``prefix`` make a key of what reverse() reads."""
    if level == Level.DISTRICT:
        return reverse("reporting:dashboard", urlconf=urlconf)
    if level == Level.TOWN:
        return reverse("reporting:dashboard_town", kwargs={"pk": unit_id}, urlconf=urlconf)
    return reverse("reporting:dashboard_village", kwargs={"pk": unit_id}, urlconf=urlconf)


def dashboard_url(level: Level, unit_id: int, month: dt.date | None = None, **params: str) -> str:
    url = _dashboard_path(Level(level), unit_id, settings.ROOT_URLCONF, get_script_prefix())
    query = {
        **({"month": month_param(month)} if month else {}),
        **{key: value for key, value in params.items() if value},
    }
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def records_url(indicator: Indicator, level: Level, unit_id: int, period: Period) -> str | None:
    return indicator.records(level, unit_id, period) if indicator.records else None


# --- The page --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: Decimal | None
    url: str | None = None

    @property
    def text(self) -> str:
        return figure_text(self.indicator, self.value)

    @property
    def card_text(self) -> str:
        return card_text(self.indicator, self.value)

    @property
    def warning(self) -> bool:
        return self.indicator.should_be_zero and bool(self.value)


@dataclass(frozen=True)
class Cards:
    key: str
    title: str | Promise
    figures: list[Figure]


@dataclass(frozen=True)
class ComparisonRow:
    """One unit below: its figures of the comparison's indicators, as numbers and as text."""

    unit_id: int
    name: str
    dashboard_url: str
    values: list[Decimal | None]
    texts: list[str]


@dataclass
class Comparison:
    level: Level
    indicators: list[Indicator]
    rows: list[ComparisonRow]
    selected: str
    sort: str

    def chart_data(self) -> dict:
        codes = [item.code for item in self.indicators]
        return {
            "indicators": [
                {"code": item.code, "name": str(item.name), "axis": axis_label(item)} for item in self.indicators
            ],
            "units": [
                {
                    "id": row.unit_id,
                    "name": row.name,
                    "url": row.dashboard_url,
                    "values": {
                        code: chart_number(item, value)
                        for code, item, value in zip(codes, self.indicators, row.values, strict=True)
                    },
                    "texts": dict(zip(codes, row.texts, strict=True)),
                }
                for row in self.rows
            ],
            "selected": self.selected,
            "sort": self.sort,
        }

    def table_rows(self) -> list[SafeString]:
        """Each row of the table view as HTML: the unit linked to its dashboard, then every number linked to the unit's
        dashboard showing that figure.

        Written here rather than by the template: a district of 200 towns has 3,400 cells, and a template's
        variable lookups for each would cost more than the rest of the page."""
        # The standard library's escape, which Django's wraps (the same output) with a check for lazy text that
        # cost as much again over 3,400 cells; every text here is a str.
        escape_text = html.escape
        codes = [escape_text(item.code) for item in self.indicators]
        rows = []
        for row in self.rows:
            base = escape_text(row.dashboard_url)
            cells = [
                f'<tr data-unit-id="{int(row.unit_id)}"><th scope="row">'
                f'<a href="{base}" data-testid="unit-link">{escape_text(row.name)}</a></th>'
            ]
            for code, value, text in zip(codes, row.values, row.texts, strict=True):
                if value is None:
                    cells.append(f'<td class="text-end">{escape_text(text)}</td>')
                else:
                    cells.append(
                        f'<td class="text-end"><a href="{base}&amp;indicator={code}">{escape_text(text)}</a></td>'
                    )
            cells.append("</tr>")
            rows.append(mark_safe("".join(cells)))  # every part escaped above
        return rows


@dataclass(frozen=True)
class TrendRow:
    month: dt.date
    dashboard_url: str
    figures: list[Figure]


@dataclass
class Trend:
    key: str
    title: str | Promise
    indicators: list[Indicator]
    rows: list[TrendRow]

    def chart_data(self) -> dict:
        return {
            "axis": axis_label(self.indicators[0]),
            "months": [month_param(row.month) for row in self.rows],
            "urls": [row.dashboard_url for row in self.rows],
            "series": [
                {
                    "code": item.code,
                    "name": str(item.name),
                    "values": [chart_number(item, row.figures[index].value) for row in self.rows],
                    "texts": [row.figures[index].text for row in self.rows],
                }
                for index, item in enumerate(self.indicators)
            ],
        }


@dataclass(frozen=True)
class ActionSpec:
    """A list of what needs action now: its first rows read from the domain's selector, the full list being the
    indicator's ``records`` list."""

    key: str
    title: str | Promise
    code: str
    template: str
    rows: Callable[[Actor, Level, Unit, dt.date], QuerySet]


@dataclass(frozen=True)
class ActionList:
    spec: ActionSpec
    rows: list
    full_url: str | None
    figure: Figure | None


@dataclass
class DashboardPage:
    level: Level
    unit: Unit | None
    period: Period
    build: SummaryBuild | None
    months: list[dt.date]
    cards: list[Cards] = field(default_factory=list)
    comparison: Comparison | None = None
    trends: list[Trend] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        return self.build is not None


def _town_of(level: Level, unit: Unit) -> Town | None:
    if level == Level.TOWN:
        assert isinstance(unit, Town)
        return unit
    if level == Level.VILLAGE:
        assert isinstance(unit, Village)
        return unit.town
    return None


def _village_of(level: Level, unit: Unit) -> Village | None:
    return unit if level == Level.VILLAGE and isinstance(unit, Village) else None


def _overdue_transfers(user: Actor, level: Level, unit: Unit, today: dt.date) -> QuerySet:
    transfers = overdue_transfer_list(user=user, today=today, town=_town_of(level, unit))
    village = _village_of(level, unit)
    return transfers.filter(village=village) if village else transfers


def _projects_below_floor(user: Actor, level: Level, unit: Unit, today: dt.date) -> QuerySet:
    return yields_below_floor(user=user, as_of=today, town=_town_of(level, unit), village=_village_of(level, unit))


def _ledger_items_overdue(user: Actor, level: Level, unit: Unit, today: dt.date) -> QuerySet:
    items = item_list(user=user, town=_town_of(level, unit), overdue=Overdue.YES).prefetch_related(None)
    village = _village_of(level, unit)
    return items.filter(village=village) if village else items


def _households_without_cadre(user: Actor, level: Level, unit: Unit, today: dt.date) -> QuerySet:
    town, village = _town_of(level, unit), _village_of(level, unit)
    return households_without_cadre(
        user=user, town_id=town.pk if town else None, village_id=village.pk if village else None
    )


ACTIONS = (
    ActionSpec(
        "transfers_overdue",
        _("Overdue transfers"),
        "transfers_overdue",
        "reporting/includes/action_transfers.html",
        _overdue_transfers,
    ),
    ActionSpec(
        "projects_below_floor",
        _("Projects below the 6% floor"),
        "projects_below_floor",
        "reporting/includes/action_projects.html",
        _projects_below_floor,
    ),
    ActionSpec(
        "ledger_items_overdue",
        _("Overdue ledger items"),
        "ledger_items_overdue",
        "reporting/includes/action_ledger.html",
        _ledger_items_overdue,
    ),
    ActionSpec(
        "households_without_cadre",
        _("Households without a cadre"),
        "households_without_cadre",
        "reporting/includes/action_households.html",
        _households_without_cadre,
    ),
)


def _trend_months(period: Period) -> list[dt.date]:
    months = [period.month]
    while len(months) < TREND_MONTHS:
        months.append(previous_month(months[-1]))
    return months[::-1]


def dashboard_page(
    *,
    level: Level,
    unit: Unit | None,
    period: Period,
    build: SummaryBuild | None,
    months: list[dt.date],
    children: list[tuple[int, str]] = (),  # type: ignore[assignment]
    indicator: str = "",
    sort: str = "",
) -> DashboardPage:
    """The page of ``unit`` (of ``level``) for ``period``: its cards, the comparison of ``children`` (id, name) for
    the indicators of the layout, and its trends; what needs action now is ``action_lists``, loaded after the page."""
    page = DashboardPage(level=level, unit=unit, period=period, build=build, months=months)
    if unit is None:
        return page
    layout = LAYOUTS[level]
    card_codes = [item.code for group in layout.cards for item in shown_at(group.codes, level)]
    trend_codes = [item.code for chart in layout.trends for item in shown_at(chart.codes, level)]
    by_month = figures_trend(
        period=period, level=level, unit_id=unit.pk, codes={*card_codes, *trend_codes}, months=TREND_MONTHS
    )
    current: Figures = by_month.get(period.month, {})
    for group in layout.cards:
        figures = [
            Figure(item, current.get(item.code), records_url(item, level, unit.pk, period))
            for item in shown_at(group.codes, level)
        ]
        if figures:
            page.cards.append(Cards(group.key, group.title, figures))
    page.trends = [
        Trend(
            chart.key,
            chart.title,
            shown,
            [
                TrendRow(
                    month,
                    dashboard_url(level, unit.pk, month),
                    [Figure(item, by_month.get(month, {}).get(item.code)) for item in shown],
                )
                for month in _trend_months(period)
            ],
        )
        for chart in layout.trends
        if (shown := shown_at(chart.codes, level))
    ]
    page.comparison = dashboard_comparison(
        level=level, unit=unit, period=period, children=children, indicator=indicator, sort=sort
    )
    return page


def dashboard_comparison(
    *, level: Level, unit: Unit, period: Period, children: list[tuple[int, str]], indicator: str = "", sort: str = ""
) -> Comparison | None:
    """The comparison of ``children``, None at a level without one: part of the page, and alone what the page's table
    view loads once it is opened (a district's table of 200 towns was half the page's size)."""
    layout = LAYOUTS[level]
    if level not in LEVEL_BELOW or not layout.comparison:
        return None
    return _comparison(level, unit, period, layout, children, indicator, sort)


SORTS = ("desc", "asc", "name")


def _comparison(
    level: Level, unit: Unit, period: Period, layout: Layout, children, indicator: str, sort: str
) -> Comparison:
    below = LEVEL_BELOW[level]
    indicators = shown_at(layout.comparison, below)
    stored = figures_of_children(
        period=period, level=below, parent_id=unit.pk, codes=[item.code for item in indicators]
    )
    codes = [item.code for item in indicators]
    selected = (
        indicator
        if indicator in codes
        else (layout.comparison_default if layout.comparison_default in codes else (codes or [""])[0])
    )
    labels = [unit_label(item) for item in indicators]
    rows = []
    for unit_id, name in children:
        figures = stored.get(unit_id, {})
        values = [figures.get(item.code) for item in indicators]
        rows.append(
            ComparisonRow(
                unit_id,
                name,
                dashboard_url(below, unit_id, period.month),
                values,
                [
                    figure_text(item, value, label)
                    for item, value, label in zip(indicators, values, labels, strict=True)
                ],
            )
        )
    return Comparison(below, indicators, rows, selected, sort if sort in SORTS else SORTS[0])


def action_lists(*, user: Actor, level: Level, unit: Unit, today: dt.date) -> list[ActionList]:
    """What needs action now in ``unit``: the first rows of each list the user may see, with the list's figure of this
    month as stored (its badge) and the link to the full list (the figure's ``records``)."""
    now = Period.of(today)
    shown = [spec for spec in ACTIONS if INDICATORS[spec.code].at(level)]
    stored = figures_of(period=now, level=level, unit_id=unit.pk) if shown else {}
    lists = []
    for spec in shown:
        indicator = INDICATORS[spec.code]
        rows = list(spec.rows(user, level, unit, today)[:ACTION_ROWS])
        figure = Figure(indicator, stored[spec.code]) if spec.code in stored else None
        lists.append(ActionList(spec, rows, records_url(indicator, level, unit.pk, now), figure))
    return lists
