from celery import shared_task
from django.db import OperationalError

from funds.services.overdue import overdue_scan

RETRY_DELAY_SECONDS = 60


@shared_task(bind=True, max_retries=3)
def flag_overdue(self) -> dict[str, int]:
    """The overdue scan (hourly from jobs/schedules.py, or "run the scan now"); returns what it did, per kind."""
    try:
        result = overdue_scan()
    except OperationalError as error:
        # The database went away for a moment: the scan is idempotent, so it simply runs again.
        raise self.retry(exc=error, countdown=RETRY_DELAY_SECONDS) from error
    return result.as_dict()
