"""The income, yield and plan pages: guarded by scope and role, and what they show."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organisation.roles import Role
from organisation.workdays import LEGAL_TIME_ZONE
from projects.models import IncomeRecord, IncomeShare, PlanStatus, RectificationPlan, Remedy, YieldClass
from projects.services.yields import yield_assessment_run
from projects.tasks import assess_yields
from tests.factories.organisation import TownFactory
from tests.factories.projects import operating_project
from tests.permission_checks import assert_other_town_refused

PERIOD_END = dt.date(2024, 12, 31)
NOW = dt.datetime(2025, 1, 1, 3, 0, tzinfo=LEGAL_TIME_ZONE)


def pay(project, amount, received_on=dt.date(2024, 6, 30)):
    return IncomeRecord.objects.create(
        project=project,
        period_start=dt.date(received_on.year, 1, 1),
        period_end=dt.date(received_on.year, 12, 31),
        amount=Decimal(amount),
        received_on=received_on,
        payer="兰山测试农业发展有限公司",
        recorded_by=project.created_by,
    )


@pytest.fixture
def project(town, village):
    project = operating_project(town=town, villages=[village])
    IncomeShare.objects.create(project=project, village=village, percent=Decimal("100.00"))
    return project


@pytest.fixture
def income(project):
    return pay(project, "59999.00")


@pytest.fixture
def plan(project, income):
    yield_assessment_run(period_end=PERIOD_END, now=NOW)
    return RectificationPlan.objects.get(project=project)


@pytest.fixture
def station(make_user, town):
    return make_user(Role.TOWN_STATION, town=town)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


PLAN_DATA = {
    "remedy": Remedy.CONVERT,
    "steps": "改建为农产品电商仓储中心",
    "responsible_unit": "镇人民政府",
    "deadline": "2025-12-31",
}


# Another town's user is refused everywhere, and nothing is written


def test_income_pages_refuse_another_towns_station(client, project, income):
    # then another town's station is refused every income page of the project, GET and POST
    for url, method, data in [
        (reverse("projects:income_list", args=[project.pk]), "get", None),
        (reverse("projects:income_create", args=[project.pk]), "get", None),
        (
            reverse("projects:income_create", args=[project.pk]),
            "post",
            {
                "period_start": "2024-01-01",
                "period_end": "2024-12-31",
                "amount": "100",
                "received_on": "2025-01-02",
                "payer": "x",
            },
        ),
        (reverse("projects:income_detail", args=[income.pk]), "get", None),
        (reverse("projects:income_distribute", args=[income.pk]), "post", None),
        (reverse("projects:income_mark_paid", args=[income.pk]), "post", {"paid_on": "2025-01-03"}),
    ]:
        assert_other_town_refused(client, url, role=Role.TOWN_STATION, method=method, data=data)


def test_plan_pages_refuse_another_towns_staff(client, plan):
    # then another town's staff are refused every page of the plan, GET and POST
    for url, method, data in [
        (reverse("projects:plan_detail", args=[plan.pk]), "get", None),
        (reverse("projects:plan_edit", args=[plan.pk]), "get", None),
        (reverse("projects:plan_edit", args=[plan.pk]), "post", PLAN_DATA),
        (reverse("projects:plan_start", args=[plan.pk]), "post", None),
        (reverse("projects:plan_complete", args=[plan.pk]), "get", None),
        (reverse("projects:plan_complete", args=[plan.pk]), "post", {"completed_on": "2025-01-02"}),
    ]:
        assert_other_town_refused(client, url, role=Role.TOWN_STAFF, method=method, data=data)


def test_lists_do_not_show_another_towns_records(client, plan, make_user):
    # given the staff of another town
    stranger = make_user(Role.TOWN_STAFF, town=TownFactory())
    client.force_login(stranger)
    # then neither the plan list nor the yield overview shows the town's project
    for name in ("projects:plan_list", "projects:yield_overview"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert plan.project.code not in response.content.decode()
    # and they may not start the yield job
    response = assert_other_town_refused(client, reverse("projects:yield_run"), role=Role.TOWN_STAFF, method="post")
    assert response.status_code == 403


# Wrong roles get 403


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.TOWN_FINANCE, Role.DISTRICT_OFFICE, Role.AUDIT])
def test_only_the_station_records_and_distributes_income(client, make_user, town, project, income, role):
    # given a user of another role
    user = make_user(role, town=town) if role in (Role.TOWN_STAFF, Role.TOWN_FINANCE) else make_user(role)
    client.force_login(user)
    # then they may neither record, distribute nor pay out income, and nothing is distributed
    assert client.get(reverse("projects:income_create", args=[project.pk])).status_code == 403
    assert client.post(reverse("projects:income_distribute", args=[income.pk])).status_code == 403
    assert client.post(reverse("projects:income_mark_paid", args=[income.pk])).status_code == 403
    assert not income.distributions.exists()


@pytest.mark.parametrize("role", [Role.TOWN_FINANCE, Role.VILLAGE_CLERK, Role.AUDIT])
def test_only_plan_keepers_and_the_office_change_plans(client, make_user, town, village, plan, role):
    # given a user who does not keep plans
    if role == Role.VILLAGE_CLERK:
        user = make_user(role, village=village)
    elif role == Role.TOWN_FINANCE:
        user = make_user(role, town=town)
    else:
        user = make_user(role)
    client.force_login(user)
    # then they may neither edit, start nor complete the plan
    assert client.get(reverse("projects:plan_edit", args=[plan.pk])).status_code == 403
    assert client.post(reverse("projects:plan_start", args=[plan.pk])).status_code == 403
    assert client.post(reverse("projects:plan_complete", args=[plan.pk])).status_code == 403


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.DISTRICT_FINANCE, Role.AUDIT])
def test_only_the_district_office_runs_the_yield_job(client, make_user, town, role):
    # given a user of another role
    client.force_login(make_user(role, town=town) if role == Role.TOWN_STAFF else make_user(role))
    # then they may not run the yield job
    assert client.post(reverse("projects:yield_run")).status_code == 403


# What the pages do


@pytest.mark.english
def test_the_station_records_income(client, station, project):
    # when the station records this year's income
    client.force_login(station)
    today = timezone.localdate()
    response = client.post(
        reverse("projects:income_create", args=[project.pk]),
        {
            "period_start": f"{today.year}-01-01",
            "period_end": f"{today.year}-12-31",
            "amount": "12000.50",
            "received_on": today.isoformat(),
            "payer": "兰山测试农业发展有限公司",
        },
    )
    # then it is recorded, and the page goes to it
    income = IncomeRecord.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:income_detail", args=[income.pk])
    assert income.amount == Decimal("12000.50")


@pytest.mark.english
def test_a_refused_income_shows_on_the_form(client, station, project):
    # when the station records income received tomorrow
    client.force_login(station)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        reverse("projects:income_create", args=[project.pk]),
        {
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "amount": "100",
            "received_on": tomorrow.isoformat(),
            "payer": "x",
        },
    )
    # then the form says why, and nothing is recorded
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not IncomeRecord.objects.exists()


@pytest.mark.english
def test_the_income_section_shows_each_years_yield(client, staff, town, project):
    # given two years' income of a project, and income of a project without an investment
    pay(project, "60000.00", dt.date(2023, 5, 1))
    pay(project, "20000.00", dt.date(2024, 5, 1))
    no_investment = operating_project(town=town, investment=None)
    pay(no_investment, "1000.00", dt.date(2024, 5, 1))
    # when the staff open the income section of each
    client.force_login(staff)
    page = client.get(reverse("projects:income_list", args=[project.pk]), headers={"HX-Request": "true"})
    # then the first shows each year's yield, as a fragment; the second says none can be computed
    html = page.content.decode()
    assert "6.00%" in html and "2.00%" in html
    assert "<html" not in html  # a fragment for the project page
    html = client.get(reverse("projects:income_list", args=[no_investment.pk])).content.decode()
    assert "No investment recorded: the yield cannot be computed." in html


def test_the_income_section_costs_the_same_queries_however_many_years(client, staff, project):
    # given the staff and a year's income
    client.force_login(staff)
    url = reverse("projects:income_list", args=[project.pk])
    pay(project, "1000.00", dt.date(2023, 5, 1))
    client.get(url)
    # when the section is read, and again with nine years
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for year in range(2015, 2023):
        pay(project, "1000.00", dt.date(year, 5, 1))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    # then it costs the same queries
    assert len(few) == len(many)


@pytest.mark.english
def test_the_station_distributes_and_pays_out(client, station, income):
    # when the station distributes the income
    client.force_login(station)
    response = client.post(reverse("projects:income_distribute", args=[income.pk]), follow=True)
    # then the village, its only beneficiary, gets all of it
    assert "distributed among 1 beneficiaries" in response.content.decode()
    (part,) = income.distributions.all()
    assert part.amount == income.amount
    # when it is paid out
    client.post(reverse("projects:income_mark_paid", args=[income.pk]), {"paid_on": "2024-07-01"})
    # then the part is paid on that day
    part.refresh_from_db()
    assert part.paid_on == dt.date(2024, 7, 1)


@pytest.mark.english
@pytest.mark.django_db(transaction=True)
def test_the_office_queues_the_yield_job(client, office_user, monkeypatch):
    # given the office, and the job caught when queued
    queued = []
    monkeypatch.setattr(assess_yields, "delay", lambda **kwargs: queued.append(kwargs))
    client.force_login(office_user)
    # when it runs the job for the end of 2024 (the request's transaction commits: the page says "queued" once the
    # queue took the job)
    response = client.post(reverse("projects:yield_run"), {"period_end": "2024-12-31"}, follow=True)
    # then the job is queued, and the page says so
    assert queued == [{"period_end": "2024-12-31"}]
    assert "queued" in response.content.decode()
    # when it asks for a day that ends no month
    response = client.post(reverse("projects:yield_run"), {"period_end": "2024-12-30"}, follow=True)
    # then nothing more is queued, and the page says why
    assert len(queued) == 1
    assert "last day of a month" in response.content.decode()


@pytest.mark.english
def test_the_overview_filters_and_counts_by_town(client, office_user, town, plan):
    # given a weak project in the town and a project meeting its yield in another town, both assessed
    other = operating_project(town=TownFactory(name="枣园镇"))
    pay(other, "90000.00")
    yield_assessment_run(period_end=PERIOD_END, now=NOW + dt.timedelta(hours=1))
    # when the office opens the overview
    client.force_login(office_user)
    response = client.get(reverse("projects:yield_overview"))
    # then it lists both and counts each town
    assessments = list(response.context["assessments"])
    assert [row.classification for row in assessments] == [YieldClass.WEAK, YieldClass.MEETING]
    counts = {row["project__town__name"]: (row["total"], row["weak"]) for row in response.context["town_counts"]}
    assert counts == {town.name: (1, 1), "枣园镇": (1, 0)}
    # and the filters find each
    response = client.get(reverse("projects:yield_overview"), {"classification": "weak", "q": plan.project.code})
    assert [row.project_id for row in response.context["assessments"]] == [plan.project_id]
    response = client.get(reverse("projects:yield_overview"), {"town": other.town_id})
    assert [row.project_id for row in response.context["assessments"]] == [other.pk]


def test_the_overview_costs_the_same_queries_at_3_and_30_projects(client, office_user):
    def measure(size):
        town = TownFactory()
        for index in range(size):
            pay(operating_project(town=town), "59000.00" if index % 2 else "61000.00")
        yield_assessment_run(period_end=PERIOD_END, now=NOW)
        client.force_login(office_user)
        with CaptureQueriesContext(connection) as queries:
            # then the overview costs the same queries with 3 projects as with 30
            assert client.get(reverse("projects:yield_overview")).status_code == 200
        return len(queries)

    assert measure(3) == measure(30)


@pytest.mark.english
def test_a_plan_is_edited_started_and_completed(client, staff, plan):
    # given the staff and a draft plan
    client.force_login(staff)
    # when they start it without a remedy, they are asked for one
    response = client.post(reverse("projects:plan_start", args=[plan.pk]), follow=True)
    assert "Choose the remedy." in response.content.decode()
    # when they edit it and start it
    response = client.post(reverse("projects:plan_edit", args=[plan.pk]), PLAN_DATA)
    assert response.status_code == 302
    client.post(reverse("projects:plan_start", args=[plan.pk]))
    # then it is in progress
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_PROGRESS
    # when they complete it
    today = timezone.localdate()
    client.post(reverse("projects:plan_complete", args=[plan.pk]), {"completed_on": today.isoformat()})
    # then it is completed today, its result not known until the year ends
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (PlanStatus.COMPLETED, today)
    html = client.get(reverse("projects:plan_detail", args=[plan.pk])).content.decode()
    assert "Not yet known: the year has not ended." in html


@pytest.mark.english
def test_pairing_by_project_number(client, staff, plan, town):
    # given a partner project of the town
    partner = operating_project(town=town)
    client.force_login(staff)
    # when the plan pairs with a number no project has, that is refused
    data = PLAN_DATA | {"remedy": Remedy.PAIR, "paired_project_code": "NO-SUCH"}
    # when it pairs with the partner's number
    response = client.post(reverse("projects:plan_edit", args=[plan.pk]), data)
    assert "No project has this number." in response.content.decode()
    client.post(reverse("projects:plan_edit", args=[plan.pk]), data | {"paired_project_code": partner.code})
    # then the plan is paired with it
    plan.refresh_from_db()
    assert plan.paired_project == partner


def test_the_plan_list_filters_overdue_plans(client, staff, plan, town):
    # given a plan past its deadline
    RectificationPlan.objects.filter(pk=plan.pk).update(deadline=dt.date(2020, 1, 1))
    # when the staff filter the plan list
    client.force_login(staff)
    response = client.get(reverse("projects:plan_list"), {"overdue": "on"})
    # then the overdue filter finds it and the completed one does not
    assert [row.pk for row in response.context["plans"]] == [plan.pk]
    response = client.get(reverse("projects:plan_list"), {"status": PlanStatus.COMPLETED})
    assert list(response.context["plans"]) == []
