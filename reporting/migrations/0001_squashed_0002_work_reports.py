import django.db.models.deletion
import django.utils.timezone
import history.migration_operations
import pghistory.utils
import pgtrigger.compiler
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('reporting', '0001_initial'), ('reporting', '0002_work_reports')]

    initial = True

    dependencies = [
        ('auth', '__first__'),
        ('organisation', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='SummaryBuild',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(unique=True, verbose_name='month')),
                ('built_at', models.DateTimeField(verbose_name='computed at')),
                ('history_mark', models.BigIntegerField(blank=True, null=True, verbose_name='history mark')),
                ('rows', models.PositiveIntegerField(verbose_name='figures')),
                ('duration_ms', models.PositiveIntegerField(verbose_name='duration (ms)')),
            ],
            options={
                'verbose_name': 'figures computation',
                'verbose_name_plural': 'figures computations',
                'ordering': ['-month'],
            },
        ),
        migrations.CreateModel(
            name='FigureValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The first day of the month; figures as of its last day.', verbose_name='month')),
                ('level', models.CharField(choices=[('district', 'District'), ('town', 'Town'), ('village', 'Village')], max_length=10, verbose_name='level')),
                ('unit_id', models.IntegerField(verbose_name='unit')),
                ('parent_id', models.IntegerField(blank=True, null=True, verbose_name='unit above')),
                ('indicator', models.CharField(max_length=60, verbose_name='indicator')),
                ('value', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='value')),
            ],
            options={
                'verbose_name': 'figure',
                'verbose_name_plural': 'figures',
                'indexes': [models.Index(fields=['month', 'level', 'parent_id', 'indicator'], name='figure_value_children'), models.Index(fields=['level', 'unit_id', 'indicator', 'month'], name='figure_value_trend')],
                'constraints': [models.UniqueConstraint(fields=('month', 'level', 'unit_id', 'indicator'), name='figure_value_one_per_unit_and_month')],
            },
        ),
        migrations.CreateModel(
            name='WorkReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The first day of the month reported on.', verbose_name='month')),
                ('version', models.PositiveIntegerField(verbose_name='version')),
                ('is_current', models.BooleanField(default=False, verbose_name='current version')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('waiting', 'Waiting for the job service'), ('running', 'Being generated'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                ('money_unit', models.CharField(choices=[('yuan', 'yuan'), ('ten_thousand_yuan', '10,000 yuan')], max_length=20, verbose_name='money unit')),
                ('file', models.FileField(blank=True, upload_to='reporting/reports/%Y/', verbose_name='file')),
                ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size (bytes)')),
                ('figures_as_of', models.DateTimeField(blank=True, null=True, verbose_name='figures as of')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='requested at')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('failure', models.TextField(blank=True, verbose_name='failure')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('town', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.town', verbose_name='town')),
            ],
            options={
                'verbose_name': 'monthly work report',
                'verbose_name_plural': 'monthly work reports',
                'ordering': ['-month', '-requested_at', '-pk'],
                'indexes': [models.Index(fields=['month', 'town', 'is_current'], name='work_report_month_unit')],
                'constraints': [models.UniqueConstraint(fields=('month', 'town', 'version'), name='work_report_one_version_number', nulls_distinct=False), models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('month', 'town'), name='work_report_one_current_version', nulls_distinct=False), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='work_report_month_is_first_day'), models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='work_report_progress_percent'), models.CheckConstraint(condition=models.Q(('is_current', False), models.Q(('status', 'done'), models.Q(('sha256', ''), _negated=True), models.Q(('file', ''), _negated=True)), _connector='OR'), name='work_report_current_is_done')],
            },
        ),
        migrations.CreateModel(
            name='WorkReportEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('id', models.BigIntegerField()),
                ('month', models.DateField(help_text='The first day of the month reported on.', verbose_name='month')),
                ('version', models.PositiveIntegerField(verbose_name='version')),
                ('is_current', models.BooleanField(default=False, verbose_name='current version')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('waiting', 'Waiting for the job service'), ('running', 'Being generated'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                ('money_unit', models.CharField(choices=[('yuan', 'yuan'), ('ten_thousand_yuan', '10,000 yuan')], max_length=20, verbose_name='money unit')),
                ('file', models.FileField(blank=True, upload_to='reporting/reports/%Y/', verbose_name='file')),
                ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size (bytes)')),
                ('figures_as_of', models.DateTimeField(blank=True, null=True, verbose_name='figures as of')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='requested at')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('failure', models.TextField(blank=True, verbose_name='failure')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='reporting.workreport')),
                ('requested_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('town', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='organisation.town', verbose_name='town')),
            ],
            options={
                'abstract': False,
            },
        ),
        history.migration_operations.AddTriggers(
            triggers=[('workreport', pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "reporting_workreportevent" ("failure", "figures_as_of", "file", "finished_at", "id", "is_current", "money_unit", "month", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requested_at", "requested_by_id", "sha256", "size", "started_at", "status", "town_id", "version") SELECT new_values."failure", new_values."figures_as_of", new_values."file", new_values."finished_at", new_values."id", new_values."is_current", new_values."money_unit", new_values."month", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', new_values."id", new_values."requested_at", new_values."requested_by_id", new_values."sha256", new_values."size", new_values."started_at", new_values."status", new_values."town_id", new_values."version" FROM ( SELECT new_values.* FROM new_values  ) AS new_values, _pgh_attached_context; RETURN NULL;', hash='336c893013e531a4bbb48f70f8cbd7727c080c39', level='STATEMENT', operation='INSERT', pgid='pgtrigger_insert_insert_32ac1', referencing='REFERENCING NEW TABLE AS new_values ', table='reporting_workreport', when='AFTER'))), ('workreport', pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "reporting_workreportevent" ("failure", "figures_as_of", "file", "finished_at", "id", "is_current", "money_unit", "month", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requested_at", "requested_by_id", "sha256", "size", "started_at", "status", "town_id", "version") SELECT new_values."failure", new_values."figures_as_of", new_values."file", new_values."finished_at", new_values."id", new_values."is_current", new_values."money_unit", new_values."month", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', new_values."id", new_values."requested_at", new_values."requested_by_id", new_values."sha256", new_values."size", new_values."started_at", new_values."status", new_values."town_id", new_values."version" FROM ( SELECT new_values.* FROM old_values JOIN new_values ON (old_values."id") = (new_values."id") WHERE (old_values."failure" IS DISTINCT FROM (new_values."failure") OR old_values."figures_as_of" IS DISTINCT FROM (new_values."figures_as_of") OR old_values."file" IS DISTINCT FROM (new_values."file") OR old_values."finished_at" IS DISTINCT FROM (new_values."finished_at") OR old_values."id" IS DISTINCT FROM (new_values."id") OR old_values."is_current" IS DISTINCT FROM (new_values."is_current") OR old_values."money_unit" IS DISTINCT FROM (new_values."money_unit") OR old_values."month" IS DISTINCT FROM (new_values."month") OR old_values."requested_at" IS DISTINCT FROM (new_values."requested_at") OR old_values."requested_by_id" IS DISTINCT FROM (new_values."requested_by_id") OR old_values."sha256" IS DISTINCT FROM (new_values."sha256") OR old_values."size" IS DISTINCT FROM (new_values."size") OR old_values."started_at" IS DISTINCT FROM (new_values."started_at") OR old_values."status" IS DISTINCT FROM (new_values."status") OR old_values."town_id" IS DISTINCT FROM (new_values."town_id") OR old_values."version" IS DISTINCT FROM (new_values."version")) ) AS new_values, _pgh_attached_context; RETURN NULL;', hash='c197500acfdbe279ac8e954cfc417f51c00e84e8', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_update_update_49de4', referencing='REFERENCING OLD TABLE AS old_values  NEW TABLE AS new_values ', table='reporting_workreport', when='AFTER'))), ('workreport', pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) INSERT INTO "reporting_workreportevent" ("failure", "figures_as_of", "file", "finished_at", "id", "is_current", "money_unit", "month", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requested_at", "requested_by_id", "sha256", "size", "started_at", "status", "town_id", "version") SELECT old_values."failure", old_values."figures_as_of", old_values."file", old_values."finished_at", old_values."id", old_values."is_current", old_values."money_unit", old_values."month", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'delete\', old_values."id", old_values."requested_at", old_values."requested_by_id", old_values."sha256", old_values."size", old_values."started_at", old_values."status", old_values."town_id", old_values."version" FROM ( SELECT old_values.* FROM old_values  ) AS old_values, _pgh_attached_context; RETURN NULL;', hash='d686c684bea109730716dfece1f51efc70397131', level='STATEMENT', operation='DELETE', pgid='pgtrigger_delete_delete_f4266', referencing='REFERENCING OLD TABLE AS old_values ', table='reporting_workreport', when='AFTER'))), ('workreportevent', pgtrigger.compiler.Trigger(name='seal', sql=pgtrigger.compiler.UpsertTriggerSql(func='\n    PERFORM history_seal_events(\n        TG_TABLE_NAME,\n        ARRAY(SELECT pgh_id FROM sealed_events ORDER BY pgh_id),\n        ARRAY(SELECT history_payload(sealed_events) FROM sealed_events ORDER BY pgh_id)\n    );\n    RETURN NULL;\n', hash='dec2949ac684cd098ed0e2cbdedcb4b3fc8a54cd', level='STATEMENT', operation='INSERT', pgid='pgtrigger_seal_8b7e4', referencing='REFERENCING NEW TABLE AS sealed_events ', table='reporting_workreportevent', when='AFTER'))), ('workreportevent', pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='e1c31665cf16e7ad4fc59f4a59ec6d8813c8495b', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_3b1b4', table='reporting_workreportevent', when='BEFORE')))],
        ),
    ]
