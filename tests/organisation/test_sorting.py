"""Sortable list columns: a header sorts by its column (then the other way), keeps the filters, goes back to page 1;
an unknown column is ignored, never an error."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from households.choices import Relation
from households.models import Household
from organisation.roles import Role
from organisation.sorting import SortColumn, Sorting
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.factories.organisation import VillageFactory, post_user

pytestmark = pytest.mark.django_db

COLUMNS = (SortColumn("file_number", ("file_number",)),)


def test_a_known_column_sorts_both_ways_and_an_unknown_one_is_ignored():
    households = Household.objects.all()
    assert Sorting(COLUMNS, QueryDict("sort=file_number")).apply(households).query.order_by == ("file_number", "pk")
    assert Sorting(COLUMNS, QueryDict("sort=-file_number")).apply(households).query.order_by == (
        "-file_number",
        "-pk",
    )
    ignored = Sorting(COLUMNS, QueryDict("sort=password"))
    assert ignored.key == "" and ignored.apply(households) is households


def test_the_household_list_sorts_by_members_and_keeps_its_filters(client, town):
    # given three households of 1, 3 and 2 members in a village of the town
    village = VillageFactory(town=town)
    sizes = {}
    for members in (1, 3, 2):
        household = HouseholdFactory(village=village)
        MemberFactory(household=household)
        MemberFactory.create_batch(members - 1, household=household, relation=Relation.OTHER)
        sizes[household.file_number] = members
    client.force_login(post_user(Role.DISTRICT_OFFICE))

    # when the list is sorted by members, with the town filter, then the other way
    url = reverse("households:household_list")
    ascending = client.get(url, {"town": town.pk, "sort": "members", "page": "1"})
    descending = client.get(url, {"town": town.pk, "sort": "-members"})

    # then the rows follow the column, and the header link turns the order and keeps the town
    assert [sizes[h.file_number] for h in ascending.context["object_list"]] == [1, 2, 3]
    assert [sizes[h.file_number] for h in descending.context["object_list"]] == [3, 2, 1]
    html = ascending.content.decode()
    assert f'href="?town={town.pk}&amp;sort=-members" data-sort="members" aria-sort="ascending"' in html
    assert client.get(url, {"sort": "no-such-column"}).status_code == 200


def test_the_transfer_list_sorts_by_amount(client):
    client.force_login(post_user(Role.DISTRICT_OFFICE))
    response = client.get(reverse("funds:transfer_list"), {"sort": "-amount"})
    assert response.status_code == 200
    assert response.context["sorting"].state("amount") == "desc"
    assert 'data-sort="amount" aria-sort="descending"' in response.content.decode()


def test_the_project_list_sorts_by_investment(client, town):
    # given projects of 300,000, 100,000 and 200,000 yuan
    from decimal import Decimal

    from tests.factories.projects import operating_project

    for amount in ("300000.00", "100000.00", "200000.00"):
        operating_project(town=town, investment=Decimal(amount))
    client.force_login(post_user(Role.DISTRICT_OFFICE))

    # when the list is sorted by investment
    response = client.get(reverse("projects:project_list"), {"sort": "investment"})

    # then the projects follow it
    assert [project.total_investment for project in response.context["projects"]] == [
        Decimal("100000.00"),
        Decimal("200000.00"),
        Decimal("300000.00"),
    ]
    assert 'data-sort="investment" aria-sort="ascending"' in response.content.decode()


def test_a_column_may_order_by_a_field_the_other_way():
    # given a column that orders by a field the other way (as days overdue by the due date)
    days = (SortColumn("days", ("-file_number",)),)
    households = Household.objects.all()

    # then its ascending order is the field's descending one, and the other way round
    assert Sorting(days, QueryDict("sort=days")).apply(households).query.order_by == ("-file_number", "pk")
    assert Sorting(days, QueryDict("sort=-days")).apply(households).query.order_by == ("file_number", "-pk")
