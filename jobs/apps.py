from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Scheduled jobs")

    def ready(self):
        from celery.signals import task_failure, task_postrun, task_prerun, worker_ready
        from django.db.models.signals import post_migrate

        from jobs import receivers
        from jobs.heartbeat import beating, stale_handler
        from organisation.export_services import EXPORT_LEASE, export_job_stopped
        from organisation.leases import lease_holder_set

        # The list export kit lives in organisation, below this app: its runs hold this app's lease through
        # organisation.leases, and a dead run is failed by its own handler.
        lease_holder_set(beating)
        stale_handler(EXPORT_LEASE)(export_job_stopped)

        task_prerun.connect(receivers.task_started, weak=False, dispatch_uid="jobs.task_started")
        task_failure.connect(receivers.task_failed, weak=False, dispatch_uid="jobs.task_failed")
        task_postrun.connect(receivers.task_ended, weak=False, dispatch_uid="jobs.task_ended")
        worker_ready.connect(receivers.worker_started, weak=False, dispatch_uid="jobs.worker_started")
        post_migrate.connect(receivers.schedules_ensure_after_migrate, sender=self, dispatch_uid="jobs.schedules")
