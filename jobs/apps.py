from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Scheduled jobs")

    def ready(self):
        from celery.signals import task_failure, task_postrun, task_prerun, worker_ready
        from django.db.models.signals import post_migrate

        from jobs import receivers

        task_prerun.connect(receivers.task_started, weak=False, dispatch_uid="jobs.task_started")
        task_failure.connect(receivers.task_failed, weak=False, dispatch_uid="jobs.task_failed")
        task_postrun.connect(receivers.task_ended, weak=False, dispatch_uid="jobs.task_ended")
        worker_ready.connect(receivers.worker_started, weak=False, dispatch_uid="jobs.worker_started")
        post_migrate.connect(receivers.schedules_ensure_after_migrate, sender=self, dispatch_uid="jobs.schedules")
