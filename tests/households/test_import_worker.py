"""The import's check and write on a real Celery worker, through the real test Redis, end to end."""

import time

import pytest

from history.models import BulkEvent
from households.models import Household, HouseholdEvent, ImportJob, ImportStatus
from households.services.imports import import_job_confirm, import_job_create
from organisation.roles import Role
from tests.factories.households import valid_id_number
from tests.households.test_import_sheets import file_number, sheet_row, sheet_upload


def wait_for(job: ImportJob, *statuses: ImportStatus, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import {job.pk} is still {job.status}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_and_then_imports_a_sheet(import_queue, worker, make_user, town, village):
    # given a town user and a sheet of two households
    staff = make_user(Role.TOWN_STAFF, town=town)
    first, second, wife = file_number(), file_number(), valid_id_number(female=True)
    rows = [
        sheet_row(town=town, village=village, file=first),
        sheet_row(town=town, village=village, file=first, 公民身份号码=wife, 与户主关系="配偶"),
        sheet_row(town=town, village=village, file=second),
    ]
    with worker():
        # when it is uploaded, the check runs on the worker
        job = import_job_create(user=staff, town=town, upload=sheet_upload(rows), language="en")
        job = wait_for(job, ImportStatus.CHECKED, ImportStatus.REJECTED, ImportStatus.FAILED)
        assert (job.status, job.rows_done, job.rows_total, job.failure) == (ImportStatus.CHECKED, 3, 3, "")
        assert not Household.objects.filter(file_number__in=[first, second]).exists()

        # and once confirmed, the write runs there too
        import_job_confirm(user=staff, job=job)
        job = wait_for(job, ImportStatus.IMPORTED, ImportStatus.REJECTED, ImportStatus.FAILED)

    # then both households are there, their history one bulk event naming the job and who confirmed it
    assert job.status == ImportStatus.IMPORTED, job.failure
    assert job.summary["members_created"] == 3
    household = Household.objects.get(file_number=first)
    assert household.members.count() == 2
    [event] = BulkEvent.objects.filter(kind="household_import", job_id=job.pk)
    assert event.user_id == staff.pk
    assert household.pk in event.covers["households_household"]["ids"]
    assert not HouseholdEvent.objects.filter(pgh_obj_id=household.pk).exists()
