"""Assistance cadres (point 13): at most five households each, held by the database; households with no cadre."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from households.models import DEFAULT_TERM_END, Cadre, CadreAssignment
from households.permissions import households_scope
from households.rules import cadre_term_end
from households.selectors.lifecycle import households_without_cadre
from households.services.lifecycle import cadre_assign
from households.views.base import PAGE_SIZE
from organisation.roles import Role
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import VillageFactory
from tests.households.pages import household_page
from tests.permission_checks import assert_other_town_refused

pytestmark = [pytest.mark.django_db, pytest.mark.english]

START = dt.date(2018, 6, 1)


@pytest.fixture
def cadre(db):
    return Cadre.objects.create(name="刘洋", work_unit="区财政局", phone="13800000001")


def households_in(village, count, prefix="H"):
    return [HouseholdFactory(village=village, file_number=f"{prefix}{village.pk}-{n}") for n in range(count)]


def helping(cadre, households):
    for household in households:
        CadreAssignment.objects.create(household=household, cadre=cadre, starts_on=START)


def test_a_cadre_is_assigned_to_the_end_of_2020_by_default(town_staff, village, cadre):
    household = HouseholdFactory(village=village)
    assignment = cadre_assign(user=town_staff, household=household, cadre=cadre, starts_on=START)
    assert (assignment.cadre, assignment.starts_on, assignment.term_ends_on, assignment.released_on) == (
        cadre,
        START,
        DEFAULT_TERM_END,
        None,
    )


def test_a_new_cadre_releases_the_one_before(town_staff, village, cadre):
    # given the household is helped by one cadre
    household = HouseholdFactory(village=village)
    before = cadre_assign(user=town_staff, household=household, cadre=cadre, starts_on=START)
    successor = Cadre.objects.create(name="陈静", work_unit="区教体局", phone="13800000002")
    # when another cadre is assigned from a later day
    after = cadre_assign(user=town_staff, household=household, cadre=successor, starts_on=dt.date(2019, 1, 1))
    # then the first is released on that day and the household has one current cadre
    before.refresh_from_db()
    assert before.released_on == dt.date(2019, 1, 1)
    assert list(CadreAssignment.objects.filter(household=household, released_on=None)) == [after]


@pytest.mark.parametrize(
    ("starts_on", "term_ends_on", "field"),
    [(dt.date(2018, 5, 1), DEFAULT_TERM_END, "starts_on"), (dt.date(2021, 1, 1), DEFAULT_TERM_END, "term_ends_on")],
)
def test_impossible_dates_are_refused(town_staff, village, cadre, starts_on, term_ends_on, field):
    household = HouseholdFactory(village=village)
    helping(Cadre.objects.create(name="王强", work_unit="区民政局", phone="1"), [household])
    with pytest.raises(ValidationError) as caught:
        cadre_assign(user=town_staff, household=household, cadre=cadre, starts_on=starts_on, term_ends_on=term_ends_on)
    assert list(caught.value.message_dict) == [field]


def test_a_sixth_household_is_refused_naming_the_cadre_and_the_five(town_staff, village, cadre):
    # given a cadre who helps five households
    five = households_in(village, 5)
    helping(cadre, five)
    sixth = HouseholdFactory(village=village)
    # when the cadre is assigned a sixth
    with pytest.raises(ValidationError) as caught:
        cadre_assign(user=town_staff, household=sixth, cadre=cadre, starts_on=START)
    # then the database refused it, and the message names the cadre and the file numbers they help
    message = caught.value.message_dict["cadre"][0]
    assert message.startswith("刘洋（区财政局） already helps 5 households, the most a cadre may help: ")
    assert all(household.file_number in message for household in five)
    assert not CadreAssignment.objects.filter(household=sixth).exists()


def test_a_town_user_is_told_only_how_many_households_elsewhere(make_user, village, other_village, cadre):
    # given the cadre helps three households here and two in another town
    here, there = households_in(village, 3), households_in(other_village, 2, prefix="X")
    helping(cadre, here + there)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    with pytest.raises(ValidationError) as caught:
        cadre_assign(user=staff, household=HouseholdFactory(village=village), cadre=cadre, starts_on=START)
    message = caught.value.message_dict["cadre"][0]
    assert all(household.file_number in message for household in here)
    assert not any(household.file_number in message for household in there)
    assert "and 2 elsewhere" in message


def test_a_released_assignment_frees_a_place(town_staff, village, cadre):
    five = households_in(village, 5)
    helping(cadre, five)
    CadreAssignment.objects.filter(household=five[0]).update(released_on=dt.date(2018, 9, 1))
    assert cadre_assign(user=town_staff, household=HouseholdFactory(village=village), cadre=cadre, starts_on=START)


def test_village_clerks_and_other_towns_may_not_assign(make_user, village, other_town, cadre):
    household = HouseholdFactory(village=village)
    for user in (make_user(Role.VILLAGE_CLERK, village=village), make_user(Role.TOWN_STAFF, town=other_town)):
        with pytest.raises(PermissionDenied):
            cadre_assign(user=user, household=household, cadre=cadre, starts_on=START)


def test_town_users_see_the_cadres_of_their_households_and_the_free_ones(make_user, village, other_village):
    # given a cadre helping here, one helping only in another town, and one helping nobody
    here, there = (
        Cadre.objects.create(name="甲", work_unit="u", phone="1"),
        Cadre.objects.create(name="乙", work_unit="u", phone="2"),
    )
    free = Cadre.objects.create(name="丙", work_unit="u", phone="3")
    helping(here, [HouseholdFactory(village=village)])
    helping(there, [HouseholdFactory(village=other_village)])
    # then town staff see the first and the free one; the district office sees all
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    assert set(households_scope(staff, queryset=Cadre.objects.all())) == {here, free}
    assert set(households_scope(make_user(Role.DISTRICT_OFFICE), queryset=Cadre.objects.all())) == {here, there, free}
    assert not households_scope(make_user(Role.VILLAGE_CLERK, village=village), queryset=Cadre.objects.all()).exists()


def test_households_with_no_cadre_are_listed_per_scope_and_town(make_user, village, other_village, cadre):
    # given two households without a cadre here, one with a cadre, and one without in another town
    bare = households_in(village, 2)
    helped = HouseholdFactory(village=village)
    helping(cadre, [helped])
    elsewhere = HouseholdFactory(village=other_village)
    # a released cadre does not count
    released = HouseholdFactory(village=village)
    CadreAssignment.objects.create(household=released, cadre=cadre, starts_on=START, released_on=dt.date(2018, 8, 1))
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    office = make_user(Role.DISTRICT_OFFICE)
    assert set(households_without_cadre(user=staff)) == {*bare, released}
    assert set(households_without_cadre(user=office)) == {*bare, released, elsewhere}
    assert list(households_without_cadre(user=office, town_id=other_village.town_id)) == [elsewhere]


# Pages


def assign_url(household):
    return reverse("households:cadre_assign", args=[household.pk])


def test_the_assign_form_says_whom_the_cadre_already_helps(client, town_staff, village, cadre):
    helping(cadre, households_in(village, 2))
    household = HouseholdFactory(village=village)
    client.force_login(town_staff)
    # the form opens with the cadre chosen, or the cadre is chosen and the partial comes back
    for response in (
        client.get(assign_url(household), {"cadre": cadre.pk}),
        client.get(reverse("households:cadre_load", args=[household.pk]), {"cadre": cadre.pk}),
    ):
        content = response.content.decode()
        assert response.context["load"].total == 2
        assert f'data-file-number="H{village.pk}-0"' in content
        assert f'data-file-number="H{village.pk}-1"' in content
        assert "3 places left." in content


def test_the_assign_form_refuses_a_sixth_household_with_the_five_named(client, town_staff, village, cadre):
    helping(cadre, households_in(village, 5))
    household = HouseholdFactory(village=village)
    client.force_login(town_staff)
    response = client.post(
        assign_url(household), {"cadre": cadre.pk, "starts_on": "2018-07-01", "term_ends_on": "2020-12-31"}
    )
    # then the form shows the refusal on the cadre, and beside it the five households
    assert response.status_code == 200
    [error] = response.context["form"].errors["cadre"]
    assert f"H{village.pk}-4" in error
    assert response.context["load"].full
    assert not CadreAssignment.objects.filter(household=household).exists()


def test_the_assign_form_assigns(client, town_staff, village, cadre):
    household = HouseholdFactory(village=village)
    client.force_login(town_staff)
    response = client.post(
        assign_url(household), {"cadre": cadre.pk, "starts_on": "2018-07-01", "term_ends_on": "2020-12-31"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#tab-cadre")
    assert CadreAssignment.objects.get(household=household, released_on=None).cadre == cadre
    # and the household page's Cadre section names the cadre
    page = household_page(client, household.pk)
    assert 'data-testid="cadre-section"' in page
    assert "区财政局" in page


def test_the_list_of_households_with_no_cadre_pages_and_filters(client, make_user, village, other_village):
    households_in(village, PAGE_SIZE + 1)
    households_in(other_village, 1, prefix="X")
    client.force_login(make_user(Role.DISTRICT_OFFICE))
    url = reverse("households:households_without_cadre")
    first = client.get(url)
    assert first.context["paginator"].count == PAGE_SIZE + 2
    filtered = client.get(url, {"town": other_village.town_id})
    assert [household.file_number for household in filtered.context["object_list"]] == [f"X{other_village.pk}-0"]


def test_the_list_of_households_with_no_cadre_hides_other_towns(client, make_user, village, other_village):
    households_in(other_village, 1, prefix="X")
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    response = client.get(reverse("households:households_without_cadre"))
    assert f"X{other_village.pk}-0" not in response.content.decode()
    client.force_login(make_user(Role.VILLAGE_CLERK, village=VillageFactory(town=village.town)))
    assert client.get(reverse("households:households_without_cadre")).context["paginator"].count == 0


def test_the_cadre_list_searches_and_hides_other_towns_cadres(client, make_user, village, other_village):
    here = Cadre.objects.create(name="孙丽", work_unit="区卫健局", phone="1")
    there = Cadre.objects.create(name="孙强", work_unit="区卫健局", phone="2")
    helping(here, [HouseholdFactory(village=village)])
    helping(there, [HouseholdFactory(village=other_village)])
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    response = client.get(reverse("households:cadre_list"), {"q": "孙"})
    assert list(response.context["object_list"]) == [here]
    assert response.context["object_list"][0].households_helped == 1
    assert_other_town_refused(client, reverse("households:cadre_detail", args=[there.pk]), role=Role.TOWN_STAFF)


def test_town_staff_enter_a_cadre_and_village_clerks_may_not(client, town_staff, make_user, village):
    client.force_login(town_staff)
    data = {"name": "周敏", "work_unit": "区农业农村局", "phone": "13900000000"}
    response = client.post(reverse("households:cadre_create"), data)
    cadre = Cadre.objects.get(name="周敏")
    assert response["Location"] == reverse("households:cadre_detail", args=[cadre.pk])
    # a cadre helping nobody yet is visible to town staff, to be assigned
    assert client.get(response["Location"]).status_code == 200
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    assert client.post(reverse("households:cadre_create"), data).status_code == 403
    assert client.get(reverse("households:cadre_list")).status_code == 403
    assert Cadre.objects.count() == 1


def test_town_staff_edit_a_cadre_of_their_households(client, town_staff, village, cadre):
    helping(cadre, [HouseholdFactory(village=village)])
    client.force_login(town_staff)
    url = reverse("households:cadre_update", args=[cadre.pk])
    response = client.post(url, {"name": "刘洋", "work_unit": "区财政局", "phone": "13811111111"})
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.phone == "13811111111"


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
def test_other_towns_are_refused_the_cadre_pages(client, village, cadre, role):
    # given a cadre helping a household of this town, and a household with no cadre
    helping(cadre, [HouseholdFactory(village=village)])
    household = HouseholdFactory(village=village)
    assign = {"cadre": cadre.pk, "starts_on": "2018-07-01", "term_ends_on": "2020-12-31"}
    edit = {"name": "x", "work_unit": "y", "phone": "z"}
    assert_other_town_refused(client, assign_url(household), role=role)
    assert_other_town_refused(client, assign_url(household), role=role, method="post", data=assign)
    assert_other_town_refused(
        client, reverse("households:cadre_load", args=[household.pk]) + f"?cadre={cadre.pk}", role=role
    )
    assert_other_town_refused(client, reverse("households:cadre_detail", args=[cadre.pk]), role=role)
    assert_other_town_refused(client, reverse("households:cadre_update", args=[cadre.pk]), role=role)
    assert_other_town_refused(
        client, reverse("households:cadre_update", args=[cadre.pk]), role=role, method="post", data=edit
    )
    # the lists and the new-cadre form hold no town's records: village clerks are refused them outright
    if role == Role.VILLAGE_CLERK:
        assert_other_town_refused(client, reverse("households:cadre_list"), role=role)
        assert_other_town_refused(client, reverse("households:cadre_create"), role=role)
        assert_other_town_refused(client, reverse("households:cadre_create"), role=role, method="post", data=edit)
    cadre.refresh_from_db()
    assert cadre.name == "刘洋"
    assert not CadreAssignment.objects.filter(household=household).exists()


@pytest.mark.parametrize(
    ("starts_on", "term_ends_on"),
    [
        (dt.date(2018, 6, 1), DEFAULT_TERM_END),  # the plan's term: to the end of 2020
        (dt.date(2020, 12, 31), DEFAULT_TERM_END),
        (dt.date(2021, 3, 1), dt.date(2021, 12, 31)),  # later: the end of the year it starts, never before it
    ],
)
def test_a_term_ends_at_the_end_of_2020_or_of_the_year_it_starts_if_later(starts_on, term_ends_on):
    assert cadre_term_end(starts_on) == term_ends_on >= starts_on


def test_the_assign_forms_defaults_are_accepted_as_they_are(client, town_staff, village, cadre):
    # given the assign form as it opens today
    household = HouseholdFactory(village=village)
    client.force_login(town_staff)
    form = client.get(assign_url(household), {"cadre": cadre.pk}).context["form"]
    today = timezone.localdate()
    assert form.initial["starts_on"] == today
    assert form.initial["term_ends_on"] == cadre_term_end(today) >= today
    # when it is sent with its defaults
    response = client.post(
        assign_url(household),
        {
            "cadre": cadre.pk,
            "starts_on": form.initial["starts_on"].isoformat(),
            "term_ends_on": form.initial["term_ends_on"].isoformat(),
        },
    )
    # then the cadre is assigned
    assert response.status_code == 302
    assignment = CadreAssignment.objects.get(household=household, released_on=None)
    assert (assignment.cadre, assignment.term_ends_on) == (cadre, cadre_term_end(today))


def test_a_full_cadre_is_shown_as_full_and_cannot_be_chosen_in_the_select(client, town_staff, village, cadre):
    # given a cadre helping five households and one helping four
    helping(cadre, households_in(village, 5))
    other = Cadre.objects.create(name="王芳", work_unit="区教育局", phone="13800000002")
    helping(other, households_in(village, 4, prefix="K"))
    household = HouseholdFactory(village=village)
    client.force_login(town_staff)
    # when the assign form opens
    content = client.get(assign_url(household)).content.decode()
    # then the full cadre's option is disabled and marked full, the other one is offered
    full = re.search(rf'<option value="{cadre.pk}"[^>]*>[^<]*</option>', content).group(0)
    free = re.search(rf'<option value="{other.pk}"[^>]*>[^<]*</option>', content).group(0)
    assert "disabled" in full and "(full: 5 households)" in full
    assert "disabled" not in free and "full" not in free
