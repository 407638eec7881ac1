"""Counting deadlines on the official calendar.

Expected dates are worked out by hand from the State Council's schedules, not from the package:

- Spring Festival 2024: off Sat 2024-02-10 to Sat 2024-02-17; make-up workdays Sun 2024-02-04, Sun 2024-02-18.
- National Day 2024: off Tue 2024-10-01 to Mon 2024-10-07; make-up workdays Sun 2024-09-29, Sat 2024-10-12.
- Spring Festival 2025: off Tue 2025-01-28 to Tue 2025-02-04; make-up workdays Sun 2025-01-26, Sat 2025-02-08.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from organisation.calendar_services import calendar_day_save, calendar_year_load
from organisation.models import CalendarDay, CalendarDayKind, CalendarYear
from organisation.workdays import (
    Deadline,
    WorkingCalendar,
    add_calendar_days,
    add_working_days,
    days_overdue,
    is_late,
)

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat

# Test data for 2027, a year the package does not know. It is NOT the official schedule (not
# published when this was written): New Year's Day Fri 2027-01-01 off, Spring Festival off
# Sat 2027-02-06 to Sat 2027-02-13, make-up workdays Sun 2027-02-14 and Sat 2027-02-20.
SCHEDULE_2027 = """
2027-01-01 holiday 元旦
2027-02-06..2027-02-13 holiday 春节
2027-02-14 workday 春节调休
2027-02-20 班 春节调休
"""


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Spring Festival 2024: Fri 02-09 (1), the holiday, Sun 02-18 make-up (2), Mon 19 (3), Tue 20 (4), Wed 21 (5).
        ("2024-02-08", 5, "2024-02-21"),
        # Sat 02-03 is a rest day, Sun 02-04 a make-up workday.
        ("2024-02-02", 1, "2024-02-04"),
        # The last working day before the holiday counts: Thu 08 (1), Fri 09 (2); then Sun 18 (3).
        ("2024-02-07", 3, "2024-02-18"),
        # National Day 2024: Sun 09-29 make-up (1), Mon 09-30 (2), the holiday, Tue 10-08 (3).
        ("2024-09-27", 3, "2024-10-08"),
        # From the eve: Tue 10-08 (1) .. Fri 10-11 (4), Sat 10-12 make-up (5).
        ("2024-09-30", 5, "2024-10-12"),
        # Spring Festival 2025: Sun 01-26 make-up (1), Mon 01-27 (2), the holiday, Wed 02-05 (3) .. Fri 02-07 (5).
        ("2025-01-24", 5, "2025-02-07"),
        # ... and the sixth working day is the make-up Saturday 2025-02-08.
        ("2025-01-24", 6, "2025-02-08"),
        # An ordinary week: Mon 2024-03-04 + 5 working days is Mon 2024-03-11.
        ("2024-03-04", 5, "2024-03-11"),
    ],
)
def test_working_days_follow_holidays_and_make_up_workdays(start, n, due):
    # given the calendar as the package knows it
    calendar = WorkingCalendar.load()
    # when n working days are added to the start date
    deadline = add_working_days(D(start), n, calendar=calendar)
    # then the due day is the n-th working day after the start, and it is final
    assert deadline == Deadline(due_date=D(due), provisional=False)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # 2024-09-20 + 15 = Sat 2024-10-05, inside National Day: moves to Tue 2024-10-08.
        ("2024-09-20", "2024-10-08"),
        # 2025-01-15 + 15 = Thu 2025-01-30, inside Spring Festival: moves to Wed 2025-02-05.
        ("2025-01-15", "2025-02-05"),
        # 2024-01-20 + 15 = Sun 2024-02-04, a make-up workday: stays.
        ("2024-01-20", "2024-02-04"),
        # 2024-03-01 + 15 = Sat 2024-03-16, an ordinary weekend: moves to Mon 2024-03-18.
        ("2024-03-01", "2024-03-18"),
        # 2024-03-04 + 15 = Tue 2024-03-19, a working day: stays.
        ("2024-03-04", "2024-03-19"),
    ],
)
def test_fifteen_days_ending_on_a_rest_day_move_to_the_next_working_day(start, due):
    # given the calendar as the package knows it
    calendar = WorkingCalendar.load()
    # when 15 calendar days are added (point 5, "15日内")
    deadline = add_calendar_days(D(start), 15, calendar=calendar)
    # then a due day that is a rest day moves to the next working day (Civil Code art. 203)
    assert deadline == Deadline(due_date=D(due), provisional=False)


def test_a_year_unknown_to_the_package_gives_a_provisional_deadline_on_weekends_only():
    # given no schedule for 2027
    # when 5 working days are counted from Fri 2027-02-05
    deadline = add_working_days(D("2027-02-05"), 5)
    # then Mon 02-08 .. Fri 02-12 count, and the deadline is provisional instead of an error
    assert deadline == Deadline(due_date=D("2027-02-12"), provisional=True)


def test_a_period_crossing_into_an_unknown_year_is_provisional():
    # given no schedule for 2027
    # when 3 working days are counted from Wed 2026-12-30
    deadline = add_working_days(D("2026-12-30"), 3)
    # then Thu 12-31 (1), Fri 2027-01-01 (2, weekday rule), Mon 01-04 (3), provisional
    assert deadline == Deadline(due_date=D("2027-01-04"), provisional=True)


def test_calendar_days_are_provisional_only_when_the_due_day_is_in_an_unknown_year():
    # given no schedule for 2027: 2026-12-10 + 15 = Fri 2026-12-25, in a known year
    assert add_calendar_days(D("2026-12-10"), 15) == Deadline(due_date=D("2026-12-25"), provisional=False)
    # when the due day falls in 2027 (Fri 2027-01-01, weekday rule)
    deadline = add_calendar_days(D("2026-12-17"), 15)
    # then it is provisional
    assert deadline == Deadline(due_date=D("2027-01-01"), provisional=True)


def test_loading_the_2027_schedule_makes_the_deadline_final_and_moves_it(office_user):
    # given a provisional deadline in 2027
    assert add_working_days(D("2027-02-05"), 5) == Deadline(D("2027-02-12"), provisional=True)
    # when the office loads the 2027 schedule (test data, see SCHEDULE_2027)
    calendar_year_load(year=2027, lines_text=SCHEDULE_2027, user=office_user)
    # then the holiday counts: Sun 02-14 make-up (1), Mon 15 (2), Tue 16 (3), Wed 17 (4), Thu 02-18 (5)
    assert add_working_days(D("2027-02-05"), 5) == Deadline(D("2027-02-18"), provisional=False)
    # and across the new year: Thu 2026-12-31 (1), Mon 2027-01-04 (2), Tue 01-05 (3)
    assert add_working_days(D("2026-12-30"), 3) == Deadline(D("2027-01-05"), provisional=False)
    # and Sat 02-20 is a make-up workday
    assert WorkingCalendar.load().is_working_day(D("2027-02-20"))


def test_loading_a_schedule_stores_each_day_and_who_entered_it(office_user):
    # when the office loads the 2027 schedule
    calendar_year = calendar_year_load(year=2027, lines_text=SCHEDULE_2027, user=office_user, source="测试数据")
    # then every day of the ranges is an entry, and the year is marked entered by the user
    days = CalendarDay.objects.filter(date__year=2027)
    assert days.filter(kind=CalendarDayKind.HOLIDAY).count() == 1 + 8
    assert set(days.filter(kind=CalendarDayKind.WORKDAY).values_list("date", flat=True)) == {
        D("2027-02-14"),
        D("2027-02-20"),
    }
    assert days.get(date=D("2027-02-10")).name == "春节"
    assert calendar_year.entered_by == office_user
    assert calendar_year.source == "测试数据"


def test_loading_a_year_again_replaces_its_entries(office_user):
    # given the 2027 test schedule is loaded
    calendar_year_load(year=2027, lines_text=SCHEDULE_2027, user=office_user)
    # when the office loads it again without the Saturday make-up day and with a shorter holiday
    calendar_year_load(
        year=2027,
        lines_text="2027-01-01 放假 元旦\n2027-02-06..2027-02-12 休 春节\n2027-02-14 上班 春节调休",
        user=office_user,
    )
    # then the entries of the year are exactly the new lines
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind")) == [
        (D("2027-01-01"), "holiday"),
        *[(D("2027-02-06") + dt.timedelta(days=i), "holiday") for i in range(7)],
        (D("2027-02-14"), "workday"),
    ]
    assert CalendarYear.objects.filter(year=2027).count() == 1


def test_an_office_correction_overrides_the_package_for_2025(office_user):
    # given the package's Spring Festival 2025: 5 working days after Fri 2025-01-24 is Fri 2025-02-07
    assert add_working_days(D("2025-01-24"), 5).due_date == D("2025-02-07")
    # when the office marks Fri 2025-02-07 as a rest day (a test correction)
    calendar_day_save(date=D("2025-02-07"), kind=CalendarDayKind.HOLIDAY, name="测试更正", user=office_user)
    # then it no longer counts, and the make-up Saturday 2025-02-08 is the fifth working day
    assert add_working_days(D("2025-01-24"), 5) == Deadline(D("2025-02-08"), provisional=False)


def test_a_correction_can_turn_a_package_holiday_back_into_a_workday(office_user):
    # when the office marks Tue 2025-02-04 (a package holiday) as a working day
    calendar_day_save(date=D("2025-02-04"), kind=CalendarDayKind.WORKDAY, user=office_user)
    # then it counts: Sun 01-26 (1), Mon 01-27 (2), Tue 02-04 (3)
    assert add_working_days(D("2025-01-24"), 3).due_date == D("2025-02-04")


def test_the_calendar_is_read_once_for_many_computations(django_assert_num_queries):
    # given a loaded calendar
    calendar = WorkingCalendar.load()
    # when a year of deadlines is computed
    with django_assert_num_queries(0):
        for offset in range(365):
            add_working_days(D("2024-01-01") + dt.timedelta(days=offset), 5, calendar=calendar)
            add_calendar_days(D("2024-01-01") + dt.timedelta(days=offset), 15, calendar=calendar)
    # then no query is made per day


@pytest.mark.parametrize(
    ("done_at", "late", "overdue"),
    [
        (dt.datetime(2024, 10, 8, 23, 59, 59, tzinfo=BEIJING), False, 0),
        (dt.datetime(2024, 10, 9, 0, 0, tzinfo=BEIJING), True, 1),
        # 16:00 UTC is midnight in Beijing: late, whatever zone the timestamp is stored in.
        (dt.datetime(2024, 10, 8, 15, 59, tzinfo=dt.UTC), False, 0),
        (dt.datetime(2024, 10, 8, 16, 0, tzinfo=dt.UTC), True, 1),
        (dt.datetime(2024, 10, 11, 9, 0, tzinfo=BEIJING), True, 3),
    ],
)
def test_the_due_day_runs_until_midnight_beijing_time(done_at, late, overdue):
    # given a deadline on 2024-10-08 and a clock well past it
    now = dt.datetime(2024, 12, 1, 12, 0, tzinfo=BEIJING)
    # when the action was done at done_at
    # then it is late only after 24:00 of the due day
    assert is_late(D("2024-10-08"), done_at, now) is late
    assert days_overdue(D("2024-10-08"), done_at, now) == overdue


def test_an_undone_action_is_late_once_the_due_day_has_ended():
    due = D("2024-10-08")
    assert not is_late(due, None, dt.datetime(2024, 10, 8, 23, 59, tzinfo=BEIJING))
    assert is_late(due, None, dt.datetime(2024, 10, 9, 0, 0, tzinfo=BEIJING))
    assert days_overdue(due, None, dt.datetime(2024, 10, 12, 10, 0, tzinfo=BEIJING)) == 4
    assert not is_late(None, None, dt.datetime(2024, 10, 12, 10, 0, tzinfo=BEIJING))


def line_error(line: int, problem: str) -> str:
    return gettext("Line %(line)d: %(problem)s") % {"line": line, "problem": problem}


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        (
            "2027-02-30 holiday 春节",
            lambda: gettext("“%(text)s” is not a date; write it as YYYY-MM-DD.") % {"text": "2027-02-30"},
        ),
        (
            "2027-02-13..2027-02-06 holiday 春节",
            lambda: (
                gettext("the range ends on %(last)s, before it starts on %(first)s.")
                % {"first": "2027-02-13", "last": "2027-02-06"}
            ),
        ),
        (
            "2028-01-01 holiday 元旦",
            lambda: gettext("%(date)s is not in %(year)d.") % {"date": "2028-01-01", "year": 2027},
        ),
        (
            "2027-01-01 holiday 元旦",
            lambda: gettext("%(date)s is already listed on line %(first)d.") % {"date": "2027-01-01", "first": 2},
        ),
        (
            "2027-03-03 休息日",
            lambda: (
                gettext("“%(text)s” is not a kind of day; write holiday (休, 放假) or workday (班, 上班).")
                % {"text": "休息日"}
            ),
        ),
        (
            "2027-03-03",
            lambda: gettext("write a date or a range of dates, then holiday or workday, then the holiday name."),
        ),
    ],
)
def test_a_bad_line_names_its_number_and_nothing_is_saved(office_user, bad_line, problem):
    # given a schedule whose third line is wrong
    lines_text = f"# 2027 test data\n2027-01-01 holiday 元旦\n{bad_line}\n2027-02-14 workday 春节调休"
    # when the office loads it
    with pytest.raises(ValidationError) as raised, translation.override("zh-hans"):
        calendar_year_load(year=2027, lines_text=lines_text, user=office_user)
    # then the error names line 3 and the problem, and the year is left as it was
    with translation.override("zh-hans"):
        assert raised.value.message_dict["lines_text"] == [line_error(3, problem())]
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


def test_a_make_up_workday_on_a_weekday_is_refused(office_user):
    # when a Wednesday is listed as a make-up workday
    with pytest.raises(ValidationError) as raised:
        calendar_year_load(year=2027, lines_text="2027-02-17 workday 春节调休", user=office_user)
    # then the error names the line and says it is already a working day
    [message] = raised.value.message_dict["lines_text"]
    assert message.startswith(line_error(1, "2027-02-17"))
    assert not CalendarDay.objects.exists()


def test_an_empty_schedule_is_refused(office_user):
    with pytest.raises(ValidationError) as raised:
        calendar_year_load(year=2027, lines_text="\n# nothing yet\n", user=office_user)
    assert raised.value.message_dict["lines_text"] == [gettext("Paste at least one line of the schedule.")]


def test_the_single_day_service_validates_too(office_user):
    # given an entry for 2027-01-01
    calendar_day_save(date=D("2027-01-01"), kind=CalendarDayKind.HOLIDAY, name="元旦", user=office_user)
    # when the same date is entered again, and a weekday is made a make-up workday
    with pytest.raises(ValidationError) as duplicate:
        calendar_day_save(date=D("2027-01-01"), kind=CalendarDayKind.HOLIDAY, user=office_user)
    with pytest.raises(ValidationError) as weekday:
        calendar_day_save(date=D("2027-01-06"), kind=CalendarDayKind.WORKDAY, user=office_user)
    # then both are refused by the service itself
    assert "date" in duplicate.value.message_dict
    assert "kind" in weekday.value.message_dict
    assert CalendarDay.objects.count() == 1
