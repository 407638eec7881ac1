"""Calendar months as periods: the one place that says where a month starts and ends.

A month is named by its first day (how ``MonthlyReport.month`` stores it); every function accepts any
day of the month. Working days and deadlines are ``organisation.workdays``' business.
"""

import calendar
import datetime as dt

MONTHS_IN_YEAR = 12


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day)


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s month."""
    return month_start(month_start(day) - dt.timedelta(days=1))


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s month."""
    return month_end(day) + dt.timedelta(days=1)


def twelve_months_ending(period_end: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the twelve calendar months ending with ``period_end``'s month."""
    first_month = period_end.year * MONTHS_IN_YEAR + period_end.month - MONTHS_IN_YEAR
    return dt.date(first_month // MONTHS_IN_YEAR, first_month % MONTHS_IN_YEAR + 1, 1), month_end(period_end)
