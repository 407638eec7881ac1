"""Backups of the whole system, and their restore into a fresh database (docs/deployment.md, "Backups").

A backup is one folder in ``settings.BACKUP_ROOT``, named ``lanshan-<UTC time>``:

- ``database.dump``: ``pg_dump --format=custom`` of the database (one consistent snapshot);
- ``media.tar``: every file under ``MEDIA_ROOT`` (uploads, exports, reports, evidence), taken right after the dump;
- ``manifest.json``: when, of which database, and each file's size and SHA-256.

It is written in a ``.partial-…`` folder beside the others and renamed when complete: a folder named ``lanshan-…``
is always a whole backup, whatever crashed while one was written. Retention keeps the newest ``BACKUP_KEEP`` and
drops any older than ``BACKUP_KEEP_DAYS`` days (0 switches a rule off); the newest backup is never dropped.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from psycopg import sql

PREFIX = "lanshan-"
PARTIAL_PREFIX = ".partial-"
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar"
NAME_FORMAT = "%Y%m%dT%H%M%S%fZ"
# A partial folder this old belongs to a run that died: retention removes it.
PARTIAL_MAX_AGE = dt.timedelta(days=1)


class BackupError(Exception):
    """A backup that cannot be made, or a restore that must not go on (a damaged file, a database that exists)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    created_at: dt.datetime

    @property
    def name(self) -> str:
        return self.path.name


def _database(settings_dict: dict | None = None) -> dict:
    return settings_dict or connection.settings_dict


def _pg_environment(database: dict) -> dict[str, str]:
    """libpq's variables for the command-line tools, so no password is ever on a command line."""
    environment = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            environment[variable] = str(database[key])
    return environment


def _run(command: list[str], database: dict) -> None:
    done = subprocess.run(command, env=_pg_environment(database), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            _("%(command)s failed (exit status %(status)s): %(error)s")
            % {"command": command[0], "status": done.returncode, "error": done.stderr.strip()[-2000:]}
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backup_root() -> Path:
    return Path(settings.BACKUP_ROOT)


def backup_make(*, root: Path | None = None, now: dt.datetime | None = None) -> Backup:
    """Dump the database and the media files into a new backup folder, then apply the retention."""
    root = root or backup_root()
    root.mkdir(parents=True, exist_ok=True)
    created_at = now or dt.datetime.now(dt.UTC)
    name = f"{PREFIX}{created_at.astimezone(dt.UTC):{NAME_FORMAT}}"
    partial = root / f"{PARTIAL_PREFIX}{name}"
    final = root / name
    if final.exists():
        raise BackupError(_("%(path)s exists already.") % {"path": final})
    database = _database()
    partial.mkdir()
    try:
        _run(
            [settings.BACKUP_PG_DUMP, "--format=custom", "--file", str(partial / DUMP), "--dbname", database["NAME"]],
            database,
        )
        media_root = Path(settings.MEDIA_ROOT)
        with tarfile.open(partial / MEDIA, "w") as archive:
            if media_root.is_dir():
                archive.add(media_root, arcname="media")
        files = {
            file_name: {"bytes": (partial / file_name).stat().st_size, "sha256": _sha256(partial / file_name)}
            for file_name in (DUMP, MEDIA)
        }
        manifest = {
            "format": 1,
            "created_at": created_at.isoformat(),
            "database": database["NAME"],
            "server_version": connection.pg_version,
            "media_root": str(media_root),
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        for file_name in (DUMP, MEDIA, MANIFEST):
            _fsync(partial / file_name)
        os.rename(partial, final)
        _fsync(root)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    backup_prune(root=root, now=created_at)
    return Backup(path=final, created_at=created_at)


def backup_list(*, root: Path | None = None) -> list[Backup]:
    """The complete backups in ``root``, newest first."""
    root = root or backup_root()
    if not root.is_dir():
        return []
    backups = []
    for path in root.iterdir():
        if not (path.is_dir() and path.name.startswith(PREFIX)):
            continue
        try:
            created_at = dt.datetime.strptime(path.name.removeprefix(PREFIX), NAME_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            continue  # not one of ours
        backups.append(Backup(path=path, created_at=created_at))
    return sorted(backups, key=lambda backup: backup.created_at, reverse=True)


def backup_prune(
    *, root: Path | None = None, keep: int | None = None, keep_days: int | None = None, now: dt.datetime | None = None
) -> list[Backup]:
    """Delete the backups the retention no longer keeps, and partial folders of dead runs; return those deleted."""
    root = root or backup_root()
    keep = settings.BACKUP_KEEP if keep is None else keep
    keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    now = now or dt.datetime.now(dt.UTC)
    backups = backup_list(root=root)
    dropped = []
    for index, backup in enumerate(backups):
        if index == 0:
            continue  # the newest backup is never dropped
        beyond_count = keep > 0 and index >= keep
        too_old = keep_days > 0 and now - backup.created_at > dt.timedelta(days=keep_days)
        if beyond_count or too_old:
            shutil.rmtree(backup.path)
            dropped.append(backup)
    for path in root.glob(f"{PARTIAL_PREFIX}*"):
        if now.timestamp() - path.stat().st_mtime > PARTIAL_MAX_AGE.total_seconds():
            shutil.rmtree(path, ignore_errors=True)
    return dropped


def backup_find(name_or_path: str, *, root: Path | None = None) -> Path:
    """A backup folder given by its path or by its name in ``root``."""
    path = Path(name_or_path)
    if not path.is_dir():
        path = (root or backup_root()) / name_or_path
    if not (path / MANIFEST).is_file():
        raise BackupError(_("%(backup)s is not a backup: it has no manifest.json.") % {"backup": name_or_path})
    return path


def backup_check(path: Path) -> dict:
    """The manifest, once every file it lists has its size and SHA-256; a damaged backup is refused."""
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    for file_name, expected in manifest["files"].items():
        file_path = path / file_name
        if not file_path.is_file():
            raise BackupError(_("%(file)s is missing from %(backup)s.") % {"file": file_name, "backup": path})
        if file_path.stat().st_size != expected["bytes"] or _sha256(file_path) != expected["sha256"]:
            raise BackupError(
                _("%(file)s of %(backup)s does not match its SHA-256 in the manifest: the backup is damaged.")
                % {"file": file_name, "backup": path}
            )
    return manifest


def backup_restore(*, path: Path, database_name: str, media_root: Path | None) -> dict:
    """Restore a checked backup into a NEW database ``database_name`` (on the server of the default database) and
    its media files into ``media_root`` (a new or empty folder; None leaves them out). Returns the manifest."""
    manifest = backup_check(path)
    if media_root is not None and media_root.exists() and any(media_root.iterdir()):
        raise BackupError(
            _("%(folder)s is not empty: media files are restored into a new or empty folder only.")
            % {"folder": media_root}
        )
    database = {**_database(), "NAME": database_name}
    with _maintenance_connection(database) as maintenance:
        exists = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name]).fetchone()
        if exists:
            raise BackupError(
                _("Database %(database)s exists: a backup is restored into a fresh database only.")
                % {"database": database_name}
            )
        maintenance.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(database_name)))
    _run(
        [
            settings.BACKUP_PG_RESTORE,
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            database_name,
            str(path / DUMP),
        ],
        database,
    )
    if media_root is not None:
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path / MEDIA) as archive:
            members = [member for member in archive.getmembers() if member.name.startswith("media/")]
            for member in members:
                member.name = member.name.removeprefix("media/")
            archive.extractall(media_root, members=members, filter="data")
    return manifest


def _maintenance_connection(database: dict) -> psycopg.Connection:
    return psycopg.connect(
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
