"""Reads for the job status page: are workers and beat alive, and what did each schedule do last."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from cron_descriptor import (
    ExpressionDescriptor,
    FormatException,
    MissingFieldException,
    Options,
    WrongArgumentException,
)
from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from kombu.exceptions import OperationalError

from jobs.models import JobRun, WorkerHeartbeat
from jobs.schedules import HEARTBEAT_TASK
from lanshan.celery import app as celery_app

# The heartbeat is sent every minute; missing it three times means something is down.
ALIVE_WITHIN = timedelta(minutes=3)


@dataclass(frozen=True)
class WorkerPing:
    replied: list[str]
    error: str = ""


@dataclass(frozen=True)
class ScheduleRow:
    periodic_task: PeriodicTask
    schedule_in_words: str
    run: JobRun | None


@dataclass(frozen=True)
class JobStatus:
    # Only when asked for ("ping the workers now"): a broadcast ping waits its whole timeout on every view.
    ping: WorkerPing | None
    heartbeats: list[WorkerHeartbeat]
    last_heartbeat: WorkerHeartbeat | None
    heartbeat_fresh: bool
    beat_last_sent_at: datetime | None
    beat_alive: bool
    schedules: list[ScheduleRow]
    unscheduled_runs: list[JobRun]
    alive_within: timedelta

    @property
    def alive_within_minutes(self) -> int:
        return int(self.alive_within.total_seconds() // 60)

    @property
    def workers_alive(self) -> bool:
        return bool(self.ping and self.ping.replied) or self.heartbeat_fresh


def job_status(*, ping_timeout: float | None = None) -> JobStatus:
    """The page's status, read from the heartbeats the workers and beat leave (a few queries, no waiting); with
    ``ping_timeout`` the workers are also pinged and the page waits that long for their answers."""
    now = timezone.now()
    heartbeats = list(worker_heartbeats()[:10])
    last_heartbeat = heartbeats[0] if heartbeats else None
    beat_last_sent_at = beat_last_sent()
    schedules = schedule_rows()
    scheduled_tasks = {row.periodic_task.task for row in schedules}
    return JobStatus(
        ping=workers_ping(timeout=ping_timeout) if ping_timeout is not None else None,
        heartbeats=heartbeats,
        last_heartbeat=last_heartbeat,
        heartbeat_fresh=last_heartbeat is not None and now - last_heartbeat.last_beat_at <= ALIVE_WITHIN,
        beat_last_sent_at=beat_last_sent_at,
        beat_alive=beat_last_sent_at is not None and now - beat_last_sent_at <= ALIVE_WITHIN,
        schedules=schedules,
        unscheduled_runs=list(JobRun.objects.exclude(task_name__in=scheduled_tasks)),
        alive_within=ALIVE_WITHIN,
    )


def workers_ping(*, timeout: float = 1.0) -> WorkerPing:
    """Names of the workers answering a broadcast ping; an unreachable broker is reported, not raised."""
    try:
        with celery_app.connection_for_write() as connection:
            # One quick attempt: the page must not hang on a broker that is down.
            connection.ensure_connection(max_retries=1)
            replies = celery_app.control.ping(timeout=timeout, connection=connection)
    except (OSError, OperationalError) as exc:
        return WorkerPing(replied=[], error=str(exc) or type(exc).__name__)
    return WorkerPing(replied=sorted(name for reply in replies for name in reply))


def beat_last_sent() -> datetime | None:
    """When beat last sent the heartbeat: beat writes last_run_at after each task it sends."""
    return PeriodicTask.objects.filter(task=HEARTBEAT_TASK, enabled=True).aggregate(last=Max("last_run_at"))["last"]


def schedule_rows() -> list[ScheduleRow]:
    periodic_tasks = PeriodicTask.objects.select_related("interval", "crontab", "solar", "clocked").order_by("name")
    runs = {run.task_name: run for run in JobRun.objects.filter(task_name__in=periodic_tasks.values("task"))}
    return [
        ScheduleRow(periodic_task=task, schedule_in_words=schedule_in_words(task), run=runs.get(task.task))
        for task in periodic_tasks
    ]


def schedule_in_words(periodic_task: PeriodicTask) -> str:
    if periodic_task.crontab:
        return crontab_in_words(periodic_task.crontab)
    schedule = periodic_task.interval or periodic_task.solar or periodic_task.clocked
    return str(schedule) if schedule else ""


def crontab_in_words(crontab: CrontabSchedule) -> str:
    """The crontab in the page's language ("Every hour", "At 04:00"), with django-celery-beat's cron-descriptor."""
    expression = " ".join(
        [crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year, crontab.day_of_week]
    )
    options = Options()
    options.locale_code = "zh_CN" if (get_language() or "").startswith("zh") else "en_US"
    options.use_24hour_time_format = True
    try:
        words = ExpressionDescriptor(expression, options).get_description()
    except (FormatException, MissingFieldException, WrongArgumentException):
        return str(crontab)
    if str(crontab.timezone) != settings.CELERY_TIMEZONE:
        words = f"{words} ({crontab.timezone})"
    return words


def worker_heartbeats() -> QuerySet[WorkerHeartbeat]:
    return WorkerHeartbeat.objects.order_by("-last_beat_at")
