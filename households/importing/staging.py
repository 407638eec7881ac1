"""The staging table ``import_row``: its columns, its rows as COPY text, and the dump the check leaves for the
write beside the upload."""

import datetime as dt
import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files import File
from django.db import connection

from households.models import ImportJob

# The temporary table each run stages the checked rows in; NULL where a cell did not pass its check
# (that row already has an error) or, for optional columns, where the sheet has no such column.
STAGE_COLUMNS = (
    ("row_no", "integer"),
    ("file_number", "text"),
    ("village_id", "bigint"),
    ("grp", "text"),
    ("identification_standard", "text"),
    ("attribute", "text"),
    ("main_cause", "text"),
    ("other_causes", "text[]"),
    ("year_identified", "integer"),
    ("phone", "text"),
    ("bank_name", "text"),
    ("bank_account", "text"),
    ("name", "text"),
    ("id_number", "text"),
    ("relation", "text"),
    ("sex", "text"),
    ("birth_date", "date"),
    ("ethnicity", "text"),
    ("education", "text"),
    ("school_stage", "text"),
    ("health", "text"),
    ("labour_ability", "text"),
    ("migrant_worker", "boolean"),
    ("in_dibao", "boolean"),
    ("medical_insurance", "boolean"),
    ("pension_insurance", "boolean"),
)
STAGE_NAMES = tuple(name for name, _type in STAGE_COLUMNS)
# Household columns that every row of one household must agree on: (stage column, sheet column key).
HOUSEHOLD_STAGE_COLUMNS = (
    ("village_id", "village"),
    ("grp", "group"),
    ("identification_standard", "identification_standard"),
    ("attribute", "attribute"),
    ("main_cause", "main_cause"),
    ("other_causes", "other_causes"),
    ("year_identified", "year_identified"),
    ("phone", "phone"),
    ("bank_name", "bank_name"),
    ("bank_account", "bank_account"),
)


def stage_table_create(cursor, *, on_commit_drop: bool) -> None:
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in STAGE_COLUMNS)
    cursor.execute("DROP TABLE IF EXISTS pg_temp.import_row")
    cursor.execute(f"CREATE TEMPORARY TABLE import_row ({columns}){' ON COMMIT DROP' if on_commit_drop else ''}")


# The set-based rules and the write sort and hash the whole staged sheet (about 20 MB for 20,000 households);
# under the server's default work_mem (4 MB) those sorts spill to disk.
STAGE_WORK_MEM = "64MB"


@contextmanager
def stage_work_mem(cursor) -> Iterator[None]:
    """``STAGE_WORK_MEM`` for the statements over the staged rows: to the end of the transaction inside one,
    else for the block."""
    if connection.in_atomic_block:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [STAGE_WORK_MEM])
        yield
        return
    cursor.execute("SELECT current_setting('work_mem'), set_config('work_mem', %s, false)", [STAGE_WORK_MEM])
    previous = cursor.fetchone()[0]
    try:
        yield
    finally:
        cursor.execute("SELECT set_config('work_mem', %s, false)", [previous])


def stage_analyse(cursor) -> None:
    """Statistics for the planner on the columns the rules join and group on: without them it guesses a
    temporary table's size and picks nested loops; with all 26 columns ANALYZE took a tenth of the check."""
    cursor.execute("ANALYZE import_row (row_no, file_number, id_number, relation, village_id)")


# A line is built with NUL between fields and \x01 for NULL (neither can come out of an xlsx: XML 1.0 has no
# such characters), then escaped for COPY in one pass, which turns them into the tab and \N.
_FIELD, _NULL = "\x00", "\x01"
_COPY_LINE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", _FIELD: "\t", _NULL: "\\N"})


def _array_text(items: list) -> str:
    if not items:
        return "{}"
    return '{"' + '","'.join([item.replace("\\", "\\\\").replace('"', '\\"') for item in items]) + '"}'


# The COPY text of each type of value a staged row holds besides str and None, looked up by its exact class (a
# chain of isinstance() tests cost more than the rest of the line); ``_copy_text`` for any other class.
_TEXT_OF = {
    int: int.__repr__,
    bool: {True: "t", False: "f"}.__getitem__,
    dt.date: dt.date.isoformat,
    list: _array_text,
}


def _copy_text(value) -> str:
    if isinstance(value, str):  # codes are str enums: their text is their value
        return str.__str__(value)
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | dt.date):
        return str(value)
    if isinstance(value, list):
        return _array_text(value)
    raise TypeError(f"no COPY text for {value!r}")


def copy_line(row: tuple) -> str:
    """A staged row as a line of COPY's text format (as psycopg's ``write_row`` would send it)."""
    text = _TEXT_OF.get
    line = _FIELD.join(
        [
            value if value.__class__ is str else _NULL if value is None else text(value.__class__, _copy_text)(value)
            for value in row
        ]
    )
    if line.count(_FIELD) != len(row) - 1 or line.count(_NULL) != row.count(None):
        raise ValueError("a cell holds a control character that no worksheet can hold")
    if "\\" in line or "\t" in line or "\n" in line or "\r" in line:  # rare: translate() looks up every character
        return line.translate(_COPY_LINE) + "\n"
    return line.replace(_FIELD, "\t").replace(_NULL, "\\N") + "\n"


def staged_name(job: ImportJob) -> str:
    return f"imports/staged/job-{job.pk}.copy"


def stage_keep(cursor, job: ImportJob) -> str:
    """Dump ``import_row`` beside the upload; the write loads it back instead of reading the xlsx again."""
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as dump:
        with cursor.copy("COPY import_row TO STDOUT") as copy:
            for data in copy:
                digest.update(data)
                dump.write(data)
        dump.seek(0)
        storage = job.file.storage
        name = staged_name(job)
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, File(dump))
        if saved != name:
            raise RuntimeError(f"staged rows saved as {saved}, not {name}")
    return digest.hexdigest()


def staged_discard(job: ImportJob) -> None:
    storage = job.file.storage
    if storage.exists(staged_name(job)):
        storage.delete(staged_name(job))
