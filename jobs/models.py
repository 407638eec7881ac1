"""What the scheduled jobs did last: one row per task name, and the last sign of life of each worker.

Both tables are written with one upsert per event (``jobs.services``), never read-then-save, so two
workers finishing the same task at once cannot lose a run.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRunStatus(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class JobRun(models.Model):
    # Defaults live in the database too: the upserts insert only the columns they know.
    task_name = models.CharField(_("task"), max_length=200, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_status = models.CharField(
        _("last status"), max_length=10, choices=JobRunStatus.choices, blank=True, default="", db_default=""
    )
    last_error = models.TextField(_("last error"), blank=True, default="", db_default="")
    last_duration = models.DurationField(_("last duration"), null=True, blank=True)
    last_worker = models.CharField(_("last worker"), max_length=200, blank=True, default="", db_default="")
    run_count = models.PositiveIntegerField(_("runs"), default=0, db_default=0)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["task_name"]

    def __str__(self):
        return self.task_name


class WorkerHeartbeat(models.Model):
    """Written by ``jobs.tasks.heartbeat``: the last minute a worker proved it takes tasks."""

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    last_beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-last_beat_at"]

    def __str__(self):
        return self.hostname
