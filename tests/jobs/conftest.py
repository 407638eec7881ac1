"""Fixtures of the jobs tests: a town-staff user (``private_queue`` and ``worker``: tests/fixtures/workers.py)."""

import pytest

from organisation.roles import Role


@pytest.fixture
def town_staff_user(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)
