"""The rectification ledger in Excel, the standard 整改台账 layout, as a kind of the list export kit
(``organisation.exports``: title, unit and date, a bold header repeated on each printed page, A4 landscape fitted to
the width, text never a formula, dates as dates).

``ledger_columns()`` are its columns, read from ``audits.selectors.ledger.ledger_export_rows`` (one streamed query:
measures joined one a line, the latest progress note); ``ledger_rows(queryset)`` and ``ledger_workbook_write`` are the
same two steps for the benchmark (``benchmark_audits``).
"""

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audits import rules
from audits.choices import Category, ItemStatus, Source
from audits.selectors.ledger import ledger_export_rows
from organisation.exports import DATE, NUMBER, ROW_NUMBER, Column, ExportContext, choice_words, rows_of, sheet_write


def _closed_words(context: ExportContext):
    yes, no = _("Yes"), _("No")
    closed = ItemStatus.CLOSED.value
    return lambda status: yes if status == closed else no


def _item_number(row) -> str:
    return rules.item_number(row["year"], row["sequence"])


def ledger_columns() -> list[Column]:
    return [
        Column(pgettext("rectification ledger", "No."), ROW_NUMBER, 6, kind=NUMBER),
        Column(pgettext("rectification ledger", "Item number"), _item_number, 13),
        Column(pgettext("rectification ledger", "Source of the problem"), "source", 16, words=choice_words(Source)),
        Column(pgettext("rectification ledger", "Source document"), "source_reference", 14),
        Column(pgettext("rectification ledger", "Category"), "category", 12, words=choice_words(Category)),
        Column(pgettext("rectification ledger", "Town or street"), "town__name", 12),
        Column(pgettext("rectification ledger", "Village"), "village__name", 12),
        Column(pgettext("rectification ledger", "Problem"), "description", 40),
        Column(pgettext("rectification ledger", "Rectification measures"), "measures_text", 40),
        Column(pgettext("rectification ledger", "Responsible unit"), "responsible_unit", 18),
        Column(pgettext("rectification ledger", "Responsible person"), "responsible_person", 10),
        Column(pgettext("rectification ledger", "Time limit"), "due_date", 12, kind=DATE),
        Column(pgettext("rectification ledger", "Rectification progress"), "latest_progress", 36),
        Column(pgettext("rectification ledger", "Closed off"), "status", 8, words=_closed_words),
        Column(pgettext("rectification ledger", "Closed off on"), "closed_on", 12, kind=DATE),
    ]


def ledger_title() -> str:
    return _("Lanshan District poverty-alleviation problem rectification ledger")


def ledger_rows(queryset: QuerySet) -> Iterator[tuple]:
    """The sheet's rows of the (already scoped and filtered) items, as the kit reads them."""
    return rows_of(None, ledger_export_rows(queryset), ledger_columns())[0]


def ledger_workbook_write(rows: Iterable[tuple], stream, *, unit: str = "") -> int:
    """Write the ledger of ``rows`` (``ledger_rows``) as an xlsx into ``stream`` with the kit's writer."""
    return sheet_write(
        stream,
        rows,
        columns=ledger_columns(),
        title=ledger_title(),
        unit=unit,
        made_on=timezone.localdate(),
        context=ExportContext(user=None),
    )
