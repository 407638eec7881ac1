"""The figures' jobs: the nightly rebuild and the refresh of the current month when records change."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from reporting.services.summary import summary_nightly, summary_refresh


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def build_figures() -> int:
    return sum(build.rows for build in summary_nightly(today=timezone.localdate()))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def refresh_figures() -> int:
    build = summary_refresh(today=timezone.localdate())
    return build.rows if build else 0
