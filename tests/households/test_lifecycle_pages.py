"""Every lifecycle page renders for the roles that may open it, and the household page carries the three sections."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from households.choices import HouseholdStatus
from households.models import Cadre, CadreAssignment, Income, PovertyLine, StatusEvent
from organisation.roles import Role
from tests.factories.households import HouseholdFactory
from tests.households.pages import household_page

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture
def file(village):
    """A household with an income, a status change and a cadre."""
    household = HouseholdFactory(village=village, status=HouseholdStatus.MARGINAL, status_since=dt.date(2018, 3, 1))
    StatusEvent.objects.create(household=household, status=HouseholdStatus.MARGINAL, effective_on=dt.date(2018, 3, 1))
    PovertyLine.objects.create(year=2018, amount=Decimal("3609"))
    income = Income(household=household, year=2018, wages=Decimal("5000"), household_size=2)
    income.compute_totals()
    income.save()
    cadre = Cadre.objects.create(name="刘洋", work_unit="区财政局", phone="13800000001")
    CadreAssignment.objects.create(household=household, cadre=cadre, starts_on=dt.date(2018, 6, 1))
    return household, income, cadre


def lifecycle_urls(household, income, cadre):
    return {
        "income_record": reverse("households:income_record", args=[household.pk]),
        "income_update": reverse("households:income_update", args=[income.pk]),
        "status_change": reverse("households:household_status_change", args=[household.pk]),
        "exit_checklist": reverse("households:household_exit_checklist", args=[household.pk]) + "?year=2018",
        "cadre_assign": reverse("households:cadre_assign", args=[household.pk]),
        "cadre_load": reverse("households:cadre_load", args=[household.pk]) + f"?cadre={cadre.pk}",
        "without_cadre": reverse("households:households_without_cadre"),
        "cadre_list": reverse("households:cadre_list"),
        "cadre_create": reverse("households:cadre_create"),
        "cadre_detail": reverse("households:cadre_detail", args=[cadre.pk]),
        "cadre_update": reverse("households:cadre_update", args=[cadre.pk]),
    }


ROLE_LIMITED = {"status_change", "exit_checklist", "cadre_assign", "cadre_load", "cadre_list", "cadre_create"}
ROLE_LIMITED |= {"cadre_detail", "cadre_update"}


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICE, Role.TOWN_STAFF])
def test_every_page_renders_for_the_office_and_town_staff(client, make_user, town, file, role):
    client.force_login(make_user(role, town=town if role == Role.TOWN_STAFF else None))
    for name, url in lifecycle_urls(*file).items():
        assert client.get(url).status_code == 200, name


def test_a_village_clerk_opens_the_income_pages_and_is_refused_the_rest(client, make_user, village, file):
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    for name, url in lifecycle_urls(*file).items():
        assert client.get(url).status_code == (403 if name in ROLE_LIMITED else 200), name


def test_a_district_reader_sees_but_may_not_change(client, make_user, file):
    client.force_login(make_user(Role.AUDIT))
    urls = lifecycle_urls(*file)
    assert client.get(urls["cadre_list"]).status_code == 200
    assert client.get(urls["without_cadre"]).status_code == 200
    assert client.get(urls["income_record"]).status_code == 404
    assert client.get(urls["cadre_assign"]).status_code == 403


def test_the_household_page_shows_status_cadre_and_income(client, make_user, village, file):
    household, income, _cadre = file
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    page = household_page(client, household.pk)
    # the three tabs, the status history, the cadre and the year's income against its line
    for key in ("status", "cadre", "income"):
        assert f'data-bs-target="#tab-{key}"' in page
    assert 'data-testid="status-events"' in page
    assert "刘洋" in page
    assert 'data-year="2018" data-above="false"' in page
    # a village clerk records income but neither changes the status nor assigns the cadre
    assert reverse("households:income_update", args=[income.pk]) in page
    assert reverse("households:household_status_change", args=[household.pk]) not in page
    assert reverse("households:cadre_assign", args=[household.pk]) not in page
