"""Measure the household import: the fast pipeline against django-import-export, on the same generated sheet.

    python manage.py benchmark_import --households 100000

Everything runs against the configured database inside transactions that are rolled back at the end (the
towns, villages, households, members, their history events and seals included), and the uploaded and
staged files are deleted: the database is left as it was found. While a run writes it holds the history
chain's advisory lock, so other writers of tracked records wait: use a database of your own.
"""

import datetime as dt
import itertools
import random
import tempfile
import time
import tracemalloc
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from households import importing
from households.forked import processes_available
from households.id_numbers import id_check_character
from households.models import Household, ImportJob, Member
from households.resources import HouseholdResource, MemberResource, sheet_headers
from organisation.models import District, Town, TownKind, Village

VILLAGES = 20
REFERENCE_ROWS = 20000
# The figures the issue gave for this machine class: COPY 77,900 rows/s, Django bulk_create 16,900.
ISSUE_COPY_RATE = 77900
TOWN_NAME = "基准测试镇"  # the generated sheet names it; each run makes it afresh
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国建华志强海燕德明淑珍凤英"


class Rollback(Exception):
    """Raised at the end of a measured block so that everything it wrote is rolled back."""


def sheet_write_shared_strings(path, rows, *, row_count: int | None = None) -> None:
    """An xlsx as Excel and WPS write one (a shared-string table, a dimension), streamed from ``rows``.
    openpyxl always writes inline strings, which its own reader parses at about half the speed."""
    row_count = len(rows) if row_count is None else row_count
    strings: dict[str, int] = {}
    columns = [get_column_letter(index + 1) for index in range(64)]
    width = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
                b'http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:'
                + f"{columns[63]}{row_count}".encode()
                + b'"/><sheetData>'
            )
            for number, row in enumerate(rows, start=1):
                width = max(width, len(row))
                cells = []
                for letter, value in zip(columns, row, strict=False):
                    if value is None or value == "":
                        continue
                    if isinstance(value, str):
                        index = strings.setdefault(value, len(strings))
                        cells.append(f'<c r="{letter}{number}" t="s"><v>{index}</v></c>')
                    else:
                        cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        package.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in strings)
            + "</sst>",
        )
        main = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{main}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        package.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats'
            f'.org/spreadsheetml/2006/main" xmlns:r="{main}"><sheets><sheet name="家庭成员" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{main}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{main}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )


class SheetGenerator:
    """A reproducible sheet of ``households`` households (1-6 members, about 3 on average), valid throughout."""

    def __init__(self, *, households: int, seed: int, town_name: str, village_names: list[str]):
        self.households, self.seed = households, seed
        self.town_name, self.village_names = town_name, village_names
        sizes = random.Random(seed)
        self.sizes = sizes.choices([1, 2, 3, 4, 5, 6], weights=[10, 22, 30, 22, 11, 5], k=households)
        self.row_count = sum(self.sizes)

    def rows(self):
        rng = random.Random(self.seed + 1)
        headers = sheet_headers()
        yield headers
        causes = list(importing.CAUSE_LABELS)[:12]
        used: set[str] = set()
        # Place code 3713 99 is no county: generated people never meet real ones in the database.
        for number, size in enumerate(self.sizes, start=1):
            main = rng.choice(causes)
            household = {
                "file_number": f"BM{self.seed % 1000:03d}{number:09d}",
                "town": self.town_name,
                "village": rng.choice(self.village_names),
                "group": f"第{rng.randint(1, 9)}村民小组",
                "identification_standard": "国家标准",
                "attribute": rng.choice(list(importing.ATTRIBUTE_LABELS)),
                "main_cause": main,
                "other_causes": "、".join(rng.sample([cause for cause in causes if cause != main], rng.randint(0, 2))),
                "year_identified": rng.randint(2014, 2019),
                "phone": f"1{rng.randint(3000000000, 9999999999)}",
                "bank_name": "兰山农商银行",
                "bank_account": f"6224{rng.randint(10**14, 10**15 - 1)}",
            }
            head_male = rng.random() < 0.8
            for position in range(size):
                relation = ("户主", "配偶", "之子", "之女", "之父母", "之孙子")[position]
                # The ID number's sex agrees with the relation (a rule of the check): a son male, a spouse the
                # head's other sex.
                male = {"户主": head_male, "配偶": not head_male, "之子": True, "之女": False, "之孙子": True}.get(
                    relation, rng.random() < 0.5
                )
                born = {
                    "户主": (1945, 1985),
                    "配偶": (1945, 1985),
                    "之父母": (1925, 1950),
                    "之孙子": (2008, 2018),
                }.get(relation, (1985, 2012))
                while True:
                    birth = dt.date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
                    sequence = rng.randint(0, 999)
                    if sequence % 2 != int(male):
                        sequence ^= 1
                    body = f"371399{birth:%Y%m%d}{sequence:03d}"
                    if body not in used:
                        used.add(body)
                        break
                age = 2020 - birth.year
                member = {
                    "name": rng.choice(SURNAMES)
                    + rng.choice(GIVEN)
                    + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                    "id_number": body + id_check_character(body),
                    "sex": "男" if int(body[16]) % 2 else "女",
                    "relation": relation,
                    "ethnicity": "汉族",
                    "education": "小学" if age > 12 else "学龄前儿童",
                    "school_stage": "小学" if 6 <= age <= 12 else ("初中" if 13 <= age <= 15 else ""),
                    "health": rng.choice(list(importing.HEALTH_LABELS)),
                    "labour_ability": "普通劳动力" if 18 <= age <= 60 else "无劳动力",
                    "migrant_worker": rng.choice(["是", "否"]),
                    "in_dibao": rng.choice(["是", "否"]),
                    "medical_insurance": "是",
                    "pension_insurance": rng.choice(["是", "否"]),
                }
                values = {**household, **member}
                yield [values[importing.COLUMNS[index].key] for index in self._order(headers)]

    @staticmethod
    def _order(headers):
        positions = {column.header: index for index, column in enumerate(importing.COLUMNS)}
        return [positions[header] for header in headers]

    def write(self, path: Path, *, households: int | None = None) -> int:
        """The whole sheet, or the rows of its first ``households`` households; the number of member rows."""
        households = self.households if households is None else households
        row_count = sum(self.sizes[:households])
        rows = self.rows()

        def limited():
            for index, row in enumerate(rows):
                if index > row_count:
                    return
                yield row

        sheet_write_shared_strings(path, limited(), row_count=row_count + 1)
        return row_count


class Command(BaseCommand):
    help = "Time the household import (check + write, history included) against django-import-export."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=5000, help="households in the generated sheet")
        parser.add_argument("--seed", type=int, default=2014)
        parser.add_argument(
            "--baseline-households",
            type=int,
            default=5000,
            help="django-import-export imports the rows of this many households (the whole sheet when smaller)",
        )
        parser.add_argument("--skip-baseline", action="store_true")
        parser.add_argument("--skip-memory", action="store_true")

    def handle(self, *args, households, seed, baseline_households, skip_baseline, skip_memory, **options):
        self.seed = seed
        workdir = Path(tempfile.mkdtemp(prefix="benchmark-import-"))
        try:
            self._run(workdir, households, baseline_households, skip_baseline, skip_memory)
        finally:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()

    def say(self, text=""):
        self.stdout.write(text)
        self.stdout.flush()

    def _run(self, workdir, households, baseline_households, skip_baseline, skip_memory):
        generator = SheetGenerator(
            households=households, seed=self.seed, town_name=TOWN_NAME, village_names=self._village_names()
        )
        path = workdir / "sheet.xlsx"
        started = time.perf_counter()
        rows = generator.write(path)
        self.say(
            f"Sheet: {households:,} households, {rows:,} member rows, {path.stat().st_size / 2**20:.1f} MiB "
            f"(shared strings, seed {self.seed}; written in {time.perf_counter() - started:.1f} s)"
        )
        self._environment()

        self.say("\nParsing only, one process (rows/s):")
        reader_rate = self._parse_fast(path, rows)
        sample = min(households, 20000)
        sample_path = workdir / "sample.xlsx"
        sample_rows = generator.write(sample_path, households=sample)
        openpyxl_rate = self._parse_openpyxl(sample_path, sample_rows)
        self.say(
            f"  households.sheet_reader.SheetReader:       {reader_rate:>9,.0f}\n"
            f"  openpyxl read_only iter_rows(values_only): {openpyxl_rate:>9,.0f}"
            f"  (on the first {sample:,} households, {sample_rows:,} rows)"
        )

        processes = settings.HOUSEHOLD_IMPORT_PROCESSES or processes_available()
        self.say(
            "\nFast pipeline, whole sheet (check + write, history triggers and seals included; the check in "
            f"{processes} processes):"
        )
        fast = self._measure(lambda town, user: self._pipeline(path, town, user))
        check, write = fast["check"], fast["write"]
        total = check["seconds"] + write["seconds"]
        self.say(f"  check {check['seconds']:7.1f} s  {self._parts(check['parts'])}  problems: {check['errors']}")
        self.say(f"  write {write['seconds']:7.1f} s  {self._parts(write['parts'])}")
        history_per_row = None
        if fast["untracked"] is not None:
            history = write["seconds"] - fast["untracked"]["seconds"]
            history_per_row = history / rows * 1e6
            self.say(
                f"  the same write with every trigger off: {fast['untracked']['seconds']:.1f} s; the history costs "
                f"{history:.1f} s = {history / rows * 1e6:.0f} us per row"
            )
        self.say(
            f"  whole {total:7.1f} s  = {rows / total:,.0f} rows/s (check alone {rows / check['seconds']:,.0f}, "
            f"write alone {rows / write['seconds']:,.0f}); history events written: {write['events']:,} "
            "(one bulk event for the job besides)"
        )
        if fast["per_row"] is not None:
            before = fast["per_row"]
            before_total = check["seconds"] + before["seconds"]
            self.say(
                "  history before and after (issue 15 item 14), the same write in this run:\n"
                f"    before, one history event per row: write {before['seconds']:7.1f} s "
                f"({before['events']:,} events), whole import {rows / before_total:9,.0f} rows/s\n"
                f"    after, one sealed bulk event:       write {write['seconds']:7.1f} s "
                f"({write['events']:,} events), whole import {rows / total:9,.0f} rows/s"
            )
        fast_rate = rows / total
        if processes > 1:
            single = self._measure(lambda town, user: self._check_alone(path, town, user, processes=1))
            self.say(
                f"  the same check in one process: {single:.1f} s ({single / check['seconds']:.2f}x the time in "
                f"{processes})"
            )

        self.say(
            f"\nReference writes of the first {min(rows, REFERENCE_ROWS):,} member rows of the same sheet (no checks;"
            " what the issue measured its goal against):"
        )
        copy_rate, bulk_rate = self._measure(lambda town, user: self._references(path, town))
        self.say(
            f"  COPY into an unindexed temporary table of the staged columns: {copy_rate:9,.0f} rows/s\n"
            f"  Django bulk_create of the households and members (history triggers on): {bulk_rate:9,.0f} rows/s\n"
            f"  the whole import runs at {fast_rate / copy_rate:.3f} x COPY and {fast_rate / bulk_rate:.2f} x "
            f"bulk_create; the goal, 15,000 rows/s on the machine where COPY ran at {ISSUE_COPY_RATE:,} rows/s, is "
            f"{15000 / ISSUE_COPY_RATE:.3f} x COPY, which is {copy_rate * 15000 / ISSUE_COPY_RATE:,.0f} rows/s "
            "on this machine in this run"
        )
        budget = 1e6 / (copy_rate * 15000 / ISSUE_COPY_RATE)
        if history_per_row is not None:
            self.say(
                f"  at that rate a row may take {budget:.0f} us for check and write together; its history alone "
                f"takes {history_per_row:.0f} us"
            )

        if not skip_baseline:
            baseline = min(baseline_households, households)
            if baseline == households:
                baseline_path, baseline_rows = path, rows
                scope = "the same sheet"
            else:
                baseline_path = workdir / "baseline.xlsx"
                baseline_rows = generator.write(baseline_path, households=baseline)
                scope = f"the first {baseline:,} households of the same sheet ({baseline_rows:,} rows)"
            self.say(f"\ndjango-import-export 4 on {scope}, one import pass each (no dry run):")
            for label, bulk in (("default", False), ("use_bulk=True", True)):
                seconds, errors = self._measure(
                    lambda town, user, bulk=bulk: self._import_export(baseline_path, town, bulk=bulk)
                )
                rate = baseline_rows / seconds
                self.say(
                    f"  {label:<14} {seconds:7.1f} s = {rate:9,.0f} rows/s   problems: {errors}   "
                    f"fast pipeline (check + write) is {fast_rate / rate:.1f}x"
                )

        self.say("\nHistory sealing (the per-event cost every writer pays):")
        self._measure(lambda town, user: self._seal_cost(town))

        if not skip_memory:
            self.say("\nPeak Python memory of check + write (tracemalloc; the check in one process, slower):")
            for size in sorted({max(households // 20, 100), max(households // 2, 200)}):
                size_path = workdir / f"memory-{size}.xlsx"
                size_rows = generator.write(size_path, households=size)
                peak, strings = self._measure(lambda town, user, p=size_path: self._peak_memory(p, town, user))
                self.say(
                    f"  {size:>7,} households, {size_rows:>8,} rows: peak {peak / 2**20:6.1f} MiB, of which the "
                    f"workbook's shared-string table {strings / 2**20:5.1f} MiB"
                )

    # -- helpers -------------------------------------------------------------------------------------

    def _village_names(self):
        return [f"基准{index:02d}村" for index in range(VILLAGES)]

    def _environment(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), (SELECT count(*) FROM history_seal)")
            version, seals = cursor.fetchone()
            cursor.execute("EXPLAIN SELECT digest FROM history_seal ORDER BY id DESC LIMIT 1")
            plan = " ".join(line for (line,) in cursor.fetchall()[:2]).replace("  ", " ")
        self.say(f"Database: {version.split(',')[0]}; history_seal holds {seals:,} seals")
        self.say(f"  the seal's chain-head lookup is planned as: {plan}")

    def _measure(self, body):
        """Run ``body(town, user)`` on a fresh town with villages, inside a transaction rolled back after."""
        result = None
        jobs = []
        try:
            with transaction.atomic():
                district = District.objects.get_or_create(code="371302", defaults={"name": "兰山区"})[0]
                code = f"99{uuid.uuid4().int % 10**7:07d}"
                town = Town.objects.create(district=district, name=TOWN_NAME, kind=TownKind.TOWN, code=code)
                Village.objects.bulk_create(
                    Village(town=town, name=name, code=f"{code}{index:03d}")
                    for index, name in enumerate(self._village_names())
                )
                user = get_user_model().objects.create(username=f"benchmark-{code}")
                self._jobs = jobs
                result = body(town, user)
                raise Rollback
        except Rollback:
            pass
        finally:
            for job in jobs:
                importing.staged_discard(job)
                job.file.storage.delete(job.file.name)
        return result

    def _pipeline(self, path, town, user):
        job = self._job(path, town, user)
        started = time.perf_counter()
        check = importing.sheet_check(job, user=user, timings=True)
        check_seconds = time.perf_counter() - started
        job.summary = {**job.summary, **check.summary}
        started = time.perf_counter()
        events_before = self._events()
        write = importing.sheet_write(job, user=user, timings=True)
        write_seconds = time.perf_counter() - started
        events = self._events() - events_before
        return {
            "check": {"seconds": check_seconds, "parts": check.timings, "errors": check.error_count},
            "write": {"seconds": write_seconds, "parts": write.timings, "events": events},
            "untracked": self._write_again(job, user),
            "per_row": self._write_again(job, user, per_row_history=True),
        }

    @classmethod
    def _write_again(cls, job, user, *, per_row_history: bool = False) -> dict | None:
        """The same write again, rolled back: with every trigger off (history, and foreign-key checks with it), what
        the history costs the write; or ``per_row_history``, with one history event per row written, as before the
        import's single bulk event (issue 15 item 14). None when the database user may not switch triggers off (the
        rows of the first write are removed with them off)."""
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                    # The rows of the write just made: the same write again must create them anew. The
                    # planner must know the tables grew, or it deletes with nested loops for minutes.
                    cursor.execute("ANALYZE households_household, households_member")
                    households = (
                        "SELECT h.id FROM households_household h JOIN organisation_village v ON v.id = h.village_id"
                        " WHERE v.town_id = %s"
                    )
                    for table, column in (("households_member", "household_id"), ("households_household", "id")):
                        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({households})", [job.town_id])
                    if per_row_history:
                        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
                events_before = cls._events()
                started = time.perf_counter()
                importing.sheet_write(job, user=user, per_row_history=per_row_history)
                result = {"seconds": time.perf_counter() - started, "events": cls._events() - events_before}
                raise Rollback
        except Rollback:
            return result
        except DatabaseError:
            return None

    def _check_alone(self, path, town, user, *, processes):
        job = self._job(path, town, user)
        started = time.perf_counter()
        with override_settings(HOUSEHOLD_IMPORT_PROCESSES=processes):
            importing.sheet_check(job, user=user)
        return time.perf_counter() - started

    def _job(self, path, town, user):
        job = ImportJob(town=town, uploaded_by=user, original_name=path.name)
        with path.open("rb") as handle:
            job.file.save(path.name, File(handle), save=True)
        self._jobs.append(job)
        return job

    @staticmethod
    def _events():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM households_householdevent)"
                " + (SELECT count(*) FROM households_memberevent)"
            )
            return cursor.fetchone()[0]

    @staticmethod
    def _parts(parts):
        return "  ".join(f"{name} {seconds:.1f}" for name, seconds in parts.items())

    @staticmethod
    def _parse_fast(path, rows):
        started = time.perf_counter()
        with path.open("rb") as handle:
            count = sum(1 for _row in importing.SheetReader(handle).rows()) - 1
        assert count == rows, (count, rows)
        return rows / (time.perf_counter() - started)

    @staticmethod
    def _parse_openpyxl(path, rows):
        started = time.perf_counter()
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        count = sum(1 for _row in sheet.iter_rows(values_only=True)) - 1
        assert count == rows, (count, rows)
        return rows / (time.perf_counter() - started)

    def _import_export(self, path, town, *, bulk):
        started = time.perf_counter()
        with path.open("rb") as handle:
            dataset = tablib.Dataset().load(handle.read(), format="xlsx")
        # Household columns repeat on each member row; import-export would create a household once per
        # row (and use_bulk would insert duplicates), so it gets the first row of each household.
        households = tablib.Dataset(headers=dataset.headers)
        seen = set()
        file_column = dataset.headers.index(importing.HEADER["file_number"])
        for row in dataset:
            if row[file_column] not in seen:
                seen.add(row[file_column])
                households.append(row)
        household_resource, member_resource = (HouseholdResource, MemberResource)
        if bulk:
            household_resource = _bulk(HouseholdResource)
            member_resource = _bulk(MemberResource)
        first = household_resource().import_data(households, dry_run=False)
        second = member_resource().import_data(dataset, dry_run=False)
        seconds = time.perf_counter() - started
        errors = sum(len(row.errors) + (1 if row.validation_error else 0) for row in first.rows + second.rows)
        errors += len(first.base_errors) + len(second.base_errors)
        return seconds, errors

    @staticmethod
    def _references(path, town):
        """Rows/s of COPY and of bulk_create for the first REFERENCE_ROWS member rows, parsed beforehand."""
        with path.open("rb") as handle:
            rows = importing.SheetReader(handle).rows()
            _number, header = next(rows)
            parser = importing.RowParser(header, town=town)
            staged = [parser.parse(number, values)[0] for number, values in itertools.islice(rows, REFERENCE_ROWS)]
        columns = {name: position for position, name in enumerate(importing.STAGE_NAMES)}
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE reference_copy ("
                + ", ".join(f"{name} {kind}" for name, kind in importing.STAGE_COLUMNS)
                + ")"
            )
            started = time.perf_counter()
            with cursor.copy(f"COPY reference_copy ({', '.join(importing.STAGE_NAMES)}) FROM STDIN") as copy:
                for row in staged:
                    copy.write_row(row)
            copy_rate = len(staged) / (time.perf_counter() - started)
            cursor.execute("DROP TABLE reference_copy")

        def value(row, name):
            return row[columns[name]]

        started = time.perf_counter()
        households = {}
        for row in staged:
            number = value(row, "file_number")
            if number not in households:
                households[number] = Household(
                    file_number=number,
                    village_id=value(row, "village_id"),
                    group=value(row, "grp"),
                    phone=value(row, "phone"),
                    bank_name=value(row, "bank_name") or "",
                    bank_account=value(row, "bank_account") or "",
                    identification_standard=value(row, "identification_standard"),
                    attribute=value(row, "attribute"),
                    main_cause=value(row, "main_cause"),
                    other_causes=value(row, "other_causes"),
                    year_identified=value(row, "year_identified"),
                )
        Household.objects.bulk_create(households.values(), batch_size=2000)
        Member.objects.bulk_create(
            (
                Member(
                    household=households[value(row, "file_number")],
                    **{
                        name: value(row, name)
                        for name in (
                            "name", "id_number", "relation", "sex", "birth_date", "ethnicity", "education",
                            "school_stage", "health", "labour_ability", "migrant_worker", "in_dibao",
                            "medical_insurance", "pension_insurance",
                        )
                    },
                )
                for row in staged
            ),
            batch_size=2000,
        )  # fmt: skip
        bulk_rate = len(staged) / (time.perf_counter() - started)
        return copy_rate, bulk_rate

    def _seal_cost(self, town):
        village = town.villages.first()
        columns = (
            'file_number, village_id, "group", address, phone, bank_name, bank_account, identification_standard, '
            "attribute, main_cause, other_causes, year_identified, status, food_and_clothing_secure, "
            "house_structure, housing_grade, water_source, drinking_water_difficult, created_at, updated_at"
        )
        values = (
            "'SEAL' || g, %s, '', '', '', '', '', 'national', 'ordinary', 'illness', '{}', 2015, 'not_out', "
            "false, '', '', '', false, now(), now()"
        )
        batch, batches = 2000, 10

        def probe(cursor, setup: str) -> list[float]:
            """us/row of each of ``batches`` statements in one (sub)transaction, rolled back after."""
            per_row = []
            try:
                with transaction.atomic():
                    if setup:
                        cursor.execute(setup)
                    for index in range(batches):
                        started = time.perf_counter()
                        cursor.execute(
                            f"INSERT INTO households_household ({columns}) SELECT {values} "
                            "FROM generate_series(%s, %s) g",
                            [village.pk, index * batch + 1, (index + 1) * batch],
                        )
                        per_row.append((time.perf_counter() - started) / batch * 1e6)
                    raise Rollback
            except Rollback:
                pass
            return per_row

        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE seal_probe (LIKE households_household INCLUDING DEFAULTS)")
            started = time.perf_counter()
            cursor.execute(
                f"INSERT INTO seal_probe (id, {columns}) SELECT g, {values} FROM generate_series(1, %s) g",
                [village.pk, batch * batches],
            )
            plain = (time.perf_counter() - started) / (batch * batches) * 1e6
            cursor.execute("DROP TABLE seal_probe")
            started = time.perf_counter()
            cursor.execute(
                "SELECT history_seal_events('seal_probe', array_agg(g::bigint), array_agg('{\"a\": 1}'::jsonb)) "
                "FROM generate_series(1, %s) g",
                [batch],
            )
            seal_only = (time.perf_counter() - started) / batch * 1e6
            deferred = probe(cursor, "")
            immediate = probe(cursor, "SET CONSTRAINTS ALL IMMEDIATE")
        self.say(
            f"  insert into an untracked copy of the household table: {plain:7.1f} us/row\n"
            f"  history_seal_events() called directly:                 {seal_only:7.1f} us/event\n"
            f"  insert into the tracked household table (event + seal), {batches} statements of {batch:,} rows in "
            "one transaction, us/row:\n"
            f"    foreign keys deferred (Django's default): {' '.join(f'{cost:.0f}' for cost in deferred)}\n"
            f"    SET CONSTRAINTS ALL IMMEDIATE (the import):  {' '.join(f'{cost:.0f}' for cost in immediate)}"
        )

    def _peak_memory(self, path, town, user):
        job = self._job(path, town, user)
        tracemalloc.start()
        try:
            # In one process, so that tracemalloc sees all of it: forked processes each take a share of the
            # same chunks, holding one chunk at a time as this process does.
            with override_settings(HOUSEHOLD_IMPORT_PROCESSES=1):
                check = importing.sheet_check(job, user=user)
            job.summary = {**job.summary, **check.summary}
            importing.sheet_write(job, user=user)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        with path.open("rb") as handle:
            reader = importing.SheetReader(handle)
            strings = len(reader.strings.blob) + reader.strings.ends.itemsize * len(reader.strings.ends)
        return peak, strings


def _bulk(resource):
    meta = type("Meta", (resource.Meta,), {"use_bulk": True, "batch_size": 1000})
    return type(f"Bulk{resource.__name__}", (resource,), {"Meta": meta})
