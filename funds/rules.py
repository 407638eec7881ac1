"""The rules of points 5 and 7 of the work plan, each in one function, with its tests in tests/funds/test_rules.py.

Point 5, the disbursement chain: "区级财政部门对上级下达的已明确到镇的专项扶贫资金要在15日内拨付至镇财政所；
镇财政所收到上级财政专项扶贫资金后5个工作日内拨付到镇经管部门；乡镇经管部门对项目村提报的资金拨付申请，
在审核无误后5个工作日内拨付到位。" One function per hop; ``transfer_deadline`` picks the hop's.

How days are counted (start day not counted, a period ending on a rest day runs to the next working
day, the due day ends at 24:00 Beijing time) is organisation.workdays' business; where a month starts
and ends is organisation.periods'.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from funds.choices import Hop, ReportStatus
from households.id_numbers import age_on
from organisation.periods import month_end, next_month
from organisation.workdays import Deadline, WorkingCalendar, add_calendar_days, add_working_days

# District finance bureau -> town finance office: 15 calendar days from the district's receipt.
TO_TOWN_CALENDAR_DAYS = 15
# Town finance office -> station: 5 working days from the office's receipt.
TO_STATION_WORKING_DAYS = 5
# Station -> village: 5 working days from the approval of the village's payment request.
TO_VILLAGE_WORKING_DAYS = 5

# Who may borrow. The national guidance on 扶贫小额信贷 leaves the details to local practice, and the common
# rule of the schemes is a borrower of working age, 18 to 60 (completed years, on the day the application is
# received), who belongs to the registered household. These two figures are the district's choice.
BORROWER_MIN_AGE = 18
BORROWER_MAX_AGE = 60
# The first month a town owes a monthly fund-usage report on: the month the system went live. The district sets
# its own with the setting FUNDS_REPORTS_FROM ("YYYY-MM"); money received before it is reported from this month on.
REPORTS_FROM = dt.date(2024, 1, 1)
# A town corrects a returned report and submits it again; a submitted or accepted one is closed to it.
SUBMITTABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def to_town_deadline(clock_start: dt.date, *, calendar: WorkingCalendar) -> Deadline:
    """ "区级财政部门对上级下达的已明确到镇的专项扶贫资金要在15日内拨付至镇财政所": the district finance bureau
    sends a town's share to the town finance office within 15 calendar days of the district's receipt."""
    return add_calendar_days(clock_start, TO_TOWN_CALENDAR_DAYS, calendar=calendar)


def to_station_deadline(clock_start: dt.date, *, calendar: WorkingCalendar) -> Deadline:
    """ "镇财政所收到上级财政专项扶贫资金后5个工作日内拨付到镇经管部门": the town finance office forwards what it
    received to the economic management station within 5 working days of its receipt."""
    return add_working_days(clock_start, TO_STATION_WORKING_DAYS, calendar=calendar)


def to_village_deadline(clock_start: dt.date, *, calendar: WorkingCalendar) -> Deadline:
    """ "乡镇经管部门对项目村提报的资金拨付申请，在审核无误后5个工作日内拨付到位": the station pays a village
    within 5 working days of approving the village's payment request."""
    return add_working_days(clock_start, TO_VILLAGE_WORKING_DAYS, calendar=calendar)


HOP_DEADLINES: dict[Hop, Callable[..., Deadline]] = {
    Hop.TO_TOWN: to_town_deadline,
    Hop.TO_STATION: to_station_deadline,
    Hop.TO_VILLAGE: to_village_deadline,
}


def transfer_deadline(hop: Hop, clock_start: dt.date, *, calendar: WorkingCalendar) -> Deadline:
    """The due date of a transfer of ``hop`` whose clock started on ``clock_start``: the hop's rule."""
    return HOP_DEADLINES[Hop(hop)](clock_start, calendar=calendar)


def report_deadline(month: dt.date, *, due_working_day: int, calendar: WorkingCalendar) -> Deadline:
    """A town's monthly report on ``month`` is due on the ``due_working_day``-th working day of the next month."""
    return add_working_days(month_end(month), due_working_day, calendar=calendar)


def months_holding_money(
    *, received: Mapping[dt.date, Decimal], paid: Mapping[dt.date, Decimal], first: dt.date, last: dt.date
) -> list[dt.date]:
    """ "镇街道每月向区扶贫开发领导小组报告资金使用情况": a town reports on the months in which it holds money of the
    chain, from ``first`` to ``last``. It holds money from the month its finance office first received a transfer
    of an allocation while any of what it received is not yet paid on to villages; the month in which the last of
    it is paid on is still reported on, the months after are not, until money comes in again.

    ``received`` and ``paid`` are the town's receipts from the district and payments to villages by month (the
    month's first day).
    """
    if not received:
        return []
    owed = []
    balance = Decimal(0)
    month = min(received)
    while month <= last:
        came_in = received.get(month, Decimal(0))
        if (balance > 0 or came_in > 0) and month >= first:
            owed.append(month)
        balance += came_in - paid.get(month, Decimal(0))
        month = next_month(month)
    return owed


def month_has_ended(month: dt.date, today: dt.date) -> bool:
    """A town reports on a month once it has ended: ``today`` is after the month's last day."""
    return month_end(month) < today


def loan_processing_deadline(received_on: dt.date, *, working_days: int, calendar: WorkingCalendar) -> Deadline:
    """限时办结: a microcredit application is decided within ``working_days`` working days of its receipt."""
    return add_working_days(received_on, working_days, calendar=calendar)


def borrower_age_check(*, name: str, birth_date: dt.date, received_on: dt.date) -> None:
    """A microcredit borrower is aged 18 to 60 in completed years on the day the application is received;
    ``ValidationError`` on the borrower otherwise."""
    age = age_on(birth_date, received_on)
    if not BORROWER_MIN_AGE <= age <= BORROWER_MAX_AGE:
        raise ValidationError(
            {
                "borrower": _("%(name)s is %(age)d years old on %(date)s; a borrower must be aged %(min)d to %(max)d.")
                % {"name": name, "age": age, "date": received_on, "min": BORROWER_MIN_AGE, "max": BORROWER_MAX_AGE}
            }
        )


def days_late(due_date: dt.date | None, done_on: dt.date) -> int:
    """Days between the due day and the day a dated action was done (0 when done by the end of the due day)."""
    if due_date is None:
        return 0
    return max(0, (done_on - due_date).days)


def request_above_share(amount: Decimal, *, share: Decimal, committed: Decimal) -> Decimal | None:
    """Point 5: "资金拨付 ... 审核无误后拨付": a village's request is paid from its town's share of the allocation, so
    it may not ask for more than the share not yet committed to villages.
    The remaining share when ``amount`` is above it (the request is refused), None when it fits. The submission
    (the town's share) and the approval (the station's holding) both judge a request with this function."""
    remaining = share - committed
    return remaining if amount > remaining else None


# How a deadline of the funds counts its days, for the note beside each due date.
CALENDAR_DAYS = "calendar"
WORKING_DAYS = "working"


def deadline_counting(hop: str | None) -> str:
    """How a funds deadline counts: the district's hop to the town (``to_town_deadline``) counts calendar days, a
    period ending on a rest day running to the next working day (Civil Code art. 203); the other hops, the monthly
    report's due working day and a loan's processing time count working days. ``hop`` is None for a record that is
    not a transfer (a monthly report, a loan)."""
    return CALENDAR_DAYS if hop == Hop.TO_TOWN else WORKING_DAYS
