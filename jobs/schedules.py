"""The default beat schedules: every periodic job of the application is declared here, and only here.

``jobs.services.schedules_ensure`` (run after ``migrate`` and by ``manage.py ensure_schedules``)
creates the rows django-celery-beat reads. A row that already exists is the district office's to
change in the admin (time, enabled, arguments) and is never overwritten; deleting it brings the
default back on the next migrate, so a job is switched off by unticking "enabled", not by deleting it.

A domain adds its job by appending a ``DefaultSchedule`` to ``DEFAULT_SCHEDULES``.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

HEARTBEAT_TASK = "jobs.tasks.heartbeat"


@dataclass(frozen=True)
class DefaultSchedule:
    # The PeriodicTask's unique name: the key by which an existing row is recognised.
    name: str
    task: str
    description: str | Promise
    # Exactly one of the two: crontab fields (minute, hour, day_of_week, day_of_month,
    # month_of_year; "*" where left out) or a fixed interval.
    crontab: dict[str, str] = field(default_factory=dict)
    every: timedelta | None = None
    # A run that waited in the queue longer than this is dropped instead of run late.
    expire_seconds: int | None = None

    def __post_init__(self):
        if bool(self.crontab) == (self.every is not None):
            raise ValueError(f"Schedule {self.name!r} needs either a crontab or an interval, not both.")


DEFAULT_SCHEDULES: tuple[DefaultSchedule, ...] = (
    DefaultSchedule(
        name="heartbeat",
        task=HEARTBEAT_TASK,
        every=timedelta(minutes=1),
        expire_seconds=50,
        description=_("Every minute: proves that beat sends tasks and a worker runs them (see the job status page)."),
    ),
    DefaultSchedule(
        name="history checkpoint",
        task="history.tasks.write_checkpoint",
        crontab={"minute": "0"},
        description=_("Every hour: signs the head of the change-history chain so later tampering shows."),
    ),
    DefaultSchedule(
        name="data quality check",
        task="households.tasks.check_data_quality",
        crontab={"minute": "30", "hour": "2"},
        # A night's run still waiting at the start of the working day would only compete with the users.
        expire_seconds=5 * 60 * 60,
        description=_(
            "Every night at 02:30: checks every household file for the four data-quality problem classes "
            "(point 19) and scores each town."
        ),
    ),
)
