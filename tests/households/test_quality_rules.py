"""Every data-quality rule (point 19) with a household that passes it and one that fails it."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from households.choices import HouseholdStatus, HousingGrade, Relation, ReturnCause, SchoolStage, Sex, WaterSource
from households.id_numbers import id_number_parse
from households.models import Cadre, CadreAssignment, Income, Member, PovertyLine, RenovationPlan, StatusEvent
from households.quality_rules import RULES, ProblemClass, rule_get
from tests.factories.households import HouseholdFactory, MemberFactory, members_with_id_numbers, valid_id_number

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 6, 1)
LINES = {2016: Decimal("3000.00"), 2017: Decimal("3300.00"), 2018: Decimal("3500.00")}


# Local factories: a household that breaks no rule, and the pieces to break one.


@pytest.fixture(autouse=True)
def poverty_lines(db):
    for year, amount in LINES.items():
        PovertyLine.objects.create(year=year, amount=amount)


def member_add(household, *, born=dt.date(1970, 3, 5), female=False, relation=Relation.HEAD, **fields) -> Member:
    return MemberFactory(
        household=household, relation=relation, id_number=valid_id_number(born, female=female), **fields
    )


def income_add(household, *, year, per_capita, size=1) -> Income:
    income = Income(household=household, year=year, wages=Decimal(per_capita) * size, household_size=size)
    income.compute_totals()
    income.save()
    return income


def cadre_assign(household, *, released_on=None) -> CadreAssignment:
    cadre = Cadre.objects.create(name="李敏", work_unit="区扶贫办", phone="0539-0000000")
    return CadreAssignment.objects.create(
        household=household, cadre=cadre, starts_on=dt.date(2016, 5, 1), released_on=released_on
    )


def status_record(household, status, *, on=dt.date(2016, 4, 1)) -> StatusEvent:
    cause = ReturnCause.ILLNESS if status == HouseholdStatus.RETURNED else ""
    return StatusEvent.objects.create(household=household, status=status, effective_on=on, return_cause=cause)


def clean_household(village, *, status=HouseholdStatus.NOT_OUT, **fields):
    """One member (the head), identified in 2016 with income under twice the line, above the line in
    2018, a cadre, a status history ending in ``status``, a safe house, safe water and food and clothing secure."""
    fields = {
        "year_identified": 2016,
        "housing_grade": HousingGrade.B,
        "water_source": WaterSource.TAP,
        "food_and_clothing_secure": True,
        **fields,
    }
    household = HouseholdFactory(village=village, status=status, **fields)
    member_add(household)
    income_add(household, year=2016, per_capita="2500")
    income_add(household, year=2018, per_capita="5000")
    cadre_assign(household)
    status_record(household, HouseholdStatus.NOT_OUT)
    if status != HouseholdStatus.NOT_OUT:
        status_record(household, status, on=dt.date(2018, 12, 1))
    return household


def found(code: str, *, today=TODAY) -> dict[tuple[int, int | None], str]:
    """What rule ``code`` finds: (household, member) -> detail, in English."""
    with translation.override("en"):
        rows = rule_get(code).rows(today=today)
        return {(row["household_id"], row["member_id"]): row["detail"] for row in rows}


def households_found(code: str, **kwargs) -> set[int]:
    return {household_id for household_id, _ in found(code, **kwargs)}


# The rules themselves


def test_every_rule_has_a_unique_code_a_class_a_label_an_explanation_and_a_docstring():
    assert len({rule.code for rule in RULES}) == len(RULES)
    assert {rule.problem_class for rule in RULES} == set(ProblemClass)
    for rule in RULES:
        assert str(rule.label) and str(rule.explanation) and rule.definition, rule.code
        assert len(rule.code) <= 50  # QualityProblem.rule


@pytest.mark.parametrize(
    "status", [HouseholdStatus.NOT_OUT, HouseholdStatus.OUT_CONTINUING, HouseholdStatus.OUT_ENDED]
)
def test_a_clean_household_breaks_no_rule(village, status):
    household = clean_household(village, status=status)
    for rule in RULES:
        assert household.pk not in households_found(rule.code), rule.code


# 识别不准: identification


def test_id_number_invalid_finds_a_wrong_check_digit_and_passes_a_valid_number(village):
    household = clean_household(village)
    good = household.members.get()
    number = valid_id_number(dt.date(1980, 1, 1))
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    bad = member_add(household, relation=Relation.SPOUSE, born=dt.date(1980, 1, 1))
    Member.objects.filter(pk=bad.pk).update(id_number=wrong)

    result = found("id_number_invalid")

    assert (household.pk, good.pk) not in result
    assert f"check digit of the ID number is {wrong[17]} but should be {number[17]}" in result[(household.pk, bad.pk)]


@pytest.mark.parametrize(
    ("birth", "words"),
    [
        ("19800230", "not a real date"),
        ("19810229", "not a real date"),
        ("19801301", "not a real date"),
        ("18991231", "before 1900 or in the future"),
        ("20190602", "before 1900 or in the future"),
    ],
)
def test_id_number_invalid_finds_an_impossible_birth_date(village, birth, words):
    household = clean_household(village)
    body = f"371302{birth}123"
    number = body + "0"
    member = household.members.get()
    Member.objects.filter(pk=member.pk).update(id_number=number)

    assert words in found("id_number_invalid")[(household.pk, member.pk)]


def test_id_number_invalid_accepts_the_29th_of_february_of_a_leap_year(village):
    household = clean_household(village)
    member_add(household, relation=Relation.SPOUSE, born=dt.date(2000, 2, 29), female=True)
    assert household.pk not in households_found("id_number_invalid")


def test_id_number_check_in_sql_agrees_with_python_on_many_numbers(village):
    # given numbers that are valid, one digit off, or carry impossible dates
    rng = random.Random(19)
    household = HouseholdFactory(village=village)
    numbers = set()
    while len(numbers) < 120:
        body = f"3713{rng.randrange(10, 99)}{rng.randrange(1890, 2030)}{rng.randrange(0, 14):02d}"
        body += f"{rng.randrange(0, 33):02d}{rng.randrange(0, 1000):03d}"
        numbers.add(body + rng.choice("0123456789X"))
    members_with_id_numbers(household, sorted(numbers))
    today = timezone.localdate()

    def python_says_invalid(number):
        try:
            id_number_parse(number)
        except ValidationError:
            return True
        return False

    # when the rule runs, then it finds exactly the numbers python-stdnum's checks refuse
    invalid_in_sql = {member_id for _, member_id in found("id_number_invalid", today=today)}
    here = list(Member.objects.filter(household=household))
    invalid_in_python = {member.pk for member in here if python_says_invalid(member.id_number)}
    assert 0 < len(invalid_in_python) < len(here)  # the sample holds both kinds
    assert invalid_in_sql & {member.pk for member in here} == invalid_in_python


def test_id_number_mismatch_finds_a_wrong_birth_date_or_sex(village):
    household = clean_household(village)
    head = household.members.get()
    born_wrong = member_add(household, relation=Relation.SON, born=dt.date(1995, 7, 1))
    Member.objects.filter(pk=born_wrong.pk).update(birth_date=dt.date(1995, 7, 2))
    sex_wrong = member_add(household, relation=Relation.DAUGHTER, born=dt.date(1997, 7, 1), female=True)
    Member.objects.filter(pk=sex_wrong.pk).update(sex=Sex.MALE)
    both_wrong = member_add(household, relation=Relation.SPOUSE, born=dt.date(1971, 1, 1), female=True)
    Member.objects.filter(pk=both_wrong.pk).update(sex=Sex.MALE, birth_date=dt.date(1972, 1, 1))

    result = found("id_number_mismatch")

    assert (household.pk, head.pk) not in result
    assert "born 1995-07-02, but the ID number says 1995-07-01" in result[(household.pk, born_wrong.pk)]
    assert "recorded as Male, but the ID number says Female" in result[(household.pk, sex_wrong.pk)]
    assert "born 1972-01-01, Male, but the ID number says 1971-01-01, Female" in result[(household.pk, both_wrong.pk)]


def test_id_number_mismatch_leaves_an_invalid_number_to_the_other_rule(village):
    household = clean_household(village)
    member = household.members.get()
    Member.objects.filter(pk=member.pk).update(id_number="371302198002301230", birth_date=dt.date(1980, 3, 1))
    assert household.pk not in households_found("id_number_mismatch")
    assert household.pk in households_found("id_number_invalid")


def test_income_far_above_line_when_identified_allows_twice_the_line_and_no_more(village):
    at_twice = clean_household(village)
    Income.objects.filter(household=at_twice, year=2016).delete()
    income_add(at_twice, year=2016, per_capita="6000.00")
    above = clean_household(village)
    Income.objects.filter(household=above, year=2016).delete()
    income_add(above, year=2016, per_capita="6000.01")

    result = found("income_far_above_line_when_identified")

    assert at_twice.pk not in {household for household, _ in result}
    assert "Identified in 2016 with a per-capita net income of 6,000.01 yuan" in result[(above.pk, None)]
    assert "poverty line of 3,000.00 yuan" in result[(above.pk, None)]


def test_income_far_above_line_is_not_judged_without_that_years_line(village):
    household = clean_household(village, year_identified=2015)
    income_add(household, year=2015, per_capita="90000")
    assert household.pk not in households_found("income_far_above_line_when_identified")


# 退出不准: exit


def test_exit_income_not_above_line_judges_the_latest_year(village):
    at_line = clean_household(village, status=HouseholdStatus.OUT_CONTINUING)
    Income.objects.filter(household=at_line, year=2018).delete()
    income_add(at_line, year=2018, per_capita="3500.00")
    just_above = clean_household(village, status=HouseholdStatus.OUT_ENDED)
    Income.objects.filter(household=just_above, year=2018).delete()
    income_add(just_above, year=2018, per_capita="3500.01")
    income_add(just_above, year=2017, per_capita="100")  # an older poor year does not count
    not_out = clean_household(village)
    Income.objects.filter(household=not_out, year=2018).delete()
    income_add(not_out, year=2018, per_capita="100")

    result = found("exit_income_not_above_line")

    assert set(result) == {(at_line.pk, None)}
    assert "per-capita net income of 2018 is 3,500.00 yuan, not above" in result[(at_line.pk, None)]


def test_exit_without_income(village):
    exited = clean_household(village, status=HouseholdStatus.OUT_CONTINUING)
    Income.objects.filter(household=exited).delete()
    not_out = clean_household(village)
    Income.objects.filter(household=not_out).delete()

    assert households_found("exit_without_income") == {exited.pk}


def test_exit_unsafe_house_passes_once_the_renovation_is_completed(village):
    unsafe = clean_household(village, status=HouseholdStatus.OUT_CONTINUING, housing_grade=HousingGrade.C)
    planned = clean_household(village, status=HouseholdStatus.OUT_CONTINUING, housing_grade=HousingGrade.D)
    RenovationPlan.objects.create(
        household=planned, planned_start=dt.date(2019, 3, 1), planned_completion=dt.date(2019, 9, 1)
    )
    renovated = clean_household(village, status=HouseholdStatus.OUT_ENDED, housing_grade=HousingGrade.D)
    RenovationPlan.objects.create(
        household=renovated,
        planned_start=dt.date(2018, 3, 1),
        planned_completion=dt.date(2018, 9, 1),
        completed_on=dt.date(2018, 8, 20),
    )
    not_out = clean_household(village, housing_grade=HousingGrade.D)

    result = found("exit_unsafe_house")

    assert set(result) == {(unsafe.pk, None), (planned.pk, None)}
    assert "the house is Grade C (dilapidated, local danger)" in result[(unsafe.pk, None)]
    assert not_out.pk not in households_found("exit_unsafe_house")
    assert renovated.pk not in households_found("exit_unsafe_house")


def test_exit_child_out_of_school(village):
    household = clean_household(village, status=HouseholdStatus.OUT_CONTINUING)
    # on TODAY: aged 10 and not in school; aged 6 in pre-school and 15 in senior school (both count as in
    # school); aged 16, past compulsory age
    out_of_school = member_add(household, relation=Relation.SON, born=dt.date(2009, 1, 1))
    member_add(
        household, relation=Relation.GRANDDAUGHTER, born=dt.date(2013, 5, 1), school_stage=SchoolStage.PRESCHOOL
    )
    member_add(household, relation=Relation.DAUGHTER, born=dt.date(2004, 1, 1), school_stage=SchoolStage.SENIOR)
    member_add(household, relation=Relation.GRANDSON, born=dt.date(2003, 5, 31))
    not_out = clean_household(village)
    member_add(not_out, relation=Relation.SON, born=dt.date(2009, 1, 1))

    result = found("exit_child_out_of_school")

    assert set(result) == {(household.pk, out_of_school.pk)}
    assert (
        "aged 10, is not in school, yet the household is marked out of poverty"
        in result[(household.pk, out_of_school.pk)]
    )


# 信息不准: information


def test_school_age_without_stage(village):
    household = clean_household(village)
    no_stage = member_add(household, relation=Relation.SON, born=dt.date(2011, 6, 1))  # 8 on TODAY
    member_add(household, relation=Relation.DAUGHTER, born=dt.date(2010, 1, 1), school_stage=SchoolStage.PRIMARY)
    member_add(household, relation=Relation.GRANDSON, born=dt.date(2013, 6, 2))  # 5 on TODAY
    exited = clean_household(village, status=HouseholdStatus.OUT_CONTINUING)
    member_add(exited, relation=Relation.SON, born=dt.date(2011, 6, 1))  # the exit rule's

    result = found("school_age_without_stage")

    assert set(result) == {(household.pk, no_stage.pk)}
    assert "aged 8, has no school stage recorded" in result[(household.pk, no_stage.pk)]


def test_head_missing(village):
    headless = clean_household(village)
    Member.objects.filter(household=headless).update(relation=Relation.OTHER)
    empty = clean_household(village)
    Member.objects.filter(household=empty).delete()

    assert households_found("head_missing") == {headless.pk}


def test_spouse_more_than_one(village):
    one = clean_household(village)
    member_add(one, relation=Relation.SPOUSE, born=dt.date(1971, 1, 1), female=True)
    two = clean_household(village)
    member_add(two, relation=Relation.SPOUSE, born=dt.date(1971, 1, 1), female=True)
    member_add(two, relation=Relation.SPOUSE, born=dt.date(1972, 1, 1), female=True)

    result = found("spouse_more_than_one")

    assert set(result) == {(two.pk, None)}
    assert result[(two.pk, None)].startswith("2 members are recorded as the spouse")


def test_member_count_differs_from_the_latest_income(village):
    differs = clean_household(village)
    member_add(differs, relation=Relation.SPOUSE, born=dt.date(1971, 1, 1), female=True)  # 2 members, 2018 counts 1
    latest_agrees = clean_household(village)
    member_add(latest_agrees, relation=Relation.SPOUSE, born=dt.date(1971, 1, 1), female=True)
    Income.objects.filter(household=latest_agrees, year=2018).delete()
    income_add(latest_agrees, year=2018, per_capita="5000", size=2)  # 2016 still counts 1: not the latest

    result = found("member_count_differs_from_income")

    assert set(result) == {(differs.pk, None)}
    assert "2 members are recorded, but the income of 2018 is counted for 1" in result[(differs.pk, None)]


def test_main_cause_missing(village):
    empty = clean_household(village, main_cause="")
    unknown = clean_household(village, main_cause="bad_luck")
    clean_household(village)

    result = found("main_cause_missing")

    assert set(result) == {(empty.pk, None), (unknown.pk, None)}
    assert result[(empty.pk, None)] == "The main poverty cause is missing."
    assert "“bad_luck” is not a cause" in result[(unknown.pk, None)]


def test_year_identified_impossible(village):
    first_year = clean_household(village, year_identified=2014)
    this_year = clean_household(village, year_identified=2019)
    too_early = clean_household(village, year_identified=2013)
    future = clean_household(village, year_identified=2020)

    result = households_found("year_identified_impossible")

    assert result == {too_early.pk, future.pk}
    assert not {first_year.pk, this_year.pk} & result


def test_household_without_members(village):
    empty = clean_household(village)
    Member.objects.filter(household=empty).delete()
    clean_household(village)

    assert households_found("household_without_members") == {empty.pk}


# 档案不规范: file


def test_cadre_missing_counts_only_a_current_assignment(village):
    none = clean_household(village)
    CadreAssignment.objects.filter(household=none).delete()
    released = clean_household(village)
    CadreAssignment.objects.filter(household=released).update(released_on=dt.date(2018, 1, 1))
    reassigned = clean_household(village)
    CadreAssignment.objects.filter(household=reassigned).update(released_on=dt.date(2018, 1, 1))
    cadre_assign(reassigned)

    assert households_found("cadre_missing") == {none.pk, released.pk}


def test_returned_without_event(village):
    unrecorded = clean_household(village, status=HouseholdStatus.RETURNED)
    StatusEvent.objects.filter(household=unrecorded, status=HouseholdStatus.RETURNED).delete()
    recorded = clean_household(village, status=HouseholdStatus.RETURNED)

    assert households_found("returned_without_event") == {unrecorded.pk}
    assert recorded.pk not in households_found("status_history_missing")


def test_status_history_missing(village):
    no_history = clean_household(village)
    StatusEvent.objects.filter(household=no_history).delete()
    returned_no_history = clean_household(village, status=HouseholdStatus.RETURNED)
    StatusEvent.objects.filter(household=returned_no_history).delete()

    assert households_found("status_history_missing") == {no_history.pk}
    assert returned_no_history.pk in households_found("returned_without_event")


def test_housing_not_appraised(village):
    unappraised = clean_household(village, housing_grade="")
    clean_household(village, housing_grade=HousingGrade.A)

    result = found("housing_not_appraised")

    assert set(result) == {(unappraised.pk, None)}
    assert result[(unappraised.pk, None)] == "The house has no safety grade."
