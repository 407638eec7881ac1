"""Money on every page reads as the house shows it: thousands separated, two decimals, in any language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal("2000000"), "2,000,000.00"), (Decimal("9999.5"), "9,999.50"), (None, "—"), (Decimal("0"), "0.00")],
)
def test_the_money_filter_separates_thousands_in_every_language(language, amount, shown):
    with translation.override(language):
        rendered = Template("{% load money %}{{ amount|money }}").render(Context({"amount": amount}))
    assert rendered == shown


def test_the_dashboards_money_is_the_same_filter():
    from organisation.templatetags.money import money
    from reporting.templatetags.dashboard_tags import register

    assert register.filters["money"] is money
