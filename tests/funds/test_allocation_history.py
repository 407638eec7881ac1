"""The allocation's History tab must not let a town work out the other towns' shares: the allotted total grows by
each town's share, so its steps are the district's to follow. A town reads the allocation's other fields' history."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from funds.models import Allocation
from organisation.roles import Role
from tests.factories.funds import ChainPeople, allocation_for
from tests.factories.organisation import VillageFactory, post_user

pytestmark = pytest.mark.django_db


def history_tab(client, user, allocation) -> str:
    client.force_login(user)
    page = client.get(reverse("funds:allocation_detail", args=[allocation.pk])).content.decode()
    return page[page.index('id="tab-history"') :]


@pytest.fixture
def allocation(town, village, other_town):
    people = ChainPeople.for_town(town, village)
    VillageFactory(town=other_town)
    allocation = allocation_for(people.district_finance, [(town, Decimal("100000")), (other_town, Decimal("250000"))])
    # and a later change of a field every reader may follow
    Allocation.objects.filter(pk=allocation.pk).update(note="追加说明")
    return allocation


def test_a_town_reads_no_allotted_steps_in_the_history(client, town, allocation):
    with translation.override("zh-hans"):
        label = str(Allocation._meta.get_field("allotted").verbose_name)
    district = history_tab(client, post_user(Role.DISTRICT_FINANCE), allocation)
    # the district follows the allotted total step by step
    assert label in district
    for role in (Role.TOWN_FINANCE, Role.TOWN_STATION, Role.TOWN_STAFF):
        shown = history_tab(client, post_user(role, town=town), allocation)
        # a town reads none of it, nor the other town's share in any form
        assert label not in shown, role
        assert "250000" not in shown and "250,000" not in shown and "350,000" not in shown, role
        # but it still reads the history of the fields it may follow
        assert "追加说明" in shown, role
