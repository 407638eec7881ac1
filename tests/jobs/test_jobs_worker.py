"""The heartbeat on a real Celery worker and the real test Redis: the path beat takes every minute."""

import pytest
from django.utils import timezone

from jobs.models import JobRun, JobRunStatus, WorkerHeartbeat
from jobs.schedules import HEARTBEAT_TASK
from jobs.tasks import heartbeat
from lanshan.celery import app as celery_app


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_on_a_worker_and_updates_its_job_run(private_queue, worker):
    # given a worker in this process, reading a queue of this test run only
    before = timezone.now()
    with worker():
        # when the heartbeat is sent through the broker
        result = heartbeat.apply_async(queue=private_queue)
        hostname = result.get(timeout=30)
    # then (the worker has stopped, so task_postrun has run) the worker recorded it
    assert result.successful()
    beat = WorkerHeartbeat.objects.get(hostname=hostname)
    assert beat.last_beat_at >= before
    run = JobRun.objects.get(task_name=HEARTBEAT_TASK)
    assert (run.last_status, run.run_count, run.last_error, run.last_worker) == (JobRunStatus.SUCCESS, 1, "", hostname)
    assert before <= run.last_started_at <= run.last_finished_at
    assert run.last_duration is not None


@celery_app.task(name="tests.jobs.always_fails")
def always_fails():
    raise ValueError("the river burst its banks")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_failing_task_leaves_its_error_on_the_job_run(private_queue, worker):
    # given a worker and a task that always raises
    with worker():
        # when it runs
        result = always_fails.apply_async(queue=private_queue)
        with pytest.raises(ValueError):
            result.get(timeout=30)
    # then its job run says so, traceback included
    run = JobRun.objects.get(task_name="tests.jobs.always_fails")
    assert (run.last_status, run.run_count) == (JobRunStatus.FAILURE, 1)
    assert "ValueError: the river burst its banks" in run.last_error
