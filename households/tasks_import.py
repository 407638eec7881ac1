"""The household import's background work: each task takes a job id and calls one service."""

from celery import shared_task

from households.services.imports import import_job_check, import_job_write


@shared_task
def check_import(job_id: int) -> str:
    return import_job_check(job_id=job_id).status


@shared_task
def run_import(job_id: int) -> str:
    return import_job_write(job_id=job_id).status
