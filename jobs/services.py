"""Writes of the jobs app: the default schedules, and what each task run and worker heartbeat did."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone, translation
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from jobs.heartbeat import STALE_AFTER, stale_handlers
from jobs.models import JobLease, JobRun, JobRunStatus, WorkerHeartbeat
from jobs.schedules import DEFAULT_SCHEDULES, DefaultSchedule

logger = logging.getLogger(__name__)

# The tail of a traceback says what went wrong; keep the page and the row small.
ERROR_MAX_CHARS = 10_000


@transaction.atomic
def schedules_ensure(*, schedules: tuple[DefaultSchedule, ...] = DEFAULT_SCHEDULES) -> list[PeriodicTask]:
    """Create the PeriodicTask of every default schedule that has no row of its name; return those created.

    An existing row is left exactly as it is: the district office may have changed it in the admin.
    """
    existing = set(PeriodicTask.objects.filter(name__in=[s.name for s in schedules]).values_list("name", flat=True))
    created = []
    for schedule in schedules:
        if schedule.name in existing:
            continue
        # A schedule has either an interval or a crontab (DefaultSchedule.__post_init__).
        if schedule.every is not None:
            timing = {"interval": _interval(schedule.every)}
        else:
            timing = {"crontab": _crontab(schedule.crontab)}
        periodic_task, was_created = PeriodicTask.objects.get_or_create(
            name=schedule.name,
            defaults={
                "task": schedule.task,
                # Stored text: in the site's language, whatever language the migrate ran in.
                "description": _in_site_language(schedule.description),
                "expire_seconds": schedule.expire_seconds,
                "enabled": True,
                **timing,
            },
        )
        if was_created:
            created.append(periodic_task)
    return created


def _in_site_language(text) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _crontab(fields: dict[str, str]) -> CrontabSchedule:
    spec = {
        "minute": "*",
        "hour": "*",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        **fields,
        "timezone": ZoneInfo(settings.CELERY_TIMEZONE),
    }
    return CrontabSchedule.objects.filter(**spec).first() or CrontabSchedule.objects.create(**spec)


def _interval(every: timedelta) -> IntervalSchedule:
    seconds = int(every.total_seconds())
    units = [
        (IntervalSchedule.DAYS, 86400),
        (IntervalSchedule.HOURS, 3600),
        (IntervalSchedule.MINUTES, 60),
        (IntervalSchedule.SECONDS, 1),
    ]
    period, unit = next((period, unit) for period, unit in units if seconds % unit == 0)
    spec = {"every": seconds // unit, "period": period}
    return IntervalSchedule.objects.filter(**spec).first() or IntervalSchedule.objects.create(**spec)


def job_run_start(*, task_name: str, started_at: datetime, worker: str = "") -> None:
    _upsert(JobRun, key={"task_name": task_name}, values={"last_started_at": started_at, "last_worker": worker})


def job_run_finish(
    *,
    task_name: str,
    finished_at: datetime,
    succeeded: bool,
    duration: timedelta | None = None,
    error: str = "",
) -> None:
    """Count the run and record how it ended; a success clears the previous error."""
    _upsert(
        JobRun,
        key={"task_name": task_name},
        values={
            "last_finished_at": finished_at,
            "last_status": JobRunStatus.SUCCESS if succeeded else JobRunStatus.FAILURE,
            "last_error": "" if succeeded else error[-ERROR_MAX_CHARS:],
            "last_duration": duration,
        },
        increments=("run_count",),
    )


def worker_heartbeat_record(*, hostname: str, beat_at: datetime | None = None) -> None:
    _upsert(WorkerHeartbeat, key={"hostname": hostname}, values={"last_beat_at": beat_at or timezone.now()})


def _upsert(model: type[Model], *, key: dict, values: dict, increments: tuple[str, ...] = ()) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE: concurrent writers of the same row cannot lose an update."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    (key_column,) = key
    columns = [key_column, *values, *increments]
    params = [*key.values(), *values.values(), *([1] * len(increments))]
    assignments = [f"{quote(c)} = EXCLUDED.{quote(c)}" for c in values]
    assignments += [f"{quote(c)} = {table}.{quote(c)} + 1" for c in increments]
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote(key_column)}) DO UPDATE SET {', '.join(assignments)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def stale_leases_sweep(*, now: datetime | None = None, stale_after: timedelta = STALE_AFTER) -> int:
    """Hand every lease without a beat for ``stale_after`` to its kind's handler (the job is marked failed, to be
    retried) and drop it; how many were swept. A handler that fails is logged and its lease kept for the next sweep."""
    now = now or timezone.now()
    handlers = stale_handlers()
    swept = 0
    for lease_id, kind, object_id in JobLease.objects.filter(beat_at__lt=now - stale_after).values_list(
        "pk", "kind", "object_id"
    ):
        handler = handlers.get(kind)
        if handler is None:
            # Its app's module was not imported in this process: dropping the lease would leave the job running.
            logger.error("No handler of dead runs of %s: the lease of %s is kept.", kind, object_id)
            continue
        try:
            with transaction.atomic():
                handler(object_id)
                JobLease.objects.filter(pk=lease_id, beat_at__lt=now - stale_after).delete()
        except Exception:
            logger.exception("The dead run of %s %s could not be closed.", kind, object_id)
            continue
        swept += 1
    return swept
