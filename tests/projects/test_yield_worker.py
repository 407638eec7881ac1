"""The yield job end to end: "run now" queues the task, a real Celery worker runs it."""

import time

import pytest
from django.urls import reverse

from notifications.models import Notification
from organisation.roles import Role
from projects.models import PlanStatus, RectificationPlan, YieldAssessment, YieldClass
from projects.services.yields import default_period_end
from projects.tasks import assess_yields
from tests.factories.projects import operating_project


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_run_now_assesses_on_a_worker(client, make_user, town, private_queue, worker, monkeypatch):
    # given an operating project that brought no income, and the town's staff
    project = operating_project(town=town)
    staff = make_user(Role.TOWN_STAFF, town=town)
    # and the district office pressing "run the yield job now", sent to this test's queue once the request commits
    monkeypatch.setattr(
        assess_yields,
        "delay",
        lambda **kwargs: assess_yields.apply_async(kwargs=kwargs, queue=private_queue),
    )
    client.force_login(make_user(Role.DISTRICT_OFFICE))
    with worker():
        client.post(reverse("projects:yield_run"))
        # when the worker has run it
        deadline = time.monotonic() + 60
        while not YieldAssessment.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    # then the project is assessed for the month just ended, flagged idle, a draft plan opened, the town notified
    assessment = YieldAssessment.objects.get(project=project)
    assert (assessment.period_end, assessment.classification) == (default_period_end(), YieldClass.IDLE)
    assert assessment.flagged_at is not None
    plan = RectificationPlan.objects.get(project=project)
    assert (plan.status, plan.assessment_id) == (PlanStatus.DRAFT, assessment.pk)
    assert Notification.objects.filter(recipient=staff, key__startswith="projects.yield.idle:").exists()
