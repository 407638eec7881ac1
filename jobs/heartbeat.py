"""Heartbeats of running jobs (``JobLease``), so that a job whose worker was killed does not stay "importing" until
the broker's one-hour visibility timeout: ``beating(kind, id)`` around a job's work, and one handler per kind
(``stale_handler``) that says what a dead run leaves (the household import: failed, with a retry button)."""

import logging
import socket
import threading
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
    (with its own database session: the block's transaction may lock the job's row for the whole run)."""
    now = timezone.now()
    JobLease.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={"started_at": now, "beat_at": now, "worker": worker or socket.gethostname()},
    )
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every.total_seconds()):
                JobLease.objects.filter(kind=kind, object_id=object_id).update(beat_at=timezone.now())
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
        JobLease.objects.filter(kind=kind, object_id=object_id).delete()
