"""The figures of the industry projects against a district built by hand: two towns with projects, parks, income,
yield assessments and plans, and a third with nothing. Each figure is known by hand for June and May 2026 (the
app's today is 15 June 2026), at town and district level; the list each figure opens counts the same.

The district, as the services leave it:

town A
  A1 farming, entered as existing, completed 2016-05-01, operating from 2016-06-01, 1,000,000 invested; income
     120,000 received 2025-03-10 and 120,000 on 2026-03-10 (12%); property right confirmed 2020-01-01
  A2 tourism, existing, completed 2018-03-01, operating from 2018-04-01, 500,000; income 20,000 on 2026-01-20
     (4%: weak); its plan (opened 2026-01-05) started with a deadline of 2026-06-10
  A3 farming, existing, completed 2019-01-01, operating from 2019-02-01, 300,000; no income (idle); confirmed
     2026-06-10; its plan started with a deadline of 2026-04-30 and completed 2026-06-12
  A4 e-commerce, proposed 2026-05-20 with 200,000, submitted for review 2026-06-05
  A5 pastoral, existing, completed 2013-06-01 (before 2014: no confirmation needed), 400,000
  a park established 2019-05-01
town B
  B1 farming, existing, completed 2017-01-01, operating from 2017-03-01, 1,000,000 and 200,000 more invested on
     2026-06-10; agreed to pay 100,000 a year, paid 70,000 on 2025-12-01 (7% but in arrears: struggling) and
     10,000 on 2026-06-05; its plan stays a draft
  B2 farming, recorded operating in 2020 without investment or status change (a record of before the system),
     suspended 2026-06-10
  B3 tourism, proposed 2026-06-02 with 100,000
  a park established 2026-06-08
town C: nothing

The yield job ran for the twelve months to 2025-12-31 (on 2026-01-05) and to 2026-05-31 (on 2026-06-02).
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from organisation.roles import Level, Role
from organisation.workdays import LEGAL_TIME_ZONE
from projects.models import (
    Category,
    IndustryProject,
    Investment,
    InvestmentSource,
    ProjectStatus,
    RectificationPlan,
    Remedy,
    ReviewDepartment,
    YieldAssessment,
    YieldClass,
)
from projects.rules import classify
from projects.selectors.income import YieldBand, latest_assessments_on, yield_band_condition, yields_below_floor
from projects.services import income, lifecycle, parks, plans, proposals, rights
from projects.services.yields import yield_assessment_run
from reporting.choices import Domain
from reporting.indicators import INDICATORS, Period
from reporting.services.summary import figures_compute
from tests.factories.organisation import TownFactory, VillageFactory, post_user
from tests.factories.projects import operating_project

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
JUNE = Period(dt.date(2026, 6, 1))
MAY = Period(dt.date(2026, 5, 1))
APRIL = Period(dt.date(2026, 4, 1))


@pytest.fixture
def clock_today():
    return TODAY


def existing(user, town, village, **fields):
    values = {
        "town": town,
        "villages": [village],
        "name": "扶贫产业项目",
        "category": Category.FARMING,
        "content": "建设冬暖式蔬菜大棚",
        "scale": "占地30亩",
        "implementing_unit": "镇人民政府",
        "status": ProjectStatus.OPERATING,
    }
    return proposals.project_register_existing(user=user, **values | fields)


def propose(user, town, village, **fields):
    values = {
        "town": town,
        "villages": [village],
        "name": "农村电商服务站",
        "category": Category.ECOMMERCE,
        "content": "建设村级电商服务站",
        "scale": "服务站1处",
        "implementing_unit": "镇人民政府",
        "planned_completion": dt.date(2026, 12, 31),
    }
    return proposals.project_propose(user=user, **values | fields)


def invest(amount: str) -> list:
    return [(InvestmentSource.CENTRAL, Decimal(amount))]


def receive(station, project, amount: str, received_on: dt.date):
    return income.income_record(
        user=station,
        project=project,
        period_start=received_on.replace(month=1, day=1),
        period_end=received_on.replace(month=12, day=31),
        amount=Decimal(amount),
        received_on=received_on,
        payer="运营企业",
    )


def plan_of(project) -> RectificationPlan:
    return RectificationPlan.objects.get(project=project)


def fill(user, plan, deadline):
    return plans.plan_update(
        user=user,
        plan=plan,
        remedy=Remedy.ADD_INVESTMENT,
        steps="追加投资，扩大经营",
        responsible_unit="镇人民政府",
        deadline=deadline,
    )


@pytest.fixture
def district(clock):
    """The district of the module's text."""
    town_a, town_b, town_c = TownFactory(name="汪沟镇"), TownFactory(name="方城镇"), TownFactory(name="枣园镇")
    village_a, village_b = VillageFactory(town=town_a), VillageFactory(town=town_b)
    staff_a, staff_b = post_user(Role.TOWN_STAFF, town=town_a), post_user(Role.TOWN_STAFF, town=town_b)
    station_a, station_b = post_user(Role.TOWN_STATION, town=town_a), post_user(Role.TOWN_STATION, town=town_b)
    office = post_user(Role.DISTRICT_OFFICE)
    ReviewDepartment.objects.create(name="区财政局", sort_order=1)

    a1 = existing(
        staff_a,
        town_a,
        village_a,
        investments=invest("1000000.00"),
        completed_on=dt.date(2016, 5, 1),
        operation_started_on=dt.date(2016, 6, 1),
        three_assets_number="SZ-A1",
    )
    a2 = existing(
        staff_a,
        town_a,
        village_a,
        category=Category.TOURISM,
        investments=invest("500000.00"),
        completed_on=dt.date(2018, 3, 1),
        operation_started_on=dt.date(2018, 4, 1),
        three_assets_number="SZ-A2",
    )
    a3 = existing(
        staff_a,
        town_a,
        village_a,
        investments=invest("300000.00"),
        completed_on=dt.date(2019, 1, 1),
        operation_started_on=dt.date(2019, 2, 1),
        three_assets_number="SZ-A3",
    )
    a4 = propose(staff_a, town_a, village_a, investments=invest("200000.00"), proposed_on=dt.date(2026, 5, 20))
    lifecycle.project_submit_for_review(user=staff_a, project=a4, submitted_on=dt.date(2026, 6, 5))
    existing(
        staff_a,
        town_a,
        village_a,
        category=Category.PASTORAL,
        investments=invest("400000.00"),
        status=ProjectStatus.COMPLETED,
        completed_on=dt.date(2013, 6, 1),
    )
    parks.park_create(user=staff_a, town=town_a, name="汪沟镇扶贫产业园", established_on=dt.date(2019, 5, 1))

    b1 = existing(
        staff_b,
        town_b,
        village_b,
        investments=invest("1000000.00"),
        completed_on=dt.date(2017, 1, 1),
        operation_started_on=dt.date(2017, 3, 1),
        three_assets_number="SZ-B1",
    )
    IndustryProject.objects.filter(pk=b1.pk).update(agreed_annual_income=Decimal("100000.00"))
    Investment.objects.create(
        project=b1, source=InvestmentSource.DISTRICT, amount=Decimal("200000.00"), invested_on=dt.date(2026, 6, 10)
    )
    b2 = operating_project(town=town_b, villages=[village_b], investment=None, started=dt.date(2020, 1, 1))
    IndustryProject.objects.filter(pk=b2.pk).update(created_at=dt.datetime(2020, 1, 1, 9, 0, tzinfo=LEGAL_TIME_ZONE))
    propose(
        staff_b,
        town_b,
        village_b,
        category=Category.TOURISM,
        investments=invest("100000.00"),
        proposed_on=dt.date(2026, 6, 2),
    )
    parks.park_create(user=staff_b, town=town_b, name="方城镇扶贫产业园", established_on=dt.date(2026, 6, 8))

    receive(station_a, a1, "120000.00", dt.date(2025, 3, 10))
    receive(station_a, a1, "120000.00", dt.date(2026, 3, 10))
    receive(station_a, a2, "20000.00", dt.date(2026, 1, 20))
    receive(station_b, b1, "70000.00", dt.date(2025, 12, 1))
    receive(station_b, b1, "10000.00", dt.date(2026, 6, 5))
    rights.property_right_confirm(
        user=station_a, project=a1, certificate_number="QZ-A1", confirmed_on=dt.date(2020, 1, 1), owner="村集体"
    )
    rights.property_right_confirm(
        user=station_a, project=a3, certificate_number="QZ-A3", confirmed_on=dt.date(2026, 6, 10), owner="村集体"
    )

    yield_assessment_run(period_end=dt.date(2025, 12, 31), now=dt.datetime(2026, 1, 5, 10, 0, tzinfo=LEGAL_TIME_ZONE))
    yield_assessment_run(period_end=dt.date(2026, 5, 31), now=dt.datetime(2026, 6, 2, 10, 0, tzinfo=LEGAL_TIME_ZONE))
    lifecycle.project_suspend(user=staff_b, project=b2, suspended_on=dt.date(2026, 6, 10), reason="经营主体停产")

    plans.plan_start(user=staff_a, plan=fill(staff_a, plan_of(a2), dt.date(2026, 6, 10)))
    plans.plan_start(user=staff_a, plan=fill(staff_a, plan_of(a3), dt.date(2026, 4, 30)))
    plans.plan_complete(user=staff_a, plan=plan_of(a3), completed_on=dt.date(2026, 6, 12))

    return SimpleNamespace(
        towns=(town_a, town_b, town_c), villages=(village_a, village_b), office=office, staff_a=staff_a
    )


# Each figure by town (A, B, C), as counted by hand from the module's text.
EXPECTED = {
    JUNE: {
        "projects_total": (5, 3, 0),
        "projects_stage_proposal": (0, 1, 0),
        "projects_stage_review": (1, 0, 0),
        "projects_stage_publicity": (0, 0, 0),
        "projects_stage_approved": (0, 0, 0),
        "projects_stage_construction": (0, 0, 0),
        "projects_stage_completed": (1, 0, 0),
        "projects_stage_operating": (3, 1, 0),
        "projects_stage_suspended": (0, 1, 0),
        "projects_stage_converted": (0, 0, 0),
        "projects_category_farming": (2, 2, 0),
        "projects_category_tourism": (1, 1, 0),
        "projects_category_ecommerce": (1, 0, 0),
        "projects_category_pastoral": (1, 0, 0),
        "projects_category_other": (0, 0, 0),
        "projects_investment": (Decimal("2400000"), Decimal("1300000"), 0),
        "projects_income_year": (Decimal("140000"), Decimal("10000"), 0),
        "projects_below_floor": (2, 1, 0),
        "projects_yield_none": (0, 1, 0),
        "projects_yield_0": (1, 0, 0),
        "projects_yield_0_to_6": (1, 0, 0),
        "projects_yield_6_to_10": (0, 1, 0),
        "projects_yield_10_plus": (1, 0, 0),
        "projects_weak": (1, 0, 0),
        "projects_idle": (1, 0, 0),
        "projects_struggling": (0, 1, 0),
        "rectification_plans_open": (1, 1, 0),
        "rectification_plans_overdue": (1, 0, 0),
        "parks_total": (1, 1, 0),
        "towns_without_park": (0, 0, 1),
        "projects_rights_confirmed": (2, 0, 0),
        "projects_rights_unconfirmed": (1, 1, 0),
    },
    MAY: {
        # A4 a proposal still, B3 not yet proposed, B2 operating.
        "projects_total": (5, 2, 0),
        "projects_stage_proposal": (1, 0, 0),
        "projects_stage_review": (0, 0, 0),
        "projects_stage_publicity": (0, 0, 0),
        "projects_stage_approved": (0, 0, 0),
        "projects_stage_construction": (0, 0, 0),
        "projects_stage_completed": (1, 0, 0),
        "projects_stage_operating": (3, 2, 0),
        "projects_stage_suspended": (0, 0, 0),
        "projects_stage_converted": (0, 0, 0),
        "projects_category_farming": (2, 2, 0),
        "projects_category_tourism": (1, 0, 0),
        "projects_category_ecommerce": (1, 0, 0),
        "projects_category_pastoral": (1, 0, 0),
        "projects_category_other": (0, 0, 0),
        # B1's 200,000 of 10 June is not counted yet, nor B3.
        "projects_investment": (Decimal("2400000"), Decimal("1000000"), 0),
        # B1's 10,000 received on 5 June is not counted.
        "projects_income_year": (Decimal("140000"), 0, 0),
        "projects_below_floor": (2, 1, 0),
        "projects_yield_none": (0, 1, 0),
        "projects_yield_0": (1, 0, 0),
        "projects_yield_0_to_6": (1, 0, 0),
        "projects_yield_6_to_10": (0, 1, 0),
        "projects_yield_10_plus": (1, 0, 0),
        "projects_weak": (1, 0, 0),
        "projects_idle": (1, 0, 0),
        "projects_struggling": (0, 1, 0),
        # A3's plan was completed in June; its deadline (30 April) had passed by the end of May.
        "rectification_plans_open": (2, 1, 0),
        "rectification_plans_overdue": (1, 0, 0),
        "parks_total": (1, 0, 0),
        "towns_without_park": (0, 1, 1),
        # A3 confirmed in June; B2 operating with no completion date needs its confirmation.
        "projects_rights_confirmed": (1, 0, 0),
        "projects_rights_unconfirmed": (2, 2, 0),
    },
}


def projects_codes() -> set[str]:
    return {indicator.code for indicator in INDICATORS.of_domain(Domain.PROJECTS)}


def test_the_indicators_every_other_part_relies_on_exist():
    # then
    assert {
        "projects_total",
        "projects_investment",
        "projects_income_year",
        "projects_below_floor",
        "rectification_plans_open",
        "rectification_plans_overdue",
    } <= projects_codes()


@pytest.mark.parametrize("period", [JUNE, MAY], ids=["june", "may"])
def test_every_projects_figure_at_town_and_district_level(district, period):
    # given
    expected = EXPECTED[period]
    district_id = district.towns[0].district_id

    # when
    figures = figures_compute(period).values

    # then: every projects indicator has its expected value, no more, no less
    assert set(expected) == projects_codes()
    for indicator in INDICATORS.of_domain(Domain.PROJECTS):
        by_town = expected[indicator.code]
        for town, value in zip(district.towns, by_town, strict=True):
            assert figures[Level.TOWN][town.pk][indicator.code] == value, (indicator.code, town.name)
        assert figures[Level.DISTRICT][district_id][indicator.code] == sum(by_town), indicator.code
        assert not indicator.at(Level.VILLAGE), indicator.code


def test_each_project_counts_at_its_latest_assessment_on_or_before_the_month_end(district):
    # given: at the end of April the latest assessment is of the twelve months to December 2025, when A2 had no
    # income yet (idle) and A1 had received 120,000 (12%)
    town_a, town_b, _town_c = district.towns

    # when
    figures = figures_compute(APRIL).values[Level.TOWN]

    # then
    assert {code: figures[town_a.pk][code] for code in ("projects_weak", "projects_idle", "projects_yield_0")} == {
        "projects_weak": 0,
        "projects_idle": 2,
        "projects_yield_0": 2,
    }
    assert figures[town_a.pk]["projects_yield_10_plus"] == 1
    assert figures[town_b.pk]["projects_struggling"] == 1
    # and no plan was past its deadline at the end of April (A3's fell due on 30 April itself)
    assert figures[town_a.pk]["rectification_plans_overdue"] == 0
    assert figures[town_a.pk]["rectification_plans_open"] == 2


def test_the_stages_of_a_month_add_up_to_its_projects(district):
    # given
    stages = [f"projects_stage_{status.value}" for status in ProjectStatus]
    categories = [f"projects_category_{category.value}" for category in Category]

    # when
    figures = figures_compute(JUNE).values[Level.TOWN]

    # then
    for town in district.towns:
        assert sum(figures[town.pk][code] for code in stages) == figures[town.pk]["projects_total"]
        assert sum(figures[town.pk][code] for code in categories) == figures[town.pk]["projects_total"]


def listed(client, indicator, url) -> Decimal | int:
    """What the list at ``url`` counts for ``indicator``: its rows, or the sum of its money column, or the parks'
    page's parks or towns without one."""
    response = client.get(url)
    assert response.status_code == 200, url
    # the list's filter bar offers every filter the figure's link sets
    html = response.content.decode()
    for name in parse_qs(urlsplit(url).query):
        assert f'name="{name}"' in html, (name, url)
    context = response.context
    if "overview" in context:
        overview = context["overview"]
        if indicator.code == "towns_without_park":
            return len(overview.towns_without)
        return sum(len(row.parks) for row in overview.rows)
    rows = context["paginator"].object_list
    if indicator.code == "projects_investment":
        return sum((project.total_investment for project in rows), Decimal(0))
    if indicator.code == "projects_income_year":
        return sum((project.income_received for project in rows), Decimal(0))
    return context["paginator"].count


@pytest.mark.parametrize("period", [JUNE, MAY], ids=["june", "may"])
def test_each_figure_opens_a_list_that_counts_the_same(client, district, period):
    # given
    client.force_login(district.office)
    figures = figures_compute(period).values
    district_id = district.towns[0].district_id
    units = [(Level.DISTRICT, district_id)] + [(Level.TOWN, town.pk) for town in district.towns]
    with_records = [indicator for indicator in INDICATORS.of_domain(Domain.PROJECTS) if indicator.records]

    # then: every projects figure has a list, and each list counts what the figure says
    assert {indicator.code for indicator in with_records} == projects_codes()
    for indicator in with_records:
        for level, unit_id in units:
            url = indicator.records(level, unit_id, period)
            assert listed(client, indicator, url) == figures[level][unit_id][indicator.code], (indicator.code, url)


def test_a_figure_has_no_list_of_a_village(district):
    # then: the projects' figures are by town
    for indicator in INDICATORS.of_domain(Domain.PROJECTS):
        assert indicator.records(Level.VILLAGE, district.villages[0].pk, JUNE) is None


def test_the_action_list_holds_the_projects_below_the_floor(district):
    # given
    town_a, town_b, _town_c = district.towns
    figures = figures_compute(JUNE).values[Level.TOWN]

    # when
    everywhere = yields_below_floor(user=district.office, as_of=JUNE.as_of)
    in_town_a = yields_below_floor(user=district.office, as_of=JUNE.as_of, town=town_a)
    in_village_b = yields_below_floor(user=district.office, as_of=JUNE.as_of, village=district.villages[1])
    seen_by_town_a = yields_below_floor(user=district.staff_a, as_of=JUNE.as_of)

    # then: the worst first (struggling, idle, weak), each project once
    assert [row.classification for row in everywhere] == [YieldClass.STRUGGLING, YieldClass.IDLE, YieldClass.WEAK]
    assert in_town_a.count() == figures[town_a.pk]["projects_below_floor"] == 2
    assert in_village_b.count() == figures[town_b.pk]["projects_below_floor"] == 1
    assert {row.project.town_id for row in seen_by_town_a} == {town_a.pk}


@pytest.mark.parametrize(
    ("income", "band"),
    [
        ("0.01", YieldBand.BELOW_FLOOR),
        # 5.999999%: the rounded rate reads 6.000000%, the rule says below the floor
        ("59999.99", YieldBand.BELOW_FLOOR),
        ("60000.00", YieldBand.FLOOR_TO_TEN),
        ("99999.99", YieldBand.FLOOR_TO_TEN),
        ("100000.00", YieldBand.TEN_PLUS),
    ],
)
def test_the_yield_bands_meet_the_floor_where_the_rule_does(town, clock, income, band):
    # given: a project of 1,000,000 that received ``income`` in the twelve months to 2026-05-31
    project = operating_project(town=town)
    station = post_user(Role.TOWN_STATION, town=town)
    receive(station, project, income, dt.date(2026, 1, 10))

    # when
    yield_assessment_run(period_end=dt.date(2026, 5, 31), now=dt.datetime(2026, 6, 2, 10, 0, tzinfo=LEGAL_TIME_ZONE))
    assessment = YieldAssessment.objects.get(project=project)
    bands = [value for value in YieldBand if latest_assessments_on(TODAY).filter(yield_band_condition(value))]

    # then: one band, below 6% exactly when the yield rule says the floor is not met
    assert bands == [band]
    below = band in (YieldBand.ZERO, YieldBand.BELOW_FLOOR)
    rule = classify(assessment.income, assessment.investment, None)
    assert below == (rule in (YieldClass.WEAK, YieldClass.IDLE))
