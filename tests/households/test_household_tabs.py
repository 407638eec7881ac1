"""The household page draws its file and loads each other tab when the tab is first shown (issue 15 item 12: drawing
every tab took most of the page's 44 queries at province scale); ``?tab=`` opens the page on a tab, drawn at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.views.core import detail_sections_all
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.households.pages import HTMX

pytestmark = pytest.mark.django_db

SECTION_TEMPLATES = {section.template for section in detail_sections_all()}


@pytest.fixture
def household(village):
    household = HouseholdFactory(village=village)
    MemberFactory(household=household, name="王大山")
    return household


def detail(household, query=""):
    return reverse("households:household_detail", args=[household.pk]) + query


def tab_url(household, key):
    return reverse("households:household_tab", args=[household.pk, key])


def tab(client, household, key):
    """The tab as htmx asks for it when it is shown."""
    return client.get(tab_url(household, key), headers=HTMX)


def test_the_page_draws_no_tab_but_its_file_and_loads_each_when_shown(client, make_user, village, household):
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))

    # when the page is opened
    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail(household))

    # then no section's template was drawn, and each tab's pane loads its section from its own URL when shown
    assert response.status_code == 200
    assert not SECTION_TEMPLATES & {template.name for template in response.templates}
    html = response.content.decode()
    keys = [section.key for section in detail_sections_all()]
    assert re.findall(r'hx-get="/households/\d+/tabs/([\w-]+)/" hx-trigger="intersect once"', html) == keys
    assert "王大山" not in html
    # and the page stays a few queries whatever the household holds
    assert len(queries) <= 15

    # when the Members tab is shown, its section comes alone, without the page around it
    members = tab(client, household, "members")
    assert members.status_code == 200
    assert "王大山" in members.content.decode()
    assert "<html" not in members.content.decode()


def test_the_tab_named_in_the_address_is_open_and_drawn(client, make_user, village, household):
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))

    # when the page is opened on its Members tab (the link a loader offers without JavaScript, where a form returns)
    html = client.get(detail(household, "?tab=members")).content.decode()

    # then that tab is the active one and drawn at once, the others still load when shown
    assert "王大山" in html
    assert 'class="tab-pane fade show active" id="tab-members"' in html
    assert 'data-testid="tab-loader-members"' not in html
    assert 'data-testid="tab-loader-history"' in html
    assert 'class="nav-link" data-bs-toggle="tab" data-bs-target="#tab-file"' in html


@pytest.mark.parametrize("query", ["?tab=nothing", "?tab=", "?tab=members&tab=../../admin"])
def test_an_unknown_tab_in_the_address_opens_the_file(client, make_user, village, household, query):
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    response = client.get(detail(household, query))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="tab-pane fade show active" id="tab-file"' in html
    assert "王大山" not in html


def test_a_tab_is_refused_outside_the_users_reach_and_unknown_tabs_are_not_found(
    client, make_user, village, other_village, household
):
    # a village clerk of another village does not find the household's tabs
    client.force_login(make_user(Role.VILLAGE_CLERK, village=other_village))
    assert tab(client, household, "members").status_code == 404
    assert tab(client, household, "history").status_code == 404

    # the household's own village clerk does, and an unknown tab is not found
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))
    assert tab(client, household, "history").status_code == 200
    assert tab(client, household, "nothing").status_code == 404

    # and without signing in, the tab sends to the login page
    client.logout()
    response = tab(client, household, "members")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_tabs_address_opened_as_a_page_sends_to_the_household_page_on_that_tab(
    client, make_user, village, household
):
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))

    # when the tab's own address is opened in the browser (typed, shared), not by htmx
    response = client.get(tab_url(household, "members"))

    # then it sends to the household page open on that tab, which draws it
    assert response.status_code == 302
    assert response["Location"] == detail(household, "?tab=members#tab-members")
    assert "王大山" in client.get(response["Location"]).content.decode()
