"""The data-quality rules page names each rule by its Chinese title, never by its internal code."""

import re

import pytest
from django.urls import reverse

from households.quality_rules import RULES
from organisation.roles import Role

pytestmark = pytest.mark.django_db


def test_the_rules_page_shows_titles_not_internal_rule_codes(client, make_user, town):
    # given a town's staff
    client.force_login(make_user(Role.TOWN_STAFF, town=town))
    # when they open the rules page in the default language
    html = client.get(reverse("households:quality_rules")).content.decode()
    # then no rule's code is shown as text (it stays in links and anchors only)
    text = re.sub(r"<[^>]*>", " ", html)
    assert [rule.code for rule in RULES if rule.code in text] == []
    # and the exit-income rule is named in Chinese
    assert "已脱贫但收入未高于扶贫标准" in text
