"""The monthly work report's jobs and pages: made on demand and by the daily schedule on the configured working day,
one current version per month and unit (a correction is a new version, both kept), a broker that refuses the job
leaves the report waiting instead of an error page, a real worker makes it, a town sees only its own, and the
history keeps who asked and the file's SHA-256."""

import datetime as dt
import hashlib
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from lanshan.celery import app as celery_app
from organisation.periods import previous_month
from organisation.roles import Role
from reporting.models import ReportStatus, WorkReport
from reporting.services.reports import work_report_generate, work_report_request
from reporting.tasks import generate_work_report, make_monthly_reports
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import post_user
from tests.permission_checks import assert_other_town_refused


def last_month() -> dt.date:
    return previous_month(timezone.localdate())


def made(user, *, town=None, month=None) -> WorkReport:
    """The report of ``town`` on ``month`` (last month unless told) asked for and generated here (the request's job is
    not sent: a test's transaction never commits)."""
    report = work_report_request(user=user, month=month or last_month(), town=town)
    return work_report_generate(report_id=report.pk)


def file_sha256(report: WorkReport) -> str:
    with report.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def office(db):
    return post_user(Role.DISTRICT_OFFICE)


@pytest.fixture
def staff(town):
    return post_user(Role.TOWN_STAFF, town=town)


@pytest.mark.django_db
def test_the_job_run_twice_for_a_month_gives_one_current_version(office, town, village):
    # given households, and the office asking for the district's report of last month
    HouseholdFactory.create_batch(2, village=village)
    report = work_report_request(user=office, month=last_month())
    # when its job runs twice
    first = generate_work_report.apply(args=[report.pk]).get()
    second = generate_work_report.apply(args=[report.pk]).get()
    # then there is one version, done and current, and the second run changed nothing
    assert (first, second) == (ReportStatus.DONE, ReportStatus.DONE)
    reports = list(WorkReport.objects.filter(month=last_month(), town__isnull=True))
    assert [(item.version, item.is_current, item.status) for item in reports] == [(1, True, ReportStatus.DONE)]
    assert reports[0].sha256 == file_sha256(reports[0])
    assert reports[0].events.filter(pgh_label="update").count() == 2  # running, then done: nothing from the rerun


@pytest.mark.django_db
def test_a_correction_on_demand_is_a_new_version_and_both_are_kept(client, staff, town, village):
    # given the town's report of this month (its figures so far)
    this_month = timezone.localdate().replace(day=1)
    first = made(staff, town=town, month=this_month)
    # when the town registers a household it had missed and has the report made again
    HouseholdFactory(village=village)
    second = made(staff, town=town, month=this_month)
    # then both versions are kept, the new one current, the old one unchanged and still downloadable
    first.refresh_from_db()
    assert (first.version, first.is_current, first.status) == (1, False, ReportStatus.DONE)
    assert (second.version, second.is_current, second.status) == (2, True, ReportStatus.DONE)
    assert first.sha256 == file_sha256(first) != second.sha256
    client.force_login(staff)
    response = client.get(reverse("reporting:work_report_download", args=[first.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == first.sha256
    page = client.get(reverse("reporting:work_report_detail", args=[first.pk])).content.decode()
    assert first.sha256 in page and reverse("reporting:work_report_download", args=[second.pk]) in page


@pytest.mark.django_db
def test_a_request_while_the_report_is_being_made_gives_that_report(office):
    # given the district's report of last month asked for and not yet made
    report = work_report_request(user=office, month=last_month())
    # when it is asked for again
    again = work_report_request(user=office, month=last_month())
    # then it is the same report: no second version
    assert again.pk == report.pk
    assert WorkReport.objects.count() == 1


@pytest.mark.django_db
def test_the_schedule_makes_last_months_reports_on_the_nth_working_day_of_the_official_calendar(
    clock, settings, town, other_town
):
    # given reports made on the 3rd working day; October 2026 starts with the National Day holiday (1-7 October),
    # so its working days are the 8th, the 9th and Saturday the 10th (a make-up working day)
    settings.WORK_REPORT_WORKING_DAY = 3
    units = {None, town.pk, other_town.pk}
    made_on = {}
    # when the daily job runs every day from the 1st to the 12th
    for day in range(1, 13):
        clock.set(dt.date(2026, 10, day))
        make_monthly_reports.apply().get()
        for report in WorkReport.objects.exclude(pk__in=[pk for pks in made_on.values() for pk in pks]):
            made_on.setdefault(day, []).append(report.pk)
    # then the September reports of the district and every town were made on the 10th, once, each current and done
    assert list(made_on) == [10]
    reports = WorkReport.objects.all()
    assert {report.town_id for report in reports} == units
    assert {(r.month, r.version, r.is_current, r.status, r.requested_by) for r in reports} == {
        (dt.date(2026, 9, 1), 1, True, ReportStatus.DONE, None)
    }


@pytest.mark.django_db
def test_the_daily_job_generates_a_report_that_waited_for_the_job_service(clock, settings, office):
    # given a report the broker refused, and a day before the schedule makes any report
    settings.WORK_REPORT_WORKING_DAY = 3
    report = work_report_request(user=office, month=previous_month(dt.date(2026, 10, 1)))
    WorkReport.objects.filter(pk=report.pk).update(status=ReportStatus.WAITING, failure="任务服务无法连接")
    clock.set(dt.date(2026, 10, 8))
    # when the daily job runs
    make_monthly_reports.apply().get()
    # then it generated the waiting report, and made no other
    report.refresh_from_db()
    assert (report.status, report.is_current, report.failure) == (ReportStatus.DONE, True, "")
    assert WorkReport.objects.count() == 1


@pytest.mark.django_db
def test_a_report_whose_worker_was_lost_gives_way_to_a_new_version(staff, town):
    # given the town's report started three hours ago and never finished (its worker was lost)
    lost = work_report_request(user=staff, month=last_month(), town=town)
    WorkReport.objects.filter(pk=lost.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=3)
    )
    # when the town asks for the report again
    report = work_report_generate(report_id=work_report_request(user=staff, month=last_month(), town=town).pk)
    # then the lost one failed, saying so, and the new version is done and current
    lost.refresh_from_db()
    assert (lost.status, bool(lost.failure), lost.is_current) == (ReportStatus.FAILED, True, False)
    assert (report.version, report.status, report.is_current) == (2, ReportStatus.DONE, True)


@pytest.mark.django_db
def test_with_the_broker_down_the_report_waits_for_the_job_service_and_the_page_says_so(
    client, office, celery_app_broker_down, django_capture_on_commit_callbacks
):
    # given the office, and a broker nothing listens on
    client.force_login(office)
    # when it asks for the district's report of last month
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:work_report_request"),
            {"month": f"{last_month():%Y-%m}", "unit": "district", "money_unit": "yuan"},
        )
    # then it lands on the report's page, which says the report is waiting for the job service: no error page
    report = WorkReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert report.status == ReportStatus.WAITING and report.failure
    page = client.get(response.url)
    assert page.status_code == 200
    assert report.failure in page.content.decode()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_makes_the_report_asked_for_in_the_browser(client, town, village, private_queue, worker, settings):
    # given the town's staff, and the report jobs sent to this test's queue
    settings.WORK_REPORT_QUEUE = private_queue
    staff = post_user(Role.TOWN_STAFF, town=town)
    HouseholdFactory.create_batch(3, village=village)
    client.force_login(staff)
    with worker():
        # when it asks for last month's report of its town
        response = client.post(
            reverse("reporting:work_report_request"),
            {"month": f"{last_month():%Y-%m}", "unit": str(town.pk), "money_unit": "ten_thousand_yuan"},
        )
        report = WorkReport.objects.get()
        assert response.status_code == 302 and response.url == report.get_absolute_url()
        deadline = time.monotonic() + 60
        while report.status != ReportStatus.DONE:
            assert time.monotonic() < deadline, f"the worker did not make the report within a minute: {report.status}"
            time.sleep(0.2)
            report.refresh_from_db()
    # then the report is done and current, and the progress bar tells the page to reload
    assert (report.is_current, report.progress, report.sha256 == file_sha256(report)) == (True, 100, True)
    progress = client.get(reverse("reporting:work_report_progress", args=[report.pk]))
    assert progress["HX-Refresh"] == "true"
    assert client.get(reverse("reporting:work_report_download", args=[report.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["work_report_detail", "work_report_progress", "work_report_download"])
def test_another_towns_user_can_neither_see_nor_download_a_towns_report(client, staff, town, name):
    # given the town's report
    report = made(staff, town=town)
    # then a user of another town is refused its page, its progress and its file
    assert_other_town_refused(client, reverse(f"reporting:{name}", args=[report.pk]), role=Role.TOWN_STAFF)


@pytest.mark.django_db
def test_another_towns_user_cannot_have_a_towns_report_made(client, town):
    # when a user of another town asks for the town's report
    assert_other_town_refused(
        client,
        reverse("reporting:work_report_request"),
        role=Role.TOWN_STAFF,
        method="post",
        data={"month": f"{last_month():%Y-%m}", "unit": str(town.pk), "money_unit": "yuan"},
    )
    # then nothing was asked for
    assert not WorkReport.objects.exists()


@pytest.mark.django_db
def test_a_town_sees_its_own_reports_and_the_district_sees_all_with_the_months_grid(
    client, office, staff, town, other_town
):
    # given the district's report, the town's and another town's
    district_report, own = made(office), made(staff, town=town)
    other = made(post_user(Role.TOWN_STAFF, town=other_town), town=other_town)
    # when the town's staff opens the list, and the district's report
    client.force_login(staff)
    listed = client.get(reverse("reporting:work_report_list")).context["object_list"]
    district_page = client.get(reverse("reporting:work_report_detail", args=[district_report.pk]))
    # then it sees its own town's report only
    assert [report.pk for report in listed] == [own.pk]
    assert district_page.status_code == 404
    # and the office sees every report, and which units have a current report of the month
    client.force_login(office)
    response = client.get(reverse("reporting:work_report_list"), {"month": f"{last_month():%Y-%m}"})
    assert {report.pk for report in response.context["object_list"]} == {district_report.pk, own.pk, other.pk}
    grid = {line.town.pk if line.town else None: line.current for line in response.context["grid"]}
    assert grid == {None: district_report, town.pk: own, other_town.pk: other}
    # and the list's filters narrow it to the district's own report
    filtered = client.get(reverse("reporting:work_report_list"), {"unit": "district"}).context["object_list"]
    assert [report.pk for report in filtered] == [district_report.pk]


@pytest.mark.django_db
def test_the_request_form_offers_the_office_every_unit_and_town_staff_their_own_town(
    client, office, staff, town, other_town
):
    # when the town's staff, the office and the audit bureau open the form
    client.force_login(staff)
    staff_units = dict(client.get(reverse("reporting:work_report_request")).context["form"].fields["unit"].choices)
    client.force_login(office)
    office_units = dict(client.get(reverse("reporting:work_report_request")).context["form"].fields["unit"].choices)
    client.force_login(post_user(Role.AUDIT))
    audit = client.get(reverse("reporting:work_report_request"))
    # then town staff may choose their own town only, the office the district or any town, the auditors nothing
    assert list(staff_units) == [str(town.pk)]
    assert set(office_units) == {"district", str(town.pk), str(other_town.pk)}
    assert audit.status_code == 403


@pytest.mark.django_db
def test_the_history_keeps_who_asked_and_the_files_sha256(staff, town):
    # when the town's staff has its report made
    report = made(staff, town=town)
    # then the sealed history holds the request (who) and the finished report's SHA-256
    events = list(report.events.order_by("pgh_id"))
    assert events[0].pgh_label == "insert" and events[0].requested_by_id == staff.pk
    assert events[-1].sha256 == report.sha256 == file_sha256(report)
    assert events[-1].status == ReportStatus.DONE and events[-1].is_current


@pytest.fixture
def celery_app_broker_down(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_connection_retry", False)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {"max_retries": 0})
    # The app's connection and producer pools were made for the real broker; fresh ones read the URL above.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    yield
