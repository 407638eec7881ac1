"""The pages of the monthly fund-usage reports: list and grid, detail, submit, review, open; who is refused."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.models import Hop, MonthlyReport, MonthlyReportLine, ReportStatus, Transfer
from funds.services import chain
from funds.services.overdue import overdue_scan
from funds.services.reports import (
    monthly_report_accept,
    monthly_report_open,
    monthly_report_submit,
    monthly_reports_ensure,
)
from organisation.roles import Role
from organisation.workdays import PACKAGE_YEARS
from tests.factories.funds import allocation_for, request_for, to_station
from tests.factories.organisation import TownFactory, post_user
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
Y = Decimal

TODAY = D("2026-11-20")
SEPTEMBER, OCTOBER = D("2026-09-01"), D("2026-10-01")


@pytest.fixture
def clock_today():
    """The day ``clock`` (tests/fixtures/clock.py) starts on."""
    return TODAY


@pytest.fixture
def reports(clock, people, town, village, other_town):
    """An allocation walked to the town's station in August and 1,200 paid to the village on 30 September, and
    the other town's share received by its finance office in August: both towns hold money and owe their reports
    from August (the scan has run). September's due day is Tue 2026-10-13."""
    clock.today = D("2026-08-10")
    allocation = allocation_for(
        people.district_finance, [(town, Y("5000.00")), (other_town, Y("800.00"))], received_on=D("2026-08-10")
    )
    to_station(people, allocation, town)
    Transfer.objects.filter(allocation=allocation, town=other_town, hop=Hop.TO_TOWN).update(
        sent_on=D("2026-08-10"), received_on=D("2026-08-10")
    )
    clock.today = D("2026-09-10")
    request = request_for(people, allocation, village, Y("1200.00"))
    transfer = chain.payment_request_approve(user=people.station, request=request, approved_on=D("2026-09-10"))
    clock.today = D("2026-09-30")
    chain.transfer_send(user=people.station, transfer=transfer, sent_on=D("2026-09-30"))
    clock.today = TODAY
    monthly_reports_ensure(today=TODAY)
    return SimpleNamespace(
        allocation=allocation,
        august=MonthlyReport.objects.get(town=town, month=D("2026-08-01")),
        september=MonthlyReport.objects.get(town=town, month=SEPTEMBER),
        october=MonthlyReport.objects.get(town=town, month=OCTOBER),
        other_september=MonthlyReport.objects.get(town=other_town, month=SEPTEMBER),
    )


def submit(user, report, clock, on: str, notes: str = ""):
    clock.today = D(on)
    report = monthly_report_submit(user=user, report=report, notes=notes)
    clock.today = TODAY
    return report


def count_testids(response, name: str) -> int:
    return len(re.findall(rf'data-testid="{name}"', response.content.decode()))


def cell_state(response, town, month: str) -> str:
    match = re.search(
        rf'data-testid="matrix-cell" data-town="{town.pk}" data-month="{month}" data-state="(\w+)"',
        response.content.decode(),
    )
    assert match, f"no grid cell for {town} {month}"
    return match.group(1)


def listed(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-testid="report-row" data-report="(\d+)"', response.content.decode())}


# --- The list and the grid ---------------------------------------------------------------------------------------


def test_a_town_sees_its_own_reports_and_can_start_one(client, reports, people):
    # when the town staff open the reports
    client.force_login(people.town_staff)
    response = client.get(reverse("funds:report_list"))
    # then they see their town's three reports and the form to open one, and no grid
    assert response.status_code == 200
    assert listed(response) == {reports.august.pk, reports.september.pk, reports.october.pk}
    assert count_testids(response, "report-open-form") == 1
    assert count_testids(response, "report-matrix") == 0


def test_the_district_office_sees_every_town_in_the_grid(
    client, clock, reports, people, town, other_town, office_user
):
    # given the town's August report submitted late and accepted, September submitted on time, and October's
    # (due on Fri 11-06) not submitted; the other town has submitted nothing
    august = submit(people.town_staff, reports.august, clock=clock, on="2026-09-30")
    monthly_report_accept(user=office_user, report=august)
    submit(people.town_finance, reports.september, clock=clock, on="2026-10-12")
    # and a town created since the scan last ran, which has received no money
    new_town = TownFactory()
    # when the office opens the reports
    client.force_login(office_user)
    response = client.get(reverse("funds:report_list"))
    # then it opens no report itself, and the new town owes nothing (before issue 13 its months showed missing:
    # every town owed every month, whether or not it held money)
    assert response.status_code == 200
    assert count_testids(response, "report-open-form") == 0
    assert cell_state(response, new_town, "2026-09") == "not_owed"
    # then the grid shows May to October 2026 for every town
    assert cell_state(response, town, "2026-08") == "accepted"
    assert cell_state(response, town, "2026-09") == "submitted"
    assert cell_state(response, town, "2026-10") == "missing"
    assert cell_state(response, other_town, "2026-09") == "missing"
    # and the months before the town held money owe no report
    assert cell_state(response, town, "2026-07") == "not_owed"
    # and the list marks the missing and late reports
    assert count_testids(response, "report-late") == 1  # August, submitted after its due day
    assert listed(response) >= {reports.september.pk, reports.other_september.pk}


def owed_before_any_scan(clock, people, town) -> None:
    """The town's finance office received money in August; no scan has run since (no report is open)."""
    clock.today = D("2026-08-10")
    allocation = allocation_for(people.district_finance, [(town, Y("5000.00"))], received_on=D("2026-08-10"))
    to_station(people, allocation, town)
    clock.today = TODAY
    assert not MonthlyReport.objects.exists()


def overdue_reports(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr data-report="(\d+)"', response.content.decode())}


def test_the_grid_the_list_and_the_overdue_tab_agree_before_and_after_the_scan(
    client, clock, people, town, office_user
):
    # given reports owed since August, before any scan
    owed_before_any_scan(clock, people, town)
    client.force_login(office_user)
    months = (D("2026-08-01"), SEPTEMBER, OCTOBER)
    # when the office opens the reports: nothing is opened by reading, and the three pages agree on nothing yet
    response = client.get(reverse("funds:report_list"))
    assert not MonthlyReport.objects.exists()
    assert listed(response) == set()
    assert {cell_state(response, town, f"{month:%Y-%m}") for month in months} == {"not_owed"}
    assert overdue_reports(client.get(reverse("funds:overdue_list"), {"tab": "reports"})) == set()
    # when the scan has run (hourly; it opens the reports owed), on the test's day
    overdue_scan(now=dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC))
    # then the grid's missing months are the list's rows and the overdue tab's
    owed = dict(MonthlyReport.objects.filter(town=town).values_list("month", "pk"))
    assert set(owed) == set(months)
    response = client.get(reverse("funds:report_list"))
    assert listed(response) == set(owed.values())
    assert all(cell_state(response, town, f"{month:%Y-%m}") == "missing" for month in owed)
    assert overdue_reports(client.get(reverse("funds:overdue_list"), {"tab": "reports"})) >= set(owed.values())


def rows_written() -> int:
    """Rows inserted, updated or deleted in any table by this test's transaction so far (history included)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("role", list(Role))
def test_reading_the_reports_writes_nothing_whatever_the_role(client, clock, people, town, village, role):
    # given reports owed but not opened, and a user of the role (in the town, or its village)
    owed_before_any_scan(clock, people, town)
    place = {"town": town} if role in TOWN_ROLES[:3] else {"village": village} if role in TOWN_ROLES else {}
    client.force_login(post_user(role, **place))
    pages = [
        (reverse("funds:report_list"), {}),
        (reverse("funds:report_list"), {"late": "1"}),
        (reverse("funds:overdue_list"), {"tab": "reports"}),
        (reverse("funds:overdue_list"), {}),
    ]
    client.get(*pages[0])  # the session's first request may refresh the session row
    # when every reports page is read
    before = rows_written()
    for url, query in pages:
        assert client.get(url, query).status_code in (200, 403)
    # then no row of any table was written, history included
    assert rows_written() == before
    assert not MonthlyReport.objects.exists()


def test_a_month_not_yet_due_is_pending(client, reports, office_user, town, clock):
    # given 5 November: October's report is due on Fri 11-06
    clock.today = D("2026-11-05")  # October's report is due on Fri 11-06
    # when the office opens the grid
    client.force_login(office_user)
    response = client.get(reverse("funds:report_list"))
    # then October is pending
    assert cell_state(response, town, "2026-10") == "pending"


def test_the_list_and_grid_take_the_same_queries_whatever_the_towns(client, reports, office_user, clock):
    # given the office, the page read once
    client.force_login(office_user)
    url = reverse("funds:report_list")
    client.get(url)
    # when it is read, and again with six more towns
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        TownFactory()
    monthly_reports_ensure(today=TODAY)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    # then it costs the same queries
    assert len(many) == len(few)


def test_the_list_filters(client, clock, reports, people, office_user, town, other_town):
    # given September submitted 3 days late
    submit(people.town_staff, reports.september, clock=clock, on="2026-10-16")
    client.force_login(office_user)
    url = reverse("funds:report_list")
    # then the filters by town, name, status and months find their reports
    assert listed(client.get(url, {"town": town.pk})) == {reports.august.pk, reports.september.pk, reports.october.pk}
    assert listed(client.get(url, {"q": other_town.name})) == set(
        MonthlyReport.objects.filter(town=other_town).values_list("pk", flat=True)
    )
    assert listed(client.get(url, {"status": ReportStatus.SUBMITTED})) == {reports.september.pk}
    assert listed(client.get(url, {"town": town.pk, "month_from": "2026-09", "month_to": "2026-09"})) == {
        reports.september.pk
    }
    # and late or missing: September submitted 3 days late, August and October never submitted
    late = listed(client.get(url, {"town": town.pk, "late": "1"}))
    assert late == {reports.august.pk, reports.september.pk, reports.october.pk}


def test_late_or_missing_leaves_out_reports_on_time_and_not_yet_due(client, reports, people, clock):
    # given September submitted on its due day and 5 November, before October's
    submit(people.town_staff, reports.september, clock=clock, on="2026-10-13")
    clock.today = D("2026-11-05")  # October not yet due
    # when the town lists its late or missing reports
    client.force_login(people.town_staff)
    # then only August is there
    assert listed(client.get(reverse("funds:report_list"), {"late": "1"})) == {reports.august.pk}


def test_the_list_pages_by_25(client, clock, people, town):
    # given an allocation received in January 2024 and held since, so the town owes more than 25 reports
    clock.today = D("2024-01-10")
    allocation = allocation_for(people.district_finance, [(town, Y("1.00"))], received_on=D("2024-01-10"))
    to_station(people, allocation, town)
    clock.today = TODAY
    monthly_reports_ensure(today=TODAY)
    client.force_login(people.town_staff)
    # when the town staff open the list
    first = client.get(reverse("funds:report_list"))
    # then the first page shows 25 and the second the rest
    assert len(listed(first)) == 25
    assert (
        len(listed(client.get(reverse("funds:report_list"), {"page": 2})))
        == MonthlyReport.objects.filter(town=town).count() - 25
    )


# --- One report --------------------------------------------------------------------------------------------------


def test_a_draft_shows_live_figures_and_a_submitted_one_its_frozen_lines(client, reports, people, clock):
    client.force_login(people.town_staff)
    url = reverse("funds:report_detail", args=[reports.september.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert count_testids(response, "figures-live") == 1
    assert ">1200.00<" in response.content.decode()
    assert count_testids(response, "report-overdue") == 1  # unsubmitted, due 10-13
    assert reverse("funds:report_submit", args=[reports.september.pk]) in response.content.decode()
    # when it is submitted, and the station then records another payment in September
    submit(people.town_staff, reports.september, clock, on="2026-10-14")
    clock.today = D("2026-09-20")
    request = request_for(people, reports.allocation, people.clerk.staff_post.village, Y("300.00"))
    transfer = chain.payment_request_approve(user=people.station, request=request, approved_on=D("2026-09-20"))
    clock.today = TODAY
    chain.transfer_send(user=people.station, transfer=transfer, sent_on=D("2026-09-25"))
    response = client.get(url)
    # then the page shows what was submitted
    assert count_testids(response, "figures-frozen") == 1
    content = response.content.decode()
    assert ">1200.00<" in content and ">1500.00<" not in content
    assert reverse("funds:report_submit", args=[reports.september.pk]) not in content
    assert 'data-testid="report-days-late">1<' in content


def test_the_due_date_shows_its_provisional_mark(client, clock, people, town):
    # given December of the package's last year opened: it is due in January of a year whose schedule nobody has
    # entered yet
    clock.today = dt.date(PACKAGE_YEARS.stop, 1, 20)
    report = monthly_report_open(user=people.town_staff, town=town, month=dt.date(PACKAGE_YEARS.stop - 1, 12, 1))
    # when the town staff open it
    client.force_login(people.town_staff)
    response = client.get(reverse("funds:report_detail", args=[report.pk]))
    # then its due date is marked provisional
    assert count_testids(response, "due-provisional") == 1


def test_the_district_office_reviews_from_the_report(client, clock, reports, people, office_user):
    # given September submitted
    submit(people.town_staff, reports.september, clock=clock, on="2026-10-12")
    # when the office opens it
    client.force_login(office_user)
    response = client.get(reverse("funds:report_detail", args=[reports.september.pk]))
    # then it is offered the review, not the submission
    content = response.content.decode()
    assert reverse("funds:report_review", args=[reports.september.pk]) in content
    assert reverse("funds:report_submit", args=[reports.september.pk]) not in content


# --- Submit, review, open ----------------------------------------------------------------------------------------


def test_submitting_through_the_page(client, reports, people, clock):
    # given the town finance office on September's submit page
    client.force_login(people.town_finance)
    url = reverse("funds:report_submit", args=[reports.september.pk])
    assert count_testids(client.get(url), "submit-late-warning") == 1  # 20 November: past the due day
    # when it is 12 October, before the due day, there is no warning
    clock.today = D("2026-10-12")
    response = client.get(url)
    assert response.status_code == 200
    assert count_testids(response, "submit-late-warning") == 0
    # when the report is submitted
    response = client.post(url, {"notes": "村集体光伏电站设备款1200元已拨付到村。"})
    # then it is submitted on time, its figures frozen
    assert response.status_code == 302
    assert response["Location"] == reverse("funds:report_detail", args=[reports.september.pk])
    report = MonthlyReport.objects.get(pk=reports.september.pk)
    assert (report.status, report.notes, report.days_late) == (
        ReportStatus.SUBMITTED,
        "村集体光伏电站设备款1200元已拨付到村。",
        0,
    )
    assert MonthlyReportLine.objects.get(report=report).paid_to_villages == Y("1200.00")
    # and a second visit goes back to the report
    assert client.get(url).status_code == 302


def test_reviewing_through_the_page(client, reports, people, office_user, clock):
    # given September submitted, and the office on its review page
    submit(people.town_staff, reports.september, clock, on="2026-10-12")
    client.force_login(office_user)
    url = reverse("funds:report_review", args=[reports.september.pk])
    assert client.get(url).status_code == 200
    # when it returns it without a note, that is refused on the form
    response = client.post(url, {"decision": "return", "note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert MonthlyReport.objects.get(pk=reports.september.pk).status == ReportStatus.SUBMITTED
    # when the office returns it with a note
    response = client.post(url, {"decision": "return", "note": "请补充资金用途说明。"})
    # then it is returned with the note
    assert response.status_code == 302
    report = MonthlyReport.objects.get(pk=reports.september.pk)
    assert (report.status, report.review_note) == (ReportStatus.RETURNED, "请补充资金用途说明。")
    # when the town corrects it and submits again, the office accepts it
    client.force_login(people.town_staff)
    assert client.post(reverse("funds:report_submit", args=[report.pk]), {"notes": "已补充。"}).status_code == 302
    client.force_login(office_user)
    assert client.post(url, {"decision": "accept", "note": ""}).status_code == 302
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED


def test_opening_a_past_month_through_the_page(client, clock, people, town):
    # given 9 October, and the town staff on the page to open a report
    clock.today = D("2026-10-09")
    client.force_login(people.town_staff)
    url = reverse("funds:report_open")
    assert client.get(url).status_code == 200
    # when they open September
    response = client.post(url, {"town": town.pk, "month": "2026-09"})
    # then it is opened, due on 13 October
    report = MonthlyReport.objects.get(town=town, month=SEPTEMBER)
    assert response.status_code == 302
    assert response["Location"] == reverse("funds:report_detail", args=[report.pk])
    assert report.due_date == D("2026-10-13")
    # a month not ended yet is refused on the form
    response = client.post(url, {"town": town.pk, "month": "2026-10"})
    assert response.status_code == 200
    assert response.context["form"].errors["month"]
    assert not MonthlyReport.objects.filter(town=town, month=OCTOBER).exists()


# --- Who is refused -----------------------------------------------------------------------------------------------


def test_the_district_office_cannot_submit_and_a_town_cannot_review(client, clock, reports, people, office_user):
    # given the office
    client.force_login(office_user)
    # then it may neither submit a report nor open one
    submit_url = reverse("funds:report_submit", args=[reports.september.pk])
    assert client.get(submit_url).status_code == 403
    assert client.post(submit_url, {"notes": "x"}).status_code == 403
    assert (
        client.post(reverse("funds:report_open"), {"town": reports.september.town_id, "month": "2026-09"}).status_code
        == 403
    )
    # when September is submitted
    submit(people.town_staff, reports.september, clock=clock, on="2026-10-12")
    # then none of the town's people may review it, and it stays submitted
    review_url = reverse("funds:report_review", args=[reports.september.pk])
    for user in (people.town_staff, people.town_finance, people.station):
        client.force_login(user)
        assert client.get(review_url).status_code == 403
        assert client.post(review_url, {"decision": "accept"}).status_code == 403
    assert MonthlyReport.objects.get(pk=reports.september.pk).status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("role", [Role.DISTRICT_FINANCE, Role.AUDIT])
def test_district_readers_read_but_neither_submit_nor_review(client, clock, reports, people, role):
    # given September submitted, and a district reader
    submit(people.town_staff, reports.september, clock=clock, on="2026-10-12")
    client.force_login(post_user(role))
    # then they read it, but may neither review nor submit
    assert client.get(reverse("funds:report_detail", args=[reports.september.pk])).status_code == 200
    assert client.get(reverse("funds:report_review", args=[reports.september.pk])).status_code == 403
    assert client.get(reverse("funds:report_submit", args=[reports.october.pk])).status_code == 403


TOWN_ROLES = [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.TOWN_STATION, Role.VILLAGE_CLERK]


@pytest.mark.parametrize("role", TOWN_ROLES)
@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("report_detail", "get", None),
        ("report_submit", "get", None),
        ("report_submit", "post", {"notes": "冒名提交"}),
        ("report_review", "get", None),
        ("report_review", "post", {"decision": "return", "note": "冒名退回"}),
    ],
)
def test_another_town_is_refused_on_every_report_url(client, clock, reports, people, role, name, method, data):
    # given August submitted and September a draft
    submit(people.town_staff, reports.august, clock=clock, on="2026-09-30")
    # when a user of another town asks for either, by GET or POST, they are refused
    for report in (reports.august, reports.september):
        assert_other_town_refused(
            client, reverse(f"funds:{name}", args=[report.pk]), role=role, method=method, data=data
        )
    # then neither report changed
    assert MonthlyReport.objects.get(pk=reports.august.pk).status == ReportStatus.SUBMITTED
    assert MonthlyReport.objects.get(pk=reports.september.pk).status == ReportStatus.DRAFT


@pytest.mark.parametrize("role", TOWN_ROLES)
def test_another_town_is_refused_on_opening_and_filtering(client, reports, town, role):
    # then a user of another town may neither open the town's report nor filter the list by the town
    data = {"town": town.pk, "month": "2026-07"}
    assert_other_town_refused(client, reverse("funds:report_open"), role=role, method="post", data=data)
    assert not MonthlyReport.objects.filter(town=town, month=D("2026-07-01")).exists()
    assert_other_town_refused(client, reverse("funds:report_list") + f"?town={town.pk}", role=role)


def test_the_list_never_shows_another_town(client, reports, other_town):
    # when a user of another town opens the list
    client.force_login(post_user(Role.TOWN_STAFF, town=other_town))
    # then they see their own town's reports only
    assert listed(client.get(reverse("funds:report_list"))) == set(
        MonthlyReport.objects.filter(town=other_town).values_list("pk", flat=True)
    )
