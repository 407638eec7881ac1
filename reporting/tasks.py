"""The figures' jobs: the nightly rebuild and the refresh of the current month when records change."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from reporting.services.reports import work_report_generate, work_reports_scheduled
from reporting.services.summary import summary_build, summary_nightly, summary_refresh


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def build_figures() -> int:
    return sum(build.rows for build in summary_nightly(today=timezone.localdate()))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def refresh_figures() -> int:
    build = summary_refresh(today=timezone.localdate())
    return build.rows if build else 0


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def build_figures_of_month(month: str) -> int:
    """One month's figures, asked for by a user ("compute now" on a dashboard)."""
    return summary_build(month=dt.date.fromisoformat(month)).rows


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def generate_work_report(report_id: int) -> str:
    """One monthly work report, asked for by a user: its figures computed afresh, its workbook written and kept (with
    a heartbeat: ``reporting.services.reports.work_report_stopped``)."""
    return work_report_generate(report_id=report_id).status


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def make_monthly_reports() -> int:
    """The daily job of the monthly work reports (jobs/schedules.py): the previous month's, from the configured
    working day on, and any the job service never took."""
    return len(work_reports_scheduled(today=timezone.localdate()))
