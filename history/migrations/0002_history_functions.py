from django.db import migrations

# The sealing logic, in one place. Every tracked model's ``seal`` trigger calls
# history_seal(table, id, history_payload(NEW)).
#
# history_payload renders the event row as jsonb with the time zone fixed, so a timestamp renders
# the same in the trigger and in verify_history, whatever the session's TimeZone says.
# history_digest chains the payload to the previous seal's digest. history_seal takes a
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

CREATE OR REPLACE FUNCTION history_seal(event_table text, event_id bigint, payload jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    previous text;
BEGIN
    PERFORM pg_advisory_xact_lock(371302);
    SELECT digest INTO previous FROM history_seal ORDER BY id DESC LIMIT 1;
    INSERT INTO history_seal (event_table, event_id, columns, prev_digest, digest, sealed_at)
    VALUES (
        event_table,
        event_id,
        ARRAY(SELECT jsonb_object_keys(payload)),
        previous,
        history_digest(previous, event_table, payload),
        now()
    );
END;
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS history_seal(text, bigint, jsonb);
DROP FUNCTION IF EXISTS history_digest(text, text, jsonb);
DROP FUNCTION IF EXISTS history_payload(anyelement);
"""


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
