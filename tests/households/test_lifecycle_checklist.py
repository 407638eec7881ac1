"""The exit checklist (两不愁三保障 and safe water): a ready household passes, and each item fails on its own."""

import datetime as dt
from decimal import Decimal

import pytest

from households.choices import HousingGrade, Relation, SchoolStage, WaterSource
from households.models import Income, PovertyLine, RenovationPlan
from households.selectors.lifecycle import checklist_failures, household_exit_checklist
from tests.factories.households import HouseholdFactory, member_born

pytestmark = [pytest.mark.django_db, pytest.mark.english]

YEAR = 2018
ON = dt.date(2018, 12, 20)
LINE = Decimal("3609.00")  # Shandong's provincial line of 2018


def income_of(household, year=YEAR, *, wages="12000.00", size=2):
    income = Income(household=household, year=year, wages=Decimal(wages), household_size=size)
    income.compute_totals()
    income.save()
    return income


def member_of(household, *, born: dt.date, relation=Relation.SON, **fields):
    return member_born(household, born, relation=relation, **fields)


@pytest.fixture
def ready(village):
    """A household that meets every item of the 2018 exit standard."""
    household = HouseholdFactory(
        village=village,
        food_and_clothing_secure=True,
        housing_grade=HousingGrade.B,
        water_source=WaterSource.TAP,
    )
    member_of(household, born=dt.date(1975, 3, 1), relation=Relation.HEAD)
    member_of(household, born=dt.date(2008, 5, 1), school_stage=SchoolStage.PRIMARY)
    PovertyLine.objects.create(year=YEAR, amount=LINE)
    income_of(household)  # 6,000.00 yuan a person
    return household


def items_by_key(household, on=ON):
    return {item.key: item for item in household_exit_checklist(household=household, year=YEAR, on=on)}


def failed_keys(household, on=ON):
    return [item.key for item in checklist_failures(household_exit_checklist(household=household, year=YEAR, on=on))]


def test_a_ready_household_passes_every_item(ready):
    # when the checklist of 2018 is taken
    items = household_exit_checklist(household=ready, year=YEAR, on=ON)
    # then all six items are there, each passing with no reason
    assert [item.key for item in items] == [
        "income",
        "food_and_clothing",
        "compulsory_education",
        "medical_cover",
        "safe_housing",
        "safe_water",
    ]
    assert all(item.passed and item.reason == "" for item in items)


def test_no_income_recorded_fails_and_says_so(ready):
    # given the household's income of 2018 is not recorded
    Income.objects.filter(household=ready).delete()
    # then the income item fails naming the missing income
    item = items_by_key(ready)["income"]
    assert not item.passed
    assert item.reason == "No income is recorded for 2018."
    assert failed_keys(ready) == ["income"]


def test_no_poverty_line_entered_fails_and_says_so(ready):
    # given no poverty line is entered for 2018
    PovertyLine.objects.all().delete()
    # then the income item fails naming the missing line, not the income
    item = items_by_key(ready)["income"]
    assert not item.passed
    assert "no poverty line is entered for 2018" in item.reason
    assert "6,000.00" in item.reason


def test_income_at_the_line_is_not_above_it(ready):
    # given per-capita net income exactly at the line
    Income.objects.filter(household=ready).delete()
    income_of(ready, wages=str(LINE * 2))
    # then it fails: the standard is income above the line
    item = items_by_key(ready)["income"]
    assert not item.passed
    assert item.reason == (
        "Per-capita net income of 2018 is 3,609.00 yuan, not above the poverty line of 3,609.00 yuan."
    )


def test_income_of_another_year_does_not_count(ready):
    # given only the income of 2017 is recorded
    Income.objects.filter(household=ready).update(year=2017)
    # then 2018's checklist fails on income
    assert failed_keys(ready) == ["income"]


def test_food_and_clothing_not_secure_fails(ready):
    ready.food_and_clothing_secure = False
    ready.save()
    item = items_by_key(ready)["food_and_clothing"]
    assert not item.passed
    assert item.reason == "Food and clothing are not recorded as secure."


def test_a_child_of_compulsory_age_not_in_school_fails(ready):
    # given a child aged 10 on the checklist date who is not in school
    member_of(ready, born=dt.date(2008, 5, 1), school_stage=SchoolStage.NOT_IN_SCHOOL, name="王小明")
    # then the compulsory-education item fails, naming the child and the age
    item = items_by_key(ready)["compulsory_education"]
    assert not item.passed
    assert item.reason == "Aged 6 to 15 on 2018-12-20 but not in school: 王小明 (10)."
    assert failed_keys(ready) == ["compulsory_education"]


@pytest.mark.parametrize(
    ("born", "stage"),
    [
        (dt.date(2012, 12, 1), SchoolStage.PRESCHOOL),  # six, still in pre-school
        (dt.date(2002, 12, 21), SchoolStage.SENIOR),  # fifteen, already in senior secondary school
    ],
)
def test_a_child_of_compulsory_age_in_any_school_stage_passes(ready, born, stage):
    member_of(ready, born=born, school_stage=stage)
    assert items_by_key(ready)["compulsory_education"].passed


@pytest.mark.parametrize("born", [dt.date(2002, 12, 20), dt.date(2012, 12, 21)])  # 16 on the day; not yet 6
def test_members_outside_compulsory_age_do_not_count(ready, born):
    member_of(ready, born=born, school_stage=SchoolStage.NOT_IN_SCHOOL)
    assert items_by_key(ready)["compulsory_education"].passed


def test_a_member_at_risk_of_dropping_out_fails(ready):
    # given a junior-school pupil flagged at risk of dropping out
    member_of(ready, born=dt.date(2005, 2, 1), school_stage=SchoolStage.JUNIOR, dropout_risk=True, name="李小红")
    item = items_by_key(ready)["compulsory_education"]
    assert not item.passed
    assert item.reason == "At risk of dropping out of school: 李小红."


def test_a_member_without_medical_insurance_fails(ready):
    member_of(ready, born=dt.date(1950, 1, 1), relation=Relation.PARENT, medical_insurance=False, name="赵老汉")
    item = items_by_key(ready)["medical_cover"]
    assert not item.passed
    assert item.reason == "Not in the rural cooperative medical insurance: 赵老汉."


def test_a_household_with_no_members_fails_medical_cover(ready):
    ready.members.all().delete()
    item = items_by_key(ready)["medical_cover"]
    assert not item.passed
    assert "No members are recorded" in item.reason


def test_a_house_not_appraised_fails(ready):
    ready.housing_grade = ""
    ready.save()
    item = items_by_key(ready)["safe_housing"]
    assert not item.passed
    assert item.reason == "The house has not been appraised for safety."


def test_a_dilapidated_house_without_a_plan_fails(ready):
    ready.housing_grade = HousingGrade.C
    ready.save()
    item = items_by_key(ready)["safe_housing"]
    assert not item.passed
    assert item.reason == "The house is Grade C (dilapidated, local danger) and has no renovation plan."


def test_a_dilapidated_house_whose_renovation_is_not_completed_fails(ready):
    # given grade D and a plan completed only after the checklist date
    ready.housing_grade = HousingGrade.D
    ready.save()
    RenovationPlan.objects.create(
        household=ready,
        planned_start=dt.date(2018, 9, 1),
        planned_completion=dt.date(2019, 3, 31),
        completed_on=dt.date(2019, 3, 1),
    )
    item = items_by_key(ready)["safe_housing"]
    assert not item.passed
    assert "renovation is not completed (planned for 2019-03-31)" in item.reason


def test_a_dilapidated_house_with_a_completed_renovation_passes(ready):
    ready.housing_grade = HousingGrade.D
    ready.save()
    RenovationPlan.objects.create(
        household=ready,
        planned_start=dt.date(2018, 4, 1),
        planned_completion=dt.date(2018, 10, 31),
        completed_on=dt.date(2018, 10, 20),
    )
    assert items_by_key(ready)["safe_housing"].passed


@pytest.mark.parametrize(
    ("source", "difficult", "reason"),
    [
        ("", False, "The drinking-water source is not recorded."),
        (WaterSource.RIVER, False, "The drinking-water source (River or lake) is not safe."),
        (WaterSource.PROTECTED_WELL, True, "Drinking water is recorded as difficult."),
    ],
)
def test_unsafe_drinking_water_fails(ready, source, difficult, reason):
    ready.water_source, ready.drinking_water_difficult = source, difficult
    ready.save()
    item = items_by_key(ready)["safe_water"]
    assert not item.passed
    assert item.reason == reason
    assert failed_keys(ready) == ["safe_water"]
