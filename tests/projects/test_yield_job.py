"""The yield job (projects.services.yields): classification, flags, plans and notices, idempotence, query count."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from organisation.roles import Role
from organisation.workdays import LEGAL_TIME_ZONE
from projects.models import (
    IncomeRecord,
    IndustryProject,
    Investment,
    InvestmentSource,
    PlanStatus,
    ProjectStatus,
    RectificationPlan,
    Remedy,
    YieldAssessment,
    YieldClass,
)
from projects.selectors.income import BELOW_FLOOR_FILTER
from projects.services.yields import default_period_end, yield_assessment_run
from tests.factories.organisation import TownFactory
from tests.factories.projects import operating_project
from tests.permission_checks import history_head

PERIOD_END = dt.date(2024, 12, 31)
NOW = dt.datetime(2025, 1, 1, 3, 0, tzinfo=LEGAL_TIME_ZONE)
MILLION = Decimal("1000000.00")


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


def run(**kwargs):
    return yield_assessment_run(period_end=kwargs.pop("period_end", PERIOD_END), now=kwargs.pop("now", NOW), **kwargs)


def assessment(project):
    return YieldAssessment.objects.get(project=project, period_end=PERIOD_END)


@pytest.fixture
def projects(town):
    meeting = operating_project(town=town)
    pay(meeting, "30000.00", dt.date(2024, 1, 1))
    pay(meeting, "30000.00", dt.date(2024, 12, 31))  # 6% exactly, both ends of the period counted
    weak = operating_project(town=town)
    pay(weak, "59999.00")
    pay(weak, "10000.00", dt.date(2023, 12, 31))  # the year before: not counted
    pay(weak, "10000.00", dt.date(2025, 1, 1))  # after the period: not counted
    idle = operating_project(town=town)
    struggling = operating_project(town=town, agreed_annual_income=Decimal("100000.00"))
    pay(struggling, "80000.00")
    no_investment = operating_project(town=town, investment=None)
    pay(no_investment, "5000.00")
    return {
        YieldClass.MEETING: meeting,
        YieldClass.WEAK: weak,
        YieldClass.IDLE: idle,
        YieldClass.STRUGGLING: struggling,
        YieldClass.NO_INVESTMENT: no_investment,
    }


def test_each_class_is_recognised(projects):
    # when the job runs for 2024
    result = run()
    # then every project is classified by the rule
    for classification, project in projects.items():
        assert assessment(project).classification == classification, classification
    assert result.assessed == 5
    assert result.by_class == {str(value): 1 for value in YieldClass.values}
    meeting = assessment(projects[YieldClass.MEETING])
    assert (meeting.income, meeting.investment, meeting.yield_rate) == (
        Decimal("60000.00"),
        MILLION,
        Decimal("0.060000"),
    )
    assert assessment(projects[YieldClass.WEAK]).yield_rate == Decimal("0.059999")
    no_investment = assessment(projects[YieldClass.NO_INVESTMENT])
    assert (no_investment.yield_rate, no_investment.investment) == (None, Decimal("0.00"))


def test_the_projects_below_the_floor_are_flagged_with_a_draft_plan(projects):
    # when the job runs for 2024
    result = run()
    # then the weak, idle and struggling projects are flagged with a draft plan; the others are not
    below = {YieldClass.WEAK, YieldClass.IDLE, YieldClass.STRUGGLING}
    for classification, project in projects.items():
        row = assessment(project)
        plan = RectificationPlan.objects.filter(project=project).first()
        if classification in below:
            assert row.flagged_at == NOW
            assert (plan.status, plan.assessment_id, plan.remedy) == (PlanStatus.DRAFT, row.pk, "")
        else:
            assert row.flagged_at is None
            assert plan is None
    assert (result.flagged, result.plans_opened) == (3, 3)


def test_projects_not_due_are_not_assessed(town):
    # given a project that started operating after the period began, one suspended, and one from its first day
    late = operating_project(town=town, started=dt.date(2024, 1, 2))
    suspended = operating_project(town=town)
    suspended.status = ProjectStatus.SUSPENDED
    suspended.save()
    on_the_first_day = operating_project(town=town, started=dt.date(2024, 1, 1))
    # when the job runs for 2024
    run()
    # then only the project operating since the period's first day is assessed
    assert set(YieldAssessment.objects.values_list("project_id", flat=True)) == {on_the_first_day.pk}
    assert late.pk and suspended.pk


def test_an_investment_made_after_the_period_does_not_count(town):
    # given a project meeting its yield, and an investment made after the period
    project = operating_project(town=town)
    pay(project, "60000.00")
    Investment.objects.create(
        project=project, source=InvestmentSource.DISTRICT, amount=MILLION, invested_on=dt.date(2025, 1, 1)
    )
    # when the job runs
    run()
    # then the later investment is left out, and the project still meets its yield
    assert (assessment(project).investment, assessment(project).classification) == (MILLION, YieldClass.MEETING)


def test_running_twice_changes_nothing_and_sends_nothing_more(projects, make_user, town):
    # given the job run once, with notices sent
    make_user(Role.TOWN_STAFF, town=town)
    first = run()
    assert first.notifications > 0
    before = history_head()
    notifications = Notification.objects.count()
    # when the job runs again for the same period
    second = run(now=NOW + dt.timedelta(hours=1))
    # then nothing is written: no assessment, plan, notice, nor history event
    assert (second.assessed, second.written, second.flagged, second.plans_opened, second.notifications) == (
        5,
        0,
        0,
        0,
        0,
    )
    assert history_head() == before
    assert Notification.objects.count() == notifications
    assert RectificationPlan.objects.count() == 3


def test_a_changed_income_updates_the_assessment_but_flags_once(projects):
    # given the job run once
    run()
    weak = projects[YieldClass.WEAK]
    # when a late entry lifts the weak project to 6% and the job runs again
    pay(weak, "1.00")  # a late entry lifts it to 6%
    result = run(now=NOW + dt.timedelta(hours=1))
    # then its assessment is updated, and it is not flagged again
    row = assessment(weak)
    assert (result.written, result.flagged, row.classification, row.flagged_at) == (1, 0, YieldClass.MEETING, NOW)


def test_a_project_with_an_open_plan_is_not_flagged_again(town):
    # given an idle project with an open plan
    project = operating_project(town=town)
    plan = RectificationPlan.objects.create(project=project)
    # when the job runs
    run()
    # then it is assessed idle, but neither flagged nor given a second plan, and no one is told
    assert assessment(project).classification == YieldClass.IDLE
    assert assessment(project).flagged_at is None
    assert list(RectificationPlan.objects.filter(project=project)) == [plan]
    assert not Notification.objects.exists()


def _completed_plan(project, completed_on):
    return RectificationPlan.objects.create(
        project=project,
        remedy=Remedy.OTHER,
        steps="更换运营主体",
        responsible_unit="镇人民政府",
        deadline=completed_on,
        status=PlanStatus.COMPLETED,
        completed_on=completed_on,
    )


def test_a_plan_completed_within_the_period_waits_for_a_full_period(town):
    # given an idle project whose plan was completed in March 2024, and one completed before 2024
    recent = operating_project(town=town)
    _completed_plan(recent, dt.date(2024, 3, 1))
    earlier = operating_project(town=town)
    _completed_plan(earlier, dt.date(2023, 12, 31))
    # when the job runs for 2024
    run()
    # then only the second is flagged, with a new draft plan
    assert assessment(recent).flagged_at is None
    assert assessment(earlier).flagged_at == NOW
    assert RectificationPlan.objects.filter(project=earlier, status=PlanStatus.DRAFT).exists()


def test_notices_go_to_the_towns_plan_keepers_and_the_district_office(
    projects, make_user, town, other_town, mailoutbox, django_capture_on_commit_callbacks
):
    # given the town's staff, station and finance office, the office, and another town's staff
    staff = make_user(Role.TOWN_STAFF, town=town, email="staff@example.cn")
    station = make_user(Role.TOWN_STATION, town=town, email="")
    office = make_user(Role.DISTRICT_OFFICE, email="office@example.cn")
    finance = make_user(Role.TOWN_FINANCE, town=town, email="finance@example.cn")
    stranger = make_user(Role.TOWN_STAFF, town=other_town, email="stranger@example.cn")
    # when the job runs
    with django_capture_on_commit_callbacks(execute=True):
        result = run()
    # then the town's plan keepers and the office are told once of the three flagged projects, linking the
    # period's assessments below the floor in the town
    flagged = {projects[YieldClass.WEAK], projects[YieldClass.IDLE], projects[YieldClass.STRUGGLING]}
    assert result.flagged == len(flagged) == 3
    (key,) = set(Notification.objects.values_list("key", flat=True))
    assert key.startswith("projects.yields.2024-12-31:3:")
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {staff.pk, station.pk, office.pk}
    assert not Notification.objects.filter(recipient__in=[finance, stranger]).exists()
    assert result.notifications == 3
    notice = Notification.objects.get(recipient=office)
    query = urlencode({"period": "2024-12-31", "classification": BELOW_FLOOR_FILTER, "town": town.pk})
    assert notice.url == f"{reverse('projects:yield_overview')}?{query}"
    assert notice.subject.startswith("3") and all(project.code in notice.body for project in flagged)
    # and an e-mail per notice to each recipient with an address
    assert sorted(message.to[0] for message in mailoutbox) == ["office@example.cn", "staff@example.cn"]
    # and a second run sends nothing
    assert run().notifications == 0
    assert Notification.objects.count() == 3


def test_the_query_count_does_not_grow_with_the_projects(make_user):
    def measure(size):
        town = TownFactory()
        make_user(Role.TOWN_STAFF, town=town)
        for index in range(size):
            project = operating_project(town=town, agreed_annual_income=Decimal("70000.00") if index % 3 else None)
            if index % 2:
                pay(project, "59000.00")
        with CaptureQueriesContext(connection) as queries:
            result = run()
        # then the job costs the same queries for 3 projects as for 30
        assert result.flagged == size
        # out of the way of the next measure
        IndustryProject.objects.filter(town=town).update(status=ProjectStatus.SUSPENDED)
        return len(queries)

    assert measure(3) == measure(30)


def test_the_default_period_is_the_month_just_ended_in_beijing():
    # given 2025-03-01 00:30 in Beijing, still February in UTC
    now = dt.datetime(2025, 3, 1, 0, 30, tzinfo=LEGAL_TIME_ZONE)
    # then the default period ends with February, the month just ended in Beijing
    assert default_period_end(now) == dt.date(2025, 2, 28)
    assert default_period_end(dt.datetime(2025, 1, 15, tzinfo=dt.UTC)) == dt.date(2024, 12, 31)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "period_end",
    [dt.date(2024, 12, 30), dt.date(2025, 1, 31)],
    ids=["not a month end", "not ended"],
)
def test_a_period_not_ended_or_not_ending_a_month_is_refused(period_end):
    # when the job runs for a day that ends no month, or a month not ended
    with pytest.raises(ValidationError) as refused:
        run(period_end=period_end)
    # then the period is refused
    assert "period_end" in refused.value.error_dict
