"""Status changes with a dated history: exit only when the checklist passes, return only with its cause."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from households.choices import HouseholdStatus, HousingGrade, Relation, ReturnCause, SchoolStage, WaterSource
from households.models import Household, Income, PovertyLine, StatusEvent
from households.services.lifecycle import household_status_change
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, member_born
from tests.households.pages import household_page
from tests.permission_checks import assert_other_town_refused

pytestmark = [pytest.mark.django_db, pytest.mark.english]

EXIT_DAY = dt.date(2018, 12, 20)


def income_of(household, year, wages):
    income = Income(household=household, year=year, wages=Decimal(wages), household_size=2)
    income.compute_totals()
    income.save()


@pytest.fixture
def ready(village):
    """A household meeting the 2018 exit standard."""
    household = HouseholdFactory(
        village=village, food_and_clothing_secure=True, housing_grade=HousingGrade.A, water_source=WaterSource.TAP
    )
    member_born(household, dt.date(1970, 1, 1), relation=Relation.HEAD)
    member_born(household, dt.date(2007, 9, 1), relation=Relation.DAUGHTER, school_stage=SchoolStage.PRIMARY)
    PovertyLine.objects.create(year=2018, amount=Decimal("3609"))
    income_of(household, 2018, "10000")
    return household


@pytest.fixture
def not_ready(village):
    """A household failing several items: no income, food and clothing not secure, house not appraised."""
    household = HouseholdFactory(village=village, water_source=WaterSource.TAP)
    member_born(household, dt.date(1970, 1, 1), relation=Relation.HEAD)
    PovertyLine.objects.create(year=2018, amount=Decimal("3609"))
    return household


def change(user, household, status, effective_on=EXIT_DAY, **extra):
    return household_status_change(user=user, household=household, status=status, effective_on=effective_on, **extra)


def test_a_status_change_writes_a_dated_event_and_the_households_status(town_staff, ready):
    # when town staff mark a ready household out of poverty, policies continuing
    event = change(town_staff, ready, HouseholdStatus.OUT_CONTINUING, note="  年度脱贫  ")
    # then the event and the household agree, in one transaction
    ready.refresh_from_db()
    assert (ready.status, ready.status_since) == (HouseholdStatus.OUT_CONTINUING, EXIT_DAY)
    assert (event.status, event.effective_on, event.recorded_by, event.note) == (
        HouseholdStatus.OUT_CONTINUING,
        EXIT_DAY,
        town_staff,
        "年度脱贫",
    )


@pytest.mark.parametrize("status", [HouseholdStatus.OUT_CONTINUING, HouseholdStatus.OUT_ENDED])
def test_exit_is_refused_with_every_failed_items_reason(town_staff, not_ready, status):
    # when a household failing three items is marked out of poverty
    with pytest.raises(ValidationError) as caught:
        change(town_staff, not_ready, status)
    # then the refusal lists each failed item with its reason, and nothing is written
    assert caught.value.messages == [
        "The household cannot be marked out of poverty: the exit checklist fails.",
        "Income above the poverty line: No income is recorded for 2018.",
        "No worry about food and clothing: Food and clothing are not recorded as secure.",
        "Safe housing: The house has not been appraised for safety.",
    ]
    not_ready.refresh_from_db()
    assert not_ready.status == HouseholdStatus.NOT_OUT
    assert not StatusEvent.objects.exists()


def test_the_checklist_of_the_effective_dates_year_decides(town_staff, ready):
    # given the household meets the standard of 2018 but has no 2019 income
    with pytest.raises(ValidationError) as caught:
        change(town_staff, ready, HouseholdStatus.OUT_CONTINUING, effective_on=dt.date(2019, 1, 5))
    assert (
        "Income above the poverty line: No income is recorded for 2019, and no poverty line"
        in caught.value.messages[1]
    )


def test_returned_without_a_cause_is_refused(town_staff, ready):
    # given a household out of poverty
    change(town_staff, ready, HouseholdStatus.OUT_CONTINUING)
    # when it is marked returned to poverty with no cause
    with pytest.raises(ValidationError) as caught:
        change(town_staff, ready, HouseholdStatus.RETURNED, effective_on=dt.date(2019, 6, 1))
    # then the cause is asked for; the household stays out
    assert caught.value.message_dict == {
        "return_cause": ["Say why the household returned to poverty: illness or disaster (work plan point 12)."]
    }
    ready.refresh_from_db()
    assert ready.status == HouseholdStatus.OUT_CONTINUING


@pytest.mark.parametrize("cause", [ReturnCause.ILLNESS, ReturnCause.DISASTER])
def test_returned_with_illness_or_disaster_is_recorded(town_staff, ready, cause):
    change(town_staff, ready, HouseholdStatus.OUT_CONTINUING)
    event = change(town_staff, ready, HouseholdStatus.RETURNED, effective_on=dt.date(2019, 6, 1), return_cause=cause)
    ready.refresh_from_db()
    assert (ready.status, ready.status_since, event.return_cause) == (
        HouseholdStatus.RETURNED,
        dt.date(2019, 6, 1),
        cause,
    )
    # and the history keeps both changes, in order
    assert list(StatusEvent.objects.filter(household=ready).values_list("status", flat=True)) == [
        HouseholdStatus.OUT_CONTINUING,
        HouseholdStatus.RETURNED,
    ]


def test_a_marginal_household_falling_back_is_returned_with_its_cause(town_staff, ready):
    # point 12: a near-line household falling back through illness or disaster is taken back in
    change(town_staff, ready, HouseholdStatus.MARGINAL, effective_on=dt.date(2018, 3, 1))
    change(town_staff, ready, HouseholdStatus.RETURNED, return_cause=ReturnCause.DISASTER)
    ready.refresh_from_db()
    assert ready.status == HouseholdStatus.RETURNED


@pytest.mark.parametrize(
    ("status", "extra", "effective_on", "errors"),
    [
        (
            HouseholdStatus.RETURNED,
            {"return_cause": ReturnCause.ILLNESS},
            EXIT_DAY,
            {
                "status": [
                    "Only a household that is out of poverty or marginal can return to poverty; "
                    "this one is “Not yet out of poverty”."
                ]
            },
        ),
        (
            HouseholdStatus.MARGINAL,
            {"return_cause": ReturnCause.ILLNESS},
            EXIT_DAY,
            {"return_cause": ["A cause of return is recorded only when the household returns to poverty."]},
        ),
        (
            HouseholdStatus.NOT_OUT,
            {},
            EXIT_DAY,
            {"status": ["The household's status is already “Not yet out of poverty”."]},
        ),
        (
            HouseholdStatus.MARGINAL,
            {},
            timezone.localdate() + dt.timedelta(days=1),
            {"effective_on": ["The date a status takes effect cannot be in the future."]},
        ),
    ],
)
def test_impossible_changes_are_refused(town_staff, ready, status, extra, effective_on, errors):
    with pytest.raises(ValidationError) as caught:
        change(town_staff, ready, status, effective_on=effective_on, **extra)
    assert caught.value.message_dict == errors
    assert not StatusEvent.objects.exists()


def test_a_change_cannot_take_effect_before_the_present_status(town_staff, ready):
    change(town_staff, ready, HouseholdStatus.OUT_CONTINUING)
    with pytest.raises(ValidationError) as caught:
        change(town_staff, ready, HouseholdStatus.MARGINAL, effective_on=dt.date(2018, 12, 1))
    assert caught.value.message_dict["effective_on"] == [
        "The household has had its present status since 2018-12-20; a change cannot take effect before that."
    ]


def test_village_clerks_and_other_towns_may_not_change_status(make_user, village, other_town, ready):
    for user in (make_user(Role.VILLAGE_CLERK, village=village), make_user(Role.TOWN_STAFF, town=other_town)):
        with pytest.raises(PermissionDenied):
            change(user, ready, HouseholdStatus.OUT_CONTINUING)
    assert not StatusEvent.objects.exists()


# Pages


def status_url(household):
    return reverse("households:household_status_change", args=[household.pk])


def checklist_url(household):
    return reverse("households:household_exit_checklist", args=[household.pk])


def test_the_status_page_shows_the_checklist_and_refuses_exit_with_reasons(client, town_staff, not_ready):
    client.force_login(town_staff)
    # when the page opens, the checklist of this year is shown with the form
    page = client.get(status_url(not_ready))
    assert page.status_code == 200
    assert 'id="exit-checklist"' in page.content.decode()
    assert f'hx-get="{checklist_url(not_ready)}"' in page.content.decode()
    # when exit is asked for on 2018-12-20
    response = client.post(
        status_url(not_ready), {"status": HouseholdStatus.OUT_CONTINUING, "effective_on": "2018-12-20"}
    )
    # then the page comes back with each reason, and the checklist of 2018 beside it
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "Safe housing: The house has not been appraised for safety." in errors
    assert response.context["checklist_year"] == 2018
    assert 'data-key="safe_housing" data-passed="false"' in response.content.decode()
    not_ready.refresh_from_db()
    assert not_ready.status == HouseholdStatus.NOT_OUT


def test_the_status_page_records_an_exit_that_passes(client, town_staff, ready):
    client.force_login(town_staff)
    response = client.post(status_url(ready), {"status": HouseholdStatus.OUT_ENDED, "effective_on": "2018-12-20"})
    assert response.status_code == 302
    assert response["Location"].endswith("#tab-status")
    assert Household.objects.get(pk=ready.pk).status == HouseholdStatus.OUT_ENDED
    # and the household page's section lists the dated event
    page = household_page(client, ready.pk)
    assert 'data-testid="status-events"' in page
    assert "2018-12-20" in page


def test_a_return_without_cause_is_refused_on_the_page(client, town_staff, ready):
    change(town_staff, ready, HouseholdStatus.OUT_CONTINUING)
    client.force_login(town_staff)
    response = client.post(status_url(ready), {"status": HouseholdStatus.RETURNED, "effective_on": "2019-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["return_cause"] == [
        "Say why the household returned to poverty: illness or disaster (work plan point 12)."
    ]


def test_the_checklist_partial_follows_the_chosen_date(client, town_staff, ready):
    client.force_login(town_staff)
    # the date of 2018 shows 2018 passing; a date in 2019 shows 2019 failing on income
    passing = client.get(checklist_url(ready), {"effective_on": "2018-12-20"})
    assert passing.context["checklist_year"] == 2018
    assert 'data-passed="true"' in passing.content.decode().split(">", 1)[0]
    failing = client.get(checklist_url(ready), {"year": "2019"})
    assert failing.context["checklist_year"] == 2019
    assert 'data-key="income" data-passed="false"' in failing.content.decode()


def test_a_village_clerk_is_refused_the_status_page(client, make_user, village, ready):
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    assert client.get(status_url(ready)).status_code == 403


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
def test_other_towns_are_refused_the_status_pages(client, ready, role):
    data = {"status": HouseholdStatus.OUT_CONTINUING, "effective_on": "2018-12-20"}
    assert_other_town_refused(client, status_url(ready), role=role)
    assert_other_town_refused(client, status_url(ready), role=role, method="post", data=data)
    assert_other_town_refused(client, checklist_url(ready) + "?year=2018", role=role)
    ready.refresh_from_db()
    assert ready.status == HouseholdStatus.NOT_OUT
