"""Fixtures of the jobs tests: a district office user, a town-staff user, and a queue no other worker reads."""

import uuid

import pytest

from lanshan.celery import app as celery_app
from organisation.roles import Role


@pytest.fixture
def town_staff_user(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


@pytest.fixture
def private_queue():
    """A queue name of this test run only: a worker left running elsewhere on the test Redis never takes our task."""
    name = f"jobs-test-{uuid.uuid4().hex[:12]}"
    yield name
    # Kombu leaves the queue's binding keys in Redis; they would pile up one set per test run.
    with celery_app.connection_for_write() as connection:
        connection.default_channel.client.delete(f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
