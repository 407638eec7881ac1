"""Signed-in pages and downloads are never cached, every page carries the Content-Security-Policy, no template
holds an inline script or handler the policy would refuse, and the ID reveal log names the page from the server."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from households.models import IdNumberReveal
from organisation.roles import Role
from tests.factories.households import MemberFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_signed_in_pages_and_downloads_are_never_stored(client, make_user, village):
    # given a member and the town's staff signed in
    member = MemberFactory(household__village=village)
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))

    # when pages with personal data, a fragment and a download are read
    responses = [
        client.get(reverse("households:household_list")),
        client.get(member.household.get_absolute_url()),
        client.post(reverse("households:member_reveal_id", args=[member.pk])),
        client.get(reverse("households:import_template")),
    ]

    # then none may be stored by the browser or a proxy
    for response in responses:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]


def test_every_page_carries_the_content_security_policy(client, make_user, village):
    # given the login page, and a signed-in page
    anonymous = client.get(reverse("login"))
    client.force_login(make_user(Role.TOWN_STAFF, town=village.town))
    signed_in = client.get(reverse("households:household_list"))

    # then both carry the policy: scripts from our own origin only, no inline script, no framing
    for response in (anonymous, signed_in):
        policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"


def test_no_template_holds_an_inline_script_or_handler():
    # given every template of the site (the policy runs no inline script: static/js/lanshan.js binds behaviours)
    templates = [path for folder in settings.TEMPLATES[0]["DIRS"] for path in Path(folder).rglob("*.html")]
    assert len(templates) > 50

    # then none holds a <script> without src, or an on...= attribute
    offending = [
        str(path)
        for path in templates
        if INLINE_SCRIPT.search(text := path.read_text()) or INLINE_HANDLER.search(text)
    ]
    assert offending == []


def test_the_reveal_log_names_the_household_page_not_the_clients_referer(client, make_user, village):
    # given a member and the town's staff, whose browser sends a forged Referer
    member = MemberFactory(household__village=village)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    client.force_login(staff)

    # when the number is revealed
    client.post(reverse("households:member_reveal_id", args=[member.pk]), HTTP_REFERER="https://evil.example/x")

    # then the log names the household's page, as the server knows it
    reveal = IdNumberReveal.objects.get(user=staff, member=member)
    assert reveal.context == member.household.get_absolute_url()
