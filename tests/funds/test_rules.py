"""Point 5's deadlines on real holiday periods (the chinesecalendar schedules of 2024 and 2025).

Spring Festival 2025: holidays 28 Jan - 4 Feb, make-up workdays Sun 26 Jan and Sat 8 Feb.
National Day 2024: holidays 1 - 7 Oct, make-up workdays Sun 29 Sep and Sat 12 Oct.
"""

import datetime as dt

import pytest

from funds.models import Hop
from funds.rules import days_late, report_deadline, transfer_deadline
from organisation.workdays import WorkingCalendar

# The package's schedule only: no day entered by the office.
PACKAGE_ONLY = WorkingCalendar(entries={}, entered_years=frozenset())


@pytest.mark.parametrize(
    ("hop", "clock_start", "due", "why"),
    [
        # 14 Jan + 15 days = 29 Jan, inside the Spring Festival holidays: the next working day, 5 Feb.
        (Hop.TO_TOWN, dt.date(2025, 1, 14), dt.date(2025, 2, 5), "ends in a holiday"),
        # 14 Sep + 15 days = Sun 29 Sep 2024, a make-up workday: due that Sunday.
        (Hop.TO_TOWN, dt.date(2024, 9, 14), dt.date(2024, 9, 29), "ends on a make-up workday"),
        # 1 Mar + 15 days = Sun 16 Mar 2025, an ordinary rest day: Monday 17 Mar.
        (Hop.TO_TOWN, dt.date(2025, 3, 1), dt.date(2025, 3, 17), "ends on a weekend"),
        # Fri 27 Sep 2024: Sun 29 (make-up) 1, Mon 30 2, holidays, 8 Oct 3, 9 Oct 4, 10 Oct 5.
        (Hop.TO_STATION, dt.date(2024, 9, 27), dt.date(2024, 10, 10), "runs across National Day"),
        # Fri 24 Jan 2025: Sun 26 (make-up) 1, Mon 27 2, holidays, 5 Feb 3, 6 Feb 4, 7 Feb 5.
        (Hop.TO_VILLAGE, dt.date(2025, 1, 24), dt.date(2025, 2, 7), "runs across Spring Festival"),
        # An ordinary week: Mon 10 Mar 2025 -> Mon 17 Mar (Tue-Fri 4, skip the weekend, Mon 5).
        (Hop.TO_VILLAGE, dt.date(2025, 3, 10), dt.date(2025, 3, 17), "an ordinary week"),
    ],
)
def test_each_hop_is_due_on_the_day_its_rule_gives(hop, clock_start, due, why):
    deadline = transfer_deadline(hop, clock_start, calendar=PACKAGE_ONLY)
    assert deadline.due_date == due, why
    assert deadline.provisional is False


def test_a_period_running_into_a_year_without_a_schedule_is_provisional():
    # 20 Dec 2026 + 15 days = Mon 4 Jan 2027: 2027's holidays are not known yet
    deadline = transfer_deadline(Hop.TO_TOWN, dt.date(2026, 12, 20), calendar=PACKAGE_ONLY)
    assert (deadline.due_date, deadline.provisional) == (dt.date(2027, 1, 4), True)


def test_a_day_entered_by_the_office_moves_the_deadline():
    # given the office declares Mon 17 Mar 2025 a holiday (a correction)
    from organisation.models import CalendarDay, CalendarDayKind

    calendar = WorkingCalendar(
        entries={dt.date(2025, 3, 17): CalendarDay(date=dt.date(2025, 3, 17), kind=CalendarDayKind.HOLIDAY)},
        entered_years=frozenset(),
    )
    # then a 15-day period ending on Sunday 16 Mar runs to Tuesday 18 Mar
    assert transfer_deadline(Hop.TO_TOWN, dt.date(2025, 3, 1), calendar=calendar).due_date == dt.date(2025, 3, 18)


def test_the_monthly_report_is_due_on_the_fifth_working_day_of_the_next_month():
    # September 2024's report: 1-7 Oct are holidays; 8, 9, 10, 11 Oct are working days 1-4, Sat 12 Oct (make-up) 5
    deadline = report_deadline(dt.date(2024, 9, 1), due_working_day=5, calendar=PACKAGE_ONLY)
    assert deadline.due_date == dt.date(2024, 10, 12)


@pytest.mark.parametrize(
    ("done_on", "late"),
    [(dt.date(2025, 2, 4), 0), (dt.date(2025, 2, 5), 0), (dt.date(2025, 2, 6), 1), (dt.date(2025, 2, 15), 10)],
)
def test_days_late_count_from_the_end_of_the_due_day(done_on, late):
    assert days_late(dt.date(2025, 2, 5), done_on) == late
