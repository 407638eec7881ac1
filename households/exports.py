"""The household roster's columns for the list export kit (``organisation.exports``), in the import template's order.

A town exports, corrects and re-imports the same sheet: the header is the template's (``households.importing``),
codes are written as the register form's words. ID numbers are masked unless the export was asked for with full
ID numbers by a role that may see them (the kit checks that, ``households.list_exports`` logs it). The words are
looked up once per column and export, not per cell; rows are read as tuples and streamed into a write-only workbook.
"""

from collections.abc import Callable

from django.db.models import QuerySet

from households.id_numbers import id_number_mask
from households.importing.columns import COLUMNS, YES_NO, label_of
from households.models import Member
from households.selectors.households import member_count
from organisation.exports import Column, ExportContext

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


def _words(column) -> Callable[[ExportContext], Callable] | None:
    """The maker of the function that turns a stored value of ``column`` into the sheet's word (its table built
    once per export)."""
    if column.key == "id_number":
        return lambda context: (lambda value: value) if context.full_ids else id_number_mask
    if column.labels is YES_NO:

        def yes_no(context):
            words = {True: label_of(YES_NO, True), False: label_of(YES_NO, False), None: ""}
            return words.__getitem__

        return yes_no
    if column.key == "other_causes":

        def causes(context):
            words = {code: label_of(column.labels, code) for code in set(column.labels.values())}
            return lambda codes: "、".join(words.get(code, code) for code in codes or ())

        return causes
    if column.labels and column.key != "education":

        def labelled(context):
            words = {str(code): label_of(column.labels, code) for code in set(column.labels.values())}
            return lambda code: words.get(code, code or "")

        return labelled
    return None


def roster_columns() -> list[Column]:
    return [
        Column(
            header=column.header,
            value=FIELDS[column.key],
            width=WIDTHS.get(column.key) or WIDE.get(column.key) or max(8, 2 * len(column.header) + 2),
            words=_words(column),
        )
        for column in COLUMNS
    ]


def roster_members(households: QuerySet) -> QuerySet:
    """The members of the given (already scoped) households, in file order; ``household_member_count`` (the household
    list's ``member_count``, computed only when the export is sorted by it) orders them like the list's households."""
    return (
        Member.objects.filter(household__in=households.values("pk"))
        .alias(household_member_count=member_count("household"))
        .order_by("household__file_number", "id")
    )
