from importlib import import_module

import django.contrib.postgres.fields
from django.db import migrations, models

# One seal per statement instead of one per event. The per-event loop and one seal row per event cost
# more than the rest of a bulk write's history; now each statement's events are hashed set-based and
# linked to the chain by a single row.
#
# A seal of scheme 2 keeps, in pgh_id order, the ids of the statement's events and the sha256 of each
# event's payload (history_event_digest), so verify_history still names the event that was changed.
# Its digest chains the previous seal's digest, the event table and those event digests in order
# (history_statement_digest). Seals written before this migration keep scheme 1 and the formula they
# were sealed with (history_digest, 0002): a history nobody can rewrite may not be re-sealed.
#
# Only history_seal_events() changes, with the same signature: the seal trigger of every tracked model
# calls it by name and stays as it is. The lock and the chain-head lookup are those of 0002; the
# payloads are hashed before the lock is taken, so concurrent writers wait only for the link.
#
# The digest functions are STABLE, as convert_to() is: PostgreSQL inlines a SQL function only when it
# calls nothing more volatile than itself, and inlined, history_event_digest costs about 1.5 us less per
# event. Event digests are random bytes: stored uncompressed (STORAGE EXTERNAL), a 20,000-event seal is
# written about 40 ms faster, for the same size.
#
# Going back to 0002 works only while there is no scheme-2 seal: event_id becomes NOT NULL again.
CREATE = """
ALTER TABLE history_seal ALTER COLUMN event_digests SET STORAGE EXTERNAL;

CREATE OR REPLACE FUNCTION history_event_digest(payload jsonb)
RETURNS bytea
LANGUAGE sql STABLE
AS $$ SELECT sha256(convert_to(payload::text, 'UTF8')) $$;

CREATE OR REPLACE FUNCTION history_statement_digest(previous text, event_table text, event_digests bytea[])
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT encode(
        sha256(
            convert_to(coalesce(previous, '') || '|' || event_table || '|', 'UTF8')
            || coalesce(
                (SELECT string_agg(d.digest, ''::bytea ORDER BY d.position)
                 FROM unnest(event_digests) WITH ORDINALITY AS d(digest, position)),
                ''::bytea
            )
        ),
        'hex'
    )
$$;

CREATE OR REPLACE FUNCTION history_seal_events(event_table text, event_ids bigint[], payloads jsonb[])
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    previous text;
    digests bytea[];
BEGIN
    IF coalesce(array_length(event_ids, 1), 0) = 0 THEN
        RETURN;
    END IF;
    SELECT array_agg(history_event_digest(p.payload) ORDER BY p.position) INTO digests
    FROM unnest(payloads) WITH ORDINALITY AS p(payload, position);
    PERFORM pg_advisory_xact_lock(371302);
    SELECT digest INTO previous FROM history_seal ORDER BY id DESC LIMIT 1;
    -- All events of one statement come from one table and share its columns.
    INSERT INTO history_seal (event_table, scheme, event_ids, event_digests, columns, prev_digest, digest, sealed_at)
    VALUES (
        event_table, 2, event_ids, digests, ARRAY(SELECT jsonb_object_keys(payloads[1])), previous,
        history_statement_digest(previous, event_table, digests), now()
    );
END;
$$;
"""

# Back: 0002's functions as 0002 made them (its history_seal_events), before the scheme column goes.
DROP = (
    import_module("history.migrations.0002_history_functions").CREATE
    + """
DROP FUNCTION IF EXISTS history_statement_digest(text, text, bytea[]);
DROP FUNCTION IF EXISTS history_event_digest(jsonb);
ALTER TABLE history_seal ALTER COLUMN event_digests SET STORAGE EXTENDED;
"""
)


class Migration(migrations.Migration):
    dependencies = [("history", "0002_history_functions")]

    operations = [
        # Adding a column with a default rewrites no row, so the append-only trigger does not fire:
        # every existing seal is of scheme 1.
        migrations.AddField(
            model_name="seal",
            name="scheme",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "one event per seal"), (2, "one statement per seal")],
                default=1,
                verbose_name="sealing scheme",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="seal",
            name="event_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="event id"),
        ),
        migrations.AddField(
            model_name="seal",
            name="event_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), blank=True, null=True, size=None, verbose_name="event ids"
            ),
        ),
        migrations.AddField(
            model_name="seal",
            name="event_digests",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BinaryField(), blank=True, null=True, size=None, verbose_name="event digests"
            ),
        ),
        migrations.RemoveConstraint(model_name="seal", name="history_seal_unique_event"),
        migrations.AddConstraint(
            model_name="seal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("scheme", 1)), fields=("event_table", "event_id"), name="history_seal_unique_event"
            ),
        ),
        migrations.AddConstraint(
            model_name="seal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("event_digests__isnull", True),
                        ("event_id__isnull", False),
                        ("event_ids__isnull", True),
                        ("scheme", 1),
                    ),
                    models.Q(
                        ("event_digests__isnull", False),
                        ("event_digests__len", models.F("event_ids__len")),
                        ("event_id__isnull", True),
                        ("event_ids__isnull", False),
                        ("event_ids__len__gt", 0),
                        ("scheme", 2),
                    ),
                    _connector="OR",
                ),
                name="history_seal_scheme_shape",
            ),
        ),
        migrations.AddIndex(
            model_name="seal",
            index=models.Index(
                condition=models.Q(("scheme", 2)), fields=["event_table"], name="history_seal_statement_table"
            ),
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
