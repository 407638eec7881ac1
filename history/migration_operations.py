"""A migration operation that installs many pgtrigger triggers at once (the squashed initial migrations use it).

``makemigrations`` writes one ``pgtrigger.migrations.AddTrigger`` per trigger: a model under
``@track_history()`` gets three (insert, update, seal), so an app's initial migration held 55 to 100 of them.
Django's migrate clones the rendered project state before every operation and AddTrigger re-renders its model and
the models related to it, so on a fresh database each one cost 0.1-0.4 s: most of ``bin/demo``'s first
``migrate``. ``AddTriggers`` records the same triggers in the same model options (the state ``makemigrations``
compares with is unchanged) with one state reload, and installs them in one SQL statement.
"""

from collections.abc import Sequence
from typing import Any

from django.db import router
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from pgtrigger import compiler


class AddTriggers(Operation):
    """Install ``triggers``, a list of ``(model_name, compiled trigger)`` of this migration's app."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, triggers: Sequence[tuple[str, compiler.Trigger]]) -> None:
        self.triggers = [(model_name.lower(), trigger) for model_name, trigger in triggers]

    def deconstruct(self) -> tuple[str, Sequence[Any], dict[str, Any]]:
        return (self.__class__.__name__, [], {"triggers": self.triggers})

    def describe(self) -> str:
        return f"Create {len(self.triggers)} triggers"

    @property
    def migration_name_fragment(self) -> str:
        return "triggers"

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        for model_name, trigger in self.triggers:
            model_state = state.models[app_label, model_name]
            # A new list, never the old one extended: ProjectState.clone copies options shallowly.
            model_state.options["triggers"] = [*model_state.options.get("triggers", []), trigger]
        state.reload_models(sorted({(app_label, model_name) for model_name, _trigger in self.triggers}), delay=True)

    def state_backwards(self, app_label: str, state: ProjectState) -> None:  # pragma: no cover - never run backwards
        for model_name, trigger in self.triggers:
            model_state = state.models[app_label, model_name]
            model_state.options["triggers"] = [
                kept for kept in model_state.options.get("triggers", []) if kept.name != trigger.name
            ]
        state.reload_models(sorted({(app_label, model_name) for model_name, _trigger in self.triggers}), delay=True)

    def _sql(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState, install: bool) -> str:
        if schema_editor.connection.vendor != "postgresql":
            return ""
        statements = []
        for model_name, trigger in self.triggers:
            model = state.apps.get_model(app_label, model_name)
            if router.allow_migrate_model(schema_editor.connection.alias, model._meta.concrete_model):
                statements.append(trigger.install_sql if install else trigger.uninstall_sql)
        return "\n".join(statements)

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if sql := self._sql(app_label, schema_editor, to_state, install=True):
            # Interpolated SQL: params=None so that nothing tries to escape its % signs.
            schema_editor.execute(sql, params=None)

    def database_backwards(  # pragma: no cover - never run backwards
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if sql := self._sql(app_label, schema_editor, from_state, install=False):
            schema_editor.execute(sql, params=None)
