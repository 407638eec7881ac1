"""The households app's background work, found by Celery's autodiscovery: each task takes ids and calls one service."""

from celery import shared_task
from django.db import OperationalError

from households.models import QualityRun
from households.services.imports import IMPORT_LEASE, import_job_check, import_job_write
from households.services.quality import QUALITY_RUN_LEASE, quality_check_run, quality_run_create
from jobs.heartbeat import beating

RETRY_DELAY_SECONDS = 60


@shared_task(bind=True, max_retries=3)
def check_data_quality(self, run_id: int | None = None) -> int:
    """Run every data-quality rule (nightly from jobs/schedules.py with no run, or for the run "check now"
    queued). Returns the run's id."""
    run = QualityRun.objects.get(pk=run_id) if run_id is not None else quality_run_create()
    # With a heartbeat: a run whose worker is killed is failed by the sweep instead of staying "under way".
    with beating(QUALITY_RUN_LEASE, run.pk):
        try:
            quality_check_run(run=run)
        except OperationalError as error:
            # The database went away for a moment: try the same run again.
            raise self.retry(exc=error, kwargs={"run_id": run.pk}, countdown=RETRY_DELAY_SECONDS) from error
    return run.pk


@shared_task
def check_import(job_id: int) -> str:
    """Check an uploaded sheet (queued when it is uploaded), with a heartbeat: a killed run is failed by the sweep,
    to be retried. Returns the job's status."""
    with beating(IMPORT_LEASE, job_id):
        return import_job_check(job_id=job_id).status


@shared_task
def run_import(job_id: int) -> str:
    """Write a checked sheet (queued when it is confirmed), with a heartbeat. Returns the job's status."""
    with beating(IMPORT_LEASE, job_id):
        return import_job_write(job_id=job_id).status


@shared_task
def purge_unconfirmed_imports() -> int:
    """Delete the sheets and staged rows of imports never confirmed (daily, jobs/schedules.py). Returns the count."""
    from households.services.retention import import_files_purge

    return import_files_purge()
