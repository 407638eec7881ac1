"""How a domain model gets a history nobody can rewrite.

Decorate the model with ``@track_history()``. django-pghistory then writes an event row from a
PostgreSQL trigger on every insert, update and delete, so bulk_create, queryset.update() and raw
SQL are recorded exactly like a form save. Each event table is append-only (pgtrigger.Protect),
and a second trigger seals each statement's new events together into one hash chain
(``history.Seal``), which ``manage.py verify_history`` re-checks.
"""

import pghistory
import pgtrigger
from django.apps import apps
from django.db import connection

# Once per statement, the trigger hands the statement's new events, in id order, to
# ``history_seal_events()`` (history/migrations/0003): the sealing logic lives in one SQL function,
# so changing it never touches the trigger of every tracked model.
SEAL_FUNC = """
    PERFORM history_seal_events(
        TG_TABLE_NAME,
        ARRAY(SELECT pgh_id FROM sealed_events ORDER BY pgh_id),
        ARRAY(SELECT history_payload(sealed_events) FROM sealed_events ORDER BY pgh_id)
    );
    RETURN NULL;
"""


def seal_trigger() -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="seal",
        when=pgtrigger.After,
        operation=pgtrigger.Insert,
        level=pgtrigger.Statement,
        referencing=pgtrigger.Referencing(new="sealed_events"),
        func=SEAL_FUNC,
    )


# The transaction-local setting an open bulk event (``history.bulk.bulk_event``) sets: "<transaction id>:<event id>".
BULK_SETTING = "lanshan.bulk_event"


class NotInBulkEvent(pgtrigger.Condition):
    """The event trigger records the statement's rows unless a bulk event of this very transaction, not yet written,
    stands for them (``history_bulk_skips()``, history/migrations/0005). Evaluated once per statement (an InitPlan),
    so it costs nothing per row; ``base`` is the event's own condition (an update's "any column changed")."""

    def __init__(self, base: pgtrigger.Condition | None = None):
        self.base = base

    def resolve(self, model) -> str:
        skip = "(SELECT NOT history_bulk_skips())"
        return f"({self.base.resolve(model)}) AND {skip}" if self.base is not None else skip


# The label of the event an edit records first when the row it finds is not what the row's latest event holds: a bulk
# event's row (history.bulk records digests, not values), so that the edit shows each value before and after.
FOUND_LABEL = "found"


class FoundUnrecorded(pgtrigger.Condition):
    """An edit (outside a bulk event) of a row whose values before it are not those of the row's latest history event:
    rows a bulk event wrote, or a flag a scan set. The found values are recorded (an event of ``FOUND_LABEL``, the
    edit's own "update" event right after it) so that the History tab shows each change's before and after."""

    def __init__(self):  # the SQL is written by ``resolve``, from the model
        pass

    def resolve(self, model) -> str:
        from history.bulk import covered_columns  # history.bulk and history.selectors read what this module makes
        from history.selectors import event_models_of

        # The project's model: ``model`` may be a migration's copy, which knows no event model.
        model = apps.get_model(model._meta.label)
        (event_model,) = event_models_of(model)
        quote = connection.ops.quote_name
        columns = covered_columns(model)
        recorded = ", ".join(f"latest.{quote(column)}" for column in columns)
        found = ", ".join(f"OLD.{quote(column)}" for column in columns)
        pk = quote(model._meta.pk.column)
        return (
            f"{NotInBulkEvent(pgtrigger.AnyChange()).resolve(model)} AND NOT EXISTS ("
            f"SELECT 1 FROM (SELECT * FROM {quote(event_model._meta.db_table)} e WHERE e.pgh_obj_id = OLD.{pk}"
            f" ORDER BY e.pgh_id DESC LIMIT 1) latest WHERE ({recorded}) IS NOT DISTINCT FROM ({found}))"
        )


def track_history(*, bulk: bool = False, **kwargs):
    """Class decorator: record every create, update and delete of the model, sealed.

    ``bulk``: a bulk writer may record its inserts and updates of the model as one ``history.BulkEvent`` instead
    (only through ``history.bulk.bulk_event``); deletions are always recorded row by row. The first edit after such a
    write records the values it found too (``FoundUnrecorded``).
    """
    insert, update = pghistory.InsertEvent(), pghistory.UpdateEvent()
    found: list[pghistory.RowEvent] = []
    if bulk:
        insert = pghistory.InsertEvent(condition=NotInBulkEvent())
        update = pghistory.UpdateEvent(condition=NotInBulkEvent(pgtrigger.AnyChange()))
        # Its trigger's name sorts before the update's: statement triggers fire in name order, so the found values
        # are recorded before the edit's own event.
        found = [pghistory.UpdateEvent(FOUND_LABEL, row=pghistory.Old, condition=FoundUnrecorded())]
    track = pghistory.track(
        insert,
        *found,
        update,
        pghistory.DeleteEvent(),
        append_only=True,
        # A fresh dict each time: pghistory adds its append-only trigger to the dict it is given.
        meta={"triggers": [seal_trigger()]},
        **kwargs,
    )

    def decorate(model):
        # The History tab looks for bulk events only for the models that may have them.
        model.history_bulk = bulk
        return track(model)

    return decorate


def history_plans_forget() -> None:
    """Have the history triggers' statements planned afresh on this database session.

    PL/pgSQL plans a trigger's statements on their first run in a session and keeps the plan. The
    statement-level update trigger joins the statement's old and new rows; planned for a one-row update
    earlier in the session, that join takes quadratic time on a bulk update of thousands of rows (2,000
    rows: 5 s instead of 0.15 s, all of it holding the history chain's lock). A worker's connection lives
    on between tasks, so every task starts with fresh plans (``history.context.task_context_enter``), and
    a bulk writer run outside a task calls this first. Replanning costs about a millisecond.
    """
    with connection.cursor() as cursor:
        cursor.execute("DISCARD PLANS")
