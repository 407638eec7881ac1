"""The overdue list and "run the scan now": sorted by days overdue, scoped to the user's towns, a fixed query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funds import tasks
from funds.models import Hop, LoanStatus, MonthlyReport, RiskBand, Transfer
from funds.services import chain
from organisation.roles import Role
from tests.funds.test_overdue_scan import disbursed_loan, loan_for, share_due, shares_due
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.english

URL = reverse("funds:overdue_list")
RUN_URL = reverse("funds:overdue_scan_run")


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def shown(response) -> list[int]:
    return [row.pk for row in response.context["object_list"]]


@pytest.fixture
def both_towns(people, town, other_town):
    """Unsent shares: two in the town (3 and 10 days overdue), one in the other town (6 days), one not yet due."""
    return {
        "town_3": share_due(people, town, days_ago(3), Decimal("1000.00")),
        "town_10": share_due(people, town, days_ago(10), Decimal("2500.50")),
        "other_6": share_due(people, other_town, days_ago(6), Decimal("400.00")),
        "not_due": share_due(people, other_town, timezone.localdate(), Decimal("9999.00")),
    }


def test_the_district_sees_every_town_most_days_overdue_first_with_the_total(client, office_user, both_towns):
    # when the district office opens the overdue list
    client.force_login(office_user)
    response = client.get(URL)
    # then every overdue transfer is there, most days overdue first, and the one due today is not
    assert shown(response) == [both_towns["town_10"].pk, both_towns["other_6"].pk, both_towns["town_3"].pk]
    assert [transfer.days_overdue for transfer in response.context["object_list"]] == [10, 6, 3]
    assert (response.context["totals"].count, response.context["totals"].amount) == (3, Decimal("3900.50"))
    content = response.content.decode()
    assert "3 transfers overdue, 3,900.50 yuan in all." in content
    assert both_towns["town_10"].allocation.document_number in content
    assert reverse("funds:transfer_detail", args=[both_towns["town_10"].pk]) in content
    # and the office may run the scan
    assert 'data-testid="overdue-scan-run"' in content


def test_a_town_sees_only_its_own_and_cannot_ask_for_another_town(client, make_user, town, other_town, both_towns):
    # given a finance office user of the town
    client.force_login(make_user(Role.TOWN_FINANCE, town=town))
    # when they open the list
    response = client.get(URL)
    # then they see their town's transfers only, and no scan button
    assert shown(response) == [both_towns["town_10"].pk, both_towns["town_3"].pk]
    assert response.context["totals"].count == 2
    assert 'data-testid="overdue-scan-run"' not in response.content.decode()
    # and asking for the other town is refused
    assert client.get(URL, {"town": other_town.pk}).status_code == 404


def test_another_towns_user_is_refused_the_towns_list(client, town, both_towns):
    # then another town's finance office and station are refused the town's overdue list
    assert_other_town_refused(client, f"{URL}?town={town.pk}", role=Role.TOWN_FINANCE)
    assert_other_town_refused(client, f"{URL}?town={town.pk}", role=Role.TOWN_STATION)


def test_filters_by_town_hop_minimum_days_and_document_number(client, office_user, town, both_towns):
    # given the office on the overdue list
    client.force_login(office_user)
    # then each filter shows the overdue transfers it asks for, with their totals
    assert shown(client.get(URL, {"town": town.pk})) == [both_towns["town_10"].pk, both_towns["town_3"].pk]
    assert shown(client.get(URL, {"hop": Hop.TO_STATION})) == []
    assert shown(client.get(URL, {"hop": Hop.TO_TOWN, "min_days": 6})) == [
        both_towns["town_10"].pk,
        both_towns["other_6"].pk,
    ]
    number = both_towns["other_6"].allocation.document_number
    response = client.get(URL, {"q": number})
    assert shown(response) == [both_towns["other_6"].pk]
    assert (response.context["totals"].count, response.context["totals"].amount) == (1, Decimal("400.00"))
    # a value that is no number of days is ignored rather than failing
    assert len(shown(client.get(URL, {"min_days": "many"}))) == 3


def test_a_sent_transfer_leaves_the_list(client, office_user, people, both_towns):
    # when the share 10 days overdue is sent
    chain.transfer_send(user=people.district_finance, transfer=both_towns["town_10"], sent_on=timezone.localdate())
    # then it leaves the list, keeping its 10 days late
    client.force_login(office_user)
    assert shown(client.get(URL)) == [both_towns["other_6"].pk, both_towns["town_3"].pk]
    assert Transfer.objects.get(pk=both_towns["town_10"].pk).days_late == 10


def test_the_list_is_paginated_and_its_query_count_does_not_grow(client, office_user, people, town, other_town):
    client.force_login(office_user)

    def queries(count: int) -> tuple[int, int]:
        shares_due(town, people.district_finance, count, day=days_ago(count))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"page": 2} if count > 25 else {})
        assert response.status_code == 200
        return len(captured), len(response.context["object_list"])

    # given 5 overdue transfers, then 40 more
    few, shown_few = queries(5)
    many, shown_many = queries(40)
    # then both pages cost the same queries; the second page of 45 shows the last 20
    assert (shown_few, shown_many) == (5, 20)
    assert few == many


def test_the_overdue_reports_applications_and_risk_warnings_are_listed(
    client, make_user, office_user, town, village, other_town, people
):
    # given a report, a loan application and a loan at risk in the town, and a report of the other town
    share_due(people, town, days_ago(40))
    report = MonthlyReport.objects.create(
        town=town, month=dt.date(2026, 9, 1), clock_start=dt.date(2026, 9, 30), due_date=days_ago(12)
    )
    other_report = MonthlyReport.objects.create(
        town=other_town, month=dt.date(2026, 9, 1), clock_start=dt.date(2026, 9, 30), due_date=days_ago(12)
    )
    staff = make_user(Role.TOWN_STAFF, town=town)
    application = loan_for(village, staff, due_date=days_ago(4))
    at_risk = disbursed_loan(village, staff, instalment_due=days_ago(65))
    at_risk.risk_band = RiskBand.OVERDUE_60
    at_risk.save(update_fields=["risk_band"])
    loan_for(village, staff, status=LoanStatus.APPLIED, due_date=timezone.localdate())

    # when the town's staff open the list, then each of its tabs
    client.force_login(staff)
    response = client.get(URL)
    tabs = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    reports = client.get(URL, {"tab": "reports"})
    applications = client.get(URL, {"tab": "applications"})
    risks = client.get(URL, {"tab": "risks"})

    # then each tab counts and lists what is overdue in the town only
    assert tabs == {"transfers": 1, "reports": 1, "applications": 1, "risks": 1}
    assert shown(reports) == [report.pk]
    assert reports.context["object_list"][0].days_overdue == 12
    assert other_report.pk not in shown(reports)
    assert reverse("funds:report_detail", args=[report.pk]) in reports.content.decode()
    assert shown(applications) == [application.pk]
    assert applications.context["object_list"][0].days_overdue == 4
    assert reverse("funds:loan_detail", args=[application.pk]) in applications.content.decode()
    assert shown(risks) == [at_risk.pk]
    assert "Overdue 60 days or more" in risks.content.decode()


@pytest.mark.parametrize("tab", ["transfers", "reports", "applications", "risks", "nonsense"])
def test_no_tab_costs_more_queries_than_the_first(client, office_user, people, town, tab):
    """Every tab counts them all and reads one page (an empty tab not even that)."""
    # given an overdue share, and the tab opened once
    share_due(people, town, days_ago(3))
    client.force_login(office_user)
    client.get(URL, {"tab": tab})
    # when the tab and the first tab are read
    with CaptureQueriesContext(connection) as captured:
        # then the tab costs no more queries than the first
        assert client.get(URL, {"tab": tab}).status_code == 200
    with CaptureQueriesContext(connection) as first_tab:
        client.get(URL)
    assert len(captured) <= len(first_tab)


# --- Run the scan now -----------------------------------------------------------------------------------------------


def test_the_office_queues_the_scan_once_the_request_commits(
    client, office_user, monkeypatch, django_capture_on_commit_callbacks
):
    # given the office, and the scan's task caught when queued
    queued = []
    monkeypatch.setattr(tasks.flag_overdue, "delay", lambda *args, **kwargs: queued.append(args))
    client.force_login(office_user)
    # when it runs the scan now
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUN_URL)
    # then the scan is queued once the request commits, and the page says so
    assert response.status_code == 302 and response["Location"] == URL
    assert queued == [()]
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "The overdue scan is queued; new flags and notices appear within a minute."
    ]


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.DISTRICT_FINANCE, Role.AUDIT])
def test_no_one_but_the_office_may_run_the_scan(client, make_user, town, role, monkeypatch):
    # given a user of another role, and the scan's task caught when queued
    queued = []
    monkeypatch.setattr(tasks.flag_overdue, "delay", lambda *args, **kwargs: queued.append(args))
    user = make_user(role, town=town if role in (Role.TOWN_STAFF, Role.TOWN_FINANCE) else None)
    client.force_login(user)
    # then running the scan is refused, and nothing is queued
    assert client.post(RUN_URL).status_code == 403
    assert client.get(RUN_URL).status_code in (403, 405)
    assert queued == []
