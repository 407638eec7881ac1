"""What an indicator is: one figure of the work plan, defined once for the dashboards, the monthly report, the public
page and the tests.

An indicator is computed for a month, as of its last day (``Period``), at its *finest* level (village, or town where
the records have no village), by one set-based query; the levels above are made from it by its ``aggregation``
(``reporting.services.summary``), never by a second query. A ratio is made from two other indicators' sums, so a
town's rate is never the average of its villages' rates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Aggregate, Count, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from organisation.periods import month_end, month_start
from organisation.roles import Level
from reporting.choices import Aggregation, Domain, FigureUnit

Value = Decimal | int | None
# One row per unit of the finest level: (village or town id, value). Units not returned count as zero (SUM) or
# have no value (MAX).
Rows = Iterable[tuple[int, Value]]

LEVELS_DOWNWARD = (Level.DISTRICT, Level.TOWN, Level.VILLAGE)


@dataclass(frozen=True)
class Period:
    """A calendar month, figures as of its last day."""

    month: dt.date

    def __post_init__(self):
        if self.month != month_start(self.month):
            raise ValueError("A period is named by the first day of its month.")

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(month_start(day))

    @property
    def as_of(self) -> dt.date:
        return month_end(self.month)

    @property
    def counted_on(self) -> dt.date:
        """The day a deadline is judged on: the month's last day, or today while the month runs (a transfer due on the
        28th is not overdue on the 5th)."""
        return min(self.as_of, timezone.localdate())

    @property
    def year_start(self) -> dt.date:
        return self.month.replace(month=1)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    unit: FigureUnit
    domain: Domain
    # The point of the district work plan the figure serves ("7", "19"; "" for a general figure).
    point: str
    # How it is computed, one sentence for the user (shown in the figure's tooltip and the report's notes).
    definition: str | Promise
    compute: Callable[[Period], Rows] | None = None
    finest: Level = Level.VILLAGE
    aggregation: Aggregation = Aggregation.SUM
    # For a ratio: the codes of the numerator and the denominator (both indicators of the same finest level).
    ratio_of: tuple[str, str] | None = None
    # Where the figure's records can be listed: (level, unit id, period) -> the filtered list's URL, or None.
    records: Callable[[Level, int, Period], str | None] | None = None
    # A figure that should be zero (cadres over their cap): the dashboards show a non-zero value as a warning.
    should_be_zero: bool = False
    # Levels at which the figure makes sense; by default the finest and every level above it.
    levels: frozenset[Level] = field(default=frozenset())

    def __post_init__(self):
        if (self.aggregation == Aggregation.RATIO) != (self.ratio_of is not None):
            raise ValueError(f"Indicator {self.code!r}: a ratio names its two indicators, and only a ratio does.")
        if (self.compute is None) != (self.aggregation == Aggregation.RATIO):
            raise ValueError(f"Indicator {self.code!r}: every indicator but a ratio has a compute function.")
        if not self.levels:
            object.__setattr__(self, "levels", frozenset(LEVELS_DOWNWARD[: LEVELS_DOWNWARD.index(self.finest) + 1]))

    def at(self, level: Level) -> bool:
        return level in self.levels

    @property
    def is_money(self) -> bool:
        return self.unit == FigureUnit.YUAN


def grouped(queryset: QuerySet, unit: str, aggregate: Aggregate | None = None) -> Rows:
    """(unit id, value) for every unit with rows: ``queryset`` grouped by ``unit`` (the lookup to a row's village or
    town id, e.g. ``"household__village_id"``), the value ``aggregate`` of each group, its number of rows by default.
    The one grouped query every ``compute`` ends with."""
    value = aggregate if aggregate is not None else Count("pk")
    return queryset.order_by().values_list(unit).annotate(value=value).values_list(unit, "value")


class Registry:
    """Every indicator by code, in the order they were defined (the order of the dashboards and the report)."""

    def __init__(self):
        self._by_code: dict[str, Indicator] = {}

    def add(self, *indicators: Indicator) -> None:
        for item in indicators:
            if item.code in self._by_code:
                raise ValueError(f"Indicator {item.code!r} is defined twice.")
            if item.ratio_of:
                for part in item.ratio_of:
                    if part not in self._by_code:
                        raise ValueError(f"Ratio {item.code!r} needs {part!r} defined before it.")
                    if self._by_code[part].finest != item.finest:
                        raise ValueError(f"Ratio {item.code!r}: {part!r} is of another finest level.")
            self._by_code[item.code] = item

    def __getitem__(self, code: str) -> Indicator:
        return self._by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self):
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def of_domain(self, domain: Domain) -> list[Indicator]:
        return [item for item in self if item.domain == domain]
