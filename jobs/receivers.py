"""Receivers connected in ``JobsConfig.ready``: Celery's task signals feed ``JobRun``, and every
``migrate`` ensures the default schedules exist.

A task must never fail because its bookkeeping did: a write that fails here is logged and dropped.
"""

import logging
import time
from datetime import timedelta

from celery import states
from django.db import connection, transaction
from django.utils import timezone

from jobs.services import job_run_finish, job_run_start, schedules_ensure

logger = logging.getLogger(__name__)

# Per worker process, keyed by task id: the start of each run, and the error task_failure saw
# before task_postrun reports the end.
_started: dict[str, float] = {}
_errors: dict[str, str] = {}


def task_started(sender=None, task_id=None, task=None, **kwargs):
    _started[task_id] = time.monotonic()
    worker = getattr(task.request, "hostname", None) or ""
    _record(job_run_start, task_name=task.name, started_at=timezone.now(), worker=worker)


def task_failed(sender=None, task_id=None, exception=None, einfo=None, **kwargs):
    _errors[task_id] = str(einfo) if einfo else f"{type(exception).__name__}: {exception}"


def task_ended(sender=None, task_id=None, task=None, retval=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    error = _errors.pop(task_id, "")
    if state != states.SUCCESS and not error:
        error = f"{state}: {retval}"
    _record(
        job_run_finish,
        task_name=task.name,
        finished_at=timezone.now(),
        succeeded=state == states.SUCCESS,
        duration=timedelta(seconds=time.monotonic() - started) if started is not None else None,
        error=error,
    )


def _record(service, **kwargs):
    try:
        # A savepoint: inside an eager task in a test transaction, a failed write must not break it.
        with transaction.atomic():
            service(**kwargs)
    except Exception:
        logger.exception("Could not record %s for task %s", service.__name__, kwargs.get("task_name"))


def schedules_ensure_after_migrate(sender=None, using=None, **kwargs):
    # A partial migrate (for example `migrate jobs 0001`) may leave django-celery-beat's tables unmade.
    if "django_celery_beat_periodictask" not in connection.introspection.table_names():
        return
    for periodic_task in schedules_ensure():
        logger.info("Created the default schedule %r (%s).", periodic_task.name, periodic_task.task)


def worker_started(sender=None, **kwargs):
    """A worker that starts sends the jobs left waiting for the job service (a broker that was down is back)."""
    from organisation.enqueue import waiting_resend

    try:
        sent = waiting_resend()
    except Exception:
        logger.exception("Sending the waiting jobs again at the worker's start failed.")
        return
    if any(sent.values()):
        logger.info("Sent again the jobs waiting for the job service: %s", sent)
