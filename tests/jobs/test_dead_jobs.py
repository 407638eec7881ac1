"""Jobs whose worker died (kill -9, the machine lost): a running household import holds a lease with a heartbeat
(jobs.heartbeat); the sweep fails a job whose heartbeat is older than a few minutes, keeping its file, and the
user retries it from its page without uploading it again. The job status page never shows a run that started
after the last end as a success."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import ImportJob, ImportStatus
from households.services.imports import IMPORT_LEASE, import_job_check, import_job_create
from jobs.heartbeat import STALE_AFTER, beating
from jobs.models import JobLease, JobRun, JobRunStatus
from jobs.services import stale_leases_sweep
from lanshan.celery import app as celery_app
from organisation.roles import Role
from tests.households.test_import_sheets import file_number, sheet_row, sheet_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def a_dead_run(job: ImportJob, status: ImportStatus) -> None:
    """What kill -9 leaves: the job in its running state, its lease's last beat minutes old."""
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    long_ago = timezone.now() - STALE_AFTER - timedelta(minutes=1)
    JobLease.objects.create(kind=IMPORT_LEASE, object_id=job.pk, started_at=long_ago, beat_at=long_ago)


def test_a_check_whose_worker_died_is_failed_and_retried_from_its_page(
    client, staff, town, village, import_queue, django_capture_on_commit_callbacks
):
    job = import_job_create(
        user=staff, town=town, upload=sheet_upload([sheet_row(town=town, village=village, file=file_number())])
    )
    a_dead_run(job, ImportStatus.CHECKING)
    # when the sweep runs
    assert stale_leases_sweep() == 1
    # then the job is failed, saying why, its file kept, and the lease gone
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.summary["retry"] == "check"
    assert "后台进程" in job.failure and job.file.storage.exists(job.file.name)
    assert not JobLease.objects.exists()
    # and its page offers to retry it
    client.force_login(staff)
    page = client.get(reverse("households:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-retry"' in page
    # when the user retries it, the check is sent again with the same file
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("households:import_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED and "retry" not in job.summary
    with celery_app.connection_for_write() as connection:
        assert connection.default_channel.client.llen(import_queue) == 1
    # and the check runs on the kept file
    assert import_job_check(job_id=job.pk).status == ImportStatus.CHECKED
    # a second retry is refused: the job is no longer a dead one
    assert client.post(reverse("households:import_retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED


def test_a_write_whose_worker_died_is_retried_as_a_write(staff, town, village):
    job = import_job_create(
        user=staff, town=town, upload=sheet_upload([sheet_row(town=town, village=village, file=file_number())])
    )
    import_job_check(job_id=job.pk)
    a_dead_run(job, ImportStatus.IMPORTING)
    stale_leases_sweep()
    job.refresh_from_db()
    assert (job.status, job.summary["retry"]) == (ImportStatus.FAILED, "write")


def test_a_live_run_is_left_alone(staff, town, village):
    job = import_job_create(
        user=staff, town=town, upload=sheet_upload([sheet_row(town=town, village=village, file=file_number())])
    )
    with beating(IMPORT_LEASE, job.pk):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)
        assert stale_leases_sweep() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKING
    # and the lease is gone once the run is over
    assert not JobLease.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_moves_while_the_job_runs(town):
    with beating("test.kind", 7, every=timedelta(seconds=0.1)):
        first = JobLease.objects.get().beat_at
        time.sleep(0.6)
        later = JobLease.objects.get().beat_at
    assert later > first


def test_a_second_delivery_of_a_running_job_leaves_its_lease_to_the_run_that_holds_it():
    # given a run holding the lease of a job, beating
    with beating("test.kind", 7):
        holder = JobLease.objects.get().worker
        # when the same job is delivered again and ends (the broker's redelivery of a killed run's message)
        with beating("test.kind", 7):
            assert JobLease.objects.get().worker == holder
        # then the lease is still the first run's, so the sweep still covers it
        assert JobLease.objects.get().worker == holder
    assert not JobLease.objects.exists()


def test_a_lease_whose_run_died_is_taken_over_by_the_next_run():
    long_ago = timezone.now() - STALE_AFTER - timedelta(minutes=1)
    JobLease.objects.create(kind="test.kind", object_id=7, worker="dead", started_at=long_ago, beat_at=long_ago)
    # a retry that starts before the sweep has failed the dead run holds the lease, fresh, until it ends
    with beating("test.kind", 7):
        lease = JobLease.objects.get()
        assert lease.worker != "dead" and lease.beat_at > long_ago
    assert not JobLease.objects.exists()


def test_the_status_page_never_shows_a_run_without_an_end_as_a_success(client, office_user):
    now = timezone.now()
    # a run that started after the last recorded end (its worker was killed): the last status is the run before's
    JobRun.objects.create(
        task_name="funds.tasks.flag_overdue",
        last_started_at=now,
        last_finished_at=now - timedelta(hours=1),
        last_status=JobRunStatus.SUCCESS,
        run_count=3,
    )
    client.force_login(office_user)
    page = client.get(reverse("jobs:status")).content.decode()
    assert 'data-testid="run-unfinished"' in page and "已开始，未记录结束" in page
