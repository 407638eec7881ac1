"""The check: read the sheet in chunks (in forked processes when there are several cores), check each row, stage
the rows with COPY, run the set-based rules, store every problem, and keep the staged rows for the write."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from households.forked import forked_records, processes_available
from households.importing.columns import HEADER, header_normalise
from households.importing.rows import RowParser, RowProblem
from households.importing.sheet_rules import sheet_problems, sheet_summary
from households.importing.staging import (
    STAGE_NAMES,
    copy_line,
    stage_analyse,
    stage_keep,
    stage_table_create,
    stage_work_mem,
)
from households.models import ImportJob, ImportRowError
from households.sheet_reader import SheetReader, SheetRejected, header_find, sheet_opened

CHUNK_ROWS = 5000
MAX_ERRORS_STORED = 20000


@dataclass
class CheckOutcome:
    rows: int = 0
    error_count: int = 0
    summary: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class CheckedChunk:
    """The checked rows of one chunk of the sheet, as COPY text for ``import_row``, and their problems."""

    index: int
    copy_data: bytes = b""
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0


def _chunks_checked(
    reader: SheetReader, parser: "RowParser", header_row: int, share: int, shares: int
) -> Iterator[CheckedChunk]:
    """Read and check the rows below the header of chunks ``share``, ``share + shares`` … of the sheet."""
    chunk, lines = None, []
    for index, row_no, values in reader.rows_in_chunks(chunk_rows=CHUNK_ROWS, share=share, shares=shares):
        if values is None:  # a chunk begins
            if chunk is not None:
                chunk.copy_data = "".join(lines).encode()
                yield chunk
            chunk, lines = CheckedChunk(index), []
        elif row_no > header_row and any(value is not None and value != "" for value in values):
            row, problems = parser.parse(row_no, values)
            lines.append(copy_line(row))
            chunk.problems.extend(problems)
            chunk.rows += 1
    if chunk is not None:
        chunk.copy_data = "".join(lines).encode()
        yield chunk


def sheet_check(
    job: ImportJob, *, user, on_progress: Callable[[int, int | None], None] | None = None, timings: bool = False
) -> CheckOutcome:
    """Read and check every row of the job's file, store each problem as an ImportRowError, and keep the
    checked rows (staged) for the write. ``SheetRejected`` when the file itself is unusable."""
    clock = time.perf_counter
    outcome = CheckOutcome()
    spent = {"read": 0.0, "read and check": 0.0, "stage": 0.0, "rules": 0.0}
    town = job.town
    stored = 0

    def store(problems: list[RowProblem]) -> None:
        nonlocal stored
        outcome.error_count += len(problems)
        room = MAX_ERRORS_STORED - stored
        if room > 0 and problems:
            ImportRowError.objects.bulk_create([problem.as_error(job) for problem in problems[:room]])
            stored += min(room, len(problems))

    with sheet_opened(job.file) as opener, opener() as upload:
        reader = SheetReader(upload)
        started = clock()
        header_row, header = header_find(
            reader.rows(), wanted={HEADER["file_number"], HEADER["id_number"]}, normalise=header_normalise
        )
        parser = RowParser(header, town=town)
        total = (reader.max_row - header_row) if reader.max_row else None
        processes = settings.HOUSEHOLD_IMPORT_PROCESSES or processes_available()
        if processes > 1:

            def work(share: int, shares: int) -> Iterator[CheckedChunk]:
                with opener() as own:
                    yield from _chunks_checked(reader.reopened(own), parser, header_row, share, shares)

            chunks = forked_records(work, processes)
        else:
            chunks = _chunks_checked(reader, parser, header_row, 0, 1)
        spent["read"] += clock() - started
        with connection.cursor() as cursor:
            stage_table_create(cursor, on_commit_drop=False)
            try:
                while True:
                    started = clock()
                    chunk = next(chunks, None)
                    checked = clock()
                    spent["read and check"] += checked - started
                    if chunk is None:
                        break
                    with cursor.copy(f"COPY import_row ({', '.join(STAGE_NAMES)}) FROM STDIN") as copy:
                        copy.write(chunk.copy_data)
                    store(chunk.problems)
                    outcome.rows += chunk.rows
                    spent["stage"] += clock() - checked
                    if on_progress:
                        on_progress(outcome.rows, total)
                if not outcome.rows:
                    raise SheetRejected([("", _("The sheet has no rows below its header."))])
                started = clock()
                stage_analyse(cursor)
                batch: list[RowProblem] = []
                with stage_work_mem(cursor):
                    for problem in sheet_problems(cursor, town=town, user=user):
                        batch.append(problem)
                        if len(batch) >= CHUNK_ROWS:
                            store(batch)
                            batch = []
                    store(batch)
                    outcome.summary = sheet_summary(cursor, town=town)
                if not outcome.error_count:
                    outcome.summary["staged_sha256"] = stage_keep(cursor, job)
                spent["rules"] += clock() - started
            finally:
                cursor.execute("DROP TABLE IF EXISTS pg_temp.import_row")
    if timings:
        outcome.timings = spent
    return outcome
