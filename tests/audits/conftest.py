"""Fixtures of the audits tests: uploaded evidence goes to a temporary MEDIA_ROOT; the posts the tests act as."""

import pytest

from organisation.roles import Role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def office(make_user):
    return make_user(Role.DISTRICT_OFFICE)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


@pytest.fixture
def other_staff(make_user, other_town):
    return make_user(Role.TOWN_STAFF, town=other_town)


@pytest.fixture
def auditor(make_user):
    """The audit bureau and discipline commission's post."""
    return make_user(Role.AUDIT)
