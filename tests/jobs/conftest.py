"""Fixtures of the jobs tests: a district office user, a town-staff user, and a queue no other worker reads."""

import uuid

import pytest
from django.contrib.auth import get_user_model

from lanshan.celery import app as celery_app
from organisation.models import District, Town
from organisation.roles import Role
from organisation.services import staff_post_assign


@pytest.fixture
def wanggou(db):
    district = District.objects.create(name="兰山区", code="371302")
    return Town.objects.create(district=district, name="汪沟镇", kind="town", code="371302109")


@pytest.fixture
def district_office_user(db):
    user = get_user_model().objects.create_user(username="office", password="x")
    staff_post_assign(user=user, role=Role.DISTRICT_OFFICE)
    return user


@pytest.fixture
def town_staff_user(wanggou):
    user = get_user_model().objects.create_user(username="wanggou-staff", password="x")
    staff_post_assign(user=user, role=Role.TOWN_STAFF, town=wanggou)
    return user


@pytest.fixture
def private_queue():
    """A queue name of this test run only: a worker left running elsewhere on the test Redis never takes our task."""
    name = f"jobs-test-{uuid.uuid4().hex[:12]}"
    yield name
    # Kombu leaves the queue's binding keys in Redis; they would pile up one set per test run.
    with celery_app.connection_for_write() as connection:
        connection.default_channel.client.delete(f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
