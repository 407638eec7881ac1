"""The rectification ledger in Excel: the standard 整改台账 layout (title, unit and date, a bold header repeated on
each printed page, A4 landscape fitted to the width), written row by row in openpyxl's write-only mode.

``ledger_rows(queryset)`` turns the (already scoped and filtered) items into the sheet's rows, reading them in one
streamed query; ``ledger_workbook_write(rows, stream)`` writes them. Every text cell is a string, never a formula.
"""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from audits import rules
from audits.choices import Category, ItemStatus, Source
from audits.selectors.ledger import ledger_export_rows
from organisation.sheets import FORMULA_START, text_safe

CHUNK_SIZE = 2000
# Column widths, in characters, of the columns below.
WIDTHS = (6, 13, 16, 14, 12, 12, 12, 40, 40, 18, 10, 12, 36, 8, 12)


def ledger_headers() -> list[str]:
    return [
        pgettext("rectification ledger", "No."),
        pgettext("rectification ledger", "Item number"),
        pgettext("rectification ledger", "Source of the problem"),
        pgettext("rectification ledger", "Source document"),
        pgettext("rectification ledger", "Category"),
        pgettext("rectification ledger", "Town or street"),
        pgettext("rectification ledger", "Village"),
        pgettext("rectification ledger", "Problem"),
        pgettext("rectification ledger", "Rectification measures"),
        pgettext("rectification ledger", "Responsible unit"),
        pgettext("rectification ledger", "Responsible person"),
        pgettext("rectification ledger", "Time limit"),
        pgettext("rectification ledger", "Rectification progress"),
        pgettext("rectification ledger", "Closed off"),
        pgettext("rectification ledger", "Closed off on"),
    ]


def ledger_rows(queryset: QuerySet) -> Iterator[tuple]:
    """The sheet's rows of the items of ``queryset``: labels looked up in maps made once, dates as dates."""
    sources = {value: str(label) for value, label in Source.choices}
    categories = {value: str(label) for value, label in Category.choices}
    yes, no = _("Yes"), _("No")
    closed = ItemStatus.CLOSED.value
    for index, row in enumerate(ledger_export_rows(queryset).iterator(chunk_size=CHUNK_SIZE), start=1):
        yield (
            index,
            rules.item_number(row["year"], row["sequence"]),
            sources.get(row["source"], row["source"]),
            row["source_reference"],
            categories.get(row["category"], row["category"]),
            row["town__name"],
            row["village__name"],
            row["description"],
            row["measures_text"],
            row["responsible_unit"],
            row["responsible_person"],
            row["due_date"],
            row["latest_progress"],
            yes if row["status"] == closed else no,
            row["closed_on"],
        )


def ledger_workbook_write(rows: Iterable[tuple], stream, *, unit: str = "") -> None:
    """Write the ledger of ``rows`` (``ledger_rows``) as an xlsx into ``stream``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rectification ledger"))
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    title = WriteOnlyCell(sheet, value=_("Lanshan District poverty-alleviation problem rectification ledger"))
    title.font = Font(bold=True, size=16)
    sheet.append([title])
    today = timezone.localdate().isoformat()
    sheet.append([text_safe(sheet, _("Unit: %(unit)s") % {"unit": unit}), None, None, None, None, None, None,
                  text_safe(sheet, _("Date: %(date)s") % {"date": today})])  # fmt: skip
    header_font, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center", horizontal="center")
    header = []
    for text in ledger_headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.alignment = header_font, wrap
        header.append(cell)
    sheet.append(header)

    append = sheet.append
    for row in rows:
        if any(isinstance(row[i], str) and row[i].startswith(FORMULA_START) for i in _TEXT_INDEXES):
            row = tuple(text_safe(sheet, value) if i in _TEXT_INDEXES else value for i, value in enumerate(row))
        append(row)
    workbook.save(stream)


# The positions of the user-written text columns of a row (the rest are numbers, dates and labels).
_TEXT_INDEXES = frozenset({3, 5, 6, 7, 8, 9, 10, 12})
