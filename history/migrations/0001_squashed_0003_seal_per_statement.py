import django.contrib.postgres.fields
import django.db.models.deletion
import history.migration_operations
import pgtrigger.compiler
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('history', '0001_initial'), ('history', '0002_history_functions'), ('history', '0003_seal_per_statement')]

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Seal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_table', models.CharField(max_length=63, verbose_name='event table')),
                ('event_id', models.BigIntegerField(verbose_name='event id')),
                ('columns', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=63), size=None, verbose_name='sealed columns')),
                ('prev_digest', models.CharField(max_length=64, null=True, verbose_name='previous digest')),
                ('digest', models.CharField(max_length=64, verbose_name='digest')),
                ('sealed_at', models.DateTimeField(verbose_name='sealed at')),
            ],
            options={
                'verbose_name': 'history seal',
                'verbose_name_plural': 'history seals',
                'constraints': [models.UniqueConstraint(fields=('event_table', 'event_id'), name='history_seal_unique_event')],
            },
        ),
        migrations.CreateModel(
            name='Checkpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64, verbose_name='digest')),
                ('signature', models.CharField(max_length=64, verbose_name='signature (HMAC-SHA256)')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('seal', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='checkpoint', to='history.seal', verbose_name='seal')),
            ],
            options={
                'verbose_name': 'history checkpoint',
                'verbose_name_plural': 'history checkpoints',
            },
        ),
        migrations.RunSQL(
            sql='\nCREATE OR REPLACE FUNCTION history_payload(event anyelement)\nRETURNS jsonb\nLANGUAGE sql STABLE\nSET "TimeZone" = \'UTC\'\nAS $$ SELECT to_jsonb(event) $$;\n\nCREATE OR REPLACE FUNCTION history_digest(previous text, event_table text, payload jsonb)\nRETURNS text\nLANGUAGE sql IMMUTABLE\nAS $$\n    SELECT encode(\n        sha256(convert_to(coalesce(previous, \'\') || \'|\' || event_table || \'|\' || payload::text, \'UTF8\')),\n        \'hex\'\n    )\n$$;\n\nCREATE OR REPLACE FUNCTION history_seal_events(event_table text, event_ids bigint[], payloads jsonb[])\nRETURNS void\nLANGUAGE plpgsql\nAS $$\nDECLARE\n    previous text;\n    previous_digests text[] := \'{}\';\n    digests text[] := \'{}\';\nBEGIN\n    IF coalesce(array_length(event_ids, 1), 0) = 0 THEN\n        RETURN;\n    END IF;\n    PERFORM pg_advisory_xact_lock(371302);\n    SELECT digest INTO previous FROM history_seal ORDER BY id DESC LIMIT 1;\n    FOR i IN 1 .. array_length(event_ids, 1) LOOP\n        previous_digests[i] := previous;\n        previous := history_digest(previous, event_table, payloads[i]);\n        digests[i] := previous;\n    END LOOP;\n    -- Seal ids follow the chain\'s order, which verify_history walks.\n    INSERT INTO history_seal (event_table, event_id, columns, prev_digest, digest, sealed_at)\n    SELECT event_table, e.event_id, ARRAY(SELECT jsonb_object_keys(e.payload)), e.prev_digest, e.digest, now()\n    FROM unnest(event_ids, payloads, previous_digests, digests) WITH ORDINALITY\n        AS e(event_id, payload, prev_digest, digest, position)\n    ORDER BY e.position;\nEND;\n$$;\n',
            reverse_sql='\nDROP FUNCTION IF EXISTS history_seal_events(text, bigint[], jsonb[]);\nDROP FUNCTION IF EXISTS history_digest(text, text, jsonb);\nDROP FUNCTION IF EXISTS history_payload(anyelement);\n',
        ),
        migrations.AddField(
            model_name='seal',
            name='scheme',
            field=models.PositiveSmallIntegerField(choices=[(1, 'one event per seal'), (2, 'one statement per seal')], default=1, verbose_name='sealing scheme'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='seal',
            name='event_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='event id'),
        ),
        migrations.AddField(
            model_name='seal',
            name='event_ids',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, null=True, size=None, verbose_name='event ids'),
        ),
        migrations.AddField(
            model_name='seal',
            name='event_digests',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.BinaryField(), blank=True, null=True, size=None, verbose_name='event digests'),
        ),
        migrations.RemoveConstraint(
            model_name='seal',
            name='history_seal_unique_event',
        ),
        migrations.AddConstraint(
            model_name='seal',
            constraint=models.UniqueConstraint(condition=models.Q(('scheme', 1)), fields=('event_table', 'event_id'), name='history_seal_unique_event'),
        ),
        migrations.AddConstraint(
            model_name='seal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('event_digests__isnull', True), ('event_id__isnull', False), ('event_ids__isnull', True), ('scheme', 1)), models.Q(('event_digests__isnull', False), ('event_digests__len', models.F('event_ids__len')), ('event_id__isnull', True), ('event_ids__isnull', False), ('event_ids__len__gt', 0), ('scheme', 2)), _connector='OR'), name='history_seal_scheme_shape'),
        ),
        migrations.AddIndex(
            model_name='seal',
            index=models.Index(condition=models.Q(('scheme', 2)), fields=['event_table'], name='history_seal_statement_table'),
        ),
        migrations.RunSQL(
            sql="\nALTER TABLE history_seal ALTER COLUMN event_digests SET STORAGE EXTERNAL;\n\nCREATE OR REPLACE FUNCTION history_event_digest(payload jsonb)\nRETURNS bytea\nLANGUAGE sql STABLE\nAS $$ SELECT sha256(convert_to(payload::text, 'UTF8')) $$;\n\nCREATE OR REPLACE FUNCTION history_statement_digest(previous text, event_table text, event_digests bytea[])\nRETURNS text\nLANGUAGE sql STABLE\nAS $$\n    SELECT encode(\n        sha256(\n            convert_to(coalesce(previous, '') || '|' || event_table || '|', 'UTF8')\n            || coalesce(\n                (SELECT string_agg(d.digest, ''::bytea ORDER BY d.position)\n                 FROM unnest(event_digests) WITH ORDINALITY AS d(digest, position)),\n                ''::bytea\n            )\n        ),\n        'hex'\n    )\n$$;\n\nCREATE OR REPLACE FUNCTION history_seal_events(event_table text, event_ids bigint[], payloads jsonb[])\nRETURNS void\nLANGUAGE plpgsql\nAS $$\nDECLARE\n    previous text;\n    digests bytea[];\nBEGIN\n    IF coalesce(array_length(event_ids, 1), 0) = 0 THEN\n        RETURN;\n    END IF;\n    SELECT array_agg(history_event_digest(p.payload) ORDER BY p.position) INTO digests\n    FROM unnest(payloads) WITH ORDINALITY AS p(payload, position);\n    PERFORM pg_advisory_xact_lock(371302);\n    SELECT digest INTO previous FROM history_seal ORDER BY id DESC LIMIT 1;\n    -- All events of one statement come from one table and share its columns.\n    INSERT INTO history_seal (event_table, scheme, event_ids, event_digests, columns, prev_digest, digest, sealed_at)\n    VALUES (\n        event_table, 2, event_ids, digests, ARRAY(SELECT jsonb_object_keys(payloads[1])), previous,\n        history_statement_digest(previous, event_table, digests), now()\n    );\nEND;\n$$;\n",
            reverse_sql='\nCREATE OR REPLACE FUNCTION history_payload(event anyelement)\nRETURNS jsonb\nLANGUAGE sql STABLE\nSET "TimeZone" = \'UTC\'\nAS $$ SELECT to_jsonb(event) $$;\n\nCREATE OR REPLACE FUNCTION history_digest(previous text, event_table text, payload jsonb)\nRETURNS text\nLANGUAGE sql IMMUTABLE\nAS $$\n    SELECT encode(\n        sha256(convert_to(coalesce(previous, \'\') || \'|\' || event_table || \'|\' || payload::text, \'UTF8\')),\n        \'hex\'\n    )\n$$;\n\nCREATE OR REPLACE FUNCTION history_seal_events(event_table text, event_ids bigint[], payloads jsonb[])\nRETURNS void\nLANGUAGE plpgsql\nAS $$\nDECLARE\n    previous text;\n    previous_digests text[] := \'{}\';\n    digests text[] := \'{}\';\nBEGIN\n    IF coalesce(array_length(event_ids, 1), 0) = 0 THEN\n        RETURN;\n    END IF;\n    PERFORM pg_advisory_xact_lock(371302);\n    SELECT digest INTO previous FROM history_seal ORDER BY id DESC LIMIT 1;\n    FOR i IN 1 .. array_length(event_ids, 1) LOOP\n        previous_digests[i] := previous;\n        previous := history_digest(previous, event_table, payloads[i]);\n        digests[i] := previous;\n    END LOOP;\n    -- Seal ids follow the chain\'s order, which verify_history walks.\n    INSERT INTO history_seal (event_table, event_id, columns, prev_digest, digest, sealed_at)\n    SELECT event_table, e.event_id, ARRAY(SELECT jsonb_object_keys(e.payload)), e.prev_digest, e.digest, now()\n    FROM unnest(event_ids, payloads, previous_digests, digests) WITH ORDINALITY\n        AS e(event_id, payload, prev_digest, digest, position)\n    ORDER BY e.position;\nEND;\n$$;\n\nDROP FUNCTION IF EXISTS history_statement_digest(text, text, bytea[]);\nDROP FUNCTION IF EXISTS history_event_digest(jsonb);\nALTER TABLE history_seal ALTER COLUMN event_digests SET STORAGE EXTENDED;\n',
        ),
        history.migration_operations.AddTriggers(
            triggers=[('seal', pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='f01cb6c2b239b2587dea70eed1cae52a5d702fa0', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_66d31', table='history_seal', when='BEFORE'))), ('checkpoint', pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='95eda50efbe5e67374f7265a6ccafc32f24d6558', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_48246', table='history_checkpoint', when='BEFORE')))],
        ),
    ]
