"""The household's History tab tells its members' changes too (name, ID number), the numbers masked."""

import pytest
from django.urls import reverse

from households.id_numbers import id_number_mask
from organisation.roles import Role
from tests.factories.households import MemberFactory, valid_id_number
from tests.households.pages import HTMX

pytestmark = pytest.mark.django_db


def history_tab_of(client, household_id: int) -> str:
    """The household page's History tab, as it loads when shown."""
    response = client.get(reverse("households:household_tab", args=[household_id, "history"]), headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_a_members_new_name_and_id_number_show_on_the_households_history_masked(client, make_user, village):
    # given a member, changed by the town's staff through the member form
    member = MemberFactory(household__village=village, name="王旧名")
    old_number, new_number = member.id_number, valid_id_number()
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    client.force_login(staff)
    url = reverse("households:member_update", args=[member.household.pk, member.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    response = client.post(url, {**data, "name": "王新名", "id_number": new_number})
    assert response.status_code == 302

    # when the household page is read
    tab = history_tab_of(client, member.household_id)

    # then its History tab names the member, the old and new names, who and where, and the numbers only masked
    assert "王旧名" in tab and "王新名" in tab
    assert staff.username in tab and url in tab
    assert id_number_mask(old_number) in tab and id_number_mask(new_number) in tab
    assert old_number not in tab and new_number not in tab


def test_a_member_added_and_removed_shows_on_the_households_history(village):
    # given a household whose member is added, then removed
    from django.template import Context, Template

    member = MemberFactory(household__village=village, name="李某")
    household, number = member.household, member.id_number
    member.delete()

    # when its history tab is drawn
    html = Template("{% load history_tags %}{% history_tab obj %}").render(Context({"obj": household}))

    # then both events name the member, the number masked
    assert html.count("李某") >= 2
    assert id_number_mask(number) in html and number not in html
