"""Stored due dates of the funds records follow the calendar and the district office's policy."""

import datetime as dt
from decimal import Decimal

from funds.models import FundsPolicy, Hop, MonthlyReport, Transfer
from funds.services.policy import funds_policy_save
from funds.services.reports import monthly_reports_ensure
from organisation.calendar_services import calendar_year_load
from organisation.tasks import recompute_deadlines
from organisation.workdays import WorkingCalendar
from tests.factories.funds import ChainPeople, allocation_for

SCHEDULE_2027 = "2027-01-01..2027-01-03 holiday 元旦\n2027-01-04 holiday 元旦调整"


def test_a_provisional_share_is_recomputed_when_2027_is_entered(town, village, office_user, monkeypatch):
    # given a share received 20 Dec 2026: 15 days end on Mon 4 Jan 2027, provisional (2027 unknown)
    monkeypatch.setattr(recompute_deadlines, "delay", lambda years: None)
    people = ChainPeople.for_town(town, village)
    allocation = allocation_for(people.district_finance, [(town, Decimal("10"))], received_on=dt.date(2026, 11, 20))
    share = Transfer.objects.get(allocation=allocation, hop=Hop.TO_TOWN)
    Transfer.objects.filter(pk=share.pk).update(clock_start=dt.date(2026, 12, 20))
    share.refresh_from_db()
    share.refresh_due(WorkingCalendar.load())
    share.save()
    assert (share.due_date, share.due_is_provisional) == (dt.date(2027, 1, 4), True)
    # when the office enters 2027 with 4 Jan as a holiday, and the recompute runs
    calendar_year_load(year=2027, lines_text=SCHEDULE_2027, user=office_user)
    recompute_deadlines([2027])
    # then the share is due on Tue 5 Jan 2027, no longer provisional
    share.refresh_from_db()
    assert (share.due_date, share.due_is_provisional) == (dt.date(2027, 1, 5), False)


def test_a_new_report_due_day_moves_only_the_reports_not_yet_submitted(town, village, other_town):
    # given September 2024's reports opened (due on the 5th working day of October 2024: Sat 12 Oct)
    people = ChainPeople.for_town(town, village)
    allocation_for(people.district_finance, [(town, Decimal("10"))], received_on=dt.date(2024, 9, 2))
    monthly_reports_ensure(today=dt.date(2024, 10, 20))
    report = MonthlyReport.objects.get(town=town, month=dt.date(2024, 9, 1))
    submitted = MonthlyReport.objects.get(town=other_town, month=dt.date(2024, 9, 1))
    MonthlyReport.objects.filter(pk=submitted.pk).update(status="submitted", submitted_on=dt.date(2024, 10, 9))
    assert report.due_date == dt.date(2024, 10, 12)
    # when the office sets the due day to the 3rd working day
    policy = FundsPolicy.current()
    policy.report_due_working_day = 3
    funds_policy_save(policy=policy, changed=["report_due_working_day"])
    # then the open report is due on Thu 10 Oct (8, 9, 10 Oct after the holidays); the submitted one keeps its date
    report.refresh_from_db()
    assert report.due_date == dt.date(2024, 10, 10)
    assert MonthlyReport.objects.get(pk=submitted.pk).due_date == dt.date(2024, 10, 12)
