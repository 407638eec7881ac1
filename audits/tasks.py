"""The audits app's background work, found by Celery's autodiscovery: each task takes ids and calls one service."""

from celery import shared_task
from django.db import OperationalError

from audits.services.imports import LEDGER_IMPORT_LEASE, ledger_import_check
from audits.services.scan import ledger_scan
from jobs.heartbeat import beating

RETRY_DELAY_SECONDS = 60


@shared_task
def check_ledger_import(job_id: int) -> str:
    """Check an uploaded list of problems (queued when it is uploaded), with a heartbeat: a killed run is failed by
    the sweep, to be retried from its page. Returns the import's status."""
    with beating(LEDGER_IMPORT_LEASE, job_id):
        return ledger_import_check(job_id=job_id).status


@shared_task(bind=True, max_retries=3)
def scan_ledger(self) -> dict[str, int]:
    """The daily ledger scan (jobs/schedules.py, or "run now"); returns what it did, per step."""
    try:
        result = ledger_scan()
    except OperationalError as error:
        # The database went away for a moment: the scan is idempotent, so it simply runs again.
        raise self.retry(exc=error, countdown=RETRY_DELAY_SECONDS) from error
    return result.as_dict()
