"""Income records and their distribution (projects.services.income)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organisation.roles import Role
from projects.models import IncomeDistribution, IncomeShare, ProjectStatus
from projects.selectors.income import mask_name
from projects.services.income import (
    distribution_amounts,
    income_distribute,
    income_distribution_mark_paid,
    income_record,
)
from tests.factories.households import HouseholdFactory
from tests.factories.projects import ProjectFactory, operating_project

TODAY = dt.date(2025, 3, 10)


@pytest.fixture
def station(make_user, town):
    return make_user(Role.TOWN_STATION, town=town)


@pytest.fixture
def project(town, village):
    return operating_project(town=town, villages=[village])


def record(user, project, **overrides):
    values = {
        "period_start": dt.date(2024, 1, 1),
        "period_end": dt.date(2024, 12, 31),
        "amount": Decimal("100000.00"),
        "received_on": dt.date(2025, 1, 5),
        "payer": "兰山测试农业发展有限公司",
        "today": TODAY,
    }
    return income_record(user=user, project=project, **(values | overrides))


def test_the_station_records_income(station, project):
    # when the station records a year's income of an operating project
    income = record(station, project)
    # then it is recorded, by the station
    assert (income.amount, income.recorded_by, income.received_on) == (
        Decimal("100000.00"),
        station,
        dt.date(2025, 1, 5),
    )


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK, Role.DISTRICT_OFFICE])
def test_other_roles_do_not_record_income(make_user, town, village, project, role):
    # given a user of another role
    user = make_user(role, village=village) if role == Role.VILLAGE_CLERK else make_user(role, town=town)
    # then they may not record income
    with pytest.raises(PermissionDenied):
        record(user, project)


def test_another_towns_station_is_refused(make_user, other_town, project):
    # then another town's station may not record the project's income
    with pytest.raises(PermissionDenied):
        record(make_user(Role.TOWN_STATION, town=other_town), project)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_on": dt.date(2025, 3, 11)}, "received_on"),
        ({"received_on": dt.date(2013, 12, 31)}, "received_on"),
        ({"period_end": dt.date(2023, 12, 31)}, "period_end"),
        ({"period_start": dt.date(2026, 2, 1), "period_end": dt.date(2026, 12, 31)}, "period_start"),
        ({"amount": Decimal("0")}, "amount"),
        ({"payer": "  "}, "payer"),
    ],
)
def test_dates_and_amounts_must_make_sense(station, project, overrides, field):
    # when income is recorded with a date, period, amount or payer that makes no sense
    with pytest.raises(ValidationError) as refused:
        record(station, project, **overrides)
    # then the field is refused
    assert field in refused.value.error_dict


def test_rent_paid_a_year_ahead_is_accepted(station, project):
    # when next year's rent is recorded
    income = record(station, project, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31))
    # then it is accepted
    assert income.period_start == dt.date(2026, 1, 1)


def test_a_project_not_yet_built_records_no_income(station, town):
    # given a project under construction
    project = ProjectFactory(town=town, status=ProjectStatus.CONSTRUCTION)
    # when income is recorded for it
    with pytest.raises(ValidationError) as refused:
        record(station, project)
    # then the project is refused
    assert "project" in refused.value.error_dict


# Distribution


def test_rounding_parts_add_up_exactly_and_the_remainder_goes_to_the_largest_share():
    # when 100.00 is split by shares that add up to 100%
    parts = distribution_amounts(Decimal("100.00"), [Decimal("33.33"), Decimal("33.34"), Decimal("33.33")])
    # then the parts add up exactly
    assert sum(parts) == Decimal("100.00")
    assert parts == [Decimal("33.33"), Decimal("33.34"), Decimal("33.33")]
    # 1/3 each of 0.10: 0.03 + 0.03 + 0.03 leaves 0.01 for the first of the equal largest
    thirds = [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert distribution_amounts(Decimal("0.10"), thirds) == [Decimal("0.04"), Decimal("0.03"), Decimal("0.03")]
    # half-up rounding of every part overshoots: the largest share gives the fen back
    overshoot = distribution_amounts(Decimal("0.05"), [Decimal("50.00"), Decimal("50.00")])
    assert overshoot == [Decimal("0.02"), Decimal("0.03")]


@pytest.mark.parametrize("amount", ["100000.00", "99999.99", "0.07", "12345.67", "1.00"])
def test_any_amount_splits_exactly(amount):
    # given four shares of 60, 13.33, 13.33 and 13.34%
    percents = [Decimal("60.00"), Decimal("13.33"), Decimal("13.33"), Decimal("13.34")]
    # then any amount splits into parts that add up to it exactly
    assert sum(distribution_amounts(Decimal(amount), percents)) == Decimal(amount)


def _shares(project, village, *percents):
    IncomeShare.objects.create(project=project, village=village, percent=Decimal(percents[0]))
    households = []
    for percent in percents[1:]:
        household = HouseholdFactory(village=village)
        IncomeShare.objects.create(project=project, household=household, percent=Decimal(percent))
        households.append(household)
    return households


def test_income_is_distributed_by_the_shares(station, project, village):
    # given the village's 70% and three households' 10% each, and an income of 1000.01
    _shares(project, village, "70.00", "10.00", "10.00", "10.00")
    income = record(station, project, amount=Decimal("1000.01"))
    # when it is distributed
    parts = income_distribute(user=station, income=income)
    # then each gets its part, the village the remaining fen, and the parts add up
    amounts = sorted(part.amount for part in parts)
    assert amounts == [Decimal("100.00"), Decimal("100.00"), Decimal("100.00"), Decimal("700.01")]
    assert sum(amounts) == income.amount


def test_distributing_again_replaces_the_earlier_split(station, project, village):
    # given an income distributed 50/50
    _shares(project, village, "50.00", "50.00")
    income = record(station, project)
    income_distribute(user=station, income=income)
    # when the shares change to 40/60 and it is distributed again
    IncomeShare.objects.filter(village=village).update(percent=Decimal("40.00"))
    IncomeShare.objects.filter(household__isnull=False).update(percent=Decimal("60.00"))
    income_distribute(user=station, income=income)
    # then the new split replaces the old one
    rows = IncomeDistribution.objects.filter(income=income)
    assert sorted(rows.values_list("amount", flat=True)) == [Decimal("40000.00"), Decimal("60000.00")]


@pytest.mark.english
def test_no_shares_means_no_distribution(station, project):
    # given an income of a project without shares
    income = record(station, project)
    # then it cannot be distributed
    with pytest.raises(ValidationError, match="no income shares"):
        income_distribute(user=station, income=income)


def test_shares_not_adding_up_to_100_are_refused(station, project, village):
    # given shares adding up to 80%
    _shares(project, village, "50.00", "30.00")
    # then distributing is refused, naming the 80%
    with pytest.raises(ValidationError, match=r"80\.00%"):
        income_distribute(user=station, income=record(station, project))


def test_paid_income_is_not_redistributed(station, project, village):
    # given an income distributed
    _shares(project, village, "100.00")
    income = record(station, project)
    income_distribute(user=station, income=income)
    # when its distribution is marked paid
    assert income_distribution_mark_paid(user=station, income=income, paid_on=dt.date(2025, 2, 1), today=TODAY) == 1
    # then it can neither be distributed nor marked paid again
    with pytest.raises(ValidationError):
        income_distribute(user=station, income=income)
    with pytest.raises(ValidationError):
        income_distribution_mark_paid(user=station, income=income, paid_on=dt.date(2025, 2, 1), today=TODAY)


def test_paid_on_must_be_after_receipt_and_not_in_the_future(station, project, village):
    # given an income received on 5 Jan 2025, distributed
    _shares(project, village, "100.00")
    income = record(station, project)
    income_distribute(user=station, income=income)
    # then marking it paid before the receipt or after today is refused
    for paid_on in (dt.date(2025, 1, 4), dt.date(2025, 3, 11)):
        with pytest.raises(ValidationError):
            income_distribution_mark_paid(user=station, income=income, paid_on=paid_on, today=TODAY)


def test_another_towns_station_cannot_distribute(make_user, other_town, station, project, village):
    # given an income with shares
    _shares(project, village, "100.00")
    income = record(station, project)
    # then another town's station may not distribute it
    with pytest.raises(PermissionDenied):
        income_distribute(user=make_user(Role.TOWN_STATION, town=other_town), income=income)


def test_a_name_is_masked_to_its_surname():
    # then a name shows only its surname
    assert (mask_name("王小明"), mask_name("李"), mask_name(" ")) == ("王**", "李*", "")
