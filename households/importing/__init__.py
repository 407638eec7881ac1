"""The fast, safe import of a township's household sheet (one row per member, household columns repeated).

How it stays fast, flat in memory and all-or-nothing:

- ``SheetReader`` (``households.sheet_reader``) streams the first worksheet of the xlsx straight from the zip,
  reading the common shapes of rows by pattern and the rest with expat: the values openpyxl's read-only
  ``iter_rows`` gives (``tests/households/test_import_sheets.py`` compares them), several times faster.
- Rows are checked in chunks in Python (``rows.RowParser``: codes, required cells, the GB 11643 check of
  ``ids``), one share of the chunks per core in forked processes (``households.forked``), and copied in sheet
  order with COPY into the temporary table ``import_row`` (``staging``); no process keeps rows between chunks.
- Every rule that needs the whole file or the database (a person twice in the file, household rows that
  disagree, one head per household, file numbers and people of other towns, heads not in the file) is a
  set-based query over ``import_row`` (``sheet_rules``).
- The check (``check.sheet_check``) leaves ``import_row`` as a COPY dump beside the upload. Confirming
  (``write.sheet_write``) loads it back inside one transaction, locks the households and members it matches,
  runs the set-based rules again (data may have changed since the check), and writes with INSERT ... SELECT /
  UPDATE ... FROM, so the history triggers record and seal every row like any other write, under the job's
  history context. Those triggers are most of the write's time (``manage.py benchmark_import`` prints the
  figures).

The parts, in the order a sheet meets them: ``columns`` (the sheet's columns and the register form's words),
``ids``, ``rows``, ``staging``, ``sheet_rules``, ``check``, ``write``. The names below are the package's
public ones; the job's states and who may move it are ``households.services.imports``.
"""

from households.importing.check import CheckOutcome, sheet_check
from households.importing.columns import (
    ATTRIBUTE_LABELS,
    CAUSE_LABELS,
    COLUMNS,
    HEADER,
    HEALTH_LABELS,
    IDENTIFICATION_LABELS,
    LABOUR_LABELS,
    RELATION_LABELS,
    SCHOOL_LABELS,
    SEX_LABELS,
    YES_NO,
    Column,
    label_of,
)
from households.importing.ids import id_number_parse_fast
from households.importing.rows import RowParser, RowProblem, cell_text
from households.importing.staging import STAGE_COLUMNS, STAGE_NAMES, copy_line, staged_discard, staged_name
from households.importing.write import ImportOutdated, WriteOutcome, sheet_write
from households.sheet_reader import SheetReader, SheetRejected

__all__ = [
    "ATTRIBUTE_LABELS",
    "CAUSE_LABELS",
    "COLUMNS",
    "HEADER",
    "HEALTH_LABELS",
    "IDENTIFICATION_LABELS",
    "LABOUR_LABELS",
    "RELATION_LABELS",
    "SCHOOL_LABELS",
    "SEX_LABELS",
    "STAGE_COLUMNS",
    "STAGE_NAMES",
    "YES_NO",
    "CheckOutcome",
    "Column",
    "ImportOutdated",
    "RowParser",
    "RowProblem",
    "SheetReader",
    "SheetRejected",
    "WriteOutcome",
    "cell_text",
    "copy_line",
    "id_number_parse_fast",
    "label_of",
    "sheet_check",
    "sheet_write",
    "staged_discard",
    "staged_name",
]
