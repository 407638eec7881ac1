"""Money reads with thousands separators in the Chinese pages: 2,000,000.00, not 2000000.00."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format

from organisation.roles import Role
from tests.factories.funds import allocation_for
from tests.factories.organisation import post_user

pytestmark = pytest.mark.django_db


def test_an_allocations_amount_reads_with_separators_on_its_page(client, town):
    # given an allocation of 2,000,000 yuan
    finance = post_user(Role.DISTRICT_FINANCE)
    allocation = allocation_for(finance, [(town, Decimal("2000000.00"))])
    client.force_login(finance)
    # when its page is opened in the default language
    html = client.get(reverse("funds:allocation_detail", args=[allocation.pk])).content.decode()
    # then the amount has its thousands separated
    assert '<dd class="col-sm-9">2,000,000.00</dd>' in html


def test_numbers_are_grouped_only_where_asked():
    # given the Chinese formats
    with translation.override("zh-hans"):
        # then a year or an id printed as it is stays whole, and a grouped amount is separated
        assert number_format(2026) == "2026"
        assert number_format(Decimal("2000000.00"), force_grouping=True) == "2,000,000.00"
