"""Point 5's deadlines on real holiday periods (the chinesecalendar schedules of 2024 and 2025).

Spring Festival 2025: holidays 28 Jan - 4 Feb, make-up workdays Sun 26 Jan and Sat 8 Feb.
National Day 2024: holidays 1 - 7 Oct, make-up workdays Sun 29 Sep and Sat 12 Oct.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funds.models import Hop
from funds.rules import (
    HOP_DEADLINES,
    borrower_age_check,
    days_late,
    loan_processing_deadline,
    months_holding_money,
    report_deadline,
    to_station_deadline,
    to_town_deadline,
    to_village_deadline,
    transfer_deadline,
)
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
    # when the hop's deadline is computed on the package's schedule
    deadline = transfer_deadline(hop, clock_start, calendar=PACKAGE_ONLY)
    # then it is due on the day its rule gives, a firm date
    assert deadline.due_date == due, why
    assert deadline.provisional is False


def test_to_town_is_due_15_calendar_days_after_the_district_receives_the_allocation():
    # then 14 Jan 2025 + 15 days = 29 Jan, inside the Spring Festival holidays: the next working day, Wed 5 Feb
    assert to_town_deadline(dt.date(2025, 1, 14), calendar=PACKAGE_ONLY).due_date == dt.date(2025, 2, 5)


def test_to_station_is_due_5_working_days_after_the_finance_office_receives_the_money():
    # then from Fri 27 Sep 2024: Sun 29 (make-up) 1, Mon 30 2, National Day holidays, 8 Oct 3, 9 Oct 4, 10 Oct 5
    assert to_station_deadline(dt.date(2024, 9, 27), calendar=PACKAGE_ONLY).due_date == dt.date(2024, 10, 10)


def test_to_village_is_due_5_working_days_after_the_station_approves_the_request():
    # then from Fri 24 Jan 2025: Sun 26 (make-up) 1, Mon 27 2, Spring Festival holidays, 5 Feb 3, 6 Feb 4, 7 Feb 5
    assert to_village_deadline(dt.date(2025, 1, 24), calendar=PACKAGE_ONLY).due_date == dt.date(2025, 2, 7)


@pytest.mark.parametrize("hop", list(Hop))
def test_a_transfer_takes_the_rule_of_its_hop(hop):
    # given a clock started on the eve of Spring Festival 2025, where calendar and working days part ways
    clock_start = dt.date(2025, 1, 24)
    # then a transfer of each hop is due when that hop's own rule says, and every hop has a rule
    expected = {
        Hop.TO_TOWN: to_town_deadline,
        Hop.TO_STATION: to_station_deadline,
        Hop.TO_VILLAGE: to_village_deadline,
    }
    assert HOP_DEADLINES[hop] is expected[hop]
    assert transfer_deadline(hop, clock_start, calendar=PACKAGE_ONLY) == expected[hop](
        clock_start, calendar=PACKAGE_ONLY
    )


def test_a_period_running_into_a_year_without_a_schedule_is_provisional():
    # when a share's clock starts on 20 Dec 2026: + 15 days = Mon 4 Jan 2027, and 2027's holidays are not known yet
    deadline = transfer_deadline(Hop.TO_TOWN, dt.date(2026, 12, 20), calendar=PACKAGE_ONLY)
    # then it is due then, provisionally
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
    # when September 2024's report is due: 1-7 Oct are holidays; 8-11 Oct are working days 1-4, Sat 12 Oct (make-up) 5
    deadline = report_deadline(dt.date(2024, 9, 1), due_working_day=5, calendar=PACKAGE_ONLY)
    # then it is due on Sat 12 Oct
    assert deadline.due_date == dt.date(2024, 10, 12)


@pytest.mark.parametrize(
    ("done_on", "late"),
    [(dt.date(2025, 2, 4), 0), (dt.date(2025, 2, 5), 0), (dt.date(2025, 2, 6), 1), (dt.date(2025, 2, 15), 10)],
)
def test_days_late_count_from_the_end_of_the_due_day(done_on, late):
    # then a step done by the end of its due day (5 Feb 2025) is not late, and each day after counts one
    assert days_late(dt.date(2025, 2, 5), done_on) == late


def test_a_loan_application_is_decided_within_the_policy_s_working_days():
    # when an application is received on Fri 27 Sep 2024, + 7 working days: Sun 29 (make-up) 1, Mon 30 2, holidays,
    # 8-11 Oct 3-6, Sat 12 Oct (make-up) 7
    deadline = loan_processing_deadline(dt.date(2024, 9, 27), working_days=7, calendar=PACKAGE_ONLY)
    # then it is due on Sat 12 Oct
    assert deadline.due_date == dt.date(2024, 10, 12)


BORN = dt.date(1966, 3, 10)


@pytest.mark.parametrize(
    ("received_on", "may_borrow"),
    [
        (dt.date(1984, 3, 9), False),  # 17, the day before the 18th birthday
        (dt.date(1984, 3, 10), True),  # 18 on the day
        (dt.date(2026, 3, 10), True),  # 60 on the day
        (dt.date(2027, 3, 9), True),  # still 60 on the day before the 61st birthday
        (dt.date(2027, 3, 10), False),  # 61
    ],
)
def test_a_borrower_is_aged_18_to_60_on_the_day_the_application_is_received(received_on, may_borrow):
    # then a borrower born on 10 Mar 1966 is accepted from their 18th birthday to the eve of their 61st
    if may_borrow:
        borrower_age_check(name="张秀兰", birth_date=BORN, received_on=received_on)
    else:
        with pytest.raises(ValidationError) as refused:
            borrower_age_check(name="张秀兰", birth_date=BORN, received_on=received_on)
        assert list(refused.value.message_dict) == ["borrower"]


@pytest.mark.english
def test_a_borrower_too_old_is_told_the_age_and_the_rule():
    # when a borrower of 61 is checked
    with pytest.raises(ValidationError) as refused:
        borrower_age_check(name="张秀兰", birth_date=BORN, received_on=dt.date(2027, 3, 10))
    # then the refusal names their age and the rule
    assert refused.value.message_dict["borrower"] == [
        "张秀兰 is 61 years old on 2027-03-10; a borrower must be aged 18 to 60."
    ]


def test_a_town_owes_the_months_it_holds_money_from_the_start_month():
    # given 100 received in 2018-02, 60 paid on in 2018-03 and 40 in 2024-02, and 10 more received in 2024-05
    received = {dt.date(2018, 2, 1): Decimal("100"), dt.date(2024, 5, 1): Decimal("10")}
    paid = {dt.date(2018, 3, 1): Decimal("60"), dt.date(2024, 2, 1): Decimal("40")}
    # when the months owed from 2024-01 to 2024-06 are asked for
    owed = months_holding_money(received=received, paid=paid, first=dt.date(2024, 1, 1), last=dt.date(2024, 6, 1))
    # then January and February (the last of it paid on), then May and June, and not March or April
    assert owed == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 5, 1), dt.date(2024, 6, 1)]


def test_a_town_that_never_received_money_owes_nothing():
    assert months_holding_money(received={}, paid={}, first=dt.date(2024, 1, 1), last=dt.date(2024, 6, 1)) == []
