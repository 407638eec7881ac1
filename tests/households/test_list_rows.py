"""The household list's rows: each with its member count, and a page whose count does not read the members (the
load test, bin/loadtest: the join grouped by household counted the members of all 400,000 households first)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.selectors.households import household_list_rows
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, MemberFactory, member_born


def test_each_row_has_its_own_member_count_and_sorts_by_it(make_user, village):
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    empty = HouseholdFactory(village=village)
    one = MemberFactory(household__village=village).household
    three = MemberFactory(household__village=village).household
    member_born(three)
    member_born(three)

    rows = household_list_rows(user=staff)

    assert {row.pk: row.member_count for row in rows} == {empty.pk: 0, one.pk: 1, three.pk: 3}
    assert [row.pk for row in rows.order_by("-member_count")] == [three.pk, one.pk, empty.pk]


def test_the_page_shows_the_counts_and_its_paginator_counts_households_alone(client, make_user, village):
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    household = MemberFactory(household__village=village).household
    member_born(household)
    client.force_login(staff)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("households:household_list"))

    assert response.status_code == 200
    assert [row.member_count for row in response.context["object_list"]] == [2]
    counts = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT COUNT(")]
    assert counts, "the paginator counts the households"
    assert not [sql for sql in counts if "households_member" in sql], counts
