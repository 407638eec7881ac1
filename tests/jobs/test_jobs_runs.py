from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import JobRun, JobRunStatus, WorkerHeartbeat
from jobs.services import job_run_finish, job_run_start, worker_heartbeat_record

pytestmark = pytest.mark.django_db


def test_a_run_that_fails_then_succeeds_is_counted_twice_and_its_error_cleared():
    # given a task that started and failed
    started = timezone.now()
    job_run_start(task_name="funds.tasks.remind", started_at=started, worker="celery@a")
    job_run_finish(task_name="funds.tasks.remind", finished_at=started, succeeded=False, error="ValueError: boom")
    failed = JobRun.objects.get(task_name="funds.tasks.remind")
    assert (failed.last_status, failed.last_error, failed.run_count) == (JobRunStatus.FAILURE, "ValueError: boom", 1)
    # when it runs again and succeeds
    job_run_finish(
        task_name="funds.tasks.remind",
        finished_at=started + timedelta(seconds=3),
        succeeded=True,
        duration=timedelta(seconds=2),
    )
    # then there is still one row, counting both runs, with the error gone
    run = JobRun.objects.get(task_name="funds.tasks.remind")
    assert (run.last_status, run.last_error, run.run_count) == (JobRunStatus.SUCCESS, "", 2)
    assert run.last_duration == timedelta(seconds=2)
    assert (run.last_started_at, run.last_worker) == (started, "celery@a")


def test_a_finish_without_a_recorded_start_still_makes_its_row():
    job_run_finish(task_name="audits.tasks.x", finished_at=timezone.now(), succeeded=True)
    assert JobRun.objects.get(task_name="audits.tasks.x").run_count == 1


def test_worker_heartbeat_keeps_one_row_per_worker():
    # given two heartbeats of one worker
    worker_heartbeat_record(hostname="celery@a", beat_at=timezone.now() - timedelta(minutes=1))
    later = timezone.now()
    worker_heartbeat_record(hostname="celery@a", beat_at=later)
    # then one row holds the later one
    assert list(WorkerHeartbeat.objects.values_list("hostname", "last_beat_at")) == [("celery@a", later)]
