"""The lists' village filters (``organisation.scoping.village_filter_choices``): the district office is offered the
villages of the town it chose (or the one a drill-down names), never every village of the district in one select;
town staff and village clerks are offered the villages they reach. And the scope's condition
(``organisation.scoping.restrict``) is one ``= ANY(ARRAY(...))`` the planner estimates as a short list."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm, get_objects_for_user

from households.choices import PovertyCause
from households.models import Household
from households.permissions import households_scope
from organisation.models import Town, Village
from organisation.roles import Role
from organisation.scoping import Access, reach_of, village_filter_choices
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import VillageFactory

pytestmark = pytest.mark.django_db

LISTS = ("funds:transfer_list", "funds:loan_list", "projects:project_list")


def _village_options(html: str) -> set[str]:
    """The values of the options of the page's village filter (none when the page shows no village filter)."""
    select = re.search(r'<select[^>]*name="village"[^>]*>(.*?)</select>', html, re.S)
    if select is None:
        return set()
    return {value for value in re.findall(r'<option value="([^"]*)"', select.group(1)) if value}


@pytest.mark.parametrize("url_name", LISTS)
def test_the_district_picks_a_town_before_its_villages(client, office_user, town, other_town, url_name):
    mine = VillageFactory.create_batch(2, town=town)
    theirs = VillageFactory(town=other_town)
    client.force_login(office_user)
    url = reverse(url_name)

    assert _village_options(client.get(url).content.decode()) == set()
    assert _village_options(client.get(url, {"town": town.pk}).content.decode()) == {str(v.pk) for v in mine}
    # A figure's drill-down names a village without its town: that village is offered, chosen.
    assert _village_options(client.get(url, {"village": theirs.pk}).content.decode()) == {str(theirs.pk)}


@pytest.mark.parametrize("url_name", LISTS)
def test_town_staff_are_offered_every_village_of_their_town(client, make_user, town, other_town, url_name):
    mine = VillageFactory.create_batch(3, town=town)
    VillageFactory(town=other_town)
    client.force_login(make_user(Role.TOWN_STAFF, town=town))

    assert _village_options(client.get(reverse(url_name)).content.decode()) == {str(v.pk) for v in mine}


def test_a_village_named_outside_the_reach_is_not_offered(make_user, town, other_town):
    mine, theirs = VillageFactory(town=town), VillageFactory(town=other_town)
    staff = make_user(Role.TOWN_STAFF, town=town)

    assert list(village_filter_choices(staff, {"village": str(theirs.pk)})) == [mine]
    assert list(village_filter_choices(staff, {"town": str(other_town.pk)})) == []


def test_the_scope_is_one_condition_on_the_records_village_column(make_user, village):
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    sql = str(households_scope(clerk).query)

    assert re.search(rf'WHERE "households_household"\."village_id" IN \({village.pk}\)( ORDER BY|$)', sql), sql


def test_a_page_reads_the_reach_once(client, make_user, village):
    """The household page asks five scopes (the page, its sections, its buttons): guardian's tables are read once,
    not in every query."""
    household = HouseholdFactory(village=village)
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("households:household_detail", args=[household.pk])).status_code == 200

    reads = [query["sql"] for query in queries.captured_queries if "objectpermission" in query["sql"]]
    # one query for both accesses (view and change): the towns, the villages granted and the villages reached
    assert len(reads) == 1, reads


def test_the_scope_plan_reads_the_village_index(make_user, village):
    """With many households in other villages, a village clerk's households are read through the village column's
    index (the estimate is a short list), not by walking the whole table."""
    other = VillageFactory(town=village.town)
    Household.objects.bulk_create(
        [
            Household(file_number=f"F{n:06d}", village=other, main_cause=PovertyCause.ILLNESS, year_identified=2015)
            for n in range(3000)
        ]
        + [
            Household(file_number=f"M{n:06d}", village=village, main_cause=PovertyCause.ILLNESS, year_identified=2015)
            for n in range(5)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE households_household")
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    plan = households_scope(clerk).order_by("file_number").explain()

    assert "Seq Scan on households_household" not in plan, plan
    assert households_scope(clerk).count() == 5


def test_the_reach_read_in_one_statement_is_guardians(make_user, town, other_town):
    """``organisation.scoping``'s one-statement read of the reach gives what guardian's own query gives, for grants
    to the user and to a group of theirs, on towns and on villages, for each access."""
    VillageFactory.create_batch(2, town=town)
    theirs = VillageFactory.create_batch(3, town=other_town)
    user = make_user(Role.TOWN_STAFF, town=town)
    group = Group.objects.create(name="pairing team")
    user.groups.add(group)
    assign_perm("organisation.view_village_records", group, theirs[0])
    assign_perm("organisation.change_village_records", user, theirs[1])

    for access in Access:
        reach = reach_of(user, access)
        towns = get_objects_for_user(
            user, f"organisation.{access}_town_records", Town, with_superuser=False, accept_global_perms=False
        )
        direct = get_objects_for_user(
            user, f"organisation.{access}_village_records", Village, with_superuser=False, accept_global_perms=False
        )
        villages = Village.objects.filter(Q(town__in=towns) | Q(pk__in=direct))
        assert sorted(reach.towns) == sorted(towns.values_list("pk", flat=True)), access
        assert sorted(reach.direct_villages) == sorted(direct.values_list("pk", flat=True)), access
        assert sorted(reach.villages) == sorted(villages.values_list("pk", flat=True)), access
    assert theirs[0].pk in reach_of(user, Access.VIEW).villages
    assert theirs[1].pk in reach_of(user, Access.CHANGE).villages
    assert theirs[2].pk not in reach_of(user, Access.VIEW).villages
