"""The ledger scan on a real Celery worker against the test Redis: the daily task and the office's "run now"."""

import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audits.models import RectificationItem
from audits.tasks import scan_ledger
from jobs.models import JobRun, JobRunStatus
from lanshan.celery import app as celery_app
from organisation.roles import Role
from tests.factories.audits import signals_of_each_kind
from tests.factories.organisation import post_user

SCAN_LEDGER_TASK = "audits.tasks.scan_ledger"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_task_raises_items_on_a_worker(town, village, private_queue, worker):
    # given one record of each kind of signal
    office = post_user(Role.DISTRICT_OFFICE)
    records = signals_of_each_kind(town, village, office, 1)
    # when beat's task runs on a worker
    with worker():
        counts = scan_ledger.apply_async(queue=private_queue).get(timeout=60)
    # then each record became an item, and its job run says it succeeded
    assert (counts["transfers"], counts["loans"]) == (1, 1)
    assert RectificationItem.objects.filter(transfer=records["transfers"][0]).exists()
    assert RectificationItem.objects.count() == 6
    run = JobRun.objects.get(task_name=SCAN_LEDGER_TASK)
    assert (run.last_status, run.last_error) == (JobRunStatus.SUCCESS, "")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_run_now_queues_the_scan_for_a_worker(client, town, village, private_queue, worker, monkeypatch):
    # given a transfer flagged overdue, and the office pressing "run the ledger scan now" (sent to this test's queue)
    office = post_user(Role.DISTRICT_OFFICE)
    transfer = signals_of_each_kind(town, village, office, 1)["transfers"][0]
    monkeypatch.setattr(scan_ledger, "delay", lambda: scan_ledger.apply_async(queue=private_queue))
    client.force_login(office)
    with worker():
        response = client.post(reverse("audits:ledger_scan_run"))
        # when the worker has run it
        deadline = time.monotonic() + 60
        while not RectificationItem.objects.filter(transfer=transfer).exists():
            assert time.monotonic() < deadline, "the worker did not raise the item within a minute"
            time.sleep(0.1)
    # then the page went back to the orders and said the scan was queued
    assert response.status_code == 302 and response.url == reverse("audits:order_list")
    assert [message.level_tag for message in get_messages(response.wsgi_request)] == ["info"]


@pytest.mark.django_db(transaction=True)
def test_run_now_with_the_broker_down_says_so_instead_of_failing(client, celery_app_broker_down):
    # given the office, and a broker nothing listens on
    client.force_login(post_user(Role.DISTRICT_OFFICE))
    # when it presses "run the ledger scan now"
    response = client.post(reverse("audits:ledger_scan_run"))
    # then it is back on the orders page with an error message, not an error page
    assert response.status_code == 302
    assert [message.level_tag for message in get_messages(response.wsgi_request)] == ["error"]


@pytest.fixture
def celery_app_broker_down(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_connection_retry", False)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {"max_retries": 0})
    # The app's connection and producer pools were made for the real broker; fresh ones read the URL above.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    yield
