"""Stored deadlines follow the calendar: recomputed when the office enters or corrects a year.

The task body runs here directly; a real worker is exercised by the jobs tests.
"""

import datetime as dt

import pytest
from django.core import checks

from organisation import deadlines
from organisation.calendar_services import calendar_day_delete, calendar_day_save, calendar_year_load
from organisation.deadlines import StoredDeadline, stored_deadline_models, stored_deadlines_recompute
from organisation.models import CalendarDayKind
from organisation.tasks import recompute_deadlines
from organisation.workdays import WorkingCalendar
from tests.testapp.models import Reminder, ReminderEvent

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat

# Test data, not the official 2027 schedule: New Year's Day Fri 2027-01-01 off, Spring Festival off
# Sat 2027-02-06 to Sat 2027-02-13, make-up workday Sun 2027-02-14.
SCHEDULE_2027 = "2027-01-01 holiday 元旦\n2027-02-06..2027-02-13 holiday 春节\n2027-02-14 workday 春节调休"


def reminder(title: str, clock_start: str | None) -> Reminder:
    row = Reminder(title=title, clock_start=D(clock_start) if clock_start else None)
    row.refresh_due(WorkingCalendar.load())
    row.save()
    return row


@pytest.fixture
def enqueued(monkeypatch):
    """The years each recompute was enqueued with, instead of sending them to the broker."""
    calls = []
    monkeypatch.setattr(recompute_deadlines, "delay", lambda years: calls.append(years))
    return calls


def test_a_reminder_is_due_five_working_days_after_its_clock_starts():
    # when a reminder's clock starts on Fri 2024-09-27 (National Day 2024 follows)
    row = reminder("国庆前拨付", "2024-09-27")
    # then Sun 09-29 (1), Mon 09-30 (2), Tue 10-08 (3), Wed 10-09 (4), Thu 10-10 (5)
    assert (row.due_date, row.due_is_provisional) == (D("2024-10-10"), False)


def test_loading_a_year_recomputes_the_provisional_reminders(
    office_user, enqueued, django_capture_on_commit_callbacks
):
    # given reminders whose period runs into 2027, which is not loaded yet, and one in 2024
    new_year = reminder("跨年", "2026-12-30")
    spring = reminder("春节前", "2027-02-05")
    settled = reminder("2024", "2024-09-27")
    assert (new_year.due_date, new_year.due_is_provisional) == (D("2027-01-06"), True)
    assert (spring.due_date, spring.due_is_provisional) == (D("2027-02-12"), True)
    # when the office loads the 2027 schedule and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_load(year=2027, lines_text=SCHEDULE_2027, user=office_user)
    # then the recompute of 2027 is enqueued, and running it moves the reminders and makes them final
    assert enqueued == [[2027]]
    assert recompute_deadlines(*enqueued) == 2
    new_year.refresh_from_db()
    spring.refresh_from_db()
    # Thu 2026-12-31 (1), Mon 2027-01-04 (2), Tue (3), Wed (4), Thu 2027-01-07 (5)
    assert (new_year.due_date, new_year.due_is_provisional) == (D("2027-01-07"), False)
    # Sun 2027-02-14 (1), Mon 15 (2), Tue 16 (3), Wed 17 (4), Thu 2027-02-18 (5)
    assert (spring.due_date, spring.due_is_provisional) == (D("2027-02-18"), False)
    assert Reminder.objects.get(pk=settled.pk).due_date == D("2024-10-10")


def test_the_recompute_is_recorded_in_history():
    # given a provisional reminder whose due date is out of date (the calendar changed since)
    row = reminder("跨年", "2026-12-30")
    Reminder.objects.filter(pk=row.pk).update(due_date=D("2027-01-01"))
    # when the recompute runs
    recompute_deadlines([2027])
    # then the change is written, and the history trigger recorded it
    assert Reminder.objects.get(pk=row.pk).due_date == D("2027-01-06")
    assert ReminderEvent.objects.filter(pgh_obj=row, pgh_label="update", due_date=D("2027-01-06")).exists()


def test_a_correction_recomputes_only_the_rows_it_can_move(office_user, enqueued, django_capture_on_commit_callbacks):
    # given reminders around Spring Festival 2025 and one in 2024
    spring = reminder("2025春节", "2025-01-24")
    earlier = reminder("2024", "2024-03-04")
    assert spring.due_date == D("2025-02-07")
    # when the office corrects Fri 2025-02-07 to a rest day (test correction) and the recompute runs
    with django_capture_on_commit_callbacks(execute=True):
        day = calendar_day_save(date=D("2025-02-07"), kind=CalendarDayKind.HOLIDAY, name="测试更正", user=office_user)
    assert enqueued == [[2025]]
    changed = recompute_deadlines([2025])
    # then only the 2025 reminder moves, to the make-up Saturday 2025-02-08
    assert changed == 1
    assert Reminder.objects.get(pk=spring.pk).due_date == D("2025-02-08")
    assert Reminder.objects.get(pk=earlier.pk).due_date == D("2024-03-11")
    # and removing the correction brings the package's answer back
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_delete(user=office_user, day=day)
    assert recompute_deadlines(*enqueued[1:]) == 1
    assert Reminder.objects.get(pk=spring.pk).due_date == D("2025-02-07")


def test_rows_are_written_in_batches(monkeypatch):
    # given more provisional reminders than one batch holds
    monkeypatch.setattr(deadlines, "RECOMPUTE_BATCH_SIZE", 3)
    rows = [reminder(f"r{i}", "2027-02-05") for i in range(7)]
    Reminder.objects.update(due_date=D("2027-01-01"))
    # when every deadline is recomputed
    changed = stored_deadlines_recompute(years=None)
    # then each row is right again
    assert changed == 7
    assert set(Reminder.objects.values_list("due_date", flat=True)) == {D("2027-02-12")}
    assert len(rows) == Reminder.objects.filter(due_is_provisional=True).count()


def test_a_row_without_a_clock_has_no_due_date():
    # given a reminder whose clock has not started, with a stale due date
    row = reminder("未开始", None)
    Reminder.objects.filter(pk=row.pk).update(due_date=D("2024-01-01"))
    # when every deadline is recomputed
    stored_deadlines_recompute(years=None)
    # then it has none
    assert Reminder.objects.get(pk=row.pk).due_date is None


def test_every_concrete_stored_deadline_model_is_found_and_declares_its_rule():
    assert Reminder in stored_deadline_models()
    assert ReminderEvent not in stored_deadline_models()
    assert Reminder.compute_deadline is not StoredDeadline.compute_deadline
    assert deadlines.check_deadline_rules() == []


def test_a_model_without_a_rule_fails_the_system_check(monkeypatch):
    # given a model that forgot its rule
    monkeypatch.setattr(Reminder, "compute_deadline", StoredDeadline.compute_deadline)
    # when the checks run
    errors = deadlines.check_deadline_rules()
    # then it is named
    assert [error.id for error in errors] == ["organisation.E101"]
    assert isinstance(errors[0], checks.Error)
    assert issubclass(Reminder, StoredDeadline)
