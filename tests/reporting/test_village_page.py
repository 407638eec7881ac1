"""The village page: its households, projects, ledger items and open data-quality problems, counted, the latest few
shown, each with the link to the filtered list; a village outside the user's reach is a 404."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import ProblemClass
from organisation.roles import Role
from tests.factories.audits import item_raised
from tests.factories.household_records import quality_problem
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import VillageFactory, post_user
from tests.factories.projects import operating_project
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db


def count_of(html: str, key: str) -> int:
    return int(re.search(rf'data-testid="village-count-{key}">(\d+)<', html).group(1))


def test_the_village_clerk_sees_their_village_s_figures_and_links(client, town, village):
    # given two households, a project, a ledger item and an open problem in the village, and the same in a neighbour
    neighbour = VillageFactory(town=town)
    households = [HouseholdFactory(village=village) for _ in range(2)]
    HouseholdFactory(village=neighbour)
    project = operating_project(town=town, villages=[village], name="王家庄光伏电站")
    operating_project(town=town, villages=[neighbour])
    office = post_user(Role.DISTRICT_OFFICE)
    item = item_raised(office, town, village=village, description="村级台账缺页")
    item_raised(office, town, village=neighbour)
    found = timezone.now() - dt.timedelta(days=1)
    quality_problem(households[0], ProblemClass.INFORMATION, found_at=found)
    quality_problem(HouseholdFactory(village=neighbour), ProblemClass.INFORMATION, found_at=found)
    clerk = post_user(Role.VILLAGE_CLERK, town=town, village=village)
    client.force_login(clerk)

    # when the clerk opens the village page
    response = client.get(reverse("reporting:village_overview", args=[village.pk]))

    # then it counts the village's records only, shows the latest, and links to the lists filtered to the village
    assert response.status_code == 200
    html = response.content.decode()
    assert (count_of(html, "households"), count_of(html, "projects")) == (2, 1)
    assert (count_of(html, "ledger"), count_of(html, "problems")) == (1, 1)
    assert count_of(html, "transfers") == 0
    assert households[1].file_number in html and project.code in html and item.number in html
    household_list = reverse("households:household_list")
    assert f'href="{household_list}?village={village.pk}" data-testid="village-link-households"' in html
    assert f"{reverse('funds:transfer_list')}?town={town.pk}&amp;village={village.pk}" in html
    assert f"{reverse('projects:project_list')}?town={town.pk}&amp;village={village.pk}" in html
    # and the ledger's and the problems' lists, followed from the page, hold the village's rows only
    ledger = client.get(reverse("audits:item_list"), {"town": town.pk, "village": village.pk})
    assert [row.pk for row in ledger.context["object_list"]] == [item.pk]
    problems = client.get(reverse("households:quality_problems"), {"town": town.pk, "village": village.pk})
    assert [row.household_id for row in problems.context["object_list"]] == [households[0].pk]
    assert 'data-testid="village-filter"' in problems.content.decode()
    # and the village's record page and the clerk's home (the village's dashboard) link to it
    overview = reverse("reporting:village_overview", args=[village.pk])
    assert overview in client.get(reverse("organisation:village_detail", args=[village.pk])).content.decode()
    assert overview in client.get(reverse("home")).content.decode()


def test_another_town_s_user_gets_a_404(client, village):
    response = assert_other_town_refused(
        client, reverse("reporting:village_overview", args=[village.pk]), role=Role.TOWN_STAFF
    )
    assert response.status_code == 404
