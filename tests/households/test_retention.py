"""Personal data kept no longer than needed: an import never confirmed loses its sheet and staged rows after
IMPORT_UNCONFIRMED_KEEP_DAYS, an export's file goes after EXPORT_KEEP_DAYS (both beat jobs declared in
jobs/schedules.py), and an import's problems keep ID numbers masked, old rows included (migration 0005)."""

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from households.id_numbers import id_number_mask
from households.importing import staged_name
from households.models import ImportJob, ImportRowError, ImportStatus
from households.services.imports import import_job_retry, import_job_stopped
from households.services.retention import import_files_purge
from jobs.schedules import DEFAULT_SCHEDULES
from lanshan.celery import app as celery_app
from organisation.export_services import export_files_purge
from organisation.models import ExportJob, ExportStatus
from organisation.roles import Role
from tests.factories.households import valid_id_number
from tests.households.test_import_pipeline import checked
from tests.households.test_import_sheets import file_number, sheet_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def aged(model, pk, field, days):
    model.objects.filter(pk=pk).update(**{field: timezone.now() - dt.timedelta(days=days)})


def test_a_checked_import_never_confirmed_loses_its_files_after_the_period(staff, town, village, settings):
    # given two checked imports, one uploaded 31 days ago and one yesterday, each with its sheet and staged rows
    settings.IMPORT_UNCONFIRMED_KEEP_DAYS = 30
    rows = [sheet_row(town=town, village=village, file=file_number(), 公民身份号码=valid_id_number())]
    old, recent = checked(staff, town, rows), checked(staff, town, rows)
    assert old.status == recent.status == ImportStatus.CHECKED
    storage = old.file.storage
    old_files = [old.file.name, staged_name(old)]
    assert all(storage.exists(name) for name in old_files)
    aged(ImportJob, old.pk, "uploaded_at", 31)
    aged(ImportJob, recent.pk, "uploaded_at", 1)

    # when the purge runs (in a committed transaction, as beat's task does)
    with django_capture_on_commit():
        purged = import_files_purge()

    # then the old job's sheet and staged rows are gone and it says why; the recent one is untouched
    assert purged == 1
    assert not any(storage.exists(name) for name in old_files)
    old.refresh_from_db()
    assert old.status == ImportStatus.FAILED and not old.file and "30" in old.failure
    recent.refresh_from_db()
    assert recent.status == ImportStatus.CHECKED and storage.exists(recent.file.name)
    # and a second run finds nothing
    assert import_files_purge() == 0


def test_an_import_failed_for_a_retry_and_never_retried_loses_its_files_after_the_period(
    client, staff, town, village, settings
):
    # given a checked import whose write's worker died 31 days ago: failed, its files kept for a retry
    settings.IMPORT_UNCONFIRMED_KEEP_DAYS = 30
    job = checked(staff, town, [sheet_row(town=town, village=village, file=file_number())])
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    import_job_stopped(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.summary["retry"] == "write"
    storage, sheet = job.file.storage, job.file.name
    aged(ImportJob, job.pk, "uploaded_at", 31)
    # when the purge runs
    with django_capture_on_commit():
        assert import_files_purge() == 1
    # then its sheet is gone, and with it the retry: its page no longer offers one, and a retry is refused
    assert not storage.exists(sheet)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not job.file
    client.force_login(staff)
    page = client.get(reverse("households:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-retry"' not in page
    with pytest.raises(ValidationError):
        import_job_retry(user=staff, job=job)


def django_capture_on_commit():
    """Run the on_commit callbacks of the block as a committed transaction would."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_an_exports_file_goes_after_the_period(office_user, settings):
    # given two finished exports, one made 31 days ago
    settings.EXPORT_KEEP_DAYS = 30
    jobs = []
    for _n in range(2):
        job = ExportJob.objects.create(owner=office_user, kind="households", status=ExportStatus.DONE)
        job.file.save("roster.xlsx", ContentFile(b"full ID numbers"), save=False)
        ExportJob.objects.filter(pk=job.pk).update(file=job.file.name, finished_at=timezone.now())
        jobs.append(job)
    old, recent = jobs
    aged(ExportJob, old.pk, "finished_at", 31)

    # when the purge runs
    with django_capture_on_commit():
        assert export_files_purge() == 1

    # then the old file is deleted and its job says so; the recent one stays
    assert not old.file.storage.exists(old.file.name)
    old.refresh_from_db()
    assert not old.file and "30" in old.failure
    assert recent.file.storage.exists(recent.file.name)
    assert export_files_purge() == 0


def test_an_import_problem_keeps_the_id_number_masked(staff, town, village):
    # given a sheet whose ID number has an impossible date (a full number otherwise)
    bad = "371302197002300011"
    job = checked(staff, town, [sheet_row(town=town, village=village, file=file_number(), 公民身份号码=bad)])

    # then the stored problem names the cell masked, never the full number
    [error] = job.row_errors.all()
    assert error.value == id_number_mask(bad)
    assert not ImportRowError.objects.filter(value__contains=bad).exists()


def test_old_problems_are_masked_by_the_migration(staff, town, village):
    # given problems stored before masking: in the ID column, and a number in another column's cell
    job = checked(staff, town, [sheet_row(town=town, village=village, file=file_number())])
    number, other = valid_id_number(), valid_id_number()
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(job=job, row=2, column="公民身份号码", value=number, message="x"),
            ImportRowError(job=job, row=3, column="备注", value=f"见 {other}", message="x"),
            ImportRowError(job=job, row=4, column="姓名", value="王大山", message="x"),
        ]
    )

    # when the data migration runs (twice: it may be re-run)
    migration = importlib.import_module("households.migrations.0005_import_errors_id_numbers_masked")
    for _run in range(2):
        with connection.schema_editor() as editor:
            migration.mask(None, editor)

    # then the numbers are masked and the rest is left as it was
    values = dict(ImportRowError.objects.filter(job=job).values_list("row", "value"))
    assert values[2] == id_number_mask(number)
    assert other not in values[3] and values[3].endswith(other[-4:])
    assert values[4] == "王大山"


def test_the_purges_are_beat_jobs_declared_in_the_one_place():
    tasks = {schedule.task for schedule in DEFAULT_SCHEDULES}
    for task in ("households.tasks.purge_unconfirmed_imports", "organisation.tasks.purge_old_exports"):
        assert task in tasks
        celery_app.loader.import_default_modules()
        assert task in celery_app.tasks
