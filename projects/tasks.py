import datetime as dt

from celery import shared_task
from django.db import OperationalError

from projects.services.yields import yield_assessment_run

RETRY_DELAY_SECONDS = 60


@shared_task(bind=True, max_retries=3)
def assess_yields(self, period_end: str | None = None) -> dict:
    """The yield job (monthly from jobs/schedules.py, or "run now"): ``period_end`` is an ISO date, by default the
    last day of the previous month. Returns what the run did."""
    try:
        result = yield_assessment_run(period_end=dt.date.fromisoformat(period_end) if period_end else None)
    except OperationalError as error:
        # The database went away for a moment: the run is idempotent, so it simply runs again.
        raise self.retry(exc=error, kwargs={"period_end": period_end}, countdown=RETRY_DELAY_SECONDS) from error
    return result.as_dict()
