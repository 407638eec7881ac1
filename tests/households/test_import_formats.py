"""The sheets township staff have: .xls (Excel 97-2003, WPS) and .ods (LibreOffice) import as the same sheet saved as
.xlsx does, with the same problems on the same rows and columns; a file whose content is not what its name says is
refused with a clear message, never a failure."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import RectificationItem
from audits.services.imports import ledger_import_check, ledger_import_confirm, ledger_import_upload
from households.models import Household, ImportStatus
from households.services.imports import import_job_check, import_job_confirm, import_job_create, import_job_write
from households.sheet_reader import XLS_SIGNATURE
from organisation.roles import Role
from tests.factories.audits import ledger_row, ledger_sheet_bytes
from tests.factories.households import valid_id_number
from tests.factories.sheets import sheet_saved_as
from tests.households.test_import_sheets import file_number as new_file_number
from tests.households.test_import_sheets import sheet_bytes, sheet_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def upload_as(data: bytes, extension: str, name: str = "户") -> SimpleUploadedFile:
    content = data if extension == "xlsx" else sheet_saved_as(data, extension)
    return SimpleUploadedFile(f"{name}.{extension}", content)


def problems(job) -> list[tuple[int, str, str, str]]:
    return [(error.row, error.column, error.value, error.message) for error in job.row_errors.order_by("row", "id")]


@pytest.mark.english
def test_a_sheet_saved_as_xls_or_ods_is_checked_with_the_same_problems_as_the_xlsx(staff, town, village):
    # given one sheet with a good household, a wrong check digit and an unknown village
    bad_id = valid_id_number()
    bad_id = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")
    rows = [
        sheet_row(town=town, village=village, file=new_file_number(), 姓名="王大山"),
        sheet_row(town=town, village=village, file=new_file_number(), 公民身份号码=bad_id),
        sheet_row(town=town, village=village, file=new_file_number(), **{"村（社区）": "无此村", "识别年度": 2016}),
    ]
    data = sheet_bytes(rows)

    # when it is checked as .xlsx, as .xls and as .ods
    jobs = {}
    for extension in ("xlsx", "xls", "ods"):
        job = import_job_create(user=staff, town=town, upload=upload_as(data, extension), language="en")
        jobs[extension] = import_job_check(job_id=job.pk)

    # then each is refused as a whole, naming the same rows, columns and values
    expected = problems(jobs["xlsx"])
    assert jobs["xlsx"].status == ImportStatus.REJECTED
    assert {row for row, *_rest in expected} == {3, 4}
    for extension in ("xls", "ods"):
        assert (jobs[extension].status, jobs[extension].rows_total) == (ImportStatus.REJECTED, 3)
        assert problems(jobs[extension]) == expected, extension


@pytest.mark.parametrize("extension", ["xls", "ods"])
def test_a_sheet_saved_as_xls_or_ods_is_imported_end_to_end_as_the_xlsx_is(staff, town, village, extension):
    # given a household of two, as .xlsx and as the other format (each with its own file number)
    def household_rows(number: str) -> list[dict]:
        return [
            sheet_row(town=town, village=village, file=number, 姓名="王大山", 公民身份号码=valid_id_number()),
            sheet_row(
                town=town,
                village=village,
                file=number,
                姓名="王小花",
                公民身份号码=valid_id_number(female=True),
                与户主关系="之女",
            ),
        ]

    imported = {}
    for kind in ("xlsx", extension):
        number = new_file_number()
        rows = household_rows(number)
        # when it is uploaded, checked, confirmed and written
        job = import_job_create(user=staff, town=town, upload=upload_as(sheet_bytes(rows), kind), language="en")
        job = import_job_check(job_id=job.pk)
        assert (job.status, job.error_count, job.rows_total) == (ImportStatus.CHECKED, 0, 2), problems(job)
        import_job_confirm(user=staff, job=job)
        job = import_job_write(job_id=job.pk)
        assert job.status == ImportStatus.IMPORTED
        household = Household.objects.get(file_number=number)
        ids = {row["公民身份号码"]: row["姓名"] for row in rows}
        imported[kind] = (
            job.summary["households_created"],
            job.summary["members_created"],
            household.village,
            household.group,
            household.main_cause,
            household.other_causes,
            household.year_identified,
            household.phone,
            sorted((ids[member.id_number], member.relation, member.sex) for member in household.members.all()),
        )

    # then the other format gives the same household as the xlsx
    assert imported[extension] == imported["xlsx"]


@pytest.mark.english
@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("户.xls", b"<html><table><tr><td>1</td></tr></table></html>", "not an Excel 97-2003 workbook (.xls)"),
        ("户.ods", None, "not an OpenDocument sheet (.ods)"),  # an xlsx renamed .ods
        ("户.xlsx", XLS_SIGNATURE + b"\0" * 504, "not an Excel workbook (.xlsx)"),  # an xls renamed .xlsx
        ("户.csv", b"name,id\n", "(.xlsx or .xls) or an OpenDocument sheet (.ods)"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_at_upload(staff, town, name, content, words):
    content = content if content is not None else sheet_bytes([])
    with pytest.raises(ValidationError) as refused:
        import_job_create(user=staff, town=town, upload=SimpleUploadedFile(name, content), language="en")
    assert words in refused.value.message_dict["file"][0]


@pytest.mark.english
def test_a_damaged_xls_is_rejected_with_a_message_not_a_failure(staff, town):
    # given a file that starts like an .xls and is not one
    upload = SimpleUploadedFile("户.xls", XLS_SIGNATURE + b"\x00" * 4000)

    # when it is checked
    job = import_job_check(job_id=import_job_create(user=staff, town=town, upload=upload, language="en").pk)

    # then it is refused, saying why
    assert job.status == ImportStatus.REJECTED
    assert problems(job) == [(1, "", "", "The file cannot be read as a .xls sheet: it is damaged or of another kind.")]


def test_the_ledger_list_saved_as_ods_or_xls_is_imported_as_the_xlsx_is(office_user, town, village):
    written = {}
    for extension in ("xlsx", "xls", "ods"):
        # given a list of two problems (described in words of their own: the ledger refuses a problem twice)
        rows = [
            ledger_row(town, village, 问题描述=f"扶贫资金拨付滞后（{extension}）"),
            ledger_row(town, None, 问题来源="巡察", 问题描述=f"台账不全（{extension}）", **{"整改时限（工作日）": 10}),
        ]
        upload = upload_as(ledger_sheet_bytes(rows, title="问题清单"), extension, name="审计问题清单")

        # when it is uploaded, checked and confirmed
        job = ledger_import_check(job_id=ledger_import_upload(user=office_user, upload=upload).pk)
        assert (job.status, job.error_count, job.rows_total) == (ImportStatus.CHECKED, 0, 2), job.errors
        job = ledger_import_confirm(user=office_user, job=job)
        assert (job.status, job.items_created) == (ImportStatus.IMPORTED, 2)
        items = RectificationItem.objects.filter(description__endswith=f"（{extension}）").order_by("sequence")
        written[extension] = [
            (
                item.town,
                item.village,
                item.source,
                item.category,
                item.description.split("（")[0],
                item.time_limit_working_days,
            )
            for item in items
        ]

    # then each format wrote the same items
    assert len(written["xlsx"]) == 2
    assert written["xls"] == written["ods"] == written["xlsx"]
