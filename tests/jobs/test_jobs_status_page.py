from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from jobs.models import JobRunStatus
from jobs.schedules import HEARTBEAT_TASK, schedule_title
from jobs.selectors import job_status, schedule_in_words
from jobs.services import job_run_finish, worker_heartbeat_record
from lanshan.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_town_staff_are_refused(client, town_staff_user):
    client.force_login(town_staff_user)
    response = client.get(reverse("jobs:status"))
    assert response.status_code == 403


def test_district_office_sees_every_schedule_with_its_last_run_and_admin_link(client, office_user):
    # given a heartbeat that ran a minute ago
    heartbeat = PeriodicTask.objects.get(task=HEARTBEAT_TASK)
    job_run_finish(task_name=HEARTBEAT_TASK, finished_at=timezone.now(), succeeded=True)
    client.force_login(office_user)
    # when the office opens the page
    response = client.get(reverse("jobs:status"))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    for periodic_task in PeriodicTask.objects.all():
        assert str(schedule_title(periodic_task.name, periodic_task.task)) in html
    assert reverse("admin:django_celery_beat_periodictask_change", args=[heartbeat.pk]) in html
    row = next(row for row in response.context["status"].schedules if row.periodic_task.pk == heartbeat.pk)
    assert row.run.last_status == JobRunStatus.SUCCESS


def test_superusers_see_the_page(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert client.get(reverse("jobs:status")).status_code == 200


def test_beat_and_workers_count_as_alive_only_within_three_minutes():
    # given beat sent the heartbeat and a worker ran it four minutes ago
    four_minutes_ago = timezone.now() - timedelta(minutes=4)
    PeriodicTask.objects.filter(task=HEARTBEAT_TASK).update(last_run_at=four_minutes_ago)
    worker_heartbeat_record(hostname="celery@old", beat_at=four_minutes_ago)
    # then neither counts as alive
    stale = job_status()
    assert (stale.beat_alive, stale.heartbeat_fresh) == (False, False)
    # when both happen again now
    PeriodicTask.objects.filter(task=HEARTBEAT_TASK).update(last_run_at=timezone.now())
    worker_heartbeat_record(hostname="celery@old")
    # then both are alive
    fresh = job_status()
    assert (fresh.beat_alive, fresh.heartbeat_fresh, fresh.workers_alive) == (True, True, True)


def test_an_unreachable_broker_is_reported_not_raised(monkeypatch):
    # given a broker URL nothing listens on
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    # when the page's status is read
    status = job_status(ping_timeout=0.2)
    # then the ping carries the error and no worker
    assert status.ping.replied == []
    assert status.ping.error


@pytest.mark.parametrize(("language", "words"), [("en", "Every hour"), ("zh-hans", "每小时")])
def test_a_schedule_reads_in_the_language_of_the_page(language, words):
    # given the hourly checkpoint
    checkpoint = PeriodicTask.objects.get(task="history.tasks.write_checkpoint")
    # when it is described in the page's language
    with translation.override(language):
        described = schedule_in_words(checkpoint)
    # then
    assert described == words


def test_the_page_reads_the_heartbeats_and_pings_only_when_asked(client, office_user, monkeypatch):
    # given a broker nothing listens on (a ping would wait and fail)
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    worker_heartbeat_record(hostname="celery@fresh")
    client.force_login(office_user)
    # when the page is opened
    page = client.get(reverse("jobs:status"))
    # then it answers from the heartbeat, without a ping
    assert page.context["status"].ping is None
    assert page.context["status"].workers_alive
    assert 'data-testid="ping-now"' in page.content.decode()
    # and when the ping is asked for, the broker's failure is on the page
    pinged = client.get(reverse("jobs:status"), {"ping": "1"})
    assert pinged.context["status"].ping.error
    assert 'data-testid="ping-answer"' in pinged.content.decode()
