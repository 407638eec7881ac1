"""Sheets for the import tests, and the streaming reader against openpyxl on the same files.

The helpers here (``sheet_row``, ``sheet_upload``) are shared by the other import tests.
"""

import datetime as dt
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment

from households.importing import COLUMNS, SheetReader, SheetRejected
from households.management.commands.benchmark_import import sheet_write_shared_strings
from tests.factories.households import valid_id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [column.header for column in COLUMNS if column.required]
_file_numbers = itertools.count(1)


def file_number() -> str:
    return f"37130299{next(_file_numbers):08d}"


def sheet_row(*, town, village, file: str, **cells) -> dict:
    """A valid member row of household ``file`` (the head, unless 与户主关系 is given); ``cells`` by header."""
    row = {
        "户编号": file,
        "镇（街道）": town.name,
        "村（社区）": village.name,
        "村民小组": "第一村民小组",
        "识别标准": "国家标准",
        "贫困户属性": "一般贫困户",
        "主要致贫原因": "因病",
        "其他致贫原因": "缺资金",
        "识别年度": 2015,
        "联系电话": "13805390000",
        "姓名": "张三",
        "公民身份号码": valid_id_number(),
        "与户主关系": "户主",
        "民族": "汉族",
        "文化程度": "初中",
        "在校生状况": "",
        "健康状况": "健康",
        "劳动能力": "普通劳动力",
        "是否务工": "否",
        "是否低保": "否",
        "是否参加新农合": "是",
        "是否参加养老保险": "是",
    }
    row.update(cells)
    return row


def sheet_bytes(rows: list[dict], *, headers: list[str] | None = None) -> bytes:
    headers = headers or HEADERS
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_upload(rows: list[dict], *, headers: list[str] | None = None, name: str = "户.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sheet_bytes(rows, headers=headers), content_type=XLSX)


def openpyxl_rows(data: bytes) -> list[tuple[int, list]]:
    """What openpyxl's read-only reader gives, as (row number, values without trailing empties)."""
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        if values:
            rows.append((number, values))
    return rows


def reader_rows(data: bytes) -> list[tuple[int, list]]:
    rows = []
    for number, values in SheetReader(io.BytesIO(data)).rows():
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        rows.append((number, values))
    return rows


def test_the_reader_gives_what_openpyxl_gives_for_a_workbook_openpyxl_wrote():
    # given a workbook with inline strings, numbers, booleans, dates, gaps and an empty row
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["户编号", "识别年度", "金额", "是否", "日期", "时间", None, "空"])
    sheet.append(["3713020001000001", 2015, 12.5, True, dt.datetime(2020, 3, 1, 8, 30), dt.date(1999, 12, 31)])
    sheet.append([None, None, "  张 & <三>  ", False, None, None, None, "x"])
    sheet.append([])
    sheet.append([1e20, -3, 0.1, None, "=1+1", "中文\n换行"])
    sheet["C2"].alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)

    # then both readers agree cell for cell
    assert reader_rows(buffer.getvalue()) == openpyxl_rows(buffer.getvalue())


def test_the_reader_gives_what_openpyxl_gives_for_an_excel_style_workbook_with_shared_strings(tmp_path):
    # given a workbook written as Excel and WPS write them: shared strings and a dimension
    path = tmp_path / "shared.xlsx"
    rows = [
        ["户编号", "姓名", "识别年度"],
        ["0001", "李 四", 2016],
        ["0002", "李&四", 2017.0],
        ["0001", "王<五>", None],
    ]
    sheet_write_shared_strings(path, rows)
    data = path.read_bytes()

    # then
    assert reader_rows(data) == openpyxl_rows(data)
    reader = SheetReader(io.BytesIO(data))
    list(reader.rows())
    assert reader.max_row == 4


def test_a_file_that_is_not_a_workbook_is_rejected():
    with pytest.raises(SheetRejected):
        SheetReader(io.BytesIO(b"PK\x03\x04 not really a zip"))
