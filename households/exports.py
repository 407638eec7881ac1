"""The household roster as a workbook laid out for printing, in the import template's columns.

A town exports, corrects and re-imports the same sheet: the header is the template's (``households.importing``),
codes are written as the register form's words. ID numbers are masked unless the export was asked for with full
ID numbers by a role that may see them (``households.services.exports`` checks and logs that). Translated words are
looked up once per column, not per cell; rows are read as tuples and streamed into a write-only workbook.
"""

import datetime as dt
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from households.id_numbers import id_number_mask
from households.importing.columns import COLUMNS, YES_NO, label_of
from households.models import Member
from organisation.sheets import print_setup, text_cell, text_safe

TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
FONT_NAME = "宋体"
# Each template column's field, read straight from the rows' tuples (household fields through the member).
FIELDS = {
    "file_number": "household__file_number",
    "town": "household__village__town__name",
    "village": "household__village__name",
    "group": "household__group",
    "identification_standard": "household__identification_standard",
    "attribute": "household__attribute",
    "main_cause": "household__main_cause",
    "other_causes": "household__other_causes",
    "year_identified": "household__year_identified",
    "phone": "household__phone",
    "bank_name": "household__bank_name",
    "bank_account": "household__bank_account",
    "name": "name",
    "id_number": "id_number",
    "sex": "sex",
    "relation": "relation",
    "ethnicity": "ethnicity",
    "education": "education",
    "school_stage": "school_stage",
    "health": "health",
    "labour_ability": "labour_ability",
    "migrant_worker": "migrant_worker",
    "in_dibao": "in_dibao",
    "medical_insurance": "medical_insurance",
    "pension_insurance": "pension_insurance",
}
# Column widths in characters, so that no cell prints as ###.
WIDTHS = {"file_number": 20, "town": 12, "village": 14, "group": 14, "other_causes": 18, "year_identified": 9}
WIDE = {"phone": 14, "bank_name": 16, "bank_account": 22, "id_number": 21, "education": 12, "school_stage": 10}


def _converter(column) -> Callable:
    """The function that turns a stored value of ``column`` into the sheet's word, its table built once."""
    if column.key == "id_number":
        return lambda value: value
    if column.labels is YES_NO:
        words = {True: label_of(YES_NO, True), False: label_of(YES_NO, False)}
        return words.__getitem__
    if column.key == "other_causes":
        words = {code: label_of(column.labels, code) for code in set(column.labels.values())}
        return lambda codes: "、".join(words.get(code, code) for code in codes or ())
    if column.labels and column.key != "education":
        words = {str(code): label_of(column.labels, code) for code in set(column.labels.values())}
        return lambda code: words.get(code, code or "")
    return lambda value: "" if value is None else value


def roster_members(households: QuerySet) -> QuerySet:
    """The members of the given (already scoped) households, in file order, as tuples of ``FIELDS``."""
    return (
        Member.objects.filter(household__in=households.values("pk"))
        .order_by("household__file_number", "id")
        .values_list(*(FIELDS[column.key] for column in COLUMNS))
    )


def roster_write(
    target,
    rows: Iterable[tuple],
    *,
    full_ids: bool,
    unit: str,
    made_on: dt.date,
    on_progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> int:
    """Write the roster's ``rows`` (tuples in ``COLUMNS`` order) into ``target`` (a path or a binary file); returns
    how many rows were written. ``on_progress(done)`` is called every ``every`` rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Households"))
    width = len(COLUMNS)
    for index, column in enumerate(COLUMNS, 1):
        chars = WIDTHS.get(column.key) or WIDE.get(column.key) or max(8, 2 * len(column.header) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = chars
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    print_setup(sheet, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", footer=_("Page &P of &N"))
    title_font = Font(name=FONT_NAME, bold=True, size=14)
    bold = Font(name=FONT_NAME, bold=True, size=10)
    plain = Font(name=FONT_NAME, size=10)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.append([text_cell(sheet, _("Roster of registered poor households"), font=title_font)])
    sheet.merged_cells.add(f"A{TITLE_ROW}:{get_column_letter(width)}{TITLE_ROW}")
    line = _("Unit: %(unit)s    Date: %(date)s") % {"unit": unit, "date": made_on.isoformat()}
    sheet.append([text_cell(sheet, line, font=plain)])
    sheet.merged_cells.add(f"A{UNIT_ROW}:{get_column_letter(width)}{UNIT_ROW}")
    sheet.append([text_cell(sheet, column.header, font=bold, alignment=centre) for column in COLUMNS])

    converters = [_converter(column) for column in COLUMNS]
    id_index = next(index for index, column in enumerate(COLUMNS) if column.key == "id_number")
    if not full_ids:
        converters[id_index] = id_number_mask
    household_width = sum(1 for column in COLUMNS if column.household)
    household_converters = converters[:household_width]
    member_converters = converters[household_width:]
    append = sheet.append
    last_key, household_part, done = None, [], 0
    for row in rows:
        key = row[:household_width]
        if key != last_key:
            household_part = [text_safe(sheet, f(v)) for f, v in zip(household_converters, key, strict=True)]
            last_key = key
        append(
            household_part
            + [text_safe(sheet, f(v)) for f, v in zip(member_converters, row[household_width:], strict=True)]
        )
        done += 1
        if on_progress is not None and done % every == 0:
            on_progress(done)
    workbook.save(target)
    return done
