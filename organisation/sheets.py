"""Spreadsheet cells and page setup every export shares (the monthly report, the ledger, the household roster).

One function makes a text cell: a value that starts like a formula (``=`` ``+`` ``-`` ``@`` tab, CR) is written
as a string cell, never a formula, and quoted so a spreadsheet keeps it text when the cell is edited.
"""

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT_FORMAT = "@"


def text_cell(sheet, value: str, *, font=None, alignment=None, border=None):
    """A write-only cell that holds ``value`` as text, never as a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.number_format = TEXT_FORMAT
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    return cell


def text_safe(sheet, value):
    """``value`` itself, unless it is text that starts like a formula: then its text cell. For the rows of a
    large export, where a cell object for every value would cost time."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return text_cell(sheet, value)
    return value


def print_setup(sheet, *, title_rows: str, footer: str = "") -> None:
    """A4 landscape, fit to the page's width, ``title_rows`` repeated on every page."""
    sheet.print_title_rows = title_rows
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    if footer:
        sheet.oddFooter.center.text = footer
        sheet.oddFooter.center.size = 9
