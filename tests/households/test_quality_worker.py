"""The data-quality check end to end: "check now" queues the task, a real Celery worker runs it."""

import time

import pytest
from django.urls import reverse

from households.models import QualityProblem, QualityRun, QualityRunStatus, TownQualityScore
from households.tasks import check_data_quality
from organisation.roles import Role
from tests.factories.households import HouseholdFactory

FINISHED = (QualityRunStatus.DONE, QualityRunStatus.FAILED)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_check_now_runs_on_a_worker_and_records_the_problems(
    client, make_user, town, village, private_queue, worker, monkeypatch
):
    # given a household with problems (no members, no cadre, no status history, no housing grade)
    household = HouseholdFactory(village=village)
    # and town staff pressing "check now", the task sent to this test's queue once the request commits
    monkeypatch.setattr(
        check_data_quality,
        "delay",
        lambda **kwargs: check_data_quality.apply_async(kwargs=kwargs, queue=private_queue),
    )
    client.force_login(make_user(Role.TOWN_STAFF, town=town))
    with worker():
        client.post(reverse("households:quality_run_create"))
        run = QualityRun.objects.get()
        # when the worker has run it (watched as the progress fragment does)
        deadline = time.monotonic() + 60
        while run.status not in FINISHED and time.monotonic() < deadline:
            time.sleep(0.1)
            run.refresh_from_db()
    # then the run is complete, its problems recorded under their keys, the town scored
    assert (run.status, run.error, run.rules_done) == (QualityRunStatus.DONE, "", run.rules_total)
    keys = set(QualityProblem.objects.filter(household=household).values_list("key", flat=True))
    assert {f"household_without_members:{household.pk}", f"cadre_missing:{household.pk}"} <= keys
    score = TownQualityScore.objects.get(run=run, town=town)
    assert (score.households, score.households_with_problems) == (1, 1)
    assert score.problems == len(keys)
