"""The import pages: upload, progress, preview, confirmation, the template, and who is refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from households.importing import COLUMNS
from households.models import ImportJob, ImportStatus
from households.services.imports import import_job_check, import_job_create
from organisation.roles import Role
from tests.factories.households import valid_id_number
from tests.factories.organisation import VillageFactory
from tests.households.test_import_sheets import XLSX, file_number, sheet_row, sheet_upload
from tests.permission_checks import assert_other_town_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


@pytest.fixture
def job(staff, town, village):
    upload = sheet_upload([sheet_row(town=town, village=village, file=file_number())])
    return import_job_create(user=staff, town=town, upload=upload, language="en")


def test_town_staff_upload_a_sheet_and_are_sent_to_its_page(client, staff, town, village):
    client.force_login(staff)
    page = client.get(reverse("households:import_list"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["town"].queryset) == [town]

    upload = sheet_upload([sheet_row(town=town, village=village, file=file_number())])
    response = client.post(reverse("households:import_list"), {"town": town.pk, "file": upload})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("households:import_detail", args=[job.pk])
    assert (job.town, job.uploaded_by, job.status) == (town, staff, ImportStatus.UPLOADED)


def test_a_file_that_is_not_xlsx_is_a_form_error(client, staff, town):
    client.force_login(staff)
    upload = SimpleUploadedFile("households.csv", b"a,b\n", content_type="text/csv")

    response = client.post(reverse("households:import_list"), {"town": town.pk, "file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_the_page_polls_while_the_check_runs_and_reloads_when_it_is_done(client, staff, job):
    client.force_login(staff)
    page = client.get(reverse("households:import_detail", args=[job.pk]))
    assert 'hx-get="{}"'.format(reverse("households:import_progress", args=[job.pk])) in page.content.decode()

    progress = client.get(reverse("households:import_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert progress.status_code == 200 and "HX-Refresh" not in progress

    import_job_check(job_id=job.pk)
    done = client.get(reverse("households:import_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


@pytest.mark.english
def test_the_preview_lists_each_problem_with_the_id_number_masked(client, staff, town, village):
    bad_id = valid_id_number()
    bad_id = bad_id[:17] + ("1" if bad_id[17] == "0" else "0")
    rows = [sheet_row(town=town, village=village, file=file_number(), 公民身份号码=bad_id, 健康状况="很好")]
    job = import_job_create(user=staff, town=town, upload=sheet_upload(rows), language="en")
    import_job_check(job_id=job.pk)
    client.force_login(staff)

    page = client.get(reverse("households:import_detail", args=[job.pk])).content.decode()

    assert "Nothing was imported: the sheet has 2 problems." in page
    assert "“很好” is not an allowed value" in page
    assert f"{bad_id[:6]}********{bad_id[-4:]}" in page
    assert bad_id not in page
    assert 'data-testid="import-confirm"' not in page


@pytest.mark.english
def test_confirming_a_checked_sheet_starts_the_write_once(client, staff, job, django_capture_on_commit_callbacks):
    import_job_check(job_id=job.pk)
    client.force_login(staff)
    assert (
        'data-testid="import-confirm"'
        in client.get(reverse("households:import_detail", args=[job.pk])).content.decode()
    )

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("households:import_confirm", args=[job.pk]))
        second = client.post(reverse("households:import_confirm", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING
    assert len(callbacks) == 1
    assert "Only a checked file without problems can be imported." in second.content.decode()


def test_the_template_has_the_register_form_columns_an_example_and_the_allowed_values(client, staff, town):
    client.force_login(staff)

    response = client.get(reverse("households:import_template"))

    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    sheet, allowed = workbook.worksheets
    header, example = list(sheet.iter_rows(values_only=True))
    assert list(header) == [column.header for column in COLUMNS]
    assert example[list(header).index("公民身份号码")] == "371302197001010012"
    allowed_rows = {row[0]: row[2] for row in allowed.iter_rows(min_row=2, values_only=True)}
    assert "因病" in allowed_rows["主要致贫原因"] and "户主" in allowed_rows["与户主关系"]


def test_the_template_example_passes_the_check(client, staff, town):
    # given the village the example row names, in 汪沟镇
    VillageFactory(town=town, name="王家庄村")
    client.force_login(staff)
    template = client.get(reverse("households:import_template")).content

    job = import_job_create(
        user=staff, town=town, upload=SimpleUploadedFile("模板.xlsx", template, content_type=XLSX), language="en"
    )

    job = import_job_check(job_id=job.pk)
    assert list(job.row_errors.values_list("message", flat=True)) == []
    assert job.status == ImportStatus.CHECKED


def test_another_towns_imports_are_not_listed(client, job, make_user, other_town):
    client.force_login(make_user(Role.TOWN_STAFF, town=other_town))

    page = client.get(reverse("households:import_list"))

    assert list(page.context["jobs"]) == []


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
@pytest.mark.parametrize(
    ("name", "method"), [("import_detail", "get"), ("import_progress", "get"), ("import_confirm", "post")]
)
def test_another_towns_user_is_refused_the_job_pages(client, job, role, name, method):
    import_job_check(job_id=job.pk)

    assert_other_town_refused(client, reverse(f"households:{name}", args=[job.pk]), role=role, method=method)

    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
def test_another_towns_user_cannot_upload_into_this_town(client, town, village, role):
    upload = sheet_upload([sheet_row(town=town, village=village, file=file_number())])

    assert_other_town_refused(
        client, reverse("households:import_list"), role=role, method="post", data={"town": town.pk, "file": upload}
    )

    assert not ImportJob.objects.exists()


def test_a_village_clerk_of_the_town_sees_no_upload_form(client, make_user, village):
    client.force_login(make_user(Role.VILLAGE_CLERK, village=village))

    page = client.get(reverse("households:import_list"))

    assert page.status_code == 200 and not page.context["can_upload"]
