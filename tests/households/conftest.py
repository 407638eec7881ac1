"""Fixtures for the household tests: English UI text for tests marked ``english``, and town staff."""

import pytest
from django.test import Client
from django.utils import translation

from organisation.roles import Role


def _english(request) -> bool:
    return request.node.get_closest_marker("english") is not None


@pytest.fixture(autouse=True)
def english_ui(request):
    """Run a test marked ``english`` with English UI text: its strings are asserted in English, and the Chinese
    catalogue may translate them at any time."""
    if not _english(request):
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, request):
    """pytest-django's client; for a test marked ``english`` one that asks for English pages."""
    if _english(request):
        return Client(headers={"accept-language": "en"})
    return client


@pytest.fixture
def town_staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)
