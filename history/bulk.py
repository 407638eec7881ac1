"""One sealed history event for a whole bulk write, instead of one event per row written.

The household import writes thousands of rows with a few set-based statements; a history event per row costs more
than the write itself. Inside ``bulk_event``, the event triggers of the models tracked with
``track_history(bulk=True)`` record nothing for this transaction's statements (``history_bulk_skips()``,
history/migrations/0004); the writer puts each row it writes, with its row in the source file, in the temporary
table ``BULK_COVERED``; on leaving, one ``BulkEvent`` is inserted, listing exactly those rows and the sha256 of each
as written, and the seal trigger links it into the hash chain. Rows the writer changed without listing them have
no history entry, which verify_history's drift check reports; later edits are recorded row by row as always.

This module is the only place that sets the ``lanshan.bulk_event`` setting.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from history.models import BulkEvent
from history.selectors import event_models_of
from history.tracking import BULK_SETTING

BULK_COVERED = "history_bulk_covered"


@dataclass(frozen=True)
class BulkSource:
    """What the bulk event records about where the rows came from."""

    kind: str
    job_id: int | None = None
    user_id: int | None = None
    file_name: str = ""
    original_name: str = ""
    file_sha256: str = ""
    staged_sha256: str = ""


def stored_sha256(name: str) -> str:
    """The sha256 of a stored file (default storage), read in chunks."""
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        while data := stored.read(1 << 20):
            digest.update(data)
    return digest.hexdigest()


def row_digest_sql(alias: str, columns: list[str]) -> str:
    """SQL for the sha256 (hex) of a row of ``alias`` over ``columns``, as a bulk event seals it and verify_history
    recomputes it: the row value of those columns, in that order, as text (record output, about 3 us a row where
    to_jsonb costs 10). Text output depends on the session's settings: run it under ``row_digest_settings``."""
    quote = connection.ops.quote_name
    values = ", ".join(f"{alias}.{quote(column)}" for column in columns)
    return f"encode(sha256(convert_to(ROW({values})::text, 'UTF8')), 'hex')"


@contextmanager
def row_digest_settings() -> Iterator[None]:
    """The settings that fix how a row renders as text (times in UTC, ISO dates), inside a transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('IntervalStyle'),"
            " set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true),"
            " set_config('IntervalStyle', 'postgres', true)"
        )
        zone, style, interval, *_set = cursor.fetchone()
        yield
        cursor.execute(
            "SELECT set_config('TimeZone', %s, true), set_config('DateStyle', %s, true),"
            " set_config('IntervalStyle', %s, true)",
            [zone, style, interval],
        )


def covered_columns(model: type[models.Model]) -> list[str]:
    """The columns of ``model`` its history records (those a row's digest covers), in table order."""
    (event_model,) = event_models_of(model)
    recorded = {field.column for field in event_model._meta.concrete_fields if not field.name.startswith("pgh_")}
    return [field.column for field in model._meta.concrete_fields if field.column in recorded]


@contextmanager
def bulk_event(
    *, source: BulkSource, models_written: list[type[models.Model]], per_row: bool = False
) -> Iterator[str]:
    """Record the block's writes of ``models_written`` as one sealed ``BulkEvent``. Inside a transaction only.

    Yields the name of the temporary table the writer lists each written row in: ``(tbl, id, row_no, created)``,
    ``row_no`` the row of the source file it was written from, ``created`` whether it was inserted.
    ``per_row``: record row by row as without this block (the import benchmark's "before"); nothing is skipped.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("a bulk history event needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{BULK_COVERED}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {BULK_COVERED}"
            " (tbl text NOT NULL, id bigint NOT NULL, row_no integer, created boolean NOT NULL)"
            " ON COMMIT DROP"
        )
        event_id = None
        if not per_row:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'pgh_id')), txid_current()", [BulkEvent._meta.db_table]
            )
            event_id, transaction_id = cursor.fetchone()
            cursor.execute("SELECT set_config(%s, %s, true)", [BULK_SETTING, f"{transaction_id}:{event_id}"])
    # On an error the transaction (or the savepoint) rolls back, and the setting with it.
    yield BULK_COVERED
    if event_id is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {BULK_COVERED})")
            # A write that changed nothing (a scan that found nothing new) leaves no event.
            if cursor.fetchone()[0]:
                _bulk_event_write(event_id, source, models_written)
            cursor.execute("SELECT set_config(%s, '', true)", [BULK_SETTING])


def _bulk_event_write(event_id: int, source: BulkSource, models_written: list[type[models.Model]]) -> None:
    quote = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []
    for model in models_written:
        table = model._meta.db_table
        columns = covered_columns(model)
        pk = quote(model._meta.pk.column)
        parts.append(
            f"""%s::text, (
                SELECT jsonb_build_object(
                    'columns', to_jsonb(%s::text[]),
                    'ids', coalesce(jsonb_agg(c.id), '[]'::jsonb),
                    'rows', coalesce(jsonb_agg(c.row_no), '[]'::jsonb),
                    'created', coalesce(jsonb_agg(c.created), '[]'::jsonb),
                    'digests', coalesce(jsonb_agg(c.digest), '[]'::jsonb))
                -- Sorted once; the aggregates take the rows in that order. A row is listed once: each statement
                -- writes a row once, and a writer writes each row in one statement.
                FROM (
                    SELECT c.id, c.row_no, c.created, {row_digest_sql("t", columns)} AS digest
                    FROM {BULK_COVERED} c
                    JOIN {quote(table)} t ON t.{pk} = c.id
                    WHERE c.tbl = %s
                    ORDER BY c.id
                ) c
            )"""
        )
        params += [table, columns, table]
    sql = f"""
        INSERT INTO {quote(BulkEvent._meta.db_table)} (
            pgh_id, pgh_created_at, kind, job_id, user_id, file_name, original_name, file_sha256, staged_sha256,
            covers)
        SELECT %s, now(), %s, %s, %s, %s, %s, %s, %s, jsonb_build_object({", ".join(parts)})
    """
    head: list[Any] = [
        event_id,
        source.kind,
        source.job_id,
        source.user_id,
        source.file_name,
        source.original_name,
        source.file_sha256,
        source.staged_sha256,
    ]
    with row_digest_settings(), connection.cursor() as cursor:
        # A hash join with the tables written, not a loop of index lookups.
        cursor.execute(f"ANALYZE {BULK_COVERED}")
        cursor.execute(sql, head + params)


# What a kind of bulk event's source file says in some of its rows: {row: [(column, value shown)]}, or None when the
# file is gone or no longer matches the event's digest. Registered by the app that writes that kind.
BulkRowReader = Callable[[BulkEvent, list[int]], dict[int, list[tuple[str, str]]] | None]
_row_readers: dict[str, BulkRowReader] = {}


def bulk_row_reader(kind: str) -> Callable[[BulkRowReader], BulkRowReader]:
    """Register the function that reads the source rows of bulk events of ``kind`` (for the History tab)."""

    def register(reader: BulkRowReader) -> BulkRowReader:
        _row_readers[kind] = reader
        return reader

    return register


def bulk_rows_read(event: BulkEvent, rows: list[int]) -> dict[int, list[tuple[str, str]]] | None:
    reader = _row_readers.get(event.kind)
    return reader(event, rows) if reader is not None else None
