"""How a domain model gets a history nobody can rewrite.

Decorate the model with ``@track_history()``. django-pghistory then writes an event row from a
PostgreSQL trigger on every insert, update and delete, so bulk_create, queryset.update() and raw
SQL are recorded exactly like a form save. Each event table is append-only (pgtrigger.Protect),
and a second trigger seals every new event into one hash chain (``history.Seal``), which
``manage.py verify_history`` re-checks.
"""

import pghistory
import pgtrigger

# One chain for the whole database: the advisory lock orders concurrent writers, so every seal
# links to the seal committed just before it.
SEAL_LOCK_KEY = 371302

SEAL_FUNC = f"""
DECLARE
    previous text;
BEGIN
    PERFORM pg_advisory_xact_lock({SEAL_LOCK_KEY});
    SELECT digest INTO previous FROM history_seal ORDER BY id DESC LIMIT 1;
    INSERT INTO history_seal (event_table, event_id, prev_digest, digest, sealed_at)
    VALUES (TG_TABLE_NAME, NEW.pgh_id, previous, history_digest(previous, TG_TABLE_NAME, NEW), now());
    RETURN NULL;
END;
"""


def seal_trigger() -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="seal",
        when=pgtrigger.After,
        operation=pgtrigger.Insert,
        func=SEAL_FUNC,
    )


def track_history(**kwargs):
    """Class decorator: record every create, update and delete of the model, sealed."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
        # A fresh dict each time: pghistory adds its append-only trigger to the dict it is given.
        meta={"triggers": [seal_trigger()]},
        **kwargs,
    )
