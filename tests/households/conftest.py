"""Fixtures for the household tests: town staff."""

import pytest

from organisation.roles import Role


@pytest.fixture
def town_staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)
