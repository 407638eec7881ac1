"""The ids-first paginator gives the pages Django's own paginator gives, in the same order."""

import pytest
from django.core.paginator import Paginator

from organisation.models import Village
from organisation.pagination import IdsFirstPaginator
from tests.factories.organisation import TownFactory, VillageFactory


@pytest.mark.parametrize("per_page, orphans", [(3, 0), (4, 2), (25, 0)])
def test_every_page_holds_what_djangos_paginator_puts_there(db, per_page, orphans):
    # given villages of two towns, listed by town then by name descending
    for town in (TownFactory(), TownFactory()):
        for index in range(7):
            VillageFactory(town=town, name=f"村{index:02d}")
    villages = Village.objects.select_related("town").order_by("town__name", "-name")
    # when both paginators cut the list into pages
    ours = IdsFirstPaginator(villages, per_page, orphans=orphans)
    djangos = Paginator(villages, per_page, orphans=orphans)
    # then every page holds the same villages in the same order, with their towns already read
    assert ours.num_pages == djangos.num_pages
    for number in djangos.page_range:
        page = ours.page(number)
        assert [village.pk for village in page] == [village.pk for village in djangos.page(number)]
        assert all("town" in village._state.fields_cache for village in page)
