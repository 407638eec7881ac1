"""Backups on the real PostgreSQL: pg_dump and the media files into a folder, checked by SHA-256, restored into a
fresh database where verify_history passes; retention drops the oldest; the nightly job is declared in the one
place schedules are."""

import datetime as dt
import json
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from history.services import history_checkpoint_write
from jobs.schedules import DEFAULT_SCHEDULES
from lanshan.backups import DUMP, MANIFEST, MEDIA, BackupError, backup_list, backup_make, backup_prune
from lanshan.celery import app as celery_app
from tests.factories.households import MemberFactory


def maintenance():
    database = connection.settings_dict
    return psycopg.connect(
        host=database["HOST"] or None, port=database["PORT"] or None, user=database["USER"], dbname="postgres",
        autocommit=True,
    )  # fmt: skip


@pytest.fixture
def fresh_database_name():
    """A database name no one uses; the database the test makes under it is dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    yield name
    with maintenance() as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def backups(tmp_path, settings):
    settings.BACKUP_ROOT = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_KEEP, settings.BACKUP_KEEP_DAYS = 14, 35
    return settings.BACKUP_ROOT


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_its_files_and_verify_history_passes(
    backups, settings, tmp_path, fresh_database_name, village, capsys
):
    # given households with history, a signed checkpoint and a media file
    member = MemberFactory(household__village=village, name="张备份")
    history_checkpoint_write()
    stored = settings.MEDIA_ROOT / "imports" / "2026" / "名单.xlsx"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"PK\x03\x04 a sheet" * 100)

    # when the nightly backup runs
    backup = backup_make()

    # then a complete folder holds the dump, the media archive and a manifest of their SHA-256 sums, and no partial one
    assert sorted(path.name for path in backups.iterdir()) == [backup.name]
    manifest = json.loads((backup.path / MANIFEST).read_text())
    assert set(manifest["files"]) == {DUMP, MEDIA}
    assert (backup.path / DUMP).read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    # when it is restored into a new database and a new media folder
    restored_media = tmp_path / "restored-media"
    call_command("restore_backup", backup.name, "--database", fresh_database_name, "--media-root", str(restored_media))
    report = capsys.readouterr().out

    # then the rows and the file are there, and verify_history passed on the restored database
    with psycopg.connect(
        host=connection.settings_dict["HOST"] or None,
        user=connection.settings_dict["USER"],
        dbname=fresh_database_name,
    ) as restored:
        assert restored.execute(
            "SELECT h.file_number FROM households_member m JOIN households_household h ON h.id = m.household_id "
            "WHERE m.name = %s",
            ["张备份"],
        ).fetchall() == [(member.household.file_number,)]
        assert restored.execute("SELECT count(*) FROM history_checkpoint").fetchone()[0] >= 1
    assert (restored_media / "imports" / "2026" / "名单.xlsx").read_bytes() == stored.read_bytes()
    assert "households_member: 1" in report
    assert fresh_database_name in report


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_or_an_existing_database_is_refused(backups, tmp_path, fresh_database_name, village):
    # given a backup
    MemberFactory(household__village=village)
    backup = backup_make()
    # when the dump is changed by one byte, then the restore refuses it before touching any database
    dump = backup.path / DUMP
    data = bytearray(dump.read_bytes())
    data[-1] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore_backup", str(backup.path), "--database", fresh_database_name, "--no-media")
    with maintenance() as server:
        assert server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [fresh_database_name]).fetchone() is None
    # and a database that exists (the live one) is never restored into
    good = backup_make(now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    with pytest.raises(CommandError, match="已存在"):
        call_command("restore_backup", good.name, "--database", connection.settings_dict["NAME"], "--no-media")


@pytest.mark.django_db(transaction=True)
def test_retention_keeps_the_newest_and_drops_the_oldest(backups, settings):
    # given a retention of two backups
    settings.BACKUP_KEEP = 2
    start = dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.UTC)
    # when three nightly backups are made
    made = [backup_make(now=start + dt.timedelta(days=day)) for day in range(3)]
    # then the oldest was dropped and the two newest are kept
    assert [backup.name for backup in backup_list()] == [made[2].name, made[1].name]
    assert not made[0].path.exists()
    # when the newest is 40 days old and the age limit is 35 days, then it stays (the newest is never dropped) while
    # the other goes
    dropped = backup_prune(now=start + dt.timedelta(days=42))
    assert [backup.name for backup in dropped] == [made[1].name]
    assert [backup.name for backup in backup_list()] == [made[2].name]


def test_the_backup_is_a_nightly_beat_job_of_a_registered_task():
    schedule = next(schedule for schedule in DEFAULT_SCHEDULES if schedule.task == "lanshan.tasks.make_backup")
    assert schedule.crontab and schedule.expire_seconds
    celery_app.loader.import_default_modules()
    assert schedule.task in celery_app.tasks


@pytest.mark.django_db(transaction=True)
def test_a_backup_that_fails_leaves_no_folder(backups, settings):
    # given a pg_dump that cannot run
    settings.BACKUP_PG_DUMP = "/nonexistent/pg_dump"
    # when the backup runs, then it fails and leaves neither a backup nor a partial folder
    with pytest.raises((BackupError, OSError)):
        backup_make()
    assert list(backups.iterdir()) == []
