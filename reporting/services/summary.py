"""Computing the figures and keeping the summary tables (``reporting.models.FigureValue``).

``figures_compute`` reads the raw tables: one set-based query per indicator at its finest level, the levels above
made by its aggregation. ``summary_build`` replaces a month's stored figures with a fresh computation in one
transaction; ``summary_refresh`` rebuilds the current month when records changed since its last build (the history
chain's newest seal is the mark: every tracked write, imports and ``update()`` included, moves it).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from history.models import Seal
from organisation.models import District, Town, Village
from organisation.periods import previous_month
from organisation.roles import Level
from reporting.choices import Aggregation
from reporting.indicators import INDICATORS, Indicator, Period
from reporting.models import FigureValue, SummaryBuild

# pg_advisory_xact_lock key: one build at a time, so two builds of a month never interleave their rows.
SUMMARY_LOCK = 0x5245504F  # "REPO"
HUNDRED = Decimal(100)
RATIO_PLACES = Decimal("0.01")
STORED_PLACES = Decimal("0.0001")

Figures = dict[str, Decimal | None]


@dataclass(frozen=True)
class Tree:
    """The organisation tree as two maps: village -> town, town -> district."""

    town_of_village: dict[int, int]
    district_of_town: dict[int, int]
    districts: frozenset[int]

    @classmethod
    def load(cls) -> Tree:
        return cls(
            town_of_village=dict(Village.objects.values_list("id", "town_id")),
            district_of_town=dict(Town.objects.values_list("id", "district_id")),
            districts=frozenset(District.objects.values_list("id", flat=True)),
        )

    def units(self, level: Level) -> dict[int, int | None]:
        """Each unit of ``level`` with the unit above it."""
        if level == Level.VILLAGE:
            return dict(self.town_of_village)
        if level == Level.TOWN:
            return dict(self.district_of_town)
        return dict.fromkeys(self.districts)


@dataclass
class ComputedFigures:
    """Every figure of a period: ``values[level][unit_id][indicator code]``."""

    period: Period
    tree: Tree
    values: dict[Level, dict[int, Figures]]

    def rows(self):
        """(level, unit id, parent id, code, value) for every figure."""
        for level, by_unit in self.values.items():
            parents = self.tree.units(level)
            for unit_id, figures in by_unit.items():
                for code, value in figures.items():
                    yield level, unit_id, parents.get(unit_id), code, value


def figures_compute(period: Period, *, tree: Tree | None = None) -> ComputedFigures:
    """Every indicator of ``period`` at every level, from the raw tables."""
    tree = tree or Tree.load()
    values: dict[Level, dict[int, Figures]] = {
        level: {unit_id: {} for unit_id in tree.units(level)} for level in (Level.VILLAGE, Level.TOWN, Level.DISTRICT)
    }
    for indicator in INDICATORS:
        if indicator.aggregation == Aggregation.RATIO:
            _ratio_fill(indicator, values)
        else:
            _fill(indicator, period, tree, values)
    return ComputedFigures(period=period, tree=tree, values=values)


def _fill(indicator: Indicator, period: Period, tree: Tree, values: dict[Level, dict[int, Figures]]) -> None:
    assert indicator.compute is not None
    finest = {unit_id: _number(value) for unit_id, value in indicator.compute(period)}
    parents = {Level.VILLAGE: tree.town_of_village, Level.TOWN: tree.district_of_town}
    level_values = finest
    for level in (Level.VILLAGE, Level.TOWN, Level.DISTRICT):
        if level == indicator.finest or (level != Level.VILLAGE and _above(level, indicator.finest)):
            units = values[level]
            for unit_id in units:
                value = level_values.get(unit_id)
                if value is None and indicator.aggregation == Aggregation.SUM:
                    value = Decimal(0)
                if indicator.at(level):
                    units[unit_id][indicator.code] = value
            if level in parents:
                level_values = _aggregate(
                    indicator, {unit_id: units[unit_id].get(indicator.code) for unit_id in units}, parents[level]
                )


def _above(level: Level, finest: Level) -> bool:
    order = (Level.VILLAGE, Level.TOWN, Level.DISTRICT)
    return order.index(level) > order.index(finest)


def _aggregate(indicator: Indicator, below: dict[int, Decimal | None], parent_of: dict[int, int]) -> dict:
    result: dict[int, Decimal | None] = {}
    for unit_id, value in below.items():
        if value is None:
            continue
        parent = parent_of[unit_id]
        current = result.get(parent)
        if indicator.aggregation == Aggregation.MAX:
            result[parent] = value if current is None else max(current, value)
        else:
            result[parent] = value + (current or Decimal(0))
    return result


def _ratio_fill(indicator: Indicator, values: dict[Level, dict[int, Figures]]) -> None:
    assert indicator.ratio_of is not None
    numerator, denominator = indicator.ratio_of
    for level, by_unit in values.items():
        if not indicator.at(level):
            continue
        for figures in by_unit.values():
            figures[indicator.code] = ratio(figures.get(numerator), figures.get(denominator))


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator as a percentage of two decimals; no value for an empty denominator."""
    if numerator is None or not denominator:
        return None
    return (numerator * HUNDRED / denominator).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def _number(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(STORED_PLACES, rounding=ROUND_HALF_UP)


def summary_build(*, month: dt.date) -> SummaryBuild:
    """Compute ``month``'s figures and replace the stored ones with them, in one transaction. A system service (the
    nightly job, the refresh, the benchmark): it acts for no user."""
    period = Period.of(month)
    started = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUMMARY_LOCK])
            # Dozens of short grouped queries: PostgreSQL's JIT compiles each one for longer than it runs (measured
            # at province scale: the projects' figures 8 s with it, 3.7 s without).
            cursor.execute("SET LOCAL jit = off")
        mark = Seal.objects.aggregate(mark=Max("id"))["mark"]
        computed = figures_compute(period)
        FigureValue.objects.filter(month=period.month).delete()
        count = _copy_rows(period, computed)
        build, _created = SummaryBuild.objects.update_or_create(
            month=period.month,
            defaults={
                "built_at": timezone.now(),
                "history_mark": mark,
                "rows": count,
                "duration_ms": int((time.monotonic() - started) * 1000),
            },
        )
    # The planner's statistics follow the replaced rows (where autovacuum is off or late, a month's 200,000 figures
    # would otherwise be read as an empty table and scanned).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {FigureValue._meta.db_table}")
    return build


def _copy_rows(period: Period, computed: ComputedFigures) -> int:
    count = 0
    table = FigureValue._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} (month, level, unit_id, parent_id, indicator, value) FROM STDIN") as copy,
    ):
        for level, unit_id, parent_id, code, value in computed.rows():
            copy.write_row((period.month, str(level), unit_id, parent_id, code, value))
            count += 1
    return count


def summary_refresh(*, today: dt.date) -> SummaryBuild | None:
    """Rebuild the current month's figures when any record changed since their last build; None when none did."""
    period = Period.of(today)
    mark = Seal.objects.aggregate(mark=Max("id"))["mark"]
    last = SummaryBuild.objects.filter(month=period.month).first()
    if last is not None and last.history_mark == mark:
        return None
    return summary_build(month=period.month)


def summary_nightly(*, today: dt.date) -> list[SummaryBuild]:
    """The nightly rebuild: the current month, and the month before (late corrections in its first days)."""
    return [summary_build(month=previous_month(today)), summary_build(month=today)]
