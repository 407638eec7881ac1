"""The figures' jobs on a real Celery worker against the test Redis: the nightly build and the refresh."""

import pytest
from django.utils import timezone

from jobs.models import JobRun, JobRunStatus
from organisation.periods import month_start, previous_month
from reporting.models import FigureValue, SummaryBuild
from reporting.tasks import build_figures, refresh_figures
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import VillageFactory


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_builds_this_month_and_the_last_on_a_worker(private_queue, worker):
    # given a household
    household = HouseholdFactory(village=VillageFactory())
    today = timezone.localdate()

    # when beat's task runs on a worker
    with worker():
        rows = build_figures.apply_async(queue=private_queue).get(timeout=120)

    # then both months are stored, and the job run says it succeeded
    assert set(SummaryBuild.objects.values_list("month", flat=True)) == {month_start(today), previous_month(today)}
    assert rows == FigureValue.objects.count() > 0
    registered = FigureValue.objects.get(
        month=month_start(today), level="village", unit_id=household.village_id, indicator="households_registered"
    )
    assert registered.value == 1
    run = JobRun.objects.get(task_name="reporting.tasks.build_figures")
    assert (run.last_status, run.last_error) == (JobRunStatus.SUCCESS, "")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_refresh_does_nothing_twice_on_a_worker(private_queue, worker):
    # given a household and this month's figures
    HouseholdFactory(village=VillageFactory())

    with worker():
        # when the refresh runs twice with no change between
        first = refresh_figures.apply_async(queue=private_queue).get(timeout=120)
        second = refresh_figures.apply_async(queue=private_queue).get(timeout=120)

    # then the first built the month, the second found nothing new
    assert first > 0
    assert second == 0
