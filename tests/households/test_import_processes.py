"""The check split over processes: forked children, the sheet read in shares, and COPY text made in Python.

Whatever the number of processes, the check must stage the same rows in the same order and find the same
problems as one process does.
"""

import datetime as dt
import io
import os
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import override_settings

from households import forked
from households.choices import PovertyCause, Relation
from households.forked import ChildFailed, forked_records
from households.importing import STAGE_COLUMNS, STAGE_NAMES, copy_line
from households.models import ImportStatus
from households.services.imports import import_job_check, import_job_create
from households.sheet_reader import SheetReader
from organisation.roles import Role
from tests.factories.households import valid_id_number
from tests.households.test_import_sheets import (
    MIXED_SHEET,
    MIXED_STRINGS,
    MIXED_STYLES,
    file_number,
    reader_rows,
    sheet_row,
    sheet_upload,
    workbook_bytes,
)


@dataclass
class Numbered:
    index: int
    pid: int


def numbered(share: int, shares: int, *, count: int = 7):
    for index in range(share, count, shares):
        yield Numbered(index, os.getpid())


def test_records_come_in_order_from_every_child():
    # when
    records = list(forked_records(numbered, 3))

    # then
    assert [record.index for record in records] == list(range(7))
    assert len({record.pid for record in records}) == 3
    assert os.getpid() not in {record.pid for record in records}


def test_a_childs_error_reaches_the_parent_as_it_was_raised():
    def failing(share, shares):
        yield from numbered(share, shares, count=4)
        if share == 1:
            raise ValueError("第 3 行无法读取")

    with pytest.raises(ValueError, match="第 3 行无法读取"):
        list(forked_records(failing, 2))


def test_a_child_that_dies_is_reported():
    def dying(share, shares):
        if share == 1:
            os._exit(3)
        yield from numbered(share, shares)

    with pytest.raises(ChildFailed):
        list(forked_records(dying, 2))


def test_a_child_that_sends_a_record_out_of_turn_is_reported():
    def wrong(share, shares):
        yield Numbered(share + 1, os.getpid())

    with pytest.raises(ChildFailed):
        list(forked_records(wrong, 2))


def test_the_parent_stopping_early_ends_every_child():
    # given
    records = forked_records(lambda share, shares: numbered(share, shares, count=10_000), 2)
    children = {next(records).pid, next(records).pid}

    # when
    records.close()

    # then no child is left behind, not even as a zombie
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.parametrize("patterns", [True, False], ids=["patterns", "expat throughout"])
@pytest.mark.parametrize("shares", [1, 2, 3])
def test_shares_of_the_sheet_make_up_the_whole_of_it(monkeypatch, shares, patterns):
    # given
    if not patterns:
        monkeypatch.setattr("households.sheet_reader._rows_start", lambda head: None)
    data = workbook_bytes(MIXED_SHEET, MIXED_STRINGS, MIXED_STYLES)
    reader = SheetReader(io.BytesIO(data))

    # when each share is read on its own, in chunks of two rows
    rows, chunks = [], []
    for share in range(shares):
        for chunk, row_no, values in reader.rows_in_chunks(chunk_rows=2, share=share, shares=shares):
            assert chunk % shares == share
            if values is None:
                chunks.append(chunk)
            else:
                rows.append((row_no, values))

    # then together they are the sheet, each chunk begun once
    assert sorted(rows) == list(reader.rows())
    assert len(rows) == len(reader_rows(data)) == 10
    assert sorted(chunks) == list(range(len(chunks)))


@pytest.mark.django_db
def test_copy_lines_stage_what_psycopg_stages():
    # given rows with every type of the staging table and the characters COPY escapes
    rows = [
        (
            1, "A\tB\\C\nD\rE", 7, None, "national", "ordinary", PovertyCause.ILLNESS,
            [PovertyCause.NO_FUNDS, 'say "x" \\ y'], 2015, "", None, "62\t24", "王\\五", "37130219700101001X",
            Relation.HEAD, "male", dt.date(1970, 1, 1), "汉族", "初中", "", "healthy", "ordinary",
            True, False, None, True,
        ),
        (2, *([None] * (len(STAGE_COLUMNS) - 1))),
        (3, "", 0, "", "", "", "", [], 0, "", "", "", "", "", "", "", dt.date(2000, 2, 29), "", "", "", "",
         "", False, True, False, False),
    ]  # fmt: skip
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE by_psycopg ({columns})")
        cursor.execute(f"CREATE TEMPORARY TABLE by_line ({columns})")

        # when
        with cursor.copy(f"COPY by_psycopg ({', '.join(STAGE_NAMES)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cursor.copy(f"COPY by_line ({', '.join(STAGE_NAMES)}) FROM STDIN") as copy:
            copy.write("".join(copy_line(row) for row in rows).encode())

        # then
        cursor.execute("SELECT * FROM by_psycopg ORDER BY row_no")
        expected = cursor.fetchall()
        cursor.execute("SELECT * FROM by_line ORDER BY row_no")
        assert cursor.fetchall() == expected
    assert expected[0][1] == "A\tB\\C\nD\rE" and expected[0][7] == ["no_funds", 'say "x" \\ y']


@pytest.mark.django_db
def test_the_check_stages_the_same_rows_and_problems_whatever_the_number_of_processes(
    monkeypatch, make_user, town, village
):
    # given a sheet of several chunks (of three rows) with problems in different chunks
    monkeypatch.setattr("households.importing.check.CHUNK_ROWS", 3)
    staff = make_user(Role.TOWN_STAFF, town=town)
    rows = []
    for number in range(6):
        household = file_number()
        rows.append(sheet_row(town=town, village=village, file=household, 姓名=f"户主{number}"))
        rows.append(sheet_row(town=town, village=village, file=household, 与户主关系="之子"))
    valid = [dict(row, 公民身份号码=valid_id_number()) for row in rows]
    rows[4]["公民身份号码"] = "371302197001010013"  # a wrong check digit
    rows[9]["识别年度"] = 1999
    rows[10]["公民身份号码"] = rows[2]["公民身份号码"]  # a person twice

    outcomes = {}
    for processes in (1, 2, 3):
        with override_settings(HOUSEHOLD_IMPORT_PROCESSES=processes):
            # when
            bad = import_job_check(
                job_id=import_job_create(user=staff, town=town, upload=sheet_upload(rows), language="en").pk
            )
            good = import_job_check(
                job_id=import_job_create(user=staff, town=town, upload=sheet_upload(valid), language="en").pk
            )
        outcomes[processes] = (
            bad.status,
            bad.rows_total,
            [(error.row, error.column, error.message) for error in bad.row_errors.order_by("row", "id")],
            good.status,
            good.rows_total,
            good.summary["staged_sha256"],
        )

    # then
    assert outcomes[1][0] == ImportStatus.REJECTED and len(outcomes[1][2]) == 3
    assert outcomes[1][3] == ImportStatus.CHECKED and outcomes[1][4] == 12
    assert outcomes[2] == outcomes[1]
    assert outcomes[3] == outcomes[1]


def test_processes_are_forked_on_linux_only(monkeypatch):
    assert forked.processes_available() == len(os.sched_getaffinity(0))

    # when the app runs elsewhere
    monkeypatch.setattr(forked.sys, "platform", "darwin")

    # then the check runs in the app's own process
    assert forked.processes_available() == 1


@pytest.mark.parametrize("character", ["\x00", "\x01"])
def test_a_copy_line_refuses_the_characters_it_marks_fields_and_nulls_with(character):
    row = (1, f"王{character}五", *([None] * (len(STAGE_COLUMNS) - 2)))
    with pytest.raises(ValueError):
        copy_line(row)
