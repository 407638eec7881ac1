"""The monthly work report's workbook (月报): which figure goes in which column, and the writer.

The layout (``TABLES``) names each domain sheet's columns by indicator code, grouped under a two-level header; a code
the registry does not define (yet) is left out, as is an indicator that does not make sense at the rows' level. The
district's report has one row per town; a town's report one row per village, and a row of the town itself (镇本级)
for the figures a town has but its villages do not (money allotted to the town, its monthly reports). Below the rows a
totals row (合计) made from them the way each indicator aggregates: a sum, the largest, or a ratio of the two summed
parts (never an average of rates). The first sheet lists every figure of the reporting unit itself.

The writer streams each sheet in openpyxl's write-only mode (memory does not grow with the rows) and looks like a
Chinese statistical report: the title, the reporting unit (填报单位), the period, the money unit, merged headers,
number formats with thousands separators and two decimals for money, frozen header panes, A4 landscape fitted to the
width with the header rows on every page and page numbers in the footer, and the signature line. Every text cell is
written as text, never as a formula, whatever it starts with.

Each data column is written through one styled cell that is given each row's value in turn (``_ReportSheet``), so a
styled row costs little more than a row of plain values: ``manage.py benchmark_report`` compares the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from funds.choices import Hop
from organisation.roles import Level
from organisation.sheets import FORMULA_START, print_setup, text_cell
from reporting.choices import Aggregation, Domain, FigureUnit
from reporting.indicators import INDICATORS, Indicator
from reporting.rules import YUAN_PER_UNIT
from reporting.services.summary import ratio

MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00"
FONT_NAME = "宋体"

# The first rows of every table sheet: title, table name, unit/period/money unit, two header rows.
TITLE_ROW, SUBTITLE_ROW, UNIT_ROW, GROUP_ROW, HEADER_ROW = 1, 2, 3, 4, 5
FIRST_DATA_ROW = 6
# The cover lists the figures under a one-row header, each with how it is counted in a wide wrapped column.
COVER_HEADER_ROW = 4
COVER_DEFINITION_WIDTH = 70
LINE_HEIGHT = 13.5
# Characters from the CJK radicals on are wide.
WIDE_FROM = 0x2E80


class ColumnKind:
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"


@dataclass(frozen=True)
class Group:
    """A first-level header over some columns, by indicator code, in order."""

    label: Any
    codes: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    key: str
    tab: Any
    title: Any
    groups: tuple[Group, ...]


# Which figure goes in which sheet and column. Codes the registry does not define are left out of the sheet; every
# figure of the reporting unit itself is on the first sheet anyway.
TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        key="funds",
        tab=pgettext_lazy("report sheet", "Funds"),
        title=gettext_lazy("Disbursement of poverty-alleviation funds, by hop of the chain"),
        groups=(
            Group(Hop.TO_TOWN.label, ("funds_allotted", "funds_sent_to_town", "funds_received_to_town")),
            Group(Hop.TO_STATION.label, ("funds_sent_to_station", "funds_received_to_station")),
            Group(
                Hop.TO_VILLAGE.label, ("funds_sent_to_village", "funds_received_to_village", "funds_paid_to_villages")
            ),
            Group(
                gettext_lazy("Disbursement progress"),
                ("funds_disbursement_rate", "transfers_overdue", "transfers_days_late_max", "reports_late"),
            ),
            Group(
                gettext_lazy("Microcredit"),
                ("loans_issued", "loans_issued_amount", "loans_outstanding", "loans_overdue"),
            ),
        ),
    ),
    TableSpec(
        key="projects",
        tab=pgettext_lazy("report sheet", "Projects"),
        title=gettext_lazy("Industry projects and their yields"),
        groups=(
            Group(gettext_lazy("Projects"), ("projects_total", "projects_investment")),
            Group(gettext_lazy("Income"), ("projects_income_year", "projects_below_floor")),
            Group(
                gettext_lazy("Projects by yield"),
                (
                    "projects_yield_none",
                    "projects_yield_0",
                    "projects_yield_0_to_6",
                    "projects_yield_6_to_10",
                    "projects_yield_10_plus",
                ),
            ),
            Group(gettext_lazy("Below the floor"), ("projects_weak", "projects_idle", "projects_struggling")),
            Group(gettext_lazy("Rectification plans"), ("rectification_plans_open", "rectification_plans_overdue")),
        ),
    ),
    TableSpec(
        key="households",
        tab=pgettext_lazy("report sheet", "Households"),
        title=gettext_lazy("Changes in the registered households"),
        groups=(
            Group(
                gettext_lazy("Changes in the month"),
                ("households_added_in_month", "households_exited_in_month", "households_returned_in_month"),
            ),
            Group(
                gettext_lazy("Registered at the end of the month, by status"),
                (
                    "households_registered",
                    "households_not_out",
                    "households_out",
                    "households_returned",
                    "households_marginal",
                ),
            ),
            Group(gettext_lazy("Members"), ("members_registered",)),
        ),
    ),
    TableSpec(
        key="quality",
        tab=pgettext_lazy("report sheet", "Data quality"),
        title=gettext_lazy("Data quality and helping cadres"),
        groups=(
            Group(
                gettext_lazy("Data-quality problems open"),
                (
                    "quality_problems_open",
                    "quality_problems_open_identification",
                    "quality_problems_open_exit",
                    "quality_problems_open_information",
                    "quality_problems_open_file",
                ),
            ),
            Group(
                gettext_lazy("Error rate"),
                ("households_with_problems", "quality_error_rate", "towns_with_zero_errors"),
            ),
            Group(gettext_lazy("Helping cadres"), ("households_without_cadre", "cadres_over_cap")),
        ),
    ),
    TableSpec(
        key="rectification",
        tab=pgettext_lazy("report sheet", "Rectification"),
        title=gettext_lazy("Progress of the rectification ledger"),
        groups=(
            Group(
                gettext_lazy("Rectification ledger"),
                (
                    "ledger_items_total",
                    "ledger_items_open",
                    "ledger_items_overdue",
                    "ledger_items_closed",
                    "ledger_items_reopened",
                    "ledger_rectification_rate",
                ),
            ),
            Group(gettext_lazy("Supervision"), ("supervision_orders", "interviews")),
        ),
    ),
)


# --- What the workbook holds -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One figure's column: its header, its kind of number, and how its rows add up."""

    code: str
    label: str
    kind: str
    aggregation: Aggregation
    ratio_of: tuple[str, str] | None = None
    # A town's report: the town has the figure, its villages do not (shown in the town's own row only).
    own_only: bool = False


@dataclass(frozen=True)
class ColumnGroup:
    label: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Row:
    """One row of a table: the unit's name, and its figures by code (the columns' and their ratios' parts)."""

    name: str
    figures: Mapping[str, Decimal | None]


@dataclass
class Table:
    key: str
    tab: str
    title: str
    unit_header: str
    groups: tuple[ColumnGroup, ...]
    rows: Iterable[Row]
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[Column]:
        return [column for group in self.groups for column in group.columns]


@dataclass(frozen=True)
class CoverLine:
    domain: str
    name: str
    unit: str
    kind: str
    value: Decimal | None
    definition: str


@dataclass
class ReportBook:
    title: str
    unit: str
    period: str
    money_unit: str
    # The day the report was generated (填报日期) and the time its figures were computed.
    made_on: dt.date
    figures_as_of: dt.datetime | None
    cover: list[CoverLine]
    tables: list[Table]

    @property
    def yuan_per_unit(self) -> int:
        return YUAN_PER_UNIT[self.money_unit]


# --- The layout for a report ----------------------------------------------------------------------------------------


def money_unit_label(money_unit: str) -> str:
    if YUAN_PER_UNIT[money_unit] == 1:
        return pgettext("unit of a figure", "yuan")
    return pgettext("unit of a figure", "10,000 yuan")


def unit_label(indicator: Indicator, money_unit: str) -> str:
    return money_unit_label(money_unit) if indicator.is_money else str(indicator.unit.label)


def column_kind(indicator: Indicator) -> str:
    if indicator.is_money:
        return ColumnKind.MONEY
    if indicator.unit == FigureUnit.PERCENT or indicator.aggregation == Aggregation.RATIO:
        return ColumnKind.PERCENT
    return ColumnKind.COUNT


def table_groups(spec: TableSpec, *, row_level: Level, own_level: Level, money_unit: str) -> tuple[ColumnGroup, ...]:
    """The columns of ``spec`` in a report whose rows are units of ``row_level`` and whose unit is of ``own_level``:
    the indicators defined, of the rows' level or (a town's report) of the town's only."""
    groups = []
    for group in spec.groups:
        columns = []
        for code in group.codes:
            if code not in INDICATORS:
                continue
            indicator = INDICATORS[code]
            if indicator.at(row_level):
                own_only = False
            elif own_level == Level.TOWN and indicator.at(Level.TOWN):
                own_only = True
            else:
                continue
            columns.append(
                Column(
                    code=code,
                    label=f"{indicator.name}（{unit_label(indicator, money_unit)}）",
                    kind=column_kind(indicator),
                    aggregation=indicator.aggregation,
                    ratio_of=indicator.ratio_of,
                    own_only=own_only,
                )
            )
        if columns:
            groups.append(ColumnGroup(label=str(group.label), columns=tuple(columns)))
    return tuple(groups)


@dataclass(frozen=True)
class Unit:
    """A row's unit: its name and its stored figures by code."""

    name: str
    figures: Mapping[str, Decimal | None]


def report_book(
    *,
    title: str,
    unit_name: str,
    period_text: str,
    money_unit: str,
    made_on: dt.date,
    figures_as_of: dt.datetime | None,
    row_level: Level,
    own_level: Level,
    units: Callable[[], Iterable[Unit]],
    own_figures: Mapping[str, Decimal | None],
) -> ReportBook:
    """The workbook of one report. ``units()`` gives the rows' units afresh for each sheet (a list, or a stream);
    ``own_figures`` are the reporting unit's own."""
    unit_header = _("Town or street") if row_level == Level.TOWN else _("Village or community")
    tables = []
    for spec in TABLES:
        groups = table_groups(spec, row_level=row_level, own_level=own_level, money_unit=money_unit)
        if not groups:
            continue
        columns = [column for group in groups for column in group.columns]
        tables.append(
            Table(
                key=spec.key,
                tab=str(spec.tab),
                title=str(spec.title),
                unit_header=unit_header,
                groups=groups,
                rows=_table_rows(units, columns, own_figures),
                notes=[f"{INDICATORS[column.code].name}：{INDICATORS[column.code].definition}" for column in columns],
            )
        )
    cover = [
        CoverLine(
            domain=str(Domain(indicator.domain).label),
            name=str(indicator.name),
            unit=unit_label(indicator, money_unit),
            kind=column_kind(indicator),
            value=own_figures.get(indicator.code),
            definition=str(indicator.definition),
        )
        for indicator in INDICATORS
        if indicator.at(own_level)
    ]
    return ReportBook(
        title=title,
        unit=unit_name,
        period=period_text,
        money_unit=money_unit,
        made_on=made_on,
        figures_as_of=figures_as_of,
        cover=cover,
        tables=tables,
    )


def own_row_name() -> str:
    return _("The town itself")


class _TableRows:
    """The rows of one table, read from ``units()`` when the table is written: the units' rows, then (a town's report
    with figures its villages do not have) the town's own row."""

    def __init__(self, units, columns: list[Column], own_figures: Mapping[str, Decimal | None]):
        self.units, self.columns, self.own_figures = units, columns, own_figures

    def __iter__(self):
        for unit in self.units():
            yield Row(unit.name, unit.figures)
        own_codes = set()
        for column in self.columns:
            if column.own_only:
                own_codes.add(column.code)
                own_codes.update(column.ratio_of or ())
        if own_codes:
            yield Row(own_row_name(), {code: self.own_figures.get(code) for code in own_codes})


def _table_rows(units, columns, own_figures) -> Iterable[Row]:
    return _TableRows(units, columns, own_figures)


# --- Totals ---------------------------------------------------------------------------------------------------------


class Totals:
    """The totals row of a table, made from its rows as they are written: sums of every summed figure and of each
    ratio's parts, the largest of each "largest" figure."""

    def __init__(self, columns: list[Column]):
        self.columns = columns
        summed = {column.code for column in columns if column.aggregation == Aggregation.SUM}
        for column in columns:
            summed.update(column.ratio_of or ())
        self.sums: dict[str, Decimal] = dict.fromkeys(summed, Decimal(0))
        self.largest: dict[str, Decimal | None] = {
            column.code: None for column in columns if column.aggregation == Aggregation.MAX
        }

    def add(self, figures: Mapping[str, Decimal | None]) -> None:
        sums = self.sums
        for code in sums:
            value = figures.get(code)
            if value is not None:
                sums[code] += value
        for code, current in self.largest.items():
            value = figures.get(code)
            if value is not None and (current is None or value > current):
                self.largest[code] = value

    def value(self, column: Column) -> Decimal | None:
        if column.aggregation == Aggregation.RATIO:
            assert column.ratio_of is not None
            numerator, denominator = column.ratio_of
            return ratio(self.sums[numerator], self.sums[denominator])
        if column.aggregation == Aggregation.MAX:
            return self.largest[column.code]
        return self.sums[column.code]


# --- The writer -----------------------------------------------------------------------------------------------------


class _ReportSheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows are cells made ready beforehand (one styled cell per column, given each row's
    value in turn): openpyxl's own ``append`` would make a new cell for every styled value."""

    def _values_to_row(self, values, row_idx):
        for column, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.column = column
            cell.row = row_idx
            yield cell


class _ColumnCell(Cell):
    """The cell of one column, given each row's value in turn: its style never changes, so its style's id is looked
    up once instead of for every value written."""

    __slots__ = ("_fixed_style_id",)
    has_style = True

    def style_fix(self) -> _ColumnCell:
        self._fixed_style_id = Cell.style_id.fget(self)
        return self

    @property
    def style_id(self):
        return self._fixed_style_id


def _column_cell(template) -> _ColumnCell:
    """A column's cell styled like ``template``."""
    cell = _ColumnCell(template.parent)
    cell._style = copy(template._style)
    cell.data_type = template.data_type
    return cell.style_fix()


class _Styles:
    def __init__(self):
        thin = Side(style="thin")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.title = Font(name=FONT_NAME, bold=True, size=16)
        self.subtitle = Font(name=FONT_NAME, bold=True, size=12)
        self.bold = Font(name=FONT_NAME, bold=True, size=10)
        self.plain = Font(name=FONT_NAME, size=10)
        self.centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center")
        self.wrap = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.right = Alignment(horizontal="right", vertical="center")
        self.number_formats = {
            ColumnKind.MONEY: MONEY_FORMAT,
            ColumnKind.COUNT: COUNT_FORMAT,
            ColumnKind.PERCENT: PERCENT_FORMAT,
        }


def _number_cell(sheet, value, kind: str, styles: _Styles, *, font):
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = styles.number_formats[kind]
    cell.font, cell.border, cell.alignment = font, styles.border, styles.right
    return cell


def _sheet_new(workbook: Workbook, title: str) -> _ReportSheet:
    sheet = _ReportSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet)
    return sheet


def _print_setup(sheet, *, title_rows: str) -> None:
    print_setup(sheet, title_rows=title_rows, footer=_("Page &P of &N"))


def _merge(sheet, row: int, first: int, last: int, *, rows: int = 1) -> None:
    if last > first or rows > 1:
        sheet.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row + rows - 1}")


def _heading(sheet, book: ReportBook, styles: _Styles, *, subtitle: str, width: int) -> None:
    """The title, the table's name, and the line of the reporting unit, the period and the money unit."""
    sheet.append([text_cell(sheet, book.title, font=styles.title, alignment=styles.centre)])
    _merge(sheet, TITLE_ROW, 1, width)
    sheet.append([text_cell(sheet, subtitle, font=styles.subtitle, alignment=styles.centre)])
    _merge(sheet, SUBTITLE_ROW, 1, width)
    third = max(1, width // 3)
    middle_end = max(third + 1, width - third)
    line = [None] * width
    line[0] = text_cell(sheet, _("Reporting unit: %(unit)s") % {"unit": book.unit}, font=styles.plain)
    line[third] = text_cell(
        sheet, _("Period: %(period)s") % {"period": book.period}, font=styles.plain, alignment=styles.centre
    )
    line[min(middle_end, width - 1)] = text_cell(
        sheet,
        _("Money unit: %(unit)s") % {"unit": money_unit_label(book.money_unit)},
        font=styles.plain,
        alignment=styles.right,
    )
    sheet.append(line)
    _merge(sheet, UNIT_ROW, 1, third)
    if middle_end > third:
        _merge(sheet, UNIT_ROW, third + 1, middle_end)
    if middle_end < width:
        _merge(sheet, UNIT_ROW, middle_end + 1, width)


def _signature(sheet, book: ReportBook, styles: _Styles, *, width: int, row: int) -> None:
    gap = "\u3000" * 6
    text = gap.join(
        [
            _("Head of unit:"),
            _("Checked by:"),
            _("Filled in by:"),
            _("Telephone:"),
            _("Date: %(date)s") % {"date": book.made_on.isoformat()},
        ]
    )
    sheet.append([text_cell(sheet, text, font=styles.plain, alignment=styles.left)])
    _merge(sheet, row, 1, width)


def _value(value: Decimal | None, kind: str, yuan_per_unit: int) -> Decimal | None:
    if value is None:
        return None
    if kind == ColumnKind.MONEY and yuan_per_unit != 1:
        return value / yuan_per_unit
    return value


def _table_write(workbook: Workbook, book: ReportBook, table: Table, number: int, styles: _Styles) -> None:
    columns = table.columns
    width = 2 + len(columns)
    sheet = _sheet_new(workbook, table.tab)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 16
    for index in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 13
    sheet.row_dimensions[HEADER_ROW].height = 60
    sheet.freeze_panes = f"C{FIRST_DATA_ROW}"
    _print_setup(sheet, title_rows=f"{GROUP_ROW}:{HEADER_ROW}")
    subtitle = _("Table %(number)s %(title)s") % {"number": number, "title": table.title}
    _heading(sheet, book, styles, subtitle=subtitle, width=width)

    # Two header rows: the groups over their columns; "No." and the unit's name over both rows.
    def header(text: str):
        return text_cell(sheet, text, font=styles.bold, alignment=styles.centre, border=styles.border)

    def blank():
        cell = WriteOnlyCell(sheet)
        cell.border = styles.border
        return cell

    groups_row = [header(pgettext("report table", "No.")), header(table.unit_header)]
    headers_row = [blank(), blank()]
    position = 3
    for group in table.groups:
        groups_row.append(header(group.label))
        groups_row.extend(blank() for _column in group.columns[1:])
        _merge(sheet, GROUP_ROW, position, position + len(group.columns) - 1)
        position += len(group.columns)
        headers_row.extend(header(column.label) for column in group.columns)
    sheet.append(groups_row)
    sheet.append(headers_row)
    _merge(sheet, GROUP_ROW, 1, 1, rows=2)
    _merge(sheet, GROUP_ROW, 2, 2, rows=2)

    # The rows, through one styled cell per column.
    template = _number_cell(sheet, None, ColumnKind.COUNT, styles, font=styles.plain)
    template.alignment = styles.centre
    number_cell = _column_cell(template)
    name_cell = _column_cell(text_cell(sheet, "", font=styles.plain, alignment=styles.left, border=styles.border))
    value_cells = [
        _column_cell(_number_cell(sheet, None, column.kind, styles, font=styles.plain)) for column in columns
    ]
    cells = [number_cell, name_cell, *value_cells]
    kinds = [(column.code, column.kind) for column in columns]
    yuan_per_unit = book.yuan_per_unit
    totals = Totals(columns)
    row_number = FIRST_DATA_ROW
    append = sheet.append
    for index, row in enumerate(table.rows, start=1):
        figures = row.figures
        number_cell.value = index
        if row.name.startswith(FORMULA_START):
            cells[1] = text_cell(sheet, row.name, font=styles.plain, alignment=styles.left, border=styles.border)
        else:
            name_cell.value = row.name
            name_cell.data_type = "s"
            cells[1] = name_cell
        for cell, (code, kind) in zip(value_cells, kinds, strict=True):
            value = figures.get(code)
            cell.value = None if value is None else (value / yuan_per_unit if kind == ColumnKind.MONEY else value)
        append(cells)
        totals.add(figures)
        row_number += 1

    total_row = [
        text_cell(sheet, "", border=styles.border),
        text_cell(sheet, _("Total"), font=styles.bold, alignment=styles.centre, border=styles.border),
    ]
    total_row.extend(
        _number_cell(sheet, _value(totals.value(column), column.kind, yuan_per_unit), column.kind, styles,
                     font=styles.bold)
        for column in columns
    )  # fmt: skip
    append(total_row)
    row_number += 1

    append([])
    row_number += 1
    append([text_cell(sheet, _("Notes:"), font=styles.bold)])
    row_number += 1
    for note in table.notes:
        append([None, text_cell(sheet, note, font=styles.plain)])
        row_number += 1
    append([])
    row_number += 1
    _signature(sheet, book, styles, width=width, row=row_number)


def _lines(text: str, width: int) -> int:
    """About how many lines ``text`` takes wrapped in a column ``width`` characters wide: a Chinese character of the
    report's 10-point font is some 1.6 characters of the column's unit wide."""
    needed = sum(8 if ord(character) >= WIDE_FROM else 5 for character in text)
    return max(1, -(-needed // (5 * max(1, width - 1))))


def _cover_write(workbook: Workbook, book: ReportBook, styles: _Styles) -> None:
    sheet = _sheet_new(workbook, pgettext("report sheet", "Summary"))
    widths = (6, 12, 30, 10, 16, COVER_DEFINITION_WIDTH)
    width = len(widths)
    for index, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = size
    sheet.freeze_panes = f"A{COVER_HEADER_ROW + 1}"
    _print_setup(sheet, title_rows=f"{COVER_HEADER_ROW}:{COVER_HEADER_ROW}")
    subtitle = _("Table %(number)s %(title)s") % {"number": 1, "title": _("The month's figures")}
    _heading(sheet, book, styles, subtitle=subtitle, width=width)
    sheet.append(
        [
            text_cell(sheet, text, font=styles.bold, alignment=styles.centre, border=styles.border)
            for text in (
                pgettext("report table", "No."),
                _("Area"),
                _("Figure"),
                _("Unit"),
                _("This month"),
                _("How it is counted"),
            )
        ]
    )
    row_number = COVER_HEADER_ROW + 1
    for index, line in enumerate(book.cover, start=1):
        # Written rows are not measured again when the file is opened: a wrapped text's row is made high enough here.
        lines = max(_lines(line.name, widths[2]), _lines(line.definition, COVER_DEFINITION_WIDTH))
        if lines > 1:
            sheet.row_dimensions[row_number].height = LINE_HEIGHT * lines
        number = _number_cell(sheet, index, ColumnKind.COUNT, styles, font=styles.plain)
        number.alignment = styles.centre
        sheet.append(
            [
                number,
                text_cell(sheet, line.domain, font=styles.plain, alignment=styles.centre, border=styles.border),
                text_cell(sheet, line.name, font=styles.plain, alignment=styles.wrap, border=styles.border),
                text_cell(sheet, line.unit, font=styles.plain, alignment=styles.centre, border=styles.border),
                _number_cell(
                    sheet, _value(line.value, line.kind, book.yuan_per_unit), line.kind, styles, font=styles.plain
                ),
                text_cell(sheet, line.definition, font=styles.plain, alignment=styles.wrap, border=styles.border),
            ]
        )
        row_number += 1
    sheet.append([])
    row_number += 1
    if book.figures_as_of is not None:
        as_of = _("Figures computed from the records at %(time)s.") % {
            "time": book.figures_as_of.strftime("%Y-%m-%d %H:%M")
        }
        sheet.append([text_cell(sheet, as_of, font=styles.plain)])
        row_number += 1
    sheet.append([])
    row_number += 1
    _signature(sheet, book, styles, width=width, row=row_number)


def workbook_write(book: ReportBook, stream, *, on_progress: Callable[[int, int], None] | None = None) -> None:
    """Write ``book`` as an xlsx into ``stream``. ``on_progress(done, total)`` is told after each sheet."""
    workbook = Workbook(write_only=True)
    styles = _Styles()
    total = 1 + len(book.tables)
    _cover_write(workbook, book, styles)
    if on_progress is not None:
        on_progress(1, total)
    for number, table in enumerate(book.tables, start=2):
        _table_write(workbook, book, table, number, styles)
        if on_progress is not None:
            on_progress(number, total)
    workbook.save(stream)
