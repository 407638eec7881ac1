"""Problems of imports stored before their ID numbers were masked (households.importing.rows.problem_value_stored):
mask them now, in one UPDATE, as the pages show them (first six and last four characters)."""

from django.db import migrations

# The ID column's header when this migration was written (households.importing.columns.HEADER["id_number"]).
ID_COLUMN = "公民身份号码"

MASK = """
    UPDATE households_importrowerror
       SET value = CASE WHEN length(value) <= 10 THEN repeat('*', length(value))
                        ELSE left(value, 6) || repeat('*', length(value) - 10) || right(value, 4) END
     WHERE value <> ''
       AND (("column" = %s) OR value ~ '[0-9]{15}')
       AND substr(value, 7, greatest(length(value) - 10, 0)) !~ '^[*]+$'
"""


def mask(apps, schema_editor):
    schema_editor.execute(MASK, params=[ID_COLUMN])


class Migration(migrations.Migration):
    dependencies = [("households", "0004_exportjob_moved_to_organisation")]

    operations = [migrations.RunPython(mask, migrations.RunPython.noop)]
