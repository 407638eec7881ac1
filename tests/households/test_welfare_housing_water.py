"""Housing and drinking water (point 10): renovation of dilapidated houses and the four water rates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from households.choices import HousingGrade
from households.models import RenovationPlan, WaterSample, WaterSupplySurvey
from households.selectors.welfare import (
    renovation_plans_overdue,
    unsafe_houses_without_plan,
    village_water_rates,
    villages_with_water_counts,
    water_rates,
)
from households.services.welfare import (
    housing_grade_set,
    renovation_plan_add,
    renovation_plan_update,
    water_sample_record,
    water_survey_record,
)
from households.views import welfare as welfare_views
from organisation.models import Village
from organisation.roles import Role
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import VillageFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def make_plan(household, *, planned_completion, completed_on=None, **fields) -> RenovationPlan:
    return RenovationPlan.objects.create(
        household=household,
        planned_start=planned_completion - dt.timedelta(days=90),
        planned_completion=planned_completion,
        completed_on=completed_on,
        **fields,
    )


def make_survey(village, year=2018, **counts) -> WaterSupplySurvey:
    counts = {
        "households": 100,
        "centralised_households": 0,
        "tap_households": 0,
        "guaranteed_households": 0,
        **counts,
    }
    return WaterSupplySurvey.objects.create(village=village, year=year, **counts)


def make_sample(village, sampled_on, passed) -> WaterSample:
    return WaterSample.objects.create(
        village=village, sampled_on=sampled_on, sampling_point="村委会水龙头", passed=passed
    )


def rates_of(village, year):
    return village_water_rates(
        villages_with_water_counts(villages=Village.objects.filter(pk=village.pk), year=year).get()
    )


# --- Housing safety and renovation --------------------------------------------------------------------------------


def test_housing_grade_is_recorded_with_its_appraisal_date_and_a_future_date_is_refused(village, office_user):
    # given
    household = HouseholdFactory(village=village)
    # when
    housing_grade_set(
        user=office_user, household=household, housing_grade=HousingGrade.C, housing_appraised_on=dt.date(2018, 4, 1)
    )
    with pytest.raises(ValidationError) as caught:
        housing_grade_set(
            user=office_user, household=household, housing_grade="E", housing_appraised_on=TODAY + dt.timedelta(days=1)
        )
    # then
    household.refresh_from_db()
    assert (household.housing_grade, household.housing_appraised_on) == ("C", dt.date(2018, 4, 1))
    assert set(caught.value.message_dict) == {"housing_grade", "housing_appraised_on"}


def test_a_renovation_plan_is_only_for_a_grade_c_or_d_house_and_one_at_a_time(village, office_user):
    # given
    safe = HouseholdFactory(village=village, housing_grade=HousingGrade.B)
    unsafe = HouseholdFactory(village=village, housing_grade=HousingGrade.D)
    dates = {"planned_start": dt.date(2018, 5, 1), "planned_completion": dt.date(2018, 10, 31)}
    # when
    with pytest.raises(ValidationError):
        renovation_plan_add(user=office_user, household=safe, **dates)
    renovation_plan_add(user=office_user, household=unsafe, subsidy=Decimal("18000.00"), **dates)
    with pytest.raises(ValidationError):
        renovation_plan_add(user=office_user, household=unsafe, **dates)
    # then
    assert list(RenovationPlan.objects.values_list("household", flat=True)) == [unsafe.pk]


def test_a_plan_cannot_complete_before_it_starts(village, office_user):
    # given
    household = HouseholdFactory(village=village, housing_grade=HousingGrade.C)
    # when
    with pytest.raises(ValidationError) as caught:
        renovation_plan_add(
            user=office_user,
            household=household,
            planned_start=dt.date(2018, 10, 1),
            planned_completion=dt.date(2018, 9, 1),
        )
    # then
    assert "planned_completion" in caught.value.message_dict


def test_completing_a_plan_reappraises_the_house_and_an_unsafe_grade_after_it_is_refused(village, office_user):
    # given
    household = HouseholdFactory(
        village=village, housing_grade=HousingGrade.D, housing_appraised_on=dt.date(2018, 1, 5)
    )
    plan = make_plan(household, planned_completion=dt.date(2018, 10, 31))
    fields = {"planned_start": plan.planned_start, "planned_completion": plan.planned_completion, "subsidy": None}
    # when
    with pytest.raises(ValidationError) as caught:
        renovation_plan_update(
            user=office_user, plan=plan, completed_on=dt.date(2018, 10, 20), accepted_grade="C", **fields
        )
    renovation_plan_update(
        user=office_user, plan=plan, completed_on=dt.date(2018, 10, 20), accepted_grade="A", **fields
    )
    # then
    assert "accepted_grade" in caught.value.message_dict
    household.refresh_from_db()
    assert (household.housing_grade, household.housing_appraised_on) == ("A", dt.date(2018, 10, 20))


def test_unsafe_houses_without_a_plan_under_way_are_listed(office_user, village):
    # given
    no_plan = HouseholdFactory(village=village, housing_grade=HousingGrade.C)
    with_open_plan = HouseholdFactory(village=village, housing_grade=HousingGrade.D)
    make_plan(with_open_plan, planned_completion=TODAY + dt.timedelta(days=30))
    still_unsafe_after_plan = HouseholdFactory(village=village, housing_grade=HousingGrade.D)
    make_plan(still_unsafe_after_plan, planned_completion=dt.date(2018, 6, 1), completed_on=dt.date(2018, 6, 1))
    HouseholdFactory(village=village, housing_grade=HousingGrade.B)
    HouseholdFactory(village=village)  # not appraised
    # when
    listed = set(unsafe_houses_without_plan(user=office_user))
    # then
    assert listed == {no_plan, still_unsafe_after_plan}


def test_plans_past_their_planned_completion_and_not_completed_are_overdue(office_user, village):
    # given
    household = HouseholdFactory(village=village, housing_grade=HousingGrade.C)
    overdue = make_plan(household, planned_completion=TODAY - dt.timedelta(days=1))
    make_plan(household, planned_completion=TODAY)
    make_plan(household, planned_completion=TODAY - dt.timedelta(days=10), completed_on=TODAY - dt.timedelta(days=2))
    # when
    listed = list(renovation_plans_overdue(user=office_user))
    # then
    assert listed == [overdue]


def test_housing_lists_are_scoped_to_the_users_town(client, make_user, village, other_village):
    # given
    here = HouseholdFactory(village=village, housing_grade=HousingGrade.C)
    there = HouseholdFactory(village=other_village, housing_grade=HousingGrade.C)
    make_plan(here, planned_completion=dt.date(2018, 6, 1))
    make_plan(there, planned_completion=dt.date(2018, 6, 1))
    unplanned_here = HouseholdFactory(village=village, housing_grade=HousingGrade.D)
    HouseholdFactory(village=other_village, housing_grade=HousingGrade.D)
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    # when
    overdue = client.get(reverse("households:renovation_plans_overdue"))
    unsafe = client.get(reverse("households:unsafe_houses"))
    # then
    assert [plan.household for plan in overdue.context["object_list"]] == [here]
    assert list(unsafe.context["object_list"]) == [unplanned_here]


def test_renovation_pages_record_a_plan_and_its_completion(client, make_user, village):
    # given
    household = HouseholdFactory(village=village, housing_grade=HousingGrade.C)
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    # when
    added = client.post(
        reverse("households:renovation_plan_add", args=[household.pk]),
        {"planned_start": "2018-05-01", "planned_completion": "2018-09-30", "subsidy": "15000.00"},
    )
    plan = household.renovation_plans.get()
    completed = client.post(
        reverse("households:renovation_plan_update", args=[plan.pk]),
        {
            "planned_start": "2018-05-01",
            "planned_completion": "2018-09-30",
            "subsidy": "15000.00",
            "completed_on": "2018-09-20",
            "accepted_grade": "B",
        },
    )
    # then
    assert (added.status_code, completed.status_code) == (302, 302)
    plan.refresh_from_db()
    household.refresh_from_db()
    assert (plan.completed_on, plan.accepted_grade, household.housing_grade) == (dt.date(2018, 9, 20), "B", "B")


def test_housing_grade_page_saves_the_grade(client, make_user, village):
    # given
    household = HouseholdFactory(village=village)
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    # when
    response = client.post(
        reverse("households:housing_grade", args=[household.pk]),
        {"housing_grade": "D", "housing_appraised_on": "2018-03-15"},
    )
    # then
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.housing_grade == "D"


# --- Drinking water: the four rates -------------------------------------------------------------------------------


def test_the_four_rates_are_two_decimal_percentages_of_that_years_survey_and_samples(village):
    # given
    make_survey(village, households=3, centralised_households=2, tap_households=1, guaranteed_households=3)
    make_survey(village, year=2017, households=3, centralised_households=0)
    make_sample(village, dt.date(2018, 3, 1), passed=True)
    make_sample(village, dt.date(2018, 7, 1), passed=True)
    make_sample(village, dt.date(2018, 11, 1), passed=False)
    make_sample(village, dt.date(2017, 11, 1), passed=False)  # another year
    # when
    rates = rates_of(village, 2018)
    # then
    assert rates.centralised_supply == Decimal("66.67")
    assert rates.tap_water_coverage == Decimal("33.33")
    assert rates.supply_guarantee == Decimal("100.00")
    assert rates.quality_pass == Decimal("66.67")


def test_rates_are_no_data_where_there_is_nothing_to_divide_by(village):
    # given
    make_survey(village, households=0)
    # when
    with_empty_survey = rates_of(village, 2018)
    without_survey = rates_of(village, 2019)
    # then
    assert with_empty_survey.centralised_supply is None
    assert with_empty_survey.tap_water_coverage is None
    assert with_empty_survey.supply_guarantee is None
    assert with_empty_survey.quality_pass is None  # no samples in 2018
    assert without_survey == water_rates(
        households=None, centralised=None, tap=None, guaranteed=None, samples=0, passed=0
    )
    assert without_survey.centralised_supply is None


def test_a_quality_pass_rate_with_samples_but_no_survey_stands_alone(village):
    # given
    make_sample(village, dt.date(2018, 5, 1), passed=False)
    # when
    rates = rates_of(village, 2018)
    # then
    assert rates.quality_pass == Decimal("0.00")
    assert rates.centralised_supply is None


def test_a_survey_count_above_the_households_and_a_second_survey_of_a_year_are_refused(village, office_user):
    # given
    make_survey(village, year=2018)
    # when
    with pytest.raises(ValidationError) as caught:
        water_survey_record(
            user=office_user,
            village=village,
            year=2018,
            households=10,
            centralised_households=11,
            tap_households=10,
            guaranteed_households=12,
        )
    # then
    assert set(caught.value.message_dict) == {"year", "centralised_households", "guaranteed_households"}


def test_a_water_sample_in_the_future_is_refused(village, office_user):
    with pytest.raises(ValidationError) as caught:
        water_sample_record(
            user=office_user,
            village=village,
            sampled_on=TODAY + dt.timedelta(days=1),
            sampling_point="水厂出水口",
            passed=True,
        )
    assert "sampled_on" in caught.value.message_dict


def test_water_table_is_scoped_filtered_searched_and_paginated(client, make_user, office_user, village, other_village):
    # given
    for number in range(25):
        VillageFactory(town=village.town, name=f"水{number:02d}村")
    make_survey(village, households=4, centralised_households=1, tap_households=2, guaranteed_households=4)
    make_survey(other_village, households=5)
    town_staff = make_user(Role.TOWN_STAFF, town=village.town)
    url = reverse("households:water_rates")
    # when
    client.force_login(town_staff)
    first_page = client.get(url, {"year": 2018})
    second_page = client.get(url, {"year": 2018, "page": 2})
    searched = client.get(url, {"year": 2018, "q": village.name})
    client.force_login(office_user)
    other_town = client.get(url, {"year": 2018, "town": other_village.town.pk})
    # then
    assert first_page.context["paginator"].count == 26
    assert len(first_page.context["rows"]) == 25 and len(second_page.context["rows"]) == 1
    [(found, rates, can_change)] = searched.context["rows"]
    assert found == village and can_change
    assert (rates.centralised_supply, rates.tap_water_coverage, rates.supply_guarantee) == (
        Decimal("25.00"),
        Decimal("50.00"),
        Decimal("100.00"),
    )
    assert [row[0] for row in other_town.context["rows"]] == [other_village]
    assert "25.00%" in searched.content.decode()


def test_water_table_defaults_to_the_latest_year_with_data(client, make_user, village):
    # given
    make_survey(village, year=2017)
    make_sample(village, dt.date(2019, 4, 1), passed=True)
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    # when
    response = client.get(reverse("households:water_rates"))
    # then
    assert response.context["year"] == 2019


def test_water_forms_record_a_survey_and_a_sample_for_a_village_the_user_may_change(client, make_user, village):
    # given
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    survey_data = {
        "year": "2018",
        "households": "120",
        "centralised_households": "110",
        "tap_households": "100",
        "guaranteed_households": "118",
    }
    # when
    survey = client.post(reverse("households:water_survey_add", args=[village.pk]), survey_data)
    sample = client.post(
        reverse("households:water_sample_add", args=[village.pk]),
        {"sampled_on": "2018-06-01", "sampling_point": "村委会水龙头", "passed": "on"},
    )
    recorded = WaterSupplySurvey.objects.get()
    corrected = client.post(
        reverse("households:water_survey_update", args=[recorded.pk]), {**survey_data, "tap_households": "105"}
    )
    # then
    assert (survey.status_code, sample.status_code, corrected.status_code) == (302, 302, 302)
    recorded.refresh_from_db()
    assert recorded.tap_households == 105
    assert WaterSample.objects.get().passed is True


def test_a_village_clerk_cannot_record_water_data_for_another_village_of_the_same_town(client, make_user, village):
    # given
    neighbour = VillageFactory(town=village.town)
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    # when
    response = client.get(reverse("households:water_survey_add", args=[neighbour.pk]))
    # then
    assert response.status_code == 404


def test_housing_and_water_section_shows_the_overdue_plan_and_the_villages_rates(rf, make_user, village):
    # given
    household = HouseholdFactory(village=village, housing_grade=HousingGrade.D)
    make_plan(household, planned_completion=TODAY - dt.timedelta(days=3))
    make_survey(village, year=2018, households=8, centralised_households=6, tap_households=0, guaranteed_households=8)
    user = make_user(Role.VILLAGE_CLERK, village=village)
    section = next(section for section in welfare_views.detail_sections if section.key == "housing-water")
    request = rf.get("/")
    request.user = user
    # when
    html = render_to_string(
        section.template, {"household": household, **section.context(household=household, user=user)}, request
    )
    # then
    assert html.count('data-flagged="1"') == 1  # the overdue plan
    assert 'data-testid="welfare-flag"' not in html  # a plan is under way
    assert "75.00%" in html and "0.00%" in html
