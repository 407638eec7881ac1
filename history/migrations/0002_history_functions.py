from django.db import migrations

# The sealing logic, in one place. Every tracked model's event table has a statement-level ``seal``
# trigger that calls history_seal_events(table, ids, payloads) with the statement's new events.
#
# history_payload renders the event row as jsonb with the time zone fixed, so a timestamp renders
# the same in the trigger and in verify_history, whatever the session's TimeZone says.
# history_digest chains the payload to the previous seal's digest. history_seal_events takes a
# transaction-scoped advisory lock so concurrent writers append to the chain one after another
# (writers must run at READ COMMITTED, Django's default, to see the seal committed just before).
CREATE = """
CREATE OR REPLACE FUNCTION history_payload(event anyelement)
RETURNS jsonb
LANGUAGE sql STABLE
SET "TimeZone" = 'UTC'
AS $$ SELECT to_jsonb(event) $$;

CREATE OR REPLACE FUNCTION history_digest(previous text, event_table text, payload jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT encode(
        sha256(convert_to(coalesce(previous, '') || '|' || event_table || '|' || payload::text, 'UTF8')),
        'hex'
    )
$$;

CREATE OR REPLACE FUNCTION history_seal_events(event_table text, event_ids bigint[], payloads jsonb[])
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    previous text;
    previous_digests text[] := '{}';
    digests text[] := '{}';
BEGIN
    IF coalesce(array_length(event_ids, 1), 0) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(371302);
    SELECT digest INTO previous FROM history_seal ORDER BY id DESC LIMIT 1;
    FOR i IN 1 .. array_length(event_ids, 1) LOOP
        previous_digests[i] := previous;
        previous := history_digest(previous, event_table, payloads[i]);
        digests[i] := previous;
    END LOOP;
    -- Seal ids follow the chain's order, which verify_history walks.
    INSERT INTO history_seal (event_table, event_id, columns, prev_digest, digest, sealed_at)
    SELECT event_table, e.event_id, ARRAY(SELECT jsonb_object_keys(e.payload)), e.prev_digest, e.digest, now()
    FROM unnest(event_ids, payloads, previous_digests, digests) WITH ORDINALITY
        AS e(event_id, payload, prev_digest, digest, position)
    ORDER BY e.position;
END;
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS history_seal_events(text, bigint[], jsonb[]);
DROP FUNCTION IF EXISTS history_digest(text, text, jsonb);
DROP FUNCTION IF EXISTS history_payload(anyelement);
"""


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
