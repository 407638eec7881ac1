"""A broker that refuses connections (Redis down) while an import is uploaded or confirmed: the page answers, the job
says it waits for the job service, and the sweep sends it again once the broker is back."""

import pytest
from django.urls import reverse

from households.models import ImportJob, ImportStatus
from households.services.imports import import_job_check, import_jobs_resend
from lanshan.celery import app as celery_app
from organisation.enqueue import waiting_message
from organisation.roles import Role
from tests.households.test_import_sheets import file_number, sheet_row, sheet_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def test_an_upload_with_the_broker_down_waits_for_the_job_service(
    client, staff, town, village, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    upload = sheet_upload([sheet_row(town=town, village=village, file=file_number())])
    # when the sheet is uploaded while the broker refuses connections
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("households:import_list"), {"town": town.pk, "file": upload})
    # then the page answers, and the job waits, saying so in Chinese on its page
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.failure) == (ImportStatus.UPLOADED, waiting_message())
    page = client.get(reverse("households:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-waiting"' in page and "正在等待后台任务服务" in page


def test_a_confirmation_with_the_broker_down_waits_and_the_sweep_sends_it_again(
    client, staff, town, village, import_queue, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    upload = sheet_upload([sheet_row(town=town, village=village, file=file_number())])
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("households:import_list"), {"town": town.pk, "file": upload})
    job = import_job_check(job_id=ImportJob.objects.get().pk)
    assert job.status == ImportStatus.CHECKED
    # when it is confirmed while the broker refuses connections
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("households:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.failure) == (ImportStatus.IMPORTING, waiting_message())
    # and the sweep runs while it is still down: the job keeps waiting
    assert import_jobs_resend() == 0
    job.refresh_from_db()
    assert job.failure == waiting_message()
    # when the broker is back, the sweep sends it to the workers' queue
    monkeypatch.undo()
    assert import_jobs_resend() == 1
    job.refresh_from_db()
    assert job.failure == ""
    with celery_app.connection_for_write() as connection:
        assert connection.default_channel.client.llen(import_queue) == 1
