"""Fixtures every test can use: the organisation tree and users holding a post in it."""

import pytest
from django.test import Client
from django.utils import translation

from organisation.roles import Role
from tests.factories.organisation import TownFactory, UserFactory, VillageFactory, post_user

pytest_plugins = ["tests.fixtures.database", "tests.fixtures.clock", "tests.fixtures.workers"]

# The slow lanes: a test using one of these fixtures carries the marker, so `-m "not browser and not
# celery_worker"` leaves it out (README, "Development").
LANE_FIXTURES = {
    "browser": {"page", "browser", "live_server"},
    "celery_worker": {"worker"},
}


def pytest_collection_modifyitems(items):
    for item in items:
        for marker, fixtures in LANE_FIXTURES.items():
            if fixtures & set(item.fixturenames) and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


@pytest.fixture
def town(db):
    return TownFactory(name="汪沟镇")


@pytest.fixture
def other_town(db):
    return TownFactory(name="方城镇")


@pytest.fixture
def village(town):
    return VillageFactory(town=town)


@pytest.fixture
def other_village(other_town):
    return VillageFactory(town=other_town)


@pytest.fixture
def make_user(db):
    """make_user(Role.TOWN_STAFF, town=town) -> a user holding that post."""

    def make(role: Role, *, town=None, village=None, **user_fields):
        return post_user(role, town=town, village=village, **user_fields)

    return make


@pytest.fixture
def office_user(make_user):
    return make_user(Role.DISTRICT_OFFICE)


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


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
