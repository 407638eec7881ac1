"""The deadlines of point 5 of the work plan, each in one place, with its tests in tests/funds/test_rules.py.

"区级财政部门对上级下达的已明确到镇的专项扶贫资金要在15日内拨付至镇财政所；镇财政所收到上级财政专项扶贫
资金后5个工作日内拨付到镇经管部门；乡镇经管部门对项目村提报的资金拨付申请，在审核无误后5个工作日内拨付到位。"

How days are counted (start day not counted, a period ending on a rest day runs to the next working
day, the due day ends at 24:00 Beijing time) is organisation.workdays' business.
"""

import datetime as dt

from funds.choices import Hop
from organisation.workdays import Deadline, WorkingCalendar, add_calendar_days, add_working_days

# District finance bureau -> town finance office: 15 calendar days from the district's receipt.
TO_TOWN_CALENDAR_DAYS = 15
# Town finance office -> station: 5 working days from the office's receipt.
TO_STATION_WORKING_DAYS = 5
# Station -> village: 5 working days from the approval of the village's payment request.
TO_VILLAGE_WORKING_DAYS = 5


def transfer_deadline(hop: Hop, clock_start: dt.date, *, calendar: WorkingCalendar) -> Deadline:
    """The due date of a transfer of ``hop`` whose clock started on ``clock_start``."""
    if hop == Hop.TO_TOWN:
        return add_calendar_days(clock_start, TO_TOWN_CALENDAR_DAYS, calendar=calendar)
    if hop == Hop.TO_STATION:
        return add_working_days(clock_start, TO_STATION_WORKING_DAYS, calendar=calendar)
    return add_working_days(clock_start, TO_VILLAGE_WORKING_DAYS, calendar=calendar)


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def report_deadline(month: dt.date, *, due_working_day: int, calendar: WorkingCalendar) -> Deadline:
    """A town's monthly report on ``month`` is due on the ``due_working_day``-th working day of the next month."""
    return add_working_days(month_end(month), due_working_day, calendar=calendar)


def loan_processing_deadline(received_on: dt.date, *, working_days: int, calendar: WorkingCalendar) -> Deadline:
    """限时办结: a microcredit application is decided within ``working_days`` working days of its receipt."""
    return add_working_days(received_on, working_days, calendar=calendar)


def days_late(due_date: dt.date | None, done_on: dt.date) -> int:
    """Days between the due day and the day a dated action was done (0 when done by the end of the due day)."""
    if due_date is None:
        return 0
    return max(0, (done_on - due_date).days)
