"""Measure the monthly work report's workbook writer against a raw openpyxl write-only loop of the same rows, in the
same run, and its memory at two sizes.

    python manage.py benchmark_report --rows 20000 --rounds 5

The report's layout is the real one (every domain sheet of a district's report, the indicators the registry
defines), its rows generated: ``--rows`` units with a figure for every column. Each round writes the workbook both
ways, alternately, into memory:

- the report: ``reporting.workbook.workbook_write`` (the cover, styled headers, merged cells, number formats, the
  totals row, notes, print setup);
- the raw loop: a write-only workbook with one sheet per table, each row appended as plain values (the same number,
  name and figures, amounts in the same money unit).

It prints the fastest round of each, their ratio (raw time / report time: at least 0.8 means the report costs at most
a quarter more than writing the bare rows), and the report writer's peak memory (``tracemalloc``) at a quarter of the
rows and at all of them: the rows are streamed, so the peak stays flat. It reads and writes no database.
"""

import gc
import io
import os
import tempfile
import time
import tracemalloc
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone, translation
from openpyxl import Workbook

from organisation.roles import Level
from reporting.models import MoneyUnit
from reporting.rules import YUAN_PER_UNIT
from reporting.workbook import ColumnKind, ReportBook, Unit, report_book, workbook_write

TARGET_RATIO = 0.8
# Distinct rows of figures the generated towns take in turn.
FIGURE_SAMPLES = 97


class Command(BaseCommand):
    help = "Time the monthly report's workbook writer against a raw openpyxl write-only loop of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20_000, help="rows (units) of each table sheet")
        parser.add_argument("--rounds", type=int, default=5, help="alternated writes of each way; the fastest counts")
        parser.add_argument(
            "--money-unit", choices=MoneyUnit.values, default=MoneyUnit.TEN_THOUSAND_YUAN, help="the money unit"
        )

    def handle(self, *args, rows, rounds, money_unit, **options):
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        self.stdout.write(f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
        with translation.override(settings.LANGUAGE_CODE):
            book = benchmark_book(rows, money_unit)
            columns = sum(len(table.columns) for table in book.tables)
            self.stdout.write(
                f"{len(book.tables)} table sheets of {rows:,} rows ({columns} figure columns in all) and the cover "
                f"of {len(book.cover)} figures; money in {money_unit}"
            )
            report_times, raw_times = [], []
            for _round in range(max(1, rounds)):
                raw_times.append(timed(lambda: raw_write(book)))
                report_times.append(timed(lambda: workbook_write(book, io.BytesIO())))
            report, raw = min(report_times), min(raw_times)
            ratio = raw / report
            self.stdout.write(f"report writer   {report:8.2f} s  ({rows * len(book.tables) / report:,.0f} rows/s)")
            self.stdout.write(f"raw openpyxl    {raw:8.2f} s  ({rows * len(book.tables) / raw:,.0f} rows/s)")
            verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
            self.stdout.write(f"ratio raw/report {ratio:.2f} ({verdict} the target of {TARGET_RATIO})")
            small, large = max(1, rows // 4), rows
            peaks = [(size, peak_memory(benchmark_book(size, money_unit))) for size in (small, large)]
            for size, peak in peaks:
                self.stdout.write(f"peak memory, {size:>9,} rows  {peak / 1024 / 1024:8.1f} MiB")


def benchmark_book(rows: int, money_unit: str) -> ReportBook:
    """A district's report of ``rows`` towns, each with a figure for every indicator, streamed: no row is kept. The
    figures come from a small pool made beforehand, so making the rows costs next to nothing in either timing."""
    from reporting.indicators import INDICATORS

    codes = [indicator.code for indicator in INDICATORS]
    pool = [
        {code: Decimal(sample * 7919 + position * 104729) / 3 for position, code in enumerate(codes)}
        for sample in range(FIGURE_SAMPLES)
    ]

    def units():
        for index in range(rows):
            yield Unit(name=f"基准镇{index:06d}", figures=pool[index % FIGURE_SAMPLES])

    return report_book(
        title="兰山区脱贫攻坚工作月报表",
        unit_name="兰山区",
        period_text="2026年11月",
        money_unit=money_unit,
        made_on=timezone.localdate(),
        figures_as_of=timezone.now(),
        row_level=Level.TOWN,
        own_level=Level.DISTRICT,
        units=units,
        own_figures=pool[0],
    )


def raw_write(book: ReportBook) -> None:
    """The same rows as plain values, one write-only sheet per table, nothing else."""
    workbook = Workbook(write_only=True)
    per_unit = YUAN_PER_UNIT[book.money_unit]
    for table in book.tables:
        sheet = workbook.create_sheet(table.tab)
        kinds = [(column.code, column.kind == ColumnKind.MONEY) for column in table.columns]
        for index, row in enumerate(table.rows, start=1):
            figures = row.figures
            values: list = [index, row.name]
            for code, money in kinds:
                value = figures.get(code)
                values.append(value / per_unit if money and value is not None else value)
            sheet.append(values)
    workbook.save(io.BytesIO())


def timed(write) -> float:
    gc.collect()
    started = time.perf_counter()
    write()
    return time.perf_counter() - started


def peak_memory(book: ReportBook) -> int:
    """The writer's peak, writing to a file as the report job does (a buffer in memory would count the output)."""
    gc.collect()
    with tempfile.TemporaryFile() as handle:
        tracemalloc.start()
        try:
            workbook_write(book, handle)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
