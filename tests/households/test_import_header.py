"""The household sheet's header is mapped to the template's columns in one place (``RowParser``): a column that
appears twice (a second 姓名) or that is no column of the template refuses the sheet, naming the columns' letters,
instead of the second silently replacing the first."""

import pytest
from openpyxl.utils import get_column_letter

from households.models import ImportStatus
from households.services.imports import import_job_check, import_job_create
from organisation.roles import Role
from tests.households.test_import_sheets import HEADERS, file_number, sheet_row, sheet_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def checked(staff, town, rows, headers):
    job = import_job_create(user=staff, town=town, upload=sheet_upload(rows, headers=headers), language="zh-hans")
    return import_job_check(job_id=job.pk)


def test_a_second_name_column_refuses_the_sheet_naming_both_letters(staff, town, village):
    headers = [*HEADERS, "姓名"]
    row = sheet_row(town=town, village=village, file=file_number())
    job = checked(staff, town, [row], headers)
    assert job.status == ImportStatus.REJECTED
    first, second = get_column_letter(HEADERS.index("姓名") + 1), get_column_letter(len(headers))
    problems = list(job.row_errors.values_list("column", "message"))
    assert problems == [(second, f"“姓名”列重复出现：第 {first} 列和第 {second} 列。")]


def test_an_unknown_column_refuses_the_sheet_naming_its_letter(staff, town, village):
    headers = [*HEADERS, "备注栏"]
    job = checked(staff, town, [sheet_row(town=town, village=village, file=file_number())], headers)
    assert job.status == ImportStatus.REJECTED
    letter = get_column_letter(len(headers))
    ((column, message),) = job.row_errors.values_list("column", "message")
    assert column == letter and letter in message and "备注栏" in message
