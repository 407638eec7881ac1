"""Every job a page sends goes through ``organisation.enqueue``: with a broker that refuses connections (Redis down)
"scan now", "check now", "run the yield job now" and an upload answer with the page (no 500), the record says that it
waits for the job service, and the sweep ``jobs.tasks.resend_waiting`` sends it again once the broker is back."""

import pytest
from django.urls import reverse

from audits.models import LedgerImport
from households.models import ImportStatus, QualityRun, QualityRunStatus
from households.tasks import check_data_quality
from jobs.schedules import DEFAULT_SCHEDULES, RESEND_WAITING_TASK
from jobs.tasks import resend_waiting
from lanshan.celery import app as celery_app
from organisation.enqueue import waiting_message
from organisation.roles import Role
from tests.factories.audits import ledger_row, ledger_sheet_upload

pytestmark = pytest.mark.django_db

WAITING_WORDS = "正在等待后台任务服务"


def queued_count(queue: str) -> int:
    with celery_app.connection_for_write() as connection:
        return connection.default_channel.client.llen(queue)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("funds:overdue_scan_run", {}),
        ("projects:yield_run", {}),
        ("audits:ledger_scan_run", {}),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_a_run_now_button_with_the_broker_down_says_the_job_waits(client, office_user, broker_down, url, data):
    client.force_login(office_user)
    # when the button is pressed while the broker refuses connections (the request's transaction commits)
    response = client.post(reverse(url), data)
    # then the page answers and the next page says the job could not be sent, in Chinese
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert WAITING_WORDS in shown or "无法连接" in shown


def test_check_now_with_the_broker_down_leaves_the_run_waiting_and_the_sweep_sends_it(
    client, office_user, private_queue, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("households:quality_run_create"))
    assert response.status_code == 302
    run = QualityRun.objects.get()
    assert (run.status, run.error) == (QualityRunStatus.QUEUED, waiting_message())
    progress = client.get(reverse("households:quality_run_progress", args=[run.pk])).content.decode()
    assert 'data-testid="quality-run-waiting"' in progress and WAITING_WORDS in progress
    # the sweep, while the broker is still down, leaves it waiting
    resend_waiting()
    run.refresh_from_db()
    assert run.error == waiting_message()
    # when the broker is back (the run goes to this test's queue), the sweep sends it
    monkeypatch.undo()
    monkeypatch.setattr(
        check_data_quality,
        "delay",
        lambda **kwargs: check_data_quality.apply_async(kwargs=kwargs, queue=private_queue),
    )
    sent = resend_waiting()
    run.refresh_from_db()
    assert sent["households.quality"] == 1 and run.error == ""
    assert queued_count(private_queue) == 1


def test_a_ledger_list_uploaded_with_the_broker_down_waits(
    client, office_user, town, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audits:import_list"), {"file": ledger_sheet_upload([ledger_row(town)])})
    assert response.status_code == 302
    job = LedgerImport.objects.get()
    assert (job.status, job.failure) == (ImportStatus.UPLOADED, waiting_message())
    page = client.get(reverse("audits:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-waiting"' in page and WAITING_WORDS in page


def test_the_sweep_is_a_default_schedule():
    assert [s.every.total_seconds() for s in DEFAULT_SCHEDULES if s.task == RESEND_WAITING_TASK] == [120]


@pytest.fixture
def office_user(make_user):
    return make_user(Role.DISTRICT_OFFICE)
