"""Beat, exactly once: the scheduler runs only while it holds a PostgreSQL advisory lock of its database.

Two beats would send every job of jobs/schedules.py twice (two overdue scans, two backups). The deployment guide
runs one ``lanshan-beat`` unit; this makes a second one, started by mistake or as a standby on another machine, wait
instead of sending: it takes over within ``BEAT_LOCK_POLL_SECONDS`` once the first one's connection is gone (stopped,
killed, or its machine dead: TCP keepalives end the connection). A beat whose lock connection breaks exits, so
systemd restarts it and it waits for the lock again.
"""

import hashlib
import logging
import os
import socket
import time

import psycopg
from django.conf import settings
from django.db import connection
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# One lock per database: two deployments on one PostgreSQL server do not wait for each other.
BEAT_LOCK_KEY = int.from_bytes(hashlib.sha256(b"lanshan celery beat").digest()[:8], "big", signed=True)


def beat_lock_take(*, poll_seconds: float) -> psycopg.Connection:
    """A connection holding the beat lock: taken at once, or after waiting for the beat that holds it to stop."""
    database = connection.settings_dict
    lock_connection = psycopg.connect(
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        dbname=database["NAME"],
        autocommit=True,
        application_name=f"lanshan beat {socket.gethostname()} pid {os.getpid()}",
        keepalives=1,
        keepalives_idle=30,
        keepalives_interval=10,
        keepalives_count=3,
    )
    told = False
    while not lock_connection.execute("SELECT pg_try_advisory_lock(%s)", [BEAT_LOCK_KEY]).fetchone()[0]:
        if not told:
            holder = lock_connection.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND l.classid::bigint = %s AND l.objid::bigint = %s",
                [(BEAT_LOCK_KEY >> 32) & 0xFFFFFFFF, BEAT_LOCK_KEY & 0xFFFFFFFF],
            ).fetchone()
            logger.warning(
                "Another beat holds the beat lock (%s): this one is waiting to take over.",
                holder[0] if holder else "unknown",
            )
            told = True
        time.sleep(poll_seconds)
    logger.info("This beat holds the beat lock: it sends the scheduled jobs.")
    return lock_connection


class SingleBeatScheduler(DatabaseScheduler):
    """django-celery-beat's scheduler (schedules in the database, edited in the admin), run by one beat at a time."""

    def __init__(self, *args, **kwargs):
        self._beat_lock = beat_lock_take(poll_seconds=settings.BEAT_LOCK_POLL_SECONDS)
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        try:
            self._beat_lock.execute("SELECT 1")
        except psycopg.Error as error:
            # The lock went with its connection: another beat may hold it now. Exit; systemd starts this one again.
            logger.error("The beat lock's connection broke (%s): stopping so that no two beats send jobs.", error)
            raise SystemExit(1) from error
        return super().tick(*args, **kwargs)

    def close(self):
        try:
            super().close()
        finally:
            self._beat_lock.close()
