"""Heartbeats of running jobs (``JobLease``), so that a job whose worker was killed does not stay "importing" until
the broker's one-hour visibility timeout: ``beating(kind, id)`` around a job's work, and one handler per kind
(``stale_handler``) that says what a dead run leaves (the household import: failed, with a retry button)."""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from jobs.models import JobLease

logger = logging.getLogger(__name__)

# How often a running job proves it is alive, and after how long without a beat it is taken for dead.
BEAT_EVERY = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=3)

StaleHandler = Callable[[int], None]
_handlers: dict[str, StaleHandler] = {}


def stale_handler(kind: str) -> Callable[[StaleHandler], StaleHandler]:
    """Register what a dead run of ``kind`` leaves behind: called with the record's id by the sweep."""

    def register(function: StaleHandler) -> StaleHandler:
        _handlers[kind] = function
        return function

    return register


def stale_handlers() -> dict[str, StaleHandler]:
    return dict(_handlers)


@contextmanager
def beating(kind: str, object_id: int, *, every: timedelta = BEAT_EVERY, worker: str = "") -> Iterator[None]:
    """Hold a lease on (``kind``, ``object_id``) while the block runs, beating every ``every`` from a thread of its own
    (with its own database session: the block's transaction may lock the job's row for the whole run).

    A lease another run holds and still beats is left to it: a second delivery of the same job (the broker's redelivery
    of a killed run's message, an hour later, while the retry runs) neither takes it over nor deletes it when it ends,
    so the run that does the work stays covered. The block runs either way; the job's service decides whether there is
    work left. Each run beats and deletes only the lease it holds (``worker`` names the host, process and run)."""
    holder = f"{(worker or socket.gethostname())[:150]} pid {os.getpid()} run {uuid.uuid4().hex[:12]}"
    if not _lease_take(kind, object_id, holder):
        logger.info("%s %s is running elsewhere: this run holds no lease.", kind, object_id)
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every.total_seconds()):
                JobLease.objects.filter(kind=kind, object_id=object_id, worker=holder).update(beat_at=timezone.now())
        except Exception:
            logger.exception("The heartbeat of %s %s stopped.", kind, object_id)
        finally:
            connection.close()  # this thread's own session

    thread = threading.Thread(target=beat, name=f"heartbeat {kind} {object_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        JobLease.objects.filter(kind=kind, object_id=object_id, worker=holder).delete()


def _lease_take(kind: str, object_id: int, holder: str) -> bool:
    """One INSERT ... ON CONFLICT: the lease is ``holder``'s if there was none or its beat is older than
    ``STALE_AFTER`` (its run died and the sweep has not been by yet); whether it is."""
    now = timezone.now()
    table = connection.ops.quote_name(JobLease._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, object_id, worker, started_at, beat_at) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (kind, object_id) DO UPDATE SET worker = EXCLUDED.worker, started_at = EXCLUDED.started_at, "
            f"beat_at = EXCLUDED.beat_at WHERE {table}.beat_at < %s RETURNING id",
            [kind, object_id, holder, now, now, now - STALE_AFTER],
        )
        return cursor.fetchone() is not None
