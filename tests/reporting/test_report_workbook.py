"""The monthly work report's workbook: every sheet opened with openpyxl, each total checked against its rows and each
figure against the figures computed from the raw tables; text never a formula; the print setup and frozen panes of a
statistical report; and the workbook converted to PDF by LibreOffice."""

import os
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organisation.roles import Level, Role
from reporting.choices import Aggregation
from reporting.indicators import INDICATORS, Period
from reporting.models import MoneyUnit, ReportStatus
from reporting.rules import YUAN_PER_UNIT
from reporting.services.reports import work_report_generate, work_report_request
from reporting.services.summary import figures_compute, ratio
from reporting.workbook import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    MONEY_FORMAT,
    TABLES,
    own_row_name,
    table_groups,
)
from tests.factories import audits as audits_factories
from tests.factories.households import HouseholdFactory
from tests.factories.organisation import TownFactory, VillageFactory, post_user

pytestmark = pytest.mark.django_db

# Names a spreadsheet would take for formulas if they were written as they are.
FORMULA_VILLAGE = '=HYPERLINK("http://example.com/x","点我")'
FORMULA_TOWN = "+86镇"
TOLERANCE = Decimal("0.000001")


@pytest.fixture
def world(town, village, other_town, other_village):
    """Two towns (one named like a formula), villages (one named like a formula), households, and records of each
    kind the other domains count: transfers, monthly reports, findings, data-quality problems, projects with
    rectification plans, loans, ledger items."""
    office = post_user(Role.DISTRICT_OFFICE)
    staff = post_user(Role.TOWN_STAFF, town=town)
    formula_village = VillageFactory(town=town, name=FORMULA_VILLAGE)
    formula_town = TownFactory(name=FORMULA_TOWN)
    VillageFactory(town=formula_town, name="加号村")
    for place, count in ((village, 3), (formula_village, 2), (other_village, 4)):
        HouseholdFactory.create_batch(count, village=place)
    audits_factories.signals_of_each_kind(town, village, office, 2)
    audits_factories.item_raised(staff, town, village=formula_village)
    audits_factories.item_raised(post_user(Role.TOWN_STAFF, town=other_town), other_town)
    return {"office": office, "staff": staff, "town": town, "formula_village": formula_village}


def generate(user, *, town=None, money_unit=MoneyUnit.TEN_THOUSAND_YUAN):
    """This month's report of ``town`` (None: the district), generated here (the request's job is not sent: the
    test's transaction never commits)."""
    month = timezone.localdate().replace(day=1)
    report = work_report_request(user=user, month=month, town=town, money_unit=money_unit)
    report = work_report_generate(report_id=report.pk)
    assert report.status == ReportStatus.DONE, report.failure
    return report, openpyxl.load_workbook(report.file.path)


def number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def close(actual: Decimal | None, expected: Decimal | None) -> bool:
    if actual is None or expected is None:
        return actual is expected
    return abs(actual - expected) <= TOLERANCE


def shown(value: Decimal | None, code: str, money_unit: str) -> Decimal | None:
    """A figure as the report states it: amounts in the report's money unit."""
    if value is None:
        return None
    return value / YUAN_PER_UNIT[money_unit] if INDICATORS[code].is_money else value


def table_rows(sheet, width: int) -> tuple[dict[str, list], list]:
    """The data rows of a table sheet by the unit's name, and the totals row (the cells after No. and name)."""
    total = site_text(_("Total"))
    rows = {}
    for values in sheet.iter_rows(min_row=FIRST_DATA_ROW, max_col=width, values_only=True):
        if values[1] == total:
            return rows, list(values[2:])
        rows[values[1]] = list(values[2:])
    raise AssertionError(f"{sheet.title} has no totals row")


def site_text(text_id: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(text_id)


def totals_of(rows: list[list], columns, ratios: dict[str, Decimal | None]) -> list:
    """The totals row as each column's indicator aggregates its rows; a ratio's is given (from the sums of its
    parts)."""
    result = []
    for index, column in enumerate(columns):
        values = [number(row[index]) for row in rows if row[index] is not None]
        if column.aggregation == Aggregation.SUM:
            result.append(sum(values, Decimal(0)))
        elif column.aggregation == Aggregation.MAX:
            result.append(max(values) if values else None)
        else:
            result.append(ratios[column.code])
    return result


def ratios_of(columns, *, computed, row_level, own, units) -> dict[str, Decimal | None]:
    """Each ratio column's total: the ratio of its two parts summed over the rows (the town's own, for a figure its
    villages do not have)."""
    result = {}
    for column in columns:
        if column.ratio_of is None:
            continue
        if column.own_only:
            sums = [own.get(part) or 0 for part in column.ratio_of]
        else:
            sums = [
                sum((computed.values[row_level][unit].get(part) or 0 for unit in units), Decimal(0))
                for part in column.ratio_of
            ]
        result[column.code] = ratio(Decimal(sums[0]), Decimal(sums[1]))
    return result


def check_tables(book, *, computed, row_level, own_level, own_id, units, money_unit):
    """Every table sheet: headers name the layout's indicators; every figure is the computed one; the totals row is
    the aggregation of the rows and the reporting unit's own computed figure."""
    own = computed.values[own_level][own_id]
    checked = 0
    with translation.override(settings.LANGUAGE_CODE):
        specs = [(spec, table_groups(spec, row_level=row_level, own_level=own_level, money_unit=money_unit))
                 for spec in TABLES]  # fmt: skip
        own_name = own_row_name()
        sheets = [(spec, groups) for spec, groups in specs if groups]
        assert [sheet.title for sheet in book.worksheets[1:]] == [str(spec.tab) for spec, _groups in sheets]
    by_name = {name: unit_id for unit_id, name in units.items()}
    for (_spec, groups), sheet in zip(sheets, book.worksheets[1:], strict=True):
        columns = [column for group in groups for column in group.columns]
        headers = [cell.value for cell in sheet[HEADER_ROW]][2 : 2 + len(columns)]
        assert headers == [column.label for column in columns]
        rows, total = table_rows(sheet, 2 + len(columns))
        assert set(rows) - {own_name} == set(units.values())
        assert (own_name in rows) == any(column.own_only for column in columns)
        for name, values in rows.items():
            figures = own if name == own_name else computed.values[row_level][by_name[name]]
            for column, value in zip(columns, values, strict=True):
                # a village's row has the villages' figures, the town's own row the town's only
                expected = figures.get(column.code) if column.own_only == (name == own_name) else None
                expected = shown(expected, column.code, money_unit)
                assert close(number(value), expected), f"{sheet.title} {name} {column.code}: {value} != {expected}"
                checked += 1
        # then the totals row is the rows added up, and the reporting unit's own figure
        ratios = ratios_of(columns, computed=computed, row_level=row_level, own=own, units=units)
        for column, value, added in zip(columns, total, totals_of(list(rows.values()), columns, ratios), strict=True):
            assert close(number(value), added), f"{sheet.title} total of {column.code}: {value} != {added}"
            assert close(number(value), shown(own.get(column.code), column.code, money_unit)), column.code
            checked += 1
    return checked


def check_cover(book, *, computed, own_level, own_id, money_unit):
    sheet = book.worksheets[0]
    own = computed.values[own_level][own_id]
    with translation.override(settings.LANGUAGE_CODE):
        expected = {str(item.name): item.code for item in INDICATORS if item.at(own_level)}
    lines = {row[2]: row[4] for row in sheet.iter_rows(min_row=5, max_col=6, values_only=True) if row[2] in expected}
    assert set(lines) == set(expected)
    for name, value in lines.items():
        code = expected[name]
        assert close(number(value), shown(own.get(code), code, money_unit)), code


def test_the_district_report_states_every_figure_as_computed_from_the_records(world):
    # given the records of two towns and the district office
    period = Period.of(timezone.localdate())
    # when the district's report is generated
    report, book = generate(world["office"])
    # then each town's row, each total and the cover hold the figures computed from the raw tables
    computed = figures_compute(period)
    district_id = next(iter(computed.values[Level.DISTRICT]))
    towns = {town_id: name for town_id, name in _names(Level.TOWN).items()}
    checked = check_tables(
        book,
        computed=computed,
        row_level=Level.TOWN,
        own_level=Level.DISTRICT,
        own_id=district_id,
        units=towns,
        money_unit=report.money_unit,
    )
    check_cover(book, computed=computed, own_level=Level.DISTRICT, own_id=district_id, money_unit=report.money_unit)
    assert checked > 2 * len(towns)


def test_a_towns_report_has_a_row_per_village_and_the_towns_own_row(world):
    # given the town's staff
    period = Period.of(timezone.localdate())
    town = world["town"]
    # when the town's report is generated in yuan
    _report, book = generate(world["staff"], town=town, money_unit=MoneyUnit.YUAN)
    # then each village's row, the town's own row, each total and the cover hold the computed figures
    computed = figures_compute(period)
    villages = {pk: name for pk, name in town.villages.values_list("pk", "name")}
    check_tables(
        book,
        computed=computed,
        row_level=Level.VILLAGE,
        own_level=Level.TOWN,
        own_id=town.pk,
        units=villages,
        money_unit=MoneyUnit.YUAN,
    )
    check_cover(book, computed=computed, own_level=Level.TOWN, own_id=town.pk, money_unit=MoneyUnit.YUAN)
    assert book.worksheets[0]["A1"].value == site_text("%(unit)s poverty-alleviation work: monthly report") % {
        "unit": town.name
    }


def test_no_cell_is_a_formula_and_names_like_formulas_stay_text(world):
    # given a village and a town named like formulas
    # when the district's and the town's reports are generated
    books = [generate(world["office"])[1], generate(world["staff"], town=world["town"])[1]]
    # then no cell of any sheet is a formula, and the names are text cells exactly as entered
    names = []
    for book in books:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                    if cell.value in (FORMULA_VILLAGE, FORMULA_TOWN):
                        assert cell.data_type == "s" and cell.quotePrefix
                        names.append(cell.value)
    assert FORMULA_TOWN in names and FORMULA_VILLAGE in names


def test_every_sheet_is_set_up_like_a_statistical_report(world):
    # given the district's report
    report, book = generate(world["office"])
    title = site_text("%(unit)s poverty-alleviation work: monthly report") % {"unit": "兰山区"}
    for sheet in book.worksheets:
        # then each sheet has the title merged across its width, the unit, period and money unit below it
        assert sheet["A1"].value == title
        assert any(str(merged).startswith("A1:") for merged in sheet.merged_cells.ranges)
        line = " ".join(str(cell.value) for cell in sheet[3] if cell.value)
        assert "兰山区" in line and site_text("Money unit: %(unit)s").split("%")[0] in line
        # A4 landscape, fitted to one page wide, header rows on every page, page numbers in the footer
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert (int(sheet.page_setup.fitToWidth), int(sheet.page_setup.fitToHeight)) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows in ("$4:$5", "$4:$4")
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
        # the header panes frozen, and the signature line at the bottom
        assert sheet.freeze_panes in ("C6", "A5")
        last = " ".join(str(cell.value) for cell in sheet[sheet.max_row] if cell.value)
        for label in ("Head of unit:", "Checked by:", "Filled in by:", "Telephone:"):
            assert site_text(label) in last
    # and amounts are shown with thousands separators and two decimals, in the money unit stated
    money = [
        column.code
        for spec in TABLES
        for group in table_groups(spec, row_level=Level.TOWN, own_level=Level.DISTRICT, money_unit=report.money_unit)
        for column in group.columns
        if INDICATORS[column.code].is_money
    ]
    formats = {cell.number_format for sheet in book.worksheets[1:] for row in sheet.iter_rows(min_row=FIRST_DATA_ROW)
               for cell in row if isinstance(cell.value, float)}  # fmt: skip
    if money:
        assert MONEY_FORMAT in formats


def test_libreoffice_converts_the_workbook_to_pdf(world, tmp_path):
    # given LibreOffice (the README's test command installs it; a CI run without it fails)
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (LibreOffice) is not installed: bin/test installs libreoffice-calc")
        pytest.skip("soffice (LibreOffice) is not installed")
    report, _book = generate(world["office"])
    source = tmp_path / "report.xlsx"
    source.write_bytes(report.file.read())
    # when it converts the district's report headless (a profile of its own, so a running LibreOffice is no matter)
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    # then it succeeded and wrote a PDF
    pdf = tmp_path / "report.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.exists(), f"no PDF written: {result.stdout} {result.stderr}"
    assert pdf.read_bytes().startswith(b"%PDF")


def _names(level: Level) -> dict[int, str]:
    from organisation.models import Town, Village

    model = Town if level == Level.TOWN else Village
    return dict(model.objects.values_list("pk", "name"))
