"""Every job a user waits on besides the household import (tests/jobs/test_dead_jobs.py) holds a lease with a
heartbeat: a list export, the ledger import's check, the data-quality run and the monthly work report. A lease whose
beat is older than STALE_AFTER is swept, its record ends failed with a Chinese message, and its page offers to retry
it without entering or uploading anything again."""

import datetime as dt
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import LedgerImport
from audits.services.imports import LEDGER_IMPORT_LEASE, ledger_import_check, ledger_import_upload
from households.models import ImportStatus, QualityRun, QualityRunStatus
from households.services.quality import QUALITY_RUN_LEASE, quality_run_create, quality_run_request
from jobs.heartbeat import STALE_AFTER
from jobs.models import JobLease
from jobs.services import stale_leases_sweep
from lanshan.celery import app as celery_app
from organisation.export_services import EXPORT_LEASE, export_job_create, export_job_run
from organisation.models import ExportJob, ExportStatus
from organisation.periods import previous_month
from organisation.roles import Role
from reporting.models import MoneyUnit, ReportStatus, WorkReport
from reporting.services.reports import WORK_REPORT_LEASE
from tests.factories.audits import item_raised, ledger_row, ledger_sheet_upload

pytestmark = pytest.mark.django_db


def a_dead_lease(kind: str, object_id: int) -> None:
    """What kill -9 leaves besides the record in its running state: the lease, its last beat minutes old."""
    long_ago = timezone.now() - STALE_AFTER - timedelta(minutes=1)
    JobLease.objects.create(kind=kind, object_id=object_id, started_at=long_ago, beat_at=long_ago)


def queued(queue: str) -> int:
    with celery_app.connection_for_write() as connection:
        return connection.default_channel.client.llen(queue)


def test_an_export_whose_worker_died_is_failed_and_retried_from_its_page(
    client, make_user, town, private_queue, settings, django_capture_on_commit_callbacks
):
    # given a ledger export asked for by a town's staff, running when its worker died
    settings.EXPORT_QUEUE = private_queue
    staff = make_user(Role.TOWN_STAFF, town=town)
    item_raised(staff, town)
    job = export_job_create(user=staff, kind="audits.ledger", filters={})
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_total=1)
    a_dead_lease(EXPORT_LEASE, job.pk)
    # when the sweep runs
    assert stale_leases_sweep() == 1
    # then the export is failed, saying why in Chinese, and the lease is gone
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "后台进程" in job.failure and job.finished_at
    assert not JobLease.objects.exists()
    # and its page says so, with a retry button and no download
    client.force_login(staff)
    page = client.get(reverse("organisation:export_job", args=[job.pk])).content.decode()
    assert 'data-testid="export-retry"' in page and 'data-testid="export-download"' not in page
    assert job.failure in page
    # another user gets a 404 on the retry
    other = make_user(Role.TOWN_STAFF, town=town)
    client.force_login(other)
    assert client.post(reverse("organisation:export_job_retry", args=[job.pk])).status_code == 404
    # when its owner retries it, it is queued again with the same filters and sent to the workers
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organisation:export_job_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.failure, job.finished_at) == (ExportStatus.QUEUED, "", None)
    assert queued(private_queue) == 1
    # and the run writes it
    assert export_job_run(job_id=job.pk).status == ExportStatus.DONE
    # a second retry is refused: the export is done
    client.post(reverse("organisation:export_job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE


def test_a_ledger_check_whose_worker_died_is_failed_with_its_file_kept_and_retried(
    client, office_user, town, village, private_queue, settings, django_capture_on_commit_callbacks
):
    settings.AUDITS_IMPORT_QUEUE = private_queue
    job = ledger_import_upload(user=office_user, upload=ledger_sheet_upload([ledger_row(town, village)]))
    LedgerImport.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)
    a_dead_lease(LEDGER_IMPORT_LEASE, job.pk)
    # when the sweep runs
    assert stale_leases_sweep() == 1
    # then the import is failed, saying why, and its file is kept (every other end of an import deletes it)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "后台进程" in job.failure
    assert job.file.storage.exists(job.file.name)
    # and its page offers to retry it
    client.force_login(office_user)
    page = client.get(reverse("audits:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-retry"' in page
    # when the user retries it, the check is sent again with the same file, and runs on it
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("audits:import_retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.failure) == (ImportStatus.UPLOADED, "")
    assert queued(private_queue) == 1
    job = ledger_import_check(job_id=job.pk)
    assert job.status == ImportStatus.CHECKED
    # an import that failed otherwise (its file deleted) has no retry
    client.post(reverse("audits:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED


def test_a_quality_run_whose_worker_died_is_failed_and_no_longer_blocks_check_now(client, make_user, town):
    staff = make_user(Role.TOWN_STAFF, town=town)
    run = quality_run_create(requested_by=staff)
    QualityRun.objects.filter(pk=run.pk).update(status=QualityRunStatus.RUNNING, started_at=timezone.now())
    # while it stands as running, "check now" shows it instead of starting one
    assert quality_run_request(user=staff) == run
    a_dead_lease(QUALITY_RUN_LEASE, run.pk)
    # when the sweep runs
    assert stale_leases_sweep() == 1
    # then the run is failed, saying why, to the town's staff too (a failed run's traceback is the district's only)
    run.refresh_from_db()
    assert run.status == QualityRunStatus.FAILED and "后台进程" in run.error and run.finished_at
    client.force_login(staff)
    page = client.get(reverse("households:quality_overview")).content.decode()
    assert 'data-testid="quality-run-stopped"' in page and run.error in page
    assert 'data-testid="quality-check-now"' in page and " disabled>" not in page
    # and "check now" starts a new run
    again = quality_run_request(user=staff)
    assert again != run and again.status == QualityRunStatus.QUEUED


def test_a_work_report_whose_worker_died_is_failed_and_generated_again_from_its_page(
    client, office_user, private_queue, settings, django_capture_on_commit_callbacks
):
    settings.WORK_REPORT_QUEUE = private_queue
    month = previous_month(timezone.localdate())
    report = WorkReport.objects.create(
        month=month,
        version=1,
        money_unit=MoneyUnit.YUAN,
        requested_by=office_user,
        status=ReportStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=5),
        progress=30,
    )
    a_dead_lease(WORK_REPORT_LEASE, report.pk)
    # when the sweep runs
    assert stale_leases_sweep() == 1
    # then the report is failed, saying why, never made current
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "后台进程" in report.failure and not report.is_current
    # and its page offers to generate it again with the same month, unit and money unit, in one click
    client.force_login(office_user)
    page = client.get(reverse("reporting:work_report_detail", args=[report.pk])).content.decode()
    assert 'data-testid="report-retry"' in page and 'data-testid="report-download"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:work_report_request"),
            {"month": f"{month:%Y-%m}", "unit": "district", "money_unit": MoneyUnit.YUAN},
        )
    assert response.status_code == 302
    again = WorkReport.objects.exclude(pk=report.pk).get()
    assert (again.month, again.town, again.version, again.status) == (month, None, 2, ReportStatus.QUEUED)
    assert queued(private_queue) == 1


def test_a_lease_of_a_kind_without_a_handler_is_kept():
    # a kind whose app did not register its handler in this process: dropping the lease would leave its job running
    a_dead_lease("nobody.registered", 1)
    assert stale_leases_sweep() == 0
    assert JobLease.objects.filter(kind="nobody.registered").exists()


@pytest.mark.parametrize("kind", [EXPORT_LEASE, LEDGER_IMPORT_LEASE, QUALITY_RUN_LEASE, WORK_REPORT_LEASE])
def test_a_finished_record_is_left_as_it_ended(kind, office_user, town, village):
    """A lease left over after its record ended (the worker died between the two writes) never turns an ended
    record into a failed one."""
    record = {
        EXPORT_LEASE: lambda: ExportJob.objects.create(owner=office_user, kind="audits.ledger", status="done"),
        LEDGER_IMPORT_LEASE: lambda: LedgerImport.objects.create(
            uploaded_by=office_user, file="x.xlsx", original_name="x.xlsx", sha256="0" * 64, status="checked"
        ),
        QUALITY_RUN_LEASE: lambda: QualityRun.objects.create(status="done"),
        WORK_REPORT_LEASE: lambda: WorkReport.objects.create(
            month=previous_month(timezone.localdate()), version=1, money_unit=MoneyUnit.YUAN, status="queued"
        ),
    }[kind]()
    a_dead_lease(kind, record.pk)
    assert stale_leases_sweep() == 1
    record.refresh_from_db()
    assert record.status in ("done", "checked", "queued")
