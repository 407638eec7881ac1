"""The exit standard is defined once (households.rules): the exit checklist and the exit data-quality rules agree.

Households marked out of poverty are built to fail every check of every standard, alone and together, at the
edges (income at the line, a child on the day of their sixth and sixteenth birthday, a leap-day birthday, a
renovation completed on the day), and to pass. Per standard, the households the checklist refuses are exactly
the households the standard's rules flag.
"""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import translation

from households.choices import HouseholdStatus, HousingGrade, Relation, SchoolStage, WaterSource
from households.models import Income, PovertyLine, ProblemClass, RenovationPlan
from households.quality_rules import RULES, rule_get
from households.rules import EXIT_CHECKS, EXIT_STANDARDS
from households.selectors.lifecycle import EXIT_REASONS, household_exit_checklist
from tests.factories.households import HouseholdFactory, member_born

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 6, 1)
LINES = {2016: Decimal("3000.00"), 2017: Decimal("3300.00"), 2018: Decimal("3500.00")}  # none for 2015, 2019
ADULT = dt.date(1970, 3, 5)
OUT = itertools.cycle([HouseholdStatus.OUT_CONTINUING, HouseholdStatus.OUT_ENDED])


def household(*, status=None, incomes=((2018, "5000.00"),), members=({},), plans=(), **fields):
    """A household marked out of poverty that passes every standard, but for what the arguments change.
    ``incomes``: (year, per-capita net income); ``members``: the fields of each member (the first is the head);
    ``plans``: the ``completed_on`` of each renovation plan (None: not completed)."""
    fields = {
        "food_and_clothing_secure": True,
        "housing_grade": HousingGrade.B,
        "water_source": WaterSource.TAP,
        "drinking_water_difficult": False,
        **fields,
    }
    made = HouseholdFactory(status=status or next(OUT), **fields)
    for index, member in enumerate(members):
        member = {"born": ADULT, "relation": Relation.HEAD if index == 0 else Relation.OTHER, **member}
        member_born(made, member.pop("born"), **member)
    for year, per_capita in incomes:
        income = Income(household=made, year=year, wages=Decimal(per_capita), household_size=1)
        income.compute_totals()
        income.save()
    for completed_on in plans:
        RenovationPlan.objects.create(
            household=made,
            planned_start=dt.date(2018, 3, 1),
            planned_completion=dt.date(2019, 9, 1),
            completed_on=completed_on,
        )
    return made


def child(born, stage=SchoolStage.NOT_IN_SCHOOL, **fields):
    return {"born": born, "relation": Relation.SON, "school_stage": stage, **fields}


def households_of_every_kind():
    return [
        household(),
        household(status=HouseholdStatus.OUT_ENDED),
        # income
        household(incomes=()),
        household(incomes=((2019, "9000.00"),)),  # no line for 2019
        household(incomes=((2015, "9000.00"),)),  # no line for 2015
        household(incomes=((2018, "9000.00"), (2019, "100.00"))),  # the latest year is judged: no line
        household(incomes=((2018, "3500.00"),)),  # at the line
        household(incomes=((2018, "3500.01"),)),  # just above
        household(incomes=((2017, "100.00"), (2018, "3500.01"))),  # an older poor year does not count
        household(incomes=((2017, "9000.00"), (2018, "3499.99"))),
        household(incomes=((2016, "3000.00"),)),
        # food and clothing
        household(food_and_clothing_secure=False),
        # compulsory education, on TODAY (2019-06-01)
        household(members=({}, child(dt.date(2009, 1, 1)))),  # 10, not in school
        household(members=({}, child(dt.date(2013, 6, 1)))),  # 6 today, not in school
        household(members=({}, child(dt.date(2013, 6, 2)))),  # 5, not yet of age
        household(members=({}, child(dt.date(2003, 6, 1)))),  # 16 today, past the age
        household(members=({}, child(dt.date(2003, 6, 2)))),  # 15, not in school
        household(members=({}, child(dt.date(2004, 2, 29)))),  # 15, born on a leap day
        household(members=({}, child(dt.date(2013, 6, 1), SchoolStage.PRESCHOOL))),
        household(members=({}, child(dt.date(2003, 6, 2), SchoolStage.SENIOR))),
        household(members=({}, child(dt.date(2009, 1, 1), SchoolStage.PRIMARY))),
        household(members=({}, child(dt.date(2007, 1, 1), SchoolStage.JUNIOR, dropout_risk=True))),
        household(members=({"dropout_risk": True},)),  # an adult flagged at risk counts too
        household(members=({}, child(dt.date(2009, 1, 1)), child(dt.date(2008, 1, 1), dropout_risk=True))),
        # basic medical cover
        household(members=()),
        household(members=({}, {"medical_insurance": False})),
        household(members=({"medical_insurance": False}, child(dt.date(2009, 1, 1), medical_insurance=False))),
        # safe housing
        household(housing_grade=""),
        household(housing_grade=HousingGrade.A),
        household(housing_grade=HousingGrade.C),
        household(housing_grade=HousingGrade.D, plans=[None]),
        household(housing_grade=HousingGrade.D, plans=[dt.date(2019, 6, 2)]),  # completed after the day
        household(housing_grade=HousingGrade.C, plans=[TODAY]),  # completed on the day
        household(housing_grade=HousingGrade.D, plans=[None, dt.date(2018, 10, 1)]),
        household(housing_grade="", plans=[dt.date(2018, 10, 1)]),
        household(housing_grade=HousingGrade.A, plans=[None]),
        # safe drinking water
        household(water_source=""),
        household(water_source=WaterSource.RIVER),
        household(water_source=WaterSource.UNPROTECTED_WELL),
        household(water_source=WaterSource.RAINWATER),
        household(water_source=WaterSource.OTHER),
        household(water_source=WaterSource.PROTECTED_WELL),
        household(water_source=WaterSource.TAP, drinking_water_difficult=True),
        household(water_source="", drinking_water_difficult=True),
        # several standards at once
        household(
            incomes=(),
            members=(),
            food_and_clothing_secure=False,
            housing_grade="",
            water_source=WaterSource.RIVER,
            drinking_water_difficult=True,
        ),
        household(
            incomes=((2018, "100.00"),),
            members=({"medical_insurance": False}, child(dt.date(2010, 1, 1), dropout_risk=True)),
            housing_grade=HousingGrade.D,
            water_source=WaterSource.OTHER,
        ),
    ]


def checklist_refusals(households) -> dict[str, set[int]]:
    """Per standard, the households whose exit checklist fails it: judged on the latest recorded income
    (the year the quality rules judge), on TODAY."""
    refused = {key: set() for key in EXIT_STANDARDS}
    for made in households:
        year = max(made.incomes.values_list("year", flat=True), default=2018)
        for item in household_exit_checklist(household=made, year=year, on=TODAY):
            if not item.passed:
                assert item.reason, (made.pk, item.key)
                refused[item.key].add(made.pk)
    return refused


def quality_flags() -> dict[str, set[int]]:
    """Per check (its rule's code), the households its data-quality rule flags on TODAY."""
    return {
        check.code: {row["household_id"] for row in rule_get(check.code).rows(today=TODAY)} for check in EXIT_CHECKS
    }


@pytest.fixture(autouse=True)
def poverty_lines(db):
    for year, amount in LINES.items():
        PovertyLine.objects.create(year=year, amount=amount)


def test_every_check_of_the_exit_standard_has_its_rule_and_its_reason_and_nothing_else_does():
    checks = {check.code for check in EXIT_CHECKS}
    assert {rule.code for rule in RULES if rule.problem_class == ProblemClass.EXIT} == checks
    assert set(EXIT_REASONS) == checks
    assert {check.standard for check in EXIT_CHECKS} == set(EXIT_STANDARDS)


def test_the_checklist_refuses_exactly_the_households_the_exit_rules_flag():
    # given households marked out of poverty failing every check alone and together, and passing ones,
    # and households not out of poverty that fail too
    households = households_of_every_kind()
    not_out = [
        household(status=HouseholdStatus.NOT_OUT, incomes=(), members=(), housing_grade="", water_source=""),
        household(status=HouseholdStatus.RETURNED, food_and_clothing_secure=False),
    ]

    # when the checklist is taken for each and the data-quality rules run
    with translation.override("en"):
        refused = checklist_refusals(households)
        flagged = quality_flags()

    # then per standard the two sets are the same
    for standard in EXIT_STANDARDS:
        by_rules = set().union(*(flagged[check.code] for check in EXIT_CHECKS if check.standard == standard))
        assert by_rules - {made.pk for made in not_out} == refused[standard], standard
        # and the sample holds households that fail the standard and households that pass it
        assert 0 < len(refused[standard]) < len(households), standard
    # every check flags someone, and nobody not marked out of poverty
    assert all(flagged[check.code] for check in EXIT_CHECKS), [code for code, found in flagged.items() if not found]
    assert not set().union(*flagged.values()) & {made.pk for made in not_out}
