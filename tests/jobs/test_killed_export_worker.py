"""A real Celery worker killed with SIGKILL in the middle of a list export: the export's lease stays with its last
heartbeat, its page never offers a download, and the sweep fails it for a retry from its page (no waiting for the
broker's one-hour visibility timeout). The worker is a process of its own (tests/jobs/test_killed_worker.py): the
``worker`` fixture's thread would take the test down with it."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.urls import reverse

from audits.models import RectificationItem
from jobs.models import JobLease
from jobs.services import stale_leases_sweep
from organisation.export_services import EXPORT_LEASE, export_job_create
from organisation.models import ExportStatus
from organisation.roles import Role
from tests.factories.audits import item_raised
from tests.jobs import test_killed_worker as killed_worker

# Enough rows that the worker is still writing the workbook when it is killed.
ROWS = 5_000


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_export_leaves_a_stale_lease_that_the_sweep_fails(
    client, make_user, town, private_queue, settings
):
    # given a town's ledger of ROWS items, and exports sent to this test's queue
    settings.EXPORT_QUEUE = private_queue
    staff = make_user(Role.TOWN_STAFF, town=town)
    first = item_raised(staff, town)
    copies = []
    for offset in range(1, ROWS):
        copy = RectificationItem.objects.get(pk=first.pk)
        copy.pk, copy.sequence = None, first.sequence + offset
        copies.append(copy)
    RectificationItem.objects.bulk_create(copies, batch_size=5_000)
    # when its export is asked for and a worker has started writing it (its lease is there), the worker is killed
    job = export_job_create(user=staff, kind="audits.ledger", filters={})
    process = killed_worker.worker_process(private_queue)
    try:
        deadline = time.monotonic() + 120
        while not JobLease.objects.filter(kind=EXPORT_LEASE, object_id=job.pk).exists():
            assert time.monotonic() < deadline, "the worker did not start the export"
            assert process.poll() is None, "the worker exited"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    # then the export is left mid-way, its page offering no download, its lease kept with the last beat
    time.sleep(1)
    job.refresh_from_db()
    assert job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) and not job.file
    assert JobLease.objects.filter(kind=EXPORT_LEASE, object_id=job.pk).exists()
    client.force_login(staff)
    page = client.get(reverse("organisation:export_job", args=[job.pk])).content.decode()
    assert 'data-testid="export-download"' not in page
    # and once the beat is older than the limit (here: at once), the sweep fails it, and its page offers a retry
    assert stale_leases_sweep(stale_after=timedelta(0)) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "后台进程" in job.failure
    page = client.get(reverse("organisation:export_job", args=[job.pk])).content.decode()
    assert 'data-testid="export-retry"' in page and 'data-testid="export-download"' not in page
