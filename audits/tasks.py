"""The audits app's background work, found by Celery's autodiscovery: each task takes ids and calls one service."""

from celery import shared_task

from audits.services.imports import ledger_import_check


@shared_task
def check_ledger_import(job_id: int) -> str:
    """Check an uploaded list of problems (queued when it is uploaded). Returns the import's status."""
    return ledger_import_check(job_id=job_id).status
