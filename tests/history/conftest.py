"""Fixtures for the history tests: a small organisation tree and SQL run behind the application's back."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import translation

from organisation.models import Village


@pytest.fixture
def yangjia(town):
    return Village.objects.create(town=town, name="杨家庄村", code="371302109201")


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser(
        username="zhangwei", password="not-used-123", first_name="伟", last_name="张"
    )


@pytest.fixture
def raw_sql():
    """Run SQL as someone with direct database access would: with every trigger switched off."""

    def run(sql: str, params=()):
        with connection.cursor() as cursor:
            # Replica mode skips ordinary triggers: the append-only guards and the seal trigger.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params or None)
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    return run


@pytest.fixture(autouse=True)
def in_english():
    # The strings are written in English; the Chinese catalogue may translate them at any time.
    with translation.override("en"):
        yield
