from celery import shared_task
from django.db import OperationalError

from organisation.deadlines import stored_deadlines_recompute
from organisation.export_services import EXPORT_LEASE, export_files_purge, export_job_run
from organisation.leases import held


# History entries written here are named after the task by the signal handlers of history.apps.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def recompute_deadlines(years: list[int] | None = None) -> int:
    """Recompute the stored deadlines the calendar of ``years`` can move (every one for ``None``)."""
    return stored_deadlines_recompute(years=None if years is None else set(years))


@shared_task
def run_list_export(job_id: int) -> str:
    """Write a list's export (queued when it is asked for on the list page), with a heartbeat: a killed run is failed
    by the sweep, to be retried from its page. Returns the job's status."""
    with held(EXPORT_LEASE, job_id):
        return export_job_run(job_id=job_id).status


@shared_task
def purge_old_exports() -> int:
    """Delete the files of exports older than EXPORT_KEEP_DAYS (daily, jobs/schedules.py). Returns the count."""
    return export_files_purge()
