"""A real Celery worker killed with SIGKILL in the middle of a household import's check: the job's lease stays with
its last heartbeat, the job is not shown done, and the sweep fails it for a retry (no waiting for the broker's
one-hour visibility timeout)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from households.models import ImportStatus
from households.services.imports import IMPORT_LEASE, import_job_create
from households.tasks import check_import
from jobs.models import JobLease
from jobs.services import stale_leases_sweep
from lanshan.celery import app as celery_app
from organisation.roles import Role
from tests.households.test_import_sheets import file_number, sheet_row, sheet_upload

ROWS = 20_000


def worker_process(queue: str) -> subprocess.Popen:
    """``celery worker`` in a session of its own (its forked checkers die with it), on this test's database."""
    database = connection.settings_dict
    environment = {
        **os.environ,
        # The development settings, pointed at this test's database, broker and files (the test settings make a
        # media folder of their own in each process).
        "DJANGO_SETTINGS_MODULE": "lanshan.settings.local",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
        "CELERY_RESULT_BACKEND": str(celery_app.conf.result_backend),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "lanshan", "worker", "-P", "solo", "-Q", queue, "--without-mingle", "--without-gossip"],
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_check_leaves_a_stale_lease_that_the_sweep_fails(import_queue, make_user, town, village):
    staff = make_user(Role.TOWN_STAFF, town=town)
    rows = [sheet_row(town=town, village=village, file=file_number()) for _ in range(ROWS)]
    job = import_job_create(user=staff, town=town, upload=sheet_upload(rows))
    check_import.apply_async(args=[job.pk], queue=import_queue)
    process = worker_process(import_queue)
    try:
        # when the worker has started the check (its lease is there), it is killed
        deadline = time.monotonic() + 120
        while not JobLease.objects.filter(kind=IMPORT_LEASE, object_id=job.pk).exists():
            assert time.monotonic() < deadline, "the worker did not start the check"
            assert process.poll() is None, "the worker exited"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    # then the job is left mid-way, never shown done, its lease kept with the last beat
    time.sleep(1)
    job.refresh_from_db()
    assert job.status in (ImportStatus.UPLOADED, ImportStatus.CHECKING)
    assert JobLease.objects.filter(kind=IMPORT_LEASE, object_id=job.pk).exists()
    # and once the beat is older than the limit (here: at once), the sweep fails it for a retry, its file kept
    assert stale_leases_sweep(stale_after=timedelta(0)) == 1
    job.refresh_from_db()
    assert (job.status, job.summary["retry"]) == (ImportStatus.FAILED, "check")
    assert job.file.storage.exists(job.file.name)
