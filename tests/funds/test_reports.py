"""Monthly fund-usage reports (point 5): figures from the chain, submission, review, due dates.

The chain is built through the real services on fixed days of 2026; ``clock`` sets the day the app takes
for today, so the services' "not in the future" checks and the report's days late follow the story.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funds.models import FundsPolicy, Hop, MonthlyReport, MonthlyReportLine, ReportStatus, Transfer
from funds.selectors.reports import report_figures
from funds.services import chain
from funds.services.reports import (
    monthly_report_accept,
    monthly_report_open,
    monthly_report_return,
    monthly_report_submit,
    monthly_reports_ensure,
)
from organisation.roles import Role
from organisation.workdays import PACKAGE_YEARS
from tests.factories.funds import ChainPeople, allocation_for, request_for, to_station, to_town_transfer
from tests.factories.organisation import TownFactory, post_user
from tests.fixtures.clock import Clock

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
Y = Decimal

SEPTEMBER = D("2026-09-01")
OCTOBER = D("2026-10-01")
# The report on September 2026 is due on Tue 2026-10-13, see test_the_september_report_is_due_after_national_day.
SEPTEMBER_DUE = D("2026-10-13")


@pytest.fixture
def clock_today():
    """The day ``clock`` (tests/fixtures/clock.py) starts on."""
    return D("2026-11-20")


@pytest.fixture
def other_people(people, other_town, other_village):
    return ChainPeople.for_town(other_town, other_village, district_finance=people.district_finance)


def send(user, transfer: Transfer, clock: Clock, on: str) -> Transfer:
    clock.set(on)
    return chain.transfer_send(user=user, transfer=transfer, sent_on=D(on))


def receive(user, transfer: Transfer, clock: Clock, on: str) -> Transfer:
    clock.set(on)
    return chain.transfer_receive(user=user, transfer=transfer, received_on=D(on))


def approve(people, allocation, village, amount: str, clock: Clock, *, submitted: str, approved: str) -> Transfer:
    clock.set(submitted)
    request = request_for(people, allocation, village, Y(amount))
    clock.set(approved)
    return chain.payment_request_approve(user=people.station, request=request, approved_on=D(approved))


@pytest.fixture
def september(clock, people, other_people, town, village, other_town):
    """The chain up to 1 October 2026.

    Allocation A (received by the district on 08-10): 100,000 for the town, received by its finance office on
    08-21, forwarded to the station on 09-01; 30,000 paid to the village on 09-30 (the month's last day), a
    second payment of 20,000 approved on 09-15 and not sent yet; 10,000 for the other town, received 09-05.
    Allocation B (09-25): 50,000 for the town, sent on 09-30 and received by the office on 10-01.
    """
    clock.set("2026-08-10")
    a = allocation_for(
        people.district_finance, [(town, Y("100000.00")), (other_town, Y("10000.00"))], received_on=D("2026-08-10")
    )
    first = send(people.district_finance, to_town_transfer(a, town), clock, "2026-08-20")
    receive(people.town_finance, first, clock, "2026-08-21")
    onward = send(people.town_finance, Transfer.objects.get(source=first), clock, "2026-09-01")
    receive(people.station, onward, clock, "2026-09-02")
    other = send(people.district_finance, to_town_transfer(a, other_town), clock, "2026-09-05")
    receive(other_people.town_finance, other, clock, "2026-09-05")
    paid = approve(people, a, village, "30000", clock, submitted="2026-09-08", approved="2026-09-10")
    send(people.station, paid, clock, "2026-09-30")
    second_payment = approve(people, a, village, "20000", clock, submitted="2026-09-12", approved="2026-09-15")

    clock.set("2026-09-25")
    b = allocation_for(people.district_finance, [(town, Y("50000.00"))], received_on=D("2026-09-25"))
    b_first = send(people.district_finance, to_town_transfer(b, town), clock, "2026-09-30")
    receive(people.town_finance, b_first, clock, "2026-10-01")
    return SimpleNamespace(a=a, b=b, second_payment=second_payment)


def figures_by_document(town, month) -> dict[str, tuple]:
    return {
        row.document_number: (
            row.received,
            row.forwarded,
            row.paid_to_villages,
            row.balance,
            row.received_in_month,
            row.forwarded_in_month,
            row.paid_in_month,
        )
        for row in report_figures(town=town, month=month)
    }


# --- Figures ------------------------------------------------------------------------------------------------------


def test_figures_count_each_day_in_the_month_it_falls_in(september, town):
    # when the town's September figures are computed
    figures = figures_by_document(town, SEPTEMBER)
    # then A counts the 30,000 paid on 30 September (the month's last day) and not the payment still unsent;
    # B, received by the office on 1 October, is listed with nothing received yet.
    # (received, forwarded, paid, balance | received, forwarded, paid within September)
    assert figures == {
        september.a.document_number: (
            Y("100000.00"),
            Y("100000.00"),
            Y("30000.00"),
            Y("70000.00"),
            Y("0.00"),
            Y("100000.00"),
            Y("30000.00"),
        ),
        september.b.document_number: (Y("0"), Y("0"), Y("0"), Y("0"), Y("0"), Y("0"), Y("0")),
    }


def test_the_first_of_the_next_month_counts_in_the_next_report(september, clock, people, town):
    # given the second payment sent on 1 October, and an allocation C the district receives on 5 October
    send(people.station, september.second_payment, clock, "2026-10-01")
    clock.set("2026-10-05")
    c = allocation_for(people.district_finance, [(town, Y("8000.00"))], received_on=D("2026-10-05"))
    # when the October figures are computed
    figures = figures_by_document(town, OCTOBER)
    # then B's receipt and the second payment are October's, and C is listed, nothing received yet
    assert figures == {
        september.a.document_number: (
            Y("100000.00"),
            Y("100000.00"),
            Y("50000.00"),
            Y("50000.00"),
            Y("0.00"),
            Y("0.00"),
            Y("20000.00"),
        ),
        september.b.document_number: (
            Y("50000.00"),
            Y("0.00"),
            Y("0.00"),
            Y("50000.00"),
            Y("50000.00"),
            Y("0.00"),
            Y("0.00"),
        ),
        c.document_number: (Y("0"), Y("0"), Y("0"), Y("0"), Y("0"), Y("0"), Y("0")),
    }
    # and September did not change: the payment sent on the 1st is not September's
    assert figures_by_document(town, SEPTEMBER)[september.a.document_number][2] == Y("30000.00")


def test_a_town_figures_hold_its_own_money_only(september, other_town):
    # when the other town's September figures are computed
    figures = figures_by_document(other_town, SEPTEMBER)
    # then they hold its own share of A only, received in September
    assert figures == {
        september.a.document_number: (
            Y("10000.00"),
            Y("0.00"),
            Y("0.00"),
            Y("10000.00"),
            Y("10000.00"),
            Y("0.00"),
            Y("0.00"),
        )
    }


def test_figures_are_one_query_whatever_the_data(september, clock, people, town, django_assert_num_queries):
    # when the figures are computed: one query
    with django_assert_num_queries(1):
        assert len(report_figures(town=town, month=SEPTEMBER)) == 2
    # when five more allocations are walked down to the station
    clock.set("2026-09-20")
    for _ in range(5):
        allocation = allocation_for(people.district_finance, [(town, Y("1000.00"))], received_on=D("2026-09-20"))
        to_station(people, allocation, town)
    # then it is still one query
    with django_assert_num_queries(1):
        assert len(report_figures(town=town, month=SEPTEMBER)) == 7


def test_money_is_decimal(september, town):
    # then every sum of the figures is a Decimal
    for row in report_figures(town=town, month=SEPTEMBER):
        assert all(isinstance(getattr(row, name), Decimal) for name in ("received", "paid_to_villages", "balance"))


# --- Submission and review ----------------------------------------------------------------------------------------


def lines_of(report) -> dict[str, tuple]:
    return {
        line.allocation.document_number: (line.received, line.forwarded, line.paid_to_villages, line.balance)
        for line in MonthlyReportLine.objects.filter(report=report).select_related("allocation")
    }


def test_submission_freezes_the_lines(september, clock, people, town):
    # given the town opens and submits its September report on 9 October, before the due day
    clock.set("2026-10-09")
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    report = monthly_report_submit(user=people.town_finance, report=report, notes="  光伏电站设备款已拨付。 ")
    # then the figures are frozen, on time
    frozen = lines_of(report)
    assert frozen[september.a.document_number] == (Y("100000.00"), Y("100000.00"), Y("30000.00"), Y("70000.00"))
    assert (report.status, report.submitted_on, report.days_late) == (ReportStatus.SUBMITTED, D("2026-10-09"), 0)
    assert (report.notes, report.submitted_by) == ("光伏电站设备款已拨付。", people.town_finance)
    # when the station records, a day later, the second payment as sent on 30 September
    send(people.station, september.second_payment, clock, "2026-09-30")
    clock.set("2026-10-10")
    # then the chain's September figures change, and the submitted report does not
    assert figures_by_document(town, SEPTEMBER)[september.a.document_number][2] == Y("50000.00")
    assert lines_of(report) == frozen


def test_a_late_submission_keeps_its_days_late(september, clock, people, town):
    # given the September report, due on 13 October
    clock.set("2026-10-10")
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    assert report.due_date == SEPTEMBER_DUE
    # when the town submits on Fri 16 October, three days after the due day
    clock.set("2026-10-16")
    report = monthly_report_submit(user=people.town_staff, report=report, notes="")
    # then it is 3 days late
    assert report.days_late == 3


def test_submitting_on_the_due_day_is_on_time(september, clock, people, town):
    # given the September report opened on its due day
    clock.set(SEPTEMBER_DUE)
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    # then submitting it that day is on time
    assert monthly_report_submit(user=people.town_staff, report=report, notes="").days_late == 0


def test_a_returned_report_is_corrected_and_submitted_again(september, clock, people, town, office_user):
    # given a late September report, returned by the district office
    clock.set("2026-10-15")
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    report = monthly_report_submit(user=people.town_staff, report=report, notes="初报")
    assert report.days_late == 2
    clock.set("2026-10-16")
    report = monthly_report_return(user=office_user, report=report, note="第二笔拨付未列入，请核实。")
    assert (report.status, report.reviewed_on, report.reviewed_by) == (
        ReportStatus.RETURNED,
        D("2026-10-16"),
        office_user,
    )
    # and the missing payment is recorded as sent on 30 September
    send(people.station, september.second_payment, clock, "2026-09-30")
    # when the town submits it again on 20 October
    clock.set("2026-10-20")
    report = monthly_report_submit(user=people.town_finance, report=report, notes="已补列第二笔拨付。")
    # then the lines are replaced by the figures as they stand, and the days late stay those of the first submission
    assert lines_of(report)[september.a.document_number] == (
        Y("100000.00"),
        Y("100000.00"),
        Y("50000.00"),
        Y("50000.00"),
    )
    assert MonthlyReportLine.objects.filter(report=report).count() == 2
    assert (report.status, report.submitted_on, report.days_late) == (ReportStatus.SUBMITTED, D("2026-10-20"), 2)
    # when the district office accepts it
    report = monthly_report_accept(user=office_user, report=report)
    assert report.status == ReportStatus.ACCEPTED
    # then the town can no longer submit it
    with pytest.raises(ValidationError):
        monthly_report_submit(user=people.town_staff, report=report, notes="")


def test_returning_needs_a_note_and_reviewing_needs_a_submitted_report(september, clock, people, town, office_user):
    # given a draft September report
    clock.set("2026-10-09")
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    # then the office cannot accept a draft
    with pytest.raises(ValidationError):
        monthly_report_accept(user=office_user, report=report)
    # when it is submitted
    report = monthly_report_submit(user=people.town_staff, report=report, notes="")
    # then returning it without a note is refused, and it stays submitted
    with pytest.raises(ValidationError) as refused:
        monthly_report_return(user=office_user, report=report, note="  ")
    assert "note" in refused.value.error_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # and it cannot be submitted twice
    with pytest.raises(ValidationError):
        monthly_report_submit(user=people.town_staff, report=report, notes="again")


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.AUDIT])
def test_only_town_roles_open_and_submit(september, clock, people, town, role):
    # given a district user
    clock.set("2026-10-09")
    district_user = post_user(role)
    # then they may not open the town's report
    with pytest.raises(PermissionDenied):
        monthly_report_open(user=district_user, town=town, month=SEPTEMBER)
    # and once the town opened it, they may not submit it: it stays a draft
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    with pytest.raises(PermissionDenied):
        monthly_report_submit(user=district_user, report=report, notes="")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_village_clerk_neither_opens_nor_submits(september, clock, people, town):
    # given 9 October
    clock.set("2026-10-09")
    # then the clerk may not open the town's report
    with pytest.raises(PermissionDenied):
        monthly_report_open(user=people.clerk, town=town, month=SEPTEMBER)
    # and once the town opened it, may not submit it
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    with pytest.raises(PermissionDenied):
        monthly_report_submit(user=people.clerk, report=report, notes="")


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.DISTRICT_FINANCE, Role.AUDIT])
def test_only_the_district_office_reviews(september, clock, people, town, role):
    # given a submitted September report, and a user of another role
    clock.set("2026-10-09")
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    report = monthly_report_submit(user=people.town_staff, report=report, notes="")
    reviewer = post_user(role, town=town) if role in (Role.TOWN_STAFF, Role.TOWN_FINANCE) else post_user(role)
    # then they may neither accept nor return it: it stays submitted
    with pytest.raises(PermissionDenied):
        monthly_report_accept(user=reviewer, report=report)
    with pytest.raises(PermissionDenied):
        monthly_report_return(user=reviewer, report=report, note="请核实")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_another_town_is_refused(september, clock, people, other_people, town, other_town):
    # given 9 October
    clock.set("2026-10-09")
    # then another town may not open the town's report
    with pytest.raises(PermissionDenied):
        monthly_report_open(user=other_people.town_staff, town=town, month=SEPTEMBER)
    # and once the town opened it, may not submit it: no line was written
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    with pytest.raises(PermissionDenied):
        monthly_report_submit(user=other_people.town_finance, report=report, notes="")
    assert MonthlyReportLine.objects.filter(report=report).count() == 0


def test_a_month_is_reported_on_once_it_has_ended(clock, people, town):
    # given the last day of September
    clock.set("2026-09-30")
    # when September's report is opened, that is refused: the month has not ended
    with pytest.raises(ValidationError) as refused:
        monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    assert "month" in refused.value.error_dict
    # when it is opened on 1 October, by any day of the month
    clock.set("2026-10-01")
    report = monthly_report_open(user=people.town_staff, town=town, month=D("2026-09-17"))
    # then it is September's, its clock starting on the month's last day
    assert (report.month, report.clock_start) == (SEPTEMBER, D("2026-09-30"))


def test_opening_twice_gives_the_same_report(clock, people, town):
    # given 9 October
    clock.set("2026-10-09")
    # when the town staff and then the finance office open September's report
    first = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    second = monthly_report_open(user=people.town_finance, town=town, month=SEPTEMBER)
    # then it is one report
    assert first.pk == second.pk
    assert MonthlyReport.objects.filter(town=town).count() == 1


# --- Due dates ----------------------------------------------------------------------------------------------------


def test_the_september_report_is_due_after_national_day(clock, people, town):
    # The report on September 2026 is due on the 5th working day of October 2026. The chinesecalendar
    # package's 2026 schedule: National Day and its Golden Week are off Thu 10-01 to Wed 10-07, with
    # make-up workdays Sun 09-20 and Sat 10-10. Counting from Wed 09-30 (the month's last day, not counted):
    # 10-01..10-07 rest; Thu 10-08 (1), Fri 10-09 (2), Sat 10-10 make-up workday (3), Sun 10-11 rest,
    # Mon 10-12 (4), Tue 10-13 (5).
    # when the report is opened
    clock.set("2026-10-09")
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    # then it is due on Tue 10-13, a firm date
    assert (report.due_date, report.due_is_provisional) == (D("2026-10-13"), False)
    assert report.due_date == SEPTEMBER_DUE


def test_a_policy_change_moves_the_due_working_day(clock, people, town):
    # given the district office sets the due day to the 3rd working day
    policy = FundsPolicy.current()
    policy.report_due_working_day = 3
    policy.save()
    clock.set("2026-10-09")
    # when the September 2026 report is opened
    report = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    # then it is due on Sat 10-10, the make-up workday: 10-08 (1), 10-09 (2), 10-10 (3)
    assert report.due_date == D("2026-10-10")
    # and a report opened by the overdue scan follows the same policy
    clock.set("2026-11-20")
    allocation = allocation_for(people.district_finance, [(town, Y("1.00"))], received_on=D("2026-10-05"))
    to_station(people, allocation, town)
    monthly_reports_ensure(today=D("2026-11-20"))
    # October 2026 ends on Sat 10-31: Mon 11-02 (1), Tue 11-03 (2), Wed 11-04 (3)
    assert MonthlyReport.objects.get(town=town, month=OCTOBER).due_date == D("2026-11-04")


def test_a_due_date_in_a_year_without_an_official_schedule_is_provisional(clock, people, town):
    # December of the package's last year is due in January of a year whose schedule nobody has entered yet
    december = dt.date(PACKAGE_YEARS.stop - 1, 12, 1)
    clock.set(dt.date(PACKAGE_YEARS.stop, 2, 1))
    # when it is opened
    report = monthly_report_open(user=people.town_staff, town=town, month=december)
    # then its due date is provisional, in the next year
    assert report.due_is_provisional is True
    assert report.due_date.year == PACKAGE_YEARS.stop


# --- The reports every town owes ---------------------------------------------------------------------------------


def holding(allocation, towns, on: dt.date) -> None:
    """The district's shares of ``allocation`` to ``towns`` sent and received by their finance offices on ``on``."""
    Transfer.objects.filter(allocation=allocation, hop=Hop.TO_TOWN, town__in=towns).update(sent_on=on, received_on=on)


# Before issue 13 every town owed a report on every month since the first allocation the district received, so
# the tests below expected towns x months; now a town owes only the months in which it holds money.
def test_ensure_opens_the_months_a_town_holds_money_once(clock, people, town, other_town):
    # given the town received its share in August 2026 and opened its September report itself; the other town
    # was allotted a share it has not received yet
    clock.set("2026-08-10")
    allocation = allocation_for(
        people.district_finance, [(town, Y("100.00")), (other_town, Y("50.00"))], received_on=D("2026-08-10")
    )
    to_station(people, allocation, town)
    clock.set("2026-10-09")
    opened = monthly_report_open(user=people.town_staff, town=town, month=SEPTEMBER)
    # when the scan runs on 20 November (August, September and October are owed by the town)
    assert monthly_reports_ensure(today=D("2026-11-20")) == 2
    # then the town owes one report per month, its own September report kept, with the same due date
    assert set(MonthlyReport.objects.values_list("town_id", "month")) == {
        (town.pk, D("2026-08-01")),
        (town.pk, SEPTEMBER),
        (town.pk, OCTOBER),
    }
    assert MonthlyReport.objects.get(town=town, month=SEPTEMBER).pk == opened.pk
    assert MonthlyReport.objects.get(town=town, month=SEPTEMBER).due_date == SEPTEMBER_DUE
    # and running it again opens nothing
    assert monthly_reports_ensure(today=D("2026-11-20")) == 0
    assert MonthlyReport.objects.count() == 3


def test_one_old_allocation_does_not_flood_every_town(clock, people, town, other_town, settings):
    # given an allocation received by the district on 2018-02-01: the town's finance office received its share
    # that month and nothing of it was paid on; the other town never received money; reports start in 2026-09
    settings.FUNDS_REPORTS_FROM = "2026-09"
    for _ in range(3):
        TownFactory()
    allocation = allocation_for(
        people.district_finance, [(town, Y("100.00")), (other_town, Y("50.00"))], received_on=D("2018-02-01")
    )
    holding(allocation, [town], D("2018-02-05"))
    # when the scan runs on 20 November 2026
    opened = monthly_reports_ensure(today=D("2026-11-20"))
    # then only the town holding money owes reports, from the start month: September and October 2026
    assert opened == 2
    assert set(MonthlyReport.objects.values_list("town_id", "month")) == {(town.pk, SEPTEMBER), (town.pk, OCTOBER)}


def test_reports_start_by_default_in_the_month_the_system_went_live(clock, people, town):
    # given a share received in 2018 and never paid on, and no start month set
    allocation = allocation_for(people.district_finance, [(town, Y("100.00"))], received_on=D("2018-02-01"))
    holding(allocation, [town], D("2018-02-05"))
    # when the scan runs on 20 November 2026
    monthly_reports_ensure(today=D("2026-11-20"))
    # then the town owes every month from January 2024 (REPORTS_FROM) to October 2026
    months = sorted(MonthlyReport.objects.values_list("month", flat=True))
    assert (months[0], months[-1], len(months)) == (D("2024-01-01"), OCTOBER, 34)


def test_a_town_that_paid_everything_on_owes_no_more_reports(clock, people, town, village):
    # given 500 received in August and all of it paid to the village on 30 September
    clock.set("2026-08-10")
    allocation = allocation_for(people.district_finance, [(town, Y("500.00"))], received_on=D("2026-08-10"))
    to_station(people, allocation, town)
    clock.set("2026-09-10")
    request = request_for(people, allocation, village, Y("500.00"))
    transfer = chain.payment_request_approve(user=people.station, request=request, approved_on=D("2026-09-10"))
    send(people.station, transfer, clock, "2026-09-30")
    # when the scan runs on 20 November
    monthly_reports_ensure(today=D("2026-11-20"))
    # then August and September are owed (it held money in them), October is not
    assert set(MonthlyReport.objects.values_list("month", flat=True)) == {D("2026-08-01"), SEPTEMBER}


def test_ensure_is_a_few_queries_whatever_the_towns(clock, people, town):
    # given an allocation received in January by six towns
    clock.set("2026-01-10")
    towns = [town, *(TownFactory() for _ in range(5))]
    allocation = allocation_for(
        people.district_finance, [(each, Y("100.00")) for each in towns], received_on=D("2026-01-10")
    )
    holding(allocation, towns, D("2026-01-10"))
    FundsPolicy.current()
    # when the scan opens every report owed on 20 November
    with CaptureQueriesContext(connection) as queries:
        opened = monthly_reports_ensure(today=D("2026-11-20"))
    # then it opened ten months for every town in a few queries
    assert opened == len(towns) * 10
    assert len(queries) <= 10


def test_figures_come_from_the_town_finance_office_receipt_not_the_allotment(clock, people, town):
    # given a share sent to the town in September and not yet received by its finance office
    clock.set("2026-09-10")
    allocation = allocation_for(people.district_finance, [(town, Y("500.00"))], received_on=D("2026-09-10"))
    send(people.district_finance, to_town_transfer(allocation, town), clock, "2026-09-11")
    # when the September figures are computed
    clock.set("2026-10-01")
    (row,) = report_figures(town=town, month=SEPTEMBER)
    # then the share is allotted but nothing is received, and nothing has gone on to the station
    assert (row.allotted, row.received, row.balance) == (Y("500.00"), Y("0.00"), Y("0.00"))
    assert Transfer.objects.filter(allocation=allocation, hop=Hop.TO_STATION).count() == 0
