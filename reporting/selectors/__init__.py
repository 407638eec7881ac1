"""Reads of the stored figures for the dashboards, the monthly report and the public page: each one query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from organisation.periods import month_start
from organisation.roles import Level
from reporting.indicators import Period
from reporting.models import FigureValue, SummaryBuild

Figures = dict[str, Decimal | None]


def figures_of(*, period: Period, level: Level, unit_id: int) -> Figures:
    """Every stored figure of one unit for one month, by indicator code."""
    return dict(
        FigureValue.objects.filter(month=period.month, level=level, unit_id=unit_id).values_list("indicator", "value")
    )


def figures_of_units(*, period: Period, level: Level, unit_ids, codes=None) -> dict[int, Figures]:
    """The stored figures of several units of one level, by unit id then code (the report's rows)."""
    rows = FigureValue.objects.filter(month=period.month, level=level, unit_id__in=list(unit_ids))
    if codes is not None:
        rows = rows.filter(indicator__in=list(codes))
    result: dict[int, Figures] = defaultdict(dict)
    for unit_id, code, value in rows.values_list("unit_id", "indicator", "value"):
        result[unit_id][code] = value
    return dict(result)


def figures_of_children(*, period: Period, level: Level, parent_id: int, codes) -> dict[int, Figures]:
    """The figures ``codes`` of every unit of ``level`` under ``parent_id`` (a district's towns, a town's villages)."""
    rows = FigureValue.objects.filter(
        month=period.month, level=level, parent_id=parent_id, indicator__in=list(codes)
    ).values_list("unit_id", "indicator", "value")
    result: dict[int, Figures] = defaultdict(dict)
    for unit_id, code, value in rows:
        result[unit_id][code] = value
    return dict(result)


def figures_trend(*, period: Period, level: Level, unit_id: int, codes, months: int = 12) -> dict[dt.date, Figures]:
    """The figures ``codes`` of one unit for the ``months`` months ending with ``period``, oldest first."""
    first = period.month
    for _ in range(months - 1):
        first = month_start(first - dt.timedelta(days=1))
    rows = FigureValue.objects.filter(
        level=level, unit_id=unit_id, indicator__in=list(codes), month__gte=first, month__lte=period.month
    ).values_list("month", "indicator", "value")
    result: dict[dt.date, Figures] = defaultdict(dict)
    for month, code, value in rows:
        result[month][code] = value
    return dict(sorted(result.items()))


def summary_build_of(period: Period) -> SummaryBuild | None:
    """When the month's figures were computed ("data as of"), or None when they never were."""
    return SummaryBuild.objects.filter(month=period.month).first()


def summary_builds() -> dict[dt.date, SummaryBuild]:
    """Every month whose figures were computed, newest first, with when (the month picker and "data as of" of a
    dashboard, in one query)."""
    return {build.month: build for build in SummaryBuild.objects.order_by("-month")}
