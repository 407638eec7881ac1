"""The rules of the monthly work report (月报): when the scheduled job makes it, and in which money unit.

The figures themselves are the indicators' (``reporting.indicators``); these are the report's own rules.
"""

import datetime as dt

from organisation.periods import month_start
from organisation.workdays import WorkingCalendar

# The scheduled job makes the previous month's reports on this working day of the month (settings
# ``WORK_REPORT_WORKING_DAY`` overrides it): after the month's records are in, before the funds reports fall due.
DEFAULT_REPORT_WORKING_DAY = 3
# The unit the report's amounts are stated in unless settings ``WORK_REPORT_MONEY_UNIT`` says otherwise
# (``reporting.models.MoneyUnit``): a district's amounts read best in 10,000 yuan.
DEFAULT_MONEY_UNIT = "ten_thousand_yuan"
# Amounts are stored in yuan; a report states them in yuan or in 10,000 yuan (万元).
YUAN_PER_UNIT = {"yuan": 1, "ten_thousand_yuan": 10_000}


def working_day_of_month(day: dt.date, *, calendar: WorkingCalendar) -> int:
    """How many working days of ``day``'s month have come by ``day`` (``day`` included): 0 before the first."""
    count, current = 0, month_start(day)
    while current <= day:
        count += calendar.is_working_day(current)
        current += dt.timedelta(days=1)
    return count


def report_day_reached(today: dt.date, *, working_day: int, calendar: WorkingCalendar) -> bool:
    """The previous month's reports are made on the ``working_day``-th working day of the month (the official Chinese
    calendar's working days), or on a later day of the month if they were not made then (the job service was down):
    a report that exists is never made again by the schedule."""
    if working_day < 1:
        raise ValueError("The report's working day is the first or a later one.")
    return working_day_of_month(today, calendar=calendar) >= working_day
