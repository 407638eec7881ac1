"""Sheets for the import tests, and the streaming reader against openpyxl on the same files.

The helpers here (``sheet_row``, ``sheet_upload``) are shared by the other import tests.
"""

import datetime as dt
import io
import itertools
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment

from households import sheet_reader
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


# A worksheet as no single writer writes it: every shape the patterns take, and every one they leave to expat.
MIXED_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<dimension ref="A1:AA12"/><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>'
    '<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="B1" s="0" t="s"><v>1</v></c>'
    '<c r="C1" t="inlineStr"><is><t>识别年度</t></is></c><c r="D1"><v>2015</v></c>'
    '<c r="E1" s="1"><v>43891</v></c></row>'
    '<row r="2"><c r="B2" t="s"><v>2</v></c><c r="D2"/><c r="F2" t="b"><v>1</v></c></row>'
    '<row r="3"/>'
    '<row><c r="A4" t="inlineStr"><is><t xml:space="preserve">  有空格  </t></is></c><c r="B4" t="str">'
    "<f>A4&amp;B1</f><v>x&amp;y</v></c></row>"
    '<row r="5"><c r="A5"><f>SUM(D1:D2)</f><v>2015</v></c><c r="B5" t="e"><v>#DIV/0!</v></c>'
    '<c r="C5"><f t="shared" si="0"/><v>1.5</v></c><c r="D5" t="s"><v>3</v></c></row>'
    '<row r="6"><c s="0" r="A6" t="s"><v>4</v></c><c r="B6" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr>'
    "<t>文本</t></r></is></c></row>"
    '<row r="7"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>'
    '<row r="8"><c r="A8" t="inlineStr"><is><t>第一行\r\n第二行</t></is></c>'
    '<c r="C8" t="inlineStr"><is><t>&lt;三&gt;</t></is></c></row>'
    '<row r="10"><c r="B10" t="inlineStr"><is><t><![CDATA[<原样>]]></t></is></c></row>'
    '<row r="11"><c r="AA11" t="s"><v>5</v></c></row>'
    '<row r="12"><c r="A12" t="inlineStr"><is><t></t></is></c><c r="B12" t="s"><v></v></c>'
    '<c r="C12" t="n"><v>-7</v></c></row>'
    "</sheetData></worksheet>"
)
MIXED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">'
    "<si><t>户编号</t></si>"
    '<si><t xml:space="preserve"> 姓名 </t></si>'
    '<si><r><t>王</t></r><r><rPr><b/></rPr><t>五</t></r><rPh sb="0" eb="1"><t>ワン</t></rPh></si>'
    "<si><t>张&amp;李</t></si>"
    "<si><t>_x005F_x000D_</t></si>"
    "<si><t>远列</t></si>"
    "</sst>"
)
MIXED_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
)


def workbook_bytes(sheet_xml: str, strings_xml: str, styles_xml: str) -> bytes:
    main = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kinds}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kinds}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{kinds}.styles+xml"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{main}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        package.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main" xmlns:r="{main}"><sheets><sheet name="户" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{main}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{main}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{main}/styles" Target="styles.xml"/></Relationships>',
        )
        package.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        package.writestr("xl/sharedStrings.xml", strings_xml)
        package.writestr("xl/styles.xml", styles_xml)
    return buffer.getvalue()


@pytest.mark.parametrize("block_bytes", [1 << 20, 97, 7], ids=["one block", "rows across blocks", "tiny blocks"])
def test_the_reader_gives_what_openpyxl_gives_for_every_shape_of_cell(monkeypatch, block_bytes):
    # given a sheet mixing the shapes the patterns read with rich text, entities, CDATA, line breaks, rows and
    # cells without a reference, an empty row, dates by style and far columns, read in blocks of every size
    monkeypatch.setattr(sheet_reader, "BLOCK_BYTES", block_bytes)
    data = workbook_bytes(MIXED_SHEET, MIXED_STRINGS, MIXED_STYLES)

    # when
    rows = reader_rows(data)

    # then
    assert rows == openpyxl_rows(data)
    assert [number for number, _values in rows] == [1, 2, 4, 5, 6, 7, 8, 10, 11, 12]
    assert rows[0][1][4] == dt.datetime(2020, 3, 1)
    assert rows[1][1][1] == "王五"  # a rich shared string, its phonetic guide left out
    assert rows[4][1] == ["_x000D_", "富文本"]
    assert rows[6][1] == ["第一行\n第二行", None, "<三>"]


def test_the_patterns_and_expat_read_a_sheet_alike(monkeypatch):
    # given
    data = workbook_bytes(MIXED_SHEET, MIXED_STRINGS, MIXED_STYLES)
    by_patterns = reader_rows(data)

    # when the patterns are not used at all (as for a sheet whose names carry a prefix)
    monkeypatch.setattr(sheet_reader, "_rows_start", lambda head: None)
    monkeypatch.setattr(sheet_reader, "_PLAIN_STRING", re.compile(rb"(?!)"))

    # then
    assert reader_rows(data) == by_patterns


def test_a_sheet_whose_names_carry_a_prefix_is_read(monkeypatch):
    # given the same sheet with its elements written as x:row, x:c (some generators do)
    prefixed = re.sub(
        r"<(/?)(worksheet|dimension|sheetViews|sheetView|sheetData|row|c|v|f|is|t|r|rPr|b)\b", r"<\1x:\2", MIXED_SHEET
    )
    prefixed = prefixed.replace('xmlns="http://schemas', 'xmlns:x="http://schemas', 1)
    data = workbook_bytes(prefixed, MIXED_STRINGS, MIXED_STYLES)

    # then
    assert reader_rows(data) == reader_rows(workbook_bytes(MIXED_SHEET, MIXED_STRINGS, MIXED_STYLES))


@pytest.mark.parametrize("part", ["sheet", "strings"])
def test_a_cut_off_workbook_part_is_rejected_with_a_message(part):
    # given a part that ends in the middle of an element, as a writer that crashed would leave it
    sheet, strings = MIXED_SHEET, MIXED_STRINGS
    if part == "sheet":
        sheet = sheet[: sheet.index('<row r="11">') + 20]
    else:
        strings = strings[: strings.index("<si><t>远列")]
    data = workbook_bytes(sheet, strings, MIXED_STYLES)

    # when
    with translation.override("zh-hans"), pytest.raises(SheetRejected) as rejected:
        reader_rows(data)

    # then
    assert "工作簿已损坏" in str(rejected.value)
