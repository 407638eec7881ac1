"""Stored due dates of the funds records follow the calendar and the district office's policy."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funds.models import FundsPolicy, Hop, Loan, LoanStatus, MonthlyReport, RepaymentInterval, Transfer
from funds.services import loans
from funds.services.policy import funds_policy_save
from funds.services.reports import monthly_report_open, monthly_reports_ensure
from organisation.calendar_services import calendar_year_load
from organisation.periods import previous_month
from organisation.tasks import recompute_deadlines
from organisation.workdays import WorkingCalendar
from tests.factories.funds import ChainPeople, allocation_for
from tests.factories.households import HouseholdFactory, member_born

SCHEDULE_2027 = "2027-01-01..2027-01-03 holiday 元旦\n2027-01-04 holiday 元旦调整"


@pytest.fixture
def office(office_user):
    """The district office's user with its post loaded, as a request's user is once its role was checked."""
    return get_user_model().objects.select_related("staff_post").get(pk=office_user.pk)


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


def test_a_new_report_due_day_moves_only_the_reports_not_yet_submitted(town, village, other_town, office_user):
    # given September 2024's reports opened (due on the 5th working day of October 2024: Sat 12 Oct)
    # (both towns' finance offices received their shares in September, so both owe a report on it)
    people = ChainPeople.for_town(town, village)
    allocation = allocation_for(
        people.district_finance, [(town, Decimal("10")), (other_town, Decimal("5"))], received_on=dt.date(2024, 9, 2)
    )
    Transfer.objects.filter(allocation=allocation).update(sent_on=dt.date(2024, 9, 3), received_on=dt.date(2024, 9, 3))
    monthly_reports_ensure(today=dt.date(2024, 10, 20))
    report = MonthlyReport.objects.get(town=town, month=dt.date(2024, 9, 1))
    submitted = MonthlyReport.objects.get(town=other_town, month=dt.date(2024, 9, 1))
    MonthlyReport.objects.filter(pk=submitted.pk).update(status="submitted", submitted_on=dt.date(2024, 10, 9))
    assert report.due_date == dt.date(2024, 10, 12)
    # when the office sets the due day to the 3rd working day
    policy = FundsPolicy.current()
    policy.report_due_working_day = 3
    funds_policy_save(user=office_user, policy=policy, changed=["report_due_working_day"])
    # then the open report is due on Thu 10 Oct (8, 9, 10 Oct after the holidays); the submitted one keeps its date
    report.refresh_from_db()
    assert report.due_date == dt.date(2024, 10, 10)
    assert MonthlyReport.objects.get(pk=submitted.pk).due_date == dt.date(2024, 10, 12)


# --- Recomputing costs the same queries for 3 rows as for 30 ------------------------------------------------------

STALE = dt.date(2000, 1, 1)
# Reports are owed up to November 2026; the allocations come in the months before, one each.
TODAY = dt.date(2026, 12, 5)


class DeadlineRows:
    """Transfers, microcredit applications and monthly reports of one town, ``count`` of each so far."""

    def __init__(self, town, village):
        self.town, self.village = town, village
        self.people = ChainPeople.for_town(town, village)
        self.staff = self.people.town_staff
        self.count = 0

    def grow_to(self, count: int) -> None:
        month = previous_month(TODAY)
        for _ in range(self.count):
            month = previous_month(month)
        for _ in range(count - self.count):
            # one allocation a month: a share to the town (a transfer) and one more report owed
            allocation_for(self.people.district_finance, [(self.town, Decimal("10"))], received_on=month)
            household = HouseholdFactory(village=self.village)
            loans.loan_apply(
                user=self.staff,
                household=household,
                borrower=member_born(household),
                amount=Decimal("1000.00"),
                term_months=12,
                repayment_interval=RepaymentInterval.MONTHLY,
                purpose="养殖肉牛",
                received_on=month,
            )
            # the town starts its report on the month (the shares are unsent: the scan would owe it nothing)
            monthly_report_open(user=self.staff, town=self.town, month=month)
            month = previous_month(month)
        self.count = count

    def make_stale(self) -> None:
        for model in (Transfer, Loan, MonthlyReport):
            model.objects.update(due_date=STALE)

    def assert_counts(self, count: int) -> None:
        assert Transfer.objects.count() == Loan.objects.count() == MonthlyReport.objects.count() == count
        assert Loan.objects.filter(status=LoanStatus.APPLIED).count() == count


def queries_of(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def test_recomputing_every_deadline_costs_the_same_queries_for_3_rows_of_each_kind_as_for_30(town, village):
    # given 3 transfers, 3 loan applications and 3 monthly reports with a stale due date
    rows = DeadlineRows(town, village)
    rows.grow_to(3)
    rows.assert_counts(3)
    rows.make_stale()
    # when the calendar's recompute runs over every deadline
    changed = []
    three = queries_of(lambda: changed.append(recompute_deadlines(None)))
    # and again with 30 of each
    rows.grow_to(30)
    rows.assert_counts(30)
    rows.make_stale()
    thirty = queries_of(lambda: changed.append(recompute_deadlines(None)))
    # then every row was corrected, at the same cost: the funds policy is read once per kind, not per row
    assert changed == [9, 90]
    assert thirty == three
    assert not any(model.objects.filter(due_date=STALE).exists() for model in (Transfer, Loan, MonthlyReport))


def test_a_new_policy_moves_3_or_30_open_deadlines_at_the_same_cost(town, village, office):
    # given 3 open loan applications and 3 open reports
    rows = DeadlineRows(town, village)
    rows.grow_to(3)
    policy = FundsPolicy.current()
    policy.save()
    changed = ["report_due_working_day", "loan_processing_working_days"]

    def save(working_day: int, days: int) -> int:
        policy.report_due_working_day, policy.loan_processing_working_days = working_day, days
        return funds_policy_save(user=office, policy=policy, changed=changed)

    # when the office changes the report due day and the loan processing limit
    moved = []
    three = queries_of(lambda: moved.append(save(3, 10)))
    # and again with 30 of each
    rows.grow_to(30)
    thirty = queries_of(lambda: moved.append(save(4, 12)))
    # then every open deadline moved, at the same cost
    assert moved == [6, 60]
    assert thirty == three
