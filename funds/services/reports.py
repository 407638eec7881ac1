"""Monthly fund-usage reports: each town reports on each month (point 5, "建立定期报告制度")."""

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from funds.models import Allocation, FundsPolicy, MonthlyReport
from funds.rules import report_deadline
from organisation.models import Town
from organisation.workdays import WorkingCalendar


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def previous_month(month: dt.date) -> dt.date:
    return month_start(month - dt.timedelta(days=1))


def monthly_reports_ensure(*, today: dt.date | None = None) -> int:
    """Open the report every town owes: one per town and month, from the month of the first allocation
    received up to the month before ``today`` (Beijing). Idempotent; returns the number of reports opened.

    A few queries whatever the number of towns and months: the existing keys are read once and the
    missing reports are inserted in one statement (a concurrent run's rows are skipped by the unique key).
    """
    today = today or timezone.localdate()
    first = Allocation.objects.aggregate(first=Min("received_on"))["first"]
    last_month = previous_month(month_start(today))
    if first is None or month_start(first) > last_month:
        return 0
    months = []
    month = month_start(first)
    while month <= last_month:
        months.append(month)
        month = month_start(month_end(month) + dt.timedelta(days=1))
    existing = set(MonthlyReport.objects.filter(month__gte=months[0]).values_list("town_id", "month"))
    calendar = WorkingCalendar.load()
    due_working_day = FundsPolicy.current().report_due_working_day
    deadlines = {month: report_deadline(month, due_working_day=due_working_day, calendar=calendar) for month in months}
    missing = [
        MonthlyReport(
            town_id=town_id,
            month=month,
            clock_start=month_end(month),
            due_date=deadlines[month].due_date,
            due_is_provisional=deadlines[month].provisional,
        )
        for town_id in Town.objects.order_by("pk").values_list("pk", flat=True)
        for month in months
        if (town_id, month) not in existing
    ]
    MonthlyReport.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
    return len(missing)
