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

    @property
    def unfinished(self) -> bool:
        """The last run started after the last end: it is running, or its worker died (kill -9) before it could
        record an end; either way the last status is the run before's, not this one's."""
        if self.last_started_at is None:
            return False
        return self.last_finished_at is None or self.last_started_at > self.last_finished_at


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


class JobLease(models.Model):
    """A running job's sign of life: written when it starts, its ``beat_at`` moved every half minute by a thread of
    the worker running it (``jobs.heartbeat.beating``), deleted when it ends however it ends. A lease whose beat is
    older than a few minutes belongs to a worker that died (kill -9, the machine lost): the sweep
    (``jobs.services.stale_leases_sweep``) hands it to its kind's handler, which marks the job failed so the user can
    retry it. A separate table: the job's own row may stay locked by the job's transaction for its whole run."""

    kind = models.CharField(_("kind"), max_length=100)
    object_id = models.BigIntegerField(_("record"))
    worker = models.CharField(_("worker"), max_length=200, blank=True, default="")
    started_at = models.DateTimeField(_("started"))
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("running job")
        verbose_name_plural = _("running jobs")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="job_lease_one_per_record")]

    def __str__(self):
        return f"{self.kind} {self.object_id}"
