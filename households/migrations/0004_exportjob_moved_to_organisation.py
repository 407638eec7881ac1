# The roster export is one kind of the list export kit now (organisation.ExportJob): its jobs move there, with
# their files, under the kind "households.roster", and the households table goes.

from django.db import migrations

COLUMNS = "owner_id, filters, full_ids, status, rows_total, rows_done, file, sha256, failure, created_at, finished_at"

MOVE = f"""
INSERT INTO organisation_exportjob (kind, {COLUMNS})
SELECT 'households.roster', {COLUMNS} FROM households_exportjob ORDER BY id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0003_export_job"),
        ("organisation", "0002_exportjob"),
    ]

    operations = [
        migrations.RunSQL(MOVE, reverse_sql=migrations.RunSQL.noop),
        migrations.DeleteModel(name="ExportJob"),
    ]
