"""Restore a backup into a fresh database and check it there:

    python manage.py restore_backup lanshan-20261206T013000000000Z --database lanshan_restored \
        --media-root /srv/lanshan-restored/media

The backup's files are checked against the SHA-256 sums of its manifest first; the database must not exist (it is
created), the media folder must be new or empty. Then ``verify_history`` runs against the restored database (in a
process of its own, with DATABASE_URL pointing there) and the command reports the rows restored and the check's
result; it fails when the check fails. The running site is not touched: point DATABASE_URL and DJANGO_MEDIA_ROOT at
the restored copies to switch to them (docs/deployment.md, "Backups").
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from psycopg import sql

from lanshan.backups import BackupError, backup_find, backup_restore


def database_url(database: dict) -> str:
    user = quote(database.get("USER") or "", safe="")
    password = f":{quote(str(database['PASSWORD']), safe='')}" if database.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(database['NAME'], safe='')}"


class Command(BaseCommand):
    help = "Restore a backup into a new database (and media folder), then run verify_history there and report."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup folder, or its name in BACKUP_ROOT")
        parser.add_argument("--database", required=True, help="the new database's name (it must not exist)")
        media = parser.add_mutually_exclusive_group(required=True)
        media.add_argument("--media-root", type=Path, help="a new or empty folder for the media files")
        media.add_argument("--no-media", action="store_true", help="restore the database only")

    def handle(self, *args, backup, database, media_root, no_media, **options):
        try:
            path = backup_find(backup)
            manifest = backup_restore(path=path, database_name=database, media_root=None if no_media else media_root)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Restored %(backup)s (database %(source)s, taken %(when)s) into database %(database)s.")
            % {
                "backup": path.name,
                "source": manifest["database"],
                "when": manifest["created_at"],
                "database": database,
            }
        )
        restored = {**connection.settings_dict, "NAME": database}
        for table, rows in self._row_counts(restored):
            self.stdout.write(f"  {table}: {rows}")
        if not no_media:
            files = sum(1 for item in media_root.rglob("*") if item.is_file())
            self.stdout.write(
                _("%(count)s media files restored into %(folder)s.") % {"count": files, "folder": media_root}
            )
        check = subprocess.run(
            # --restored: the copy is older than now and than the anchor file, whose older heads it must still hold.
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_history", "--restored"],
            env={
                **os.environ,
                "DATABASE_URL": database_url(restored),
                "HISTORY_ANCHOR_PATH": str(settings.HISTORY_ANCHOR_PATH or ""),
            },
            capture_output=True,
            text=True,
        )
        self.stdout.write(check.stdout)
        if check.returncode != 0:
            self.stderr.write(check.stderr)
            raise CommandError(
                _("verify_history found problems in the restored database %(database)s.") % {"database": database}
            )
        self.stdout.write(
            self.style.SUCCESS(_("The restored database %(database)s passed verify_history.") % {"database": database})
        )

    def _row_counts(self, database: dict) -> list[tuple[str, int]]:
        """Every table of the restored database that holds rows, with its exact count."""
        with psycopg.connect(
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            dbname=database["NAME"],
        ) as restored:
            tables = [
                row[0]
                for row in restored.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
                ).fetchall()
            ]
            counts = []
            for table in tables:
                (rows,) = restored.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
                if rows:
                    counts.append((table, rows))
        return counts
