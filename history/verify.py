"""Re-check the sealed history: every event against its seal, the chain, the signed checkpoints, the live rows
against their latest events, the checkpoints' schedule, and the anchor file outside the database.

Set-based: two queries per event table, one for the seals' own digests, one for the chain, one for
the checkpoints, whatever the number of rows. Digests are recomputed in SQL with the functions the
seal trigger used (``history_payload``, then ``history_event_digest`` and ``history_statement_digest``,
or ``history_digest`` for a seal of scheme 1), so a row renders to exactly the same text as when it
was sealed.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from history.bulk import row_digest_settings, row_digest_sql, stored_sha256
from history.models import BulkEvent, Checkpoint, Seal
from history.selectors import event_models, event_models_of
from history.services import checkpoint_signature_is_valid

EVENT_ALTERED = "event_altered"
EVENT_MISSING = "event_missing"
EVENT_UNSEALED = "event_unsealed"
EVENT_SEALED_TWICE = "event_sealed_twice"
SEAL_ALTERED = "seal_altered"
UNKNOWN_TABLE = "unknown_table"
CHAIN_BROKEN = "chain_broken"
CHECKPOINT_FORGED = "checkpoint_forged"
CHECKPOINT_MISMATCH = "checkpoint_mismatch"
ROW_DRIFT = "row_drift"
ROW_UNRECORDED = "row_unrecorded"
ROW_DELETED_UNRECORDED = "row_deleted_unrecorded"
CHECKPOINTS_MISSING = "checkpoints_missing"
ANCHOR_UNREADABLE = "anchor_unreadable"
ANCHOR_MISSING = "anchor_missing"
ANCHOR_MISMATCH = "anchor_mismatch"
ANCHOR_NOT_WRITTEN = "anchor_not_written"
BULK_FILE_MISSING = "bulk_file_missing"
BULK_FILE_ALTERED = "bulk_file_altered"


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str
    event_table: str = ""
    event_id: int | None = None
    seal_id: int | None = None
    checkpoint_id: int | None = None
    object_id: int | None = None

    def __str__(self):
        return f"[{self.kind}] {self.message}"


@dataclass(frozen=True)
class ChainSummary:
    events: int
    seals: int
    head_seal_id: int | None
    head_digest: str | None
    checkpoints: int


def history_chain_summary() -> ChainSummary:
    """How much history there is, and the head of the chain."""
    tables = [model._meta.db_table for model in _existing([*event_models(), BulkEvent])]
    events = 0
    if tables:
        counts = " + ".join(f"(SELECT count(*) FROM {connection.ops.quote_name(t)})" for t in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts}")
            events = cursor.fetchone()[0]
    head = Seal.objects.order_by("-id").values("id", "digest").first() or {}
    return ChainSummary(
        events=events,
        seals=Seal.objects.count(),
        head_seal_id=head.get("id"),
        head_digest=head.get("digest"),
        checkpoints=Checkpoint.objects.count(),
    )


def history_verify() -> list[Problem]:
    """Every sign that the history was changed, deleted or added to behind the application's back."""
    problems = []
    # A tracked model whose migration is not applied yet has recorded nothing; a dropped history
    # table still has its seals, which _unknown_table_problems reports.
    existing = _existing(event_models())
    for model in [*existing, *_existing([BulkEvent])]:
        problems += _event_table_problems(model._meta.db_table, model._meta.pk.column)
    problems += _unknown_table_problems([model._meta.db_table for model in [*existing, BulkEvent]])
    problems += _seal_problems()
    problems += _chain_problems()
    problems += _checkpoint_problems()
    return problems


def history_check(*, restored: bool = False) -> list[Problem]:
    """What ``manage.py verify_history`` reports: the sealed history, the live rows against it, the checkpoints'
    schedule and the anchor file.

    ``restored``: the database is a restored backup, older than now and than the anchor file. The schedule is
    judged against the data's own newest seal or checkpoint time, and anchored heads newer than its chain's head
    are passed over (those older must still match).
    """
    problems = history_verify()
    for model in _existing(event_models()):
        problems += _drift_problems(model)
    problems += _bulk_file_problems()
    problems += _schedule_problems(as_of=_data_time() if restored else None)
    problems += _anchor_problems(restored=restored)
    return problems


def _existing(models: list) -> list:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    return [model for model in models if model._meta.db_table in tables]


def _sealed_events_sql() -> str:
    """One row per (seal, event) of the event table given as %(table)s: a scheme-2 seal unnested."""
    seal_table = connection.ops.quote_name(Seal._meta.db_table)
    return f"""
        SELECT s.id AS seal_id, s.scheme, s.event_id, s.columns, s.prev_digest, s.digest,
               NULL::bytea AS event_digest, 1::bigint AS position
        FROM {seal_table} s
        WHERE s.event_table = %(table)s AND s.scheme = {Seal.Scheme.EVENT.value}
        UNION ALL
        SELECT s.id, s.scheme, sealed.event_id, s.columns, s.prev_digest, s.digest,
               sealed.event_digest, sealed.position
        FROM {seal_table} s
        CROSS JOIN LATERAL unnest(s.event_ids, s.event_digests) WITH ORDINALITY
            AS sealed(event_id, event_digest, position)
        WHERE s.event_table = %(table)s AND s.scheme = {Seal.Scheme.STATEMENT.value}
    """


def _event_table_problems(table: str, pk_column: str) -> list[Problem]:
    quoted_table, quoted_pk = connection.ops.quote_name(table), connection.ops.quote_name(pk_column)
    # The row is rendered by the trigger's own history_payload(), then narrowed to the columns it
    # had when sealed: a column added since does not count, a sealed column dropped since does.
    payload = """
        (SELECT coalesce(jsonb_object_agg(field.key, field.value), '{}'::jsonb)
         FROM jsonb_each(history_payload(e)) AS field
         WHERE field.key = ANY(s.columns))
    """
    sql = f"""
        SELECT s.seal_id, s.event_id, e.{quoted_pk}
        FROM ({_sealed_events_sql()}) s
        FULL OUTER JOIN {quoted_table} e ON e.{quoted_pk} = s.event_id
        WHERE s.seal_id IS NULL
           OR e.{quoted_pk} IS NULL
           OR CASE s.scheme
                  WHEN {Seal.Scheme.EVENT.value} THEN
                      history_digest(s.prev_digest, %(table)s, {payload}) IS DISTINCT FROM s.digest
                  ELSE history_event_digest({payload}) IS DISTINCT FROM s.event_digest
              END
        ORDER BY coalesce(s.event_id, e.{quoted_pk}), s.seal_id, s.position
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"table": table})
        rows = cursor.fetchall()
    problems = []
    for seal_id, sealed_event_id, event_id in rows:
        if seal_id is None:
            kind = EVENT_UNSEALED
            message = _("%(table)s #%(id)s has no seal: it was written with the history triggers switched off.")
        elif event_id is None:
            kind = EVENT_MISSING
            message = _("%(table)s #%(id)s was deleted: seal #%(seal)s has no history entry any more.")
        else:
            kind = EVENT_ALTERED
            message = _("%(table)s #%(id)s does not match seal #%(seal)s: the entry or its seal was changed.")
        problem_id = event_id if event_id is not None else sealed_event_id
        problems.append(
            Problem(
                kind=kind,
                message=message % {"table": table, "id": problem_id, "seal": seal_id},
                event_table=table,
                event_id=problem_id,
                seal_id=seal_id,
            )
        )
    return problems + _sealed_twice_problems(table)


def _sealed_twice_problems(table: str) -> list[Problem]:
    # The trigger seals each event once, when it is written: a second seal was added by hand.
    sql = f"""
        SELECT s.event_id, array_agg(s.seal_id ORDER BY s.seal_id, s.position)
        FROM ({_sealed_events_sql()}) s
        GROUP BY s.event_id
        HAVING count(*) > 1
        ORDER BY s.event_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"table": table})
        rows = cursor.fetchall()
    return [
        Problem(
            kind=EVENT_SEALED_TWICE,
            message=_("%(table)s #%(id)s is sealed more than once, by seals %(seals)s: a seal was added by hand.")
            % {"table": table, "id": event_id, "seals": ", ".join(f"#{seal_id}" for seal_id in seal_ids)},
            event_table=table,
            event_id=event_id,
            seal_id=seal_ids[-1],
        )
        for event_id, seal_ids in rows
    ]


def _unknown_table_problems(tables: list[str]) -> list[Problem]:
    rows = (
        Seal.objects.exclude(event_table__in=tables)
        .values_list("event_table")
        .annotate(first=Min("id"), total=Count("id"))
        .order_by("event_table")
    )
    return [
        Problem(
            kind=UNKNOWN_TABLE,
            message=_(
                "%(count)s seals, from #%(seal)s on, name %(table)s, which is not an existing history table: "
                "the table was dropped or renamed."
            )
            % {"count": total, "seal": first, "table": table},
            event_table=table,
            seal_id=first,
        )
        for table, first, total in rows
    ]


def _seal_problems() -> list[Problem]:
    # A scheme-2 seal's digest covers its event digests: editing one, to match an edited event, shows here.
    seal_table = connection.ops.quote_name(Seal._meta.db_table)
    sql = f"""
        SELECT id, event_table
        FROM {seal_table}
        WHERE scheme = {Seal.Scheme.STATEMENT.value}
          AND history_statement_digest(prev_digest, event_table, event_digests) IS DISTINCT FROM digest
        ORDER BY id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return [
        Problem(
            kind=SEAL_ALTERED,
            message=_("Seal #%(seal)s of %(table)s does not match the event digests it holds: the seal was changed.")
            % {"seal": seal_id, "table": table},
            event_table=table,
            seal_id=seal_id,
        )
        for seal_id, table in rows
    ]


def _chain_problems() -> list[Problem]:
    # Linkage by order, not by id arithmetic: ids have gaps where a transaction rolled back.
    seal_table = connection.ops.quote_name(Seal._meta.db_table)
    sql = f"""
        SELECT id, expected IS NULL
        FROM (SELECT id, prev_digest, lag(digest) OVER (ORDER BY id) AS expected FROM {seal_table}) chain
        WHERE prev_digest IS DISTINCT FROM expected
        ORDER BY id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    problems = []
    for seal_id, is_first in rows:
        if is_first:
            message = _("Seal #%(seal)s is the first seal but links to an earlier one: seals were deleted.")
        else:
            message = _(
                "Seal #%(seal)s does not link to the seal before it: a seal was deleted or changed in between."
            )
        problems.append(Problem(kind=CHAIN_BROKEN, message=message % {"seal": seal_id}, seal_id=seal_id))
    return problems


def _checkpoint_problems() -> list[Problem]:
    checkpoint_table = connection.ops.quote_name(Checkpoint._meta.db_table)
    seal_table = connection.ops.quote_name(Seal._meta.db_table)
    # A left join: a checkpoint whose seal is gone must still be reported.
    sql = f"""
        SELECT c.id, c.seal_id, c.digest, c.signature, s.digest
        FROM {checkpoint_table} c LEFT JOIN {seal_table} s ON s.id = c.seal_id
        ORDER BY c.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    problems = []
    for checkpoint_id, seal_id, digest, signature, seal_digest in rows:
        values = {"checkpoint": checkpoint_id, "seal": seal_id}
        if not checkpoint_signature_is_valid(seal_id=seal_id, digest=digest, signature=signature):
            problems.append(
                Problem(
                    kind=CHECKPOINT_FORGED,
                    message=_("Checkpoint #%(checkpoint)s (seal #%(seal)s) has a wrong signature: it is forged.")
                    % values,
                    seal_id=seal_id,
                    checkpoint_id=checkpoint_id,
                )
            )
        elif seal_digest is None:
            problems.append(
                Problem(
                    kind=CHECKPOINT_MISMATCH,
                    message=_("Checkpoint #%(checkpoint)s signed seal #%(seal)s, which no longer exists.") % values,
                    seal_id=seal_id,
                    checkpoint_id=checkpoint_id,
                )
            )
        elif seal_digest != digest:
            problems.append(
                Problem(
                    kind=CHECKPOINT_MISMATCH,
                    message=_(
                        "Seal #%(seal)s no longer has the digest checkpoint #%(checkpoint)s signed: "
                        "the history up to it was rewritten."
                    )
                    % values,
                    seal_id=seal_id,
                    checkpoint_id=checkpoint_id,
                )
            )
    return problems


def _drift_problems(event_model) -> list[Problem]:
    """Live rows against their object's latest event, in one query per table: a row changed, inserted or deleted
    with the history triggers switched off (``session_replication_role = replica``) shows here."""
    tracked = event_model.pgh_tracked_model
    if tracked is None or event_model not in event_models_of(tracked):
        return []
    quote = connection.ops.quote_name
    columns = [
        field.column
        for field in event_model._meta.concrete_fields
        if not field.name.startswith("pgh_") and field.column in {f.column for f in tracked._meta.concrete_fields}
    ]
    if not columns:
        return []
    live_table, event_table = tracked._meta.db_table, event_model._meta.db_table
    pk = quote(tracked._meta.pk.column)
    obj = quote(event_model._meta.get_field("pgh_obj").column)
    differing = ", ".join(
        f"CASE WHEN live.{quote(c)} IS DISTINCT FROM latest.{quote(c)} THEN {_literal(c)} END" for c in columns
    )
    latest_columns = ", ".join(f"e.{quote(c)}" for c in columns)
    # A row a bulk event (history.bulk) wrote has no event of its own: its latest record is the bulk event, unless
    # an event of its own came later. Such rows are checked against the digest the bulk event sealed (_bulk_drift).
    # Written in one transaction (one timestamp), the one sealed later is the later.
    seal_table = quote(Seal._meta.db_table)

    def seal_of(table: str, event_id: str) -> str:
        return (
            f"(SELECT min(s.id) FROM {seal_table} s"
            f" WHERE s.event_table = {_literal(table)} AND s.event_ids @> ARRAY[{event_id}]::bigint[])"
        )

    bulk_is_latest = f"""
        bulk.bulk_id IS NOT NULL AND (
            latest.pgh_id IS NULL
            OR bulk.bulk_at > latest.pgh_created_at
            OR (bulk.bulk_at = latest.pgh_created_at
                AND {seal_of(BulkEvent._meta.db_table, "bulk.bulk_id")} > {seal_of(event_table, "latest.pgh_id")})
        )
    """
    sql = f"""
        WITH latest AS (
            SELECT DISTINCT ON (e.{obj}) e.{obj} AS obj_id, e.pgh_id, e.pgh_label, e.pgh_created_at, {latest_columns}
            FROM {quote(event_table)} e
            ORDER BY e.{obj}, e.pgh_id DESC
        ), bulk AS ({_bulk_covers_sql()})
        SELECT coalesce(live.{pk}, latest.obj_id), latest.pgh_id, latest.pgh_label, live.{pk} IS NOT NULL,
               CASE WHEN live.{pk} IS NOT NULL AND latest.pgh_id IS NOT NULL
                    THEN array_remove(ARRAY[{differing}], NULL) END AS fields
        FROM {quote(live_table)} live
        FULL OUTER JOIN latest ON latest.obj_id = live.{pk}
        LEFT JOIN bulk ON bulk.obj_id = coalesce(live.{pk}, latest.obj_id)
        WHERE NOT coalesce({bulk_is_latest}, false) AND CASE
            WHEN latest.pgh_id IS NULL THEN true
            WHEN live.{pk} IS NULL THEN latest.pgh_label <> 'delete'
            WHEN latest.pgh_label = 'delete' THEN true
            ELSE cardinality(array_remove(ARRAY[{differing}], NULL)) > 0
        END
        ORDER BY 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"table": live_table})
        rows = cursor.fetchall()
    bulk_rows = _bulk_drift_rows(tracked, event_table, obj, bulk_is_latest)
    problems = []
    for object_id, bulk_id, is_live in bulk_rows:
        values = {"table": live_table, "id": object_id, "event": bulk_id}
        if is_live:
            kind = ROW_DRIFT
            message = _(
                "%(table)s #%(id)s differs from what bulk history event #%(event)s recorded when it wrote the row: "
                "it was changed with the history triggers off."
            )
        else:
            kind = ROW_DELETED_UNRECORDED
            message = _(
                "%(table)s #%(id)s was deleted, but its latest history entry is bulk history event #%(event)s: "
                "it was deleted with the history triggers off."
            )
        problems.append(
            Problem(
                kind=kind,
                message=message % values,
                event_table=BulkEvent._meta.db_table,
                event_id=bulk_id,
                object_id=object_id,
            )
        )
    for object_id, event_id, label, is_live, fields in rows:
        values = {"table": live_table, "id": object_id, "event": event_id, "events": event_table}
        if event_id is None:
            kind = ROW_UNRECORDED
            message = _("%(table)s #%(id)s has no history entry: it was written with the history triggers off.")
        elif not is_live:
            kind = ROW_DELETED_UNRECORDED
            message = _(
                "%(table)s #%(id)s was deleted, but its latest history entry %(events)s #%(event)s is no deletion: "
                "it was deleted with the history triggers off."
            )
        elif label == "delete":
            kind = ROW_UNRECORDED
            message = _(
                "%(table)s #%(id)s exists, but its latest history entry %(events)s #%(event)s is its deletion: "
                "it was written again with the history triggers off."
            )
        else:
            kind = ROW_DRIFT
            values["fields"] = ", ".join(fields)
            message = _(
                "%(table)s #%(id)s differs from its latest history entry %(events)s #%(event)s in %(fields)s: "
                "it was changed with the history triggers off."
            )
        problems.append(
            Problem(
                kind=kind, message=message % values, event_table=event_table, event_id=event_id, object_id=object_id
            )
        )
    return problems


def _bulk_drift_rows(tracked, event_table: str, obj: str, bulk_is_latest: str) -> list[tuple[int, int, bool]]:
    """The rows whose latest record is a bulk event and that no longer match the digest it sealed, or are gone:
    (object id, bulk event id, still there). One query per set of columns the events sealed (a column added to the
    table later does not count); a sealed column since dropped makes every row it covered differ."""
    quote = connection.ops.quote_name
    live_table = tracked._meta.db_table
    pk = quote(tracked._meta.pk.column)
    bulk_table = quote(BulkEvent._meta.db_table)
    existing = {field.column for field in tracked._meta.concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT covers -> %(table)s -> 'columns' FROM {bulk_table} WHERE covers ? %(table)s",
            {"table": live_table},
        )
        # jsonb arrives as its text.
        column_sets = [json.loads(columns) for (columns,) in cursor.fetchall()]
    found = []
    for columns in column_sets:
        if set(columns) <= existing:
            differs = f"{row_digest_sql('live', columns)} IS DISTINCT FROM bulk.digest"
        else:
            differs = "true"
        sql = f"""
            WITH latest AS (
                SELECT DISTINCT ON (e.{obj}) e.{obj} AS obj_id, e.pgh_id, e.pgh_created_at
                FROM {quote(event_table)} e
                ORDER BY e.{obj}, e.pgh_id DESC
            ), bulk AS ({_bulk_covers_sql()})
            SELECT bulk.obj_id, bulk.bulk_id, live.{pk} IS NOT NULL
            FROM bulk
            LEFT JOIN latest ON latest.obj_id = bulk.obj_id
            LEFT JOIN {quote(live_table)} live ON live.{pk} = bulk.obj_id
            WHERE bulk.cols = %(columns)s::jsonb AND {bulk_is_latest} AND (live.{pk} IS NULL OR {differs})
        """
        with row_digest_settings(), connection.cursor() as cursor:
            cursor.execute(sql, {"table": live_table, "columns": json.dumps(columns)})
            found += cursor.fetchall()
    return sorted(found)


def _bulk_covers_sql() -> str:
    """The rows of the live table given as %(table)s that bulk events cover, each with its latest one: (obj_id,
    bulk_id, bulk_at, digest, cols)."""
    bulk_table = connection.ops.quote_name(BulkEvent._meta.db_table)
    return f"""
        SELECT DISTINCT ON (covered.obj_id::bigint) covered.obj_id::bigint AS obj_id, b.pgh_id AS bulk_id,
               b.pgh_created_at AS bulk_at, covered.digest, b.covers -> %(table)s -> 'columns' AS cols
        FROM {bulk_table} b
        CROSS JOIN LATERAL ROWS FROM (
            jsonb_array_elements_text(b.covers -> %(table)s -> 'ids'),
            jsonb_array_elements_text(b.covers -> %(table)s -> 'digests')
        ) AS covered(obj_id, digest)
        WHERE b.covers ? %(table)s
        ORDER BY covered.obj_id::bigint, b.pgh_id DESC
    """


def _bulk_file_problems() -> list[Problem]:
    """Each bulk event's source file must still be stored, with the sha256 the event sealed."""
    problems = []
    events = BulkEvent.objects.exclude(file_name="").only("pgh_id", "file_name", "file_sha256").order_by("pgh_id")
    for event in events.iterator():
        values = {"event": event.pgh_id, "file": event.file_name}
        if not default_storage.exists(event.file_name):
            kind = BULK_FILE_MISSING
            message = _("The file %(file)s that bulk history event #%(event)s was written from is no longer stored.")
        elif stored_sha256(event.file_name) != event.file_sha256:
            kind = BULK_FILE_ALTERED
            message = _(
                "The file %(file)s does not match the digest bulk history event #%(event)s sealed: the file was "
                "changed."
            )
        else:
            continue
        problems.append(
            Problem(kind=kind, message=message % values, event_table=BulkEvent._meta.db_table, event_id=event.pgh_id)
        )
    return problems


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _data_time() -> datetime | None:
    """The restored data's own "now": its newest seal or checkpoint."""
    seal_table = connection.ops.quote_name(Seal._meta.db_table)
    checkpoint_table = connection.ops.quote_name(Checkpoint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT greatest((SELECT max(sealed_at) FROM {seal_table}),"
            f" (SELECT max(created_at) FROM {checkpoint_table}))"
        )
        return cursor.fetchone()[0]


def _schedule_problems(*, as_of: datetime | None) -> list[Problem]:
    """Seals older than two checkpoint intervals that no checkpoint written within two intervals of them signs.

    The hourly job signs the chain's head, so every seal is signed, directly or by a later head, within an
    interval. Missing checkpoints (deleted to hide a rewrite), a stale last one (the job stopped) or fewer than the
    chain's age needs all leave such seals. Reported as one problem per run of seals waiting for the same checkpoint.
    """
    seal_table = connection.ops.quote_name(Seal._meta.db_table)
    checkpoint_table = connection.ops.quote_name(Checkpoint._meta.db_table)
    sql = f"""
        SELECT min(s.id), max(s.id), count(*), min(s.sealed_at), max(s.sealed_at), signer.id
        FROM {seal_table} s
        LEFT JOIN LATERAL (
            SELECT c.id, c.created_at FROM {checkpoint_table} c WHERE c.seal_id >= s.id ORDER BY c.seal_id LIMIT 1
        ) signer ON true
        WHERE s.sealed_at < coalesce(%(as_of)s, now()) - 2 * %(interval)s
          AND (signer.id IS NULL OR signer.created_at > s.sealed_at + 2 * %(interval)s)
        GROUP BY signer.id
        ORDER BY min(s.id)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of, "interval": settings.HISTORY_CHECKPOINT_INTERVAL})
        rows = cursor.fetchall()
    problems = []
    for first, last, count, since, until, checkpoint_id in rows:
        values = {"first": first, "last": last, "count": count, "since": since, "until": until}
        if checkpoint_id is None:
            message = _(
                "%(count)s seals, #%(first)s to #%(last)s (sealed %(since)s to %(until)s), are signed by no "
                "checkpoint: the checkpoints are missing or stale."
            )
        else:
            values["checkpoint"] = checkpoint_id
            message = _(
                "%(count)s seals, #%(first)s to #%(last)s (sealed %(since)s to %(until)s), were first signed by "
                "checkpoint #%(checkpoint)s, more than two checkpoint intervals later: checkpoints are missing."
            )
        problems.append(
            Problem(kind=CHECKPOINTS_MISSING, message=message % values, seal_id=first, checkpoint_id=checkpoint_id)
        )
    return problems


# A checkpoint is anchored just after its transaction commits: one younger than this may not be in the file yet.
ANCHOR_GRACE = timedelta(minutes=5)


def _anchor_problems(*, restored: bool) -> list[Problem]:
    """Every head anchored in the file must still be in the database: the seal with the same digest, signed. And
    the other way: every checkpoint since the file's first one must be in it, with the same seal and digest."""
    path = settings.HISTORY_ANCHOR_PATH
    if path is None or not path.exists():
        return []
    problems = []
    seals, digests = [], []
    anchored: set[tuple[int, int, str]] = set()
    with path.open(encoding="utf-8") as anchors:
        for number, line in enumerate(anchors, start=1):
            try:
                anchor = json.loads(line)
                seals.append(int(anchor["seal"]))
                digests.append(str(anchor["digest"]))
                anchored.add((int(anchor["checkpoint"]), seals[-1], digests[-1]))
            except (ValueError, KeyError, TypeError):
                problems.append(
                    Problem(
                        kind=ANCHOR_UNREADABLE,
                        message=_("Line %(line)s of the anchor file %(path)s is not an anchored head.")
                        % {"line": number, "path": path},
                    )
                )
    seal_table = connection.ops.quote_name(Seal._meta.db_table)
    checkpoint_table = connection.ops.quote_name(Checkpoint._meta.db_table)
    sql = f"""
        SELECT a.seal_id, a.digest, s.digest, c.digest
        FROM unnest(%(seals)s::bigint[], %(digests)s::text[]) AS a(seal_id, digest)
        LEFT JOIN {seal_table} s ON s.id = a.seal_id
        LEFT JOIN {checkpoint_table} c ON c.seal_id = a.seal_id
        WHERE (s.digest IS DISTINCT FROM a.digest OR c.digest IS DISTINCT FROM a.digest)
          AND NOT (%(restored)s AND a.seal_id > coalesce((SELECT max(id) FROM {seal_table}), 0))
        ORDER BY a.seal_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"seals": seals, "digests": digests, "restored": restored})
        rows = cursor.fetchall()
    for seal_id, digest, seal_digest, checkpoint_digest in rows:
        values = {"seal": seal_id, "digest": digest, "path": path}
        if seal_digest is None or checkpoint_digest is None:
            kind = ANCHOR_MISSING
            message = _(
                "The head anchored in %(path)s, seal #%(seal)s with digest %(digest)s, is no longer in the database "
                "(its seal or its checkpoint was deleted)."
            )
        else:
            kind = ANCHOR_MISMATCH
            message = _(
                "Seal #%(seal)s no longer has the digest %(digest)s anchored in %(path)s: the history up to it was "
                "rewritten in the database."
            )
        problems.append(Problem(kind=kind, message=message % values, seal_id=seal_id))
    return problems + _checkpoints_unanchored(path, anchored)


def _checkpoints_unanchored(path, anchored: set[tuple[int, int, str]]) -> list[Problem]:
    """The checkpoints since the file's first one (those before it were signed before anchoring began) that the
    file does not hold as they are: an anchor that was never written (the job failed after its commit), lines cut
    from the file's end, or a checkpoint written into the database by someone with the key."""
    if not anchored:
        return []
    first = min(checkpoint_id for checkpoint_id, _seal, _digest in anchored)
    checkpoints = Checkpoint.objects.filter(pk__gte=first, created_at__lt=timezone.now() - ANCHOR_GRACE)
    problems = []
    for checkpoint_id, seal_id, digest in checkpoints.order_by("pk").values_list("pk", "seal_id", "digest"):
        if (checkpoint_id, seal_id, digest) not in anchored:
            message = _(
                "Checkpoint #%(checkpoint)s (seal #%(seal)s, digest %(digest)s) is not in the anchor file %(path)s: "
                "its anchor was never written, lines were cut from the file, or the checkpoint was written into the "
                "database by someone else."
            )
            values = {"checkpoint": checkpoint_id, "seal": seal_id, "digest": digest, "path": path}
            problems.append(
                Problem(
                    kind=ANCHOR_NOT_WRITTEN, message=message % values, seal_id=seal_id, checkpoint_id=checkpoint_id
                )
            )
    return problems
