"""Income per household and year: totals, one row a year, Decimal only, and the comparison with the poverty line."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from households.models import Income, PovertyLine
from households.selectors.lifecycle import household_income_standing
from households.services.lifecycle import income_record
from organisation.roles import Role
from tests.factories.households import HouseholdFactory
from tests.households.pages import household_page
from tests.permission_checks import assert_other_town_refused

pytestmark = [pytest.mark.django_db, pytest.mark.english]

D = Decimal


@pytest.fixture
def household(village):
    return HouseholdFactory(village=village)


def parts(**overrides):
    return {
        "wages": D("8000.00"),
        "business": D("3000.50"),
        "transfers": D("1200.00"),
        "property_income": D("0"),
        "business_costs": D("1000.00"),
        "household_size": 3,
        **overrides,
    }


def test_income_is_recorded_with_its_totals(town_staff, household):
    # when town staff record the household's income of 2018
    income = income_record(user=town_staff, household=household, year=2018, **parts())
    # then net income is the parts less costs, per-capita net income is rounded to the fen
    income.refresh_from_db()
    assert income.net_income == D("11200.50")
    assert income.per_capita_net_income == D("3733.50")


def test_a_year_already_recorded_is_corrected_not_doubled(town_staff, household):
    # given 2018 is recorded
    first = income_record(user=town_staff, household=household, year=2018, **parts())
    # when 2018 is recorded again with other figures
    second = income_record(user=town_staff, household=household, year=2018, **parts(wages=D("2000"), household_size=2))
    # then the same row holds the new figures
    assert second.pk == first.pk
    assert Income.objects.filter(household=household).count() == 1
    second.refresh_from_db()
    assert (second.net_income, second.per_capita_net_income) == (D("5200.50"), D("2600.25"))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"wages": 8000.0}, "wages", "Wage income must be an amount in yuan."),
        ({"wages": "8000"}, "wages", "Wage income must be an amount in yuan."),
        ({"business": D("-1")}, "business", "Household business income cannot be negative."),
        ({"transfers": D("1.005")}, "transfers", "Transfer income has more than two decimal places (fen)."),
        ({"property_income": D("NaN")}, "property_income", "Property income must be an amount in yuan."),
        ({"business_costs": D("1E10")}, "business_costs", "Business costs cannot be more than 999,999,999.99 yuan."),
        ({"household_size": 0}, "household_size", "Household members counted must be a whole number from 1 to 50."),
    ],
)
def test_bad_figures_are_refused_naming_the_field(town_staff, household, overrides, field, message):
    # when a figure is not a Decimal amount, or out of range
    with pytest.raises(ValidationError) as caught:
        income_record(user=town_staff, household=household, year=2018, **parts(**overrides))
    # then the error sits on that field and names it; nothing is written
    assert caught.value.message_dict == {field: [message]}
    assert not Income.objects.exists()


def test_a_year_before_the_register_or_in_the_future_is_refused(town_staff, household):
    next_year = timezone.localdate().year + 1
    for year in (2012, next_year):
        with pytest.raises(ValidationError) as caught:
            income_record(user=town_staff, household=household, year=year, **parts())
        assert caught.value.message_dict["year"] == [f"Year must be a year from 2013 to {next_year - 1}."]


def test_another_towns_staff_may_not_record_income(make_user, other_town, household):
    with pytest.raises(PermissionDenied):
        income_record(user=make_user(Role.TOWN_STAFF, town=other_town), household=household, year=2018, **parts())


@pytest.mark.parametrize(
    ("wages", "above", "message"),
    [
        ("10000.00", True, "Per-capita net income of 2018 is 5,000.00 yuan, above the poverty line of 3,609.00 yuan."),
        (
            "7218.00",
            False,
            "Per-capita net income of 2018 is 3,609.00 yuan, not above the poverty line of 3,609.00 yuan.",
        ),
        (
            "3000.00",
            False,
            "Per-capita net income of 2018 is 1,500.00 yuan, not above the poverty line of 3,609.00 yuan.",
        ),
    ],
)
def test_per_capita_income_is_compared_with_that_years_line(town_staff, household, wages, above, message):
    # given the 2018 line and a 2018 income of two people
    PovertyLine.objects.create(year=2018, amount=D("3609"))
    PovertyLine.objects.create(year=2017, amount=D("100"))
    income_record(user=town_staff, household=household, year=2018, **parts(
        wages=D(wages), business=D(0), transfers=D(0), business_costs=D(0), household_size=2,
    ))  # fmt: skip
    # then the standing says above or not, against 2018's line only
    standing = household_income_standing(household=household, year=2018)
    assert standing.above is above
    assert standing.message == message


def test_a_year_with_no_line_says_so(town_staff, household):
    # given income of 2018 but no poverty line entered for 2018
    income_record(user=town_staff, household=household, year=2018, **parts())
    standing = household_income_standing(household=household, year=2018)
    # then there is no verdict, and the message says the line is missing
    assert standing.above is None
    assert standing.message == (
        "Per-capita net income of 2018 is 3,733.50 yuan, but no poverty line is entered for 2018; "
        "the district office enters it."
    )
    assert household_income_standing(household=household, year=2017).message == (
        "No income is recorded for 2017, and no poverty line is entered for 2017."
    )


# Pages


def income_form(**overrides):
    data = {"year": "2018", **{name: str(value) for name, value in parts().items()}}
    return data | overrides


def test_staff_record_income_on_the_page_and_the_section_shows_the_line(client, town_staff, household):
    # given the 2018 line
    PovertyLine.objects.create(year=2018, amount=D("3609"))
    client.force_login(town_staff)
    # when town staff send the income form
    response = client.post(reverse("households:income_record", args=[household.pk]), income_form())
    # then the income is saved and they return to the household's income tab
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("households:household_detail", args=[household.pk]) + "?tab=income#tab-income"
    )
    income = Income.objects.get(household=household, year=2018)
    assert income.per_capita_net_income == D("3733.50")
    # and the household page's Income section shows the line and that the income is above it
    page = household_page(client, household.pk)
    assert 'data-year="2018" data-above="true"' in page
    assert "3609.00" in page
    assert reverse("households:income_update", args=[income.pk]) in page


def test_the_page_shows_the_services_error_on_the_field(client, town_staff, household):
    client.force_login(town_staff)
    response = client.post(
        reverse("households:income_record", args=[household.pk]), income_form(wages="-5", year="2018")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"wages": ["Wage income cannot be negative."]}
    assert not Income.objects.exists()


def test_the_edit_page_keeps_the_year(client, town_staff, household):
    # given 2018 is recorded
    income = income_record(user=town_staff, household=household, year=2018, **parts())
    client.force_login(town_staff)
    url = reverse("households:income_update", args=[income.pk])
    assert client.get(url).context["form"].initial["wages"] == D("8000.00")
    # when the form is sent with another year and other wages
    response = client.post(url, income_form(year="2017", wages="9000"))
    # then 2018 is corrected and no 2017 row appears
    assert response.status_code == 302
    income.refresh_from_db()
    assert (income.year, income.wages) == (2018, D("9000.00"))
    assert not Income.objects.filter(year=2017).exists()


def test_the_record_page_opens_on_a_recorded_year(client, town_staff, household):
    income_record(user=town_staff, household=household, year=2018, **parts())
    client.force_login(town_staff)
    response = client.get(reverse("households:income_record", args=[household.pk]) + "?year=2018")
    assert response.context["form"].initial["business"] == D("3000.50")


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
def test_other_towns_are_refused_the_income_pages(client, town_staff, household, role):
    income = income_record(user=town_staff, household=household, year=2018, **parts())
    for url in (
        reverse("households:income_record", args=[household.pk]),
        reverse("households:income_update", args=[income.pk]),
    ):
        assert_other_town_refused(client, url, role=role)
        assert_other_town_refused(client, url, role=role, method="post", data=income_form(wages="1"))
    income.refresh_from_db()
    assert income.wages == D("8000.00")
