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
RESEND_WAITING_TASK = "jobs.tasks.resend_waiting"
SWEEP_STALE_TASK = "jobs.tasks.sweep_stale_jobs"


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
    # What the job status page shows in the site's language instead of the name and the task path.
    title: str | Promise = ""

    def __post_init__(self):
        if bool(self.crontab) == (self.every is not None):
            raise ValueError(f"Schedule {self.name!r} needs either a crontab or an interval, not both.")


DEFAULT_SCHEDULES: tuple[DefaultSchedule, ...] = (
    DefaultSchedule(
        name="unconfirmed imports purge",
        title=_("Unconfirmed imports' files deleted"),
        task="households.tasks.purge_unconfirmed_imports",
        crontab={"minute": "10", "hour": "3"},
        description=_(
            "Every night at 03:10: deletes the uploaded sheets and checked rows (full ID numbers) of household "
            "imports not confirmed within IMPORT_UNCONFIRMED_KEEP_DAYS days."
        ),
    ),
    DefaultSchedule(
        name="old exports purge",
        title=_("Old exports' files deleted"),
        task="organisation.tasks.purge_old_exports",
        crontab={"minute": "20", "hour": "3"},
        description=_(
            "Every night at 03:20: deletes the files of list exports made more than EXPORT_KEEP_DAYS days ago."
        ),
    ),
    DefaultSchedule(
        name="heartbeat",
        title=_("Worker heartbeat"),
        task=HEARTBEAT_TASK,
        every=timedelta(minutes=1),
        expire_seconds=50,
        description=_("Every minute: proves that beat sends tasks and a worker runs them (see the job status page)."),
    ),
    DefaultSchedule(
        name="dead jobs sweep",
        title=_("Jobs whose worker died"),
        task=SWEEP_STALE_TASK,
        every=timedelta(minutes=1),
        expire_seconds=50,
        description=_(
            "Every minute: a running job (an import, a list export, a data-quality check, a monthly report) whose "
            "worker stopped giving signs of life for three minutes (killed, or its machine lost) is marked failed, so "
            "that its user can retry it without entering or uploading anything again."
        ),
    ),
    DefaultSchedule(
        name="waiting jobs resend",
        title=_("Jobs waiting for the job service"),
        task=RESEND_WAITING_TASK,
        every=timedelta(minutes=2),
        # The next run does the same work.
        expire_seconds=110,
        description=_(
            "Every 2 minutes: sends again the imports, checks and reports the job service could not take when they "
            "were asked for (a worker also does this when it starts)."
        ),
    ),
    DefaultSchedule(
        name="history checkpoint",
        title=_("Change-history checkpoint"),
        task="history.tasks.write_checkpoint",
        crontab={"minute": "0"},
        description=_("Every hour: signs the head of the change-history chain so later tampering shows."),
    ),
    DefaultSchedule(
        name="data quality check",
        title=_("Data-quality check"),
        task="households.tasks.check_data_quality",
        crontab={"minute": "30", "hour": "2"},
        # A night's run still waiting at the start of the working day would only compete with the users.
        expire_seconds=5 * 60 * 60,
        description=_(
            "Every night at 02:30: checks every household file for the four data-quality problem classes "
            "(point 19) and scores each town."
        ),
    ),
    DefaultSchedule(
        name="overdue scan",
        title=_("Overdue scan"),
        task="funds.tasks.flag_overdue",
        crontab={"minute": "5"},
        # The next hour's run does the same work: a run still queued by then is dropped.
        expire_seconds=55 * 60,
        description=_(
            "Every hour at minute 5: flags transfers not sent, monthly reports not submitted and loan applications "
            "not decided by the end of their due day (Beijing time), updates the loans' risk warnings, and notifies "
            "the units responsible and the district office."
        ),
    ),
    DefaultSchedule(
        name="yield assessment",
        title=_("Project yield assessment"),
        task="projects.tasks.assess_yields",
        crontab={"minute": "0", "hour": "3", "day_of_month": "1"},
        # A month's run still queued a day later is better started again by hand than run at a busy hour.
        expire_seconds=20 * 60 * 60,
        description=_(
            "Every month on day 1 at 03:00: works out each operating project's yield for the twelve months to the "
            "end of the previous month, classifies it against the floor of 6% (weak, idle, struggling), opens a draft "
            "rectification plan for each project newly below it and notifies the town and the district office "
            "(point 4)."
        ),
    ),
    DefaultSchedule(
        name="ledger scan",
        title=_("Rectification-ledger scan"),
        task="audits.tasks.scan_ledger",
        # After the funds scan's 06:05 run, before the working day (Beijing time).
        crontab={"minute": "15", "hour": "6"},
        # A morning's run still queued at night does the next morning's work: dropped instead.
        expire_seconds=12 * 60 * 60,
        description=_(
            "Every day at 06:15: turns the system's new signals into rectification-ledger items, issues a supervision "
            "order for items past their deadline, flags items for an interview when an order went unanswered, and "
            "reminds the look-backs due; notifies the towns and the district office (point 20)."
        ),
    ),
    DefaultSchedule(
        name="figures nightly",
        title=_("Nightly figures"),
        task="reporting.tasks.build_figures",
        # After the quality check's 02:30 run and the yields of the 1st at 03:00, before the working day.
        crontab={"minute": "40", "hour": "4"},
        expire_seconds=12 * 60 * 60,
        description=_(
            "Every night at 04:40: computes every figure of the dashboards and the monthly report for this month and "
            "the month before, from the records."
        ),
    ),
    DefaultSchedule(
        name="figures refresh",
        title=_("Figures refresh"),
        task="reporting.tasks.refresh_figures",
        every=timedelta(minutes=10),
        # The next run does the same work.
        expire_seconds=9 * 60,
        description=_(
            "Every 10 minutes: computes this month's figures again when any record changed since they were computed "
            "(an import, a transfer, a closed ledger item)."
        ),
    ),
    DefaultSchedule(
        name="monthly work reports",
        title=_("Monthly work reports"),
        task="reporting.tasks.make_monthly_reports",
        # After the figures' nightly run at 04:40, before the working day.
        crontab={"minute": "20", "hour": "5"},
        expire_seconds=12 * 60 * 60,
        description=_(
            "Every day at 05:20: from the configured working day of the month on (the 3rd unless "
            "WORK_REPORT_WORKING_DAY says otherwise), generates the previous month's monthly work report of the "
            "district and of every town that has none yet, and any report the job service could not take."
        ),
    ),
    DefaultSchedule(
        name="backup",
        title=_("Backup"),
        task="lanshan.tasks.make_backup",
        # At night, before the quality check's 02:30 run (Beijing time).
        crontab={"minute": "30", "hour": "1"},
        # A night's backup still queued at noon would compete with the users: the next night's does the work.
        expire_seconds=10 * 60 * 60,
        description=_(
            "Every night at 01:30: dumps the database (pg_dump, custom format) and the uploaded and generated files "
            "into the backup folder with their SHA-256 sums, and deletes the backups the retention no longer keeps."
        ),
    ),
)


# Jobs that run on demand (imports, exports, a month's figures): their titles on the job status page.
ON_DEMAND_TITLES: dict[str, str | Promise] = {
    "audits.tasks.check_ledger_import": _("Ledger import check"),
    "households.tasks.check_import": _("Household import check"),
    "households.tasks.run_import": _("Household import"),
    "organisation.tasks.recompute_deadlines": _("Deadline recomputation"),
    "organisation.tasks.run_list_export": _("List export"),
    "reporting.tasks.build_figures_of_month": _("Figures of one month"),
    "reporting.tasks.generate_work_report": _("Work report generation"),
}


def task_title(task: str) -> str | Promise:
    """The title of a task path in the site's language; a task nobody gave a title is a "background job"."""
    for schedule in DEFAULT_SCHEDULES:
        if schedule.task == task and schedule.title:
            return schedule.title
    return ON_DEMAND_TITLES.get(task, _("Background job"))


def schedule_title(name: str, task: str) -> str | Promise:
    """A default schedule's title; a schedule the district office added in the admin keeps the name it was given."""
    for schedule in DEFAULT_SCHEDULES:
        if schedule.name == name and schedule.title:
            return schedule.title
    return name
