"""The squashed initial migrations (3e25132) and the initial migrations of households, organisation and partners
install their triggers with one history AddTriggers per migration: the migration state still holds every trigger
(makemigrations sees nothing to add) and the database has every one."""

import io

import pgtrigger
import pgtrigger.migrations
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.django_db

SQUASHED_APPS = ["funds", "projects", "audits", "reporting", "notifications", "history"]
SQUASHED_APPS += ["households", "organisation", "partners"]


def test_the_migration_state_holds_every_trigger_of_the_squashed_apps():
    # when makemigrations compares the models with the state the migrations build
    out = io.StringIO()
    call_command("makemigrations", *SQUASHED_APPS, "--check", "--dry-run", stdout=out)

    # then it finds no trigger (or anything else) to add
    assert "No changes detected" in out.getvalue()


def test_the_migrated_database_has_every_trigger_of_the_squashed_apps():
    # given the test database, migrated
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        installed = {name for (name,) in cursor.fetchall()}

    # then every trigger the models of the squashed apps declare is installed
    wanted = {
        trigger.get_pgid(model)
        for model, trigger in pgtrigger.registered()
        if model._meta.app_label in SQUASHED_APPS and not model._meta.proxy
    }
    assert len(wanted) > 420
    assert wanted <= installed, sorted(wanted - installed)[:5]


def test_the_initial_migrations_of_those_apps_hold_no_single_add_trigger():
    # given the migrations a fresh database runs (a squashed migration in place of those it replaces)
    graph = MigrationLoader(None, ignore_no_migrations=True).graph

    # then no initial migration of those apps installs a trigger one operation (one state re-render) at a time
    single = [
        f"{app_label}.{name}"
        for (app_label, name), migration in graph.nodes.items()
        if app_label in SQUASHED_APPS and migration.initial
        for operation in migration.operations
        if isinstance(operation, pgtrigger.migrations.AddTrigger)
    ]
    assert not single, sorted(set(single))
