"""The overdue scan on a real Celery worker against the test Redis: the hourly path and "run the scan now"."""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.models import Transfer
from funds.tasks import flag_overdue
from jobs.models import JobRun, JobRunStatus
from notifications.models import Notification
from organisation.roles import Role
from tests.factories.funds import ChainPeople
from tests.factories.organisation import post_user
from tests.funds.test_overdue_scan import share_due

FLAG_OVERDUE_TASK = "funds.tasks.flag_overdue"


def a_week_ago():
    return timezone.localdate() - dt.timedelta(days=7)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_task_flags_an_overdue_transfer_on_a_worker(town, village, private_queue, worker):
    # given a share a week overdue and a district office user
    people = ChainPeople.for_town(town, village)
    office = post_user(Role.DISTRICT_OFFICE)
    transfer = share_due(people, town, a_week_ago())
    # when beat's task runs on a worker
    with worker():
        result = flag_overdue.apply_async(queue=private_queue)
        counts = result.get(timeout=60)
    # then it flagged the transfer, told the office, and its job run says it succeeded
    assert counts["transfers"] == 1
    transfer.refresh_from_db()
    assert transfer.overdue_flagged_at is not None
    assert Notification.objects.filter(recipient=office, key=f"funds.transfer.overdue:{transfer.pk}").exists()
    run = JobRun.objects.get(task_name=FLAG_OVERDUE_TASK)
    assert (run.last_status, run.last_error) == (JobRunStatus.SUCCESS, "")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_run_the_scan_now_queues_it_for_a_worker(client, town, village, private_queue, worker, monkeypatch):
    # given a share a week overdue, and the office pressing "run the scan now" (sent to this test's queue)
    people = ChainPeople.for_town(town, village)
    transfer = share_due(people, town, a_week_ago())
    monkeypatch.setattr(flag_overdue, "delay", lambda: flag_overdue.apply_async(queue=private_queue))
    client.force_login(post_user(Role.DISTRICT_OFFICE))
    with worker():
        response = client.post(reverse("funds:overdue_scan_run"))
        # when the worker has run it
        deadline = time.monotonic() + 60
        while not Transfer.objects.filter(pk=transfer.pk, overdue_flagged_at__isnull=False).exists():
            assert time.monotonic() < deadline, "the worker did not flag the transfer within a minute"
            time.sleep(0.1)
    # then the page went back to the list, and the transfer is flagged
    assert response.status_code == 302
    assert Notification.objects.filter(key=f"funds.transfer.overdue:{transfer.pk}").exists()
