from django.db import migrations

# The digest of one history event, chained to the digest before it. The time zone is fixed so a
# timestamp renders the same way in the trigger and in verify_history, whatever the session says.
CREATE = """
CREATE OR REPLACE FUNCTION history_digest(previous text, event_table text, event anyelement)
RETURNS text
LANGUAGE sql STABLE
SET "TimeZone" = 'UTC'
AS $$
    SELECT encode(
        sha256(convert_to(coalesce(previous, '') || '|' || event_table || '|' || to_jsonb(event)::text, 'UTF8')),
        'hex'
    )
$$;
"""

DROP = "DROP FUNCTION IF EXISTS history_digest(text, text, anyelement);"


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
