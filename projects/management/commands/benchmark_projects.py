"""Measure the yield job and the project pages on generated projects with years of income.

    python manage.py benchmark_projects --projects 20000 --years 5 --seed 1 --baseline 2000

Generates towns, villages, operating projects with investments and ``--years`` years of income records (a few per
year, by COPY), first ``--baseline`` projects, then up to ``--projects``; at each size it ANALYZEs, runs the yield job
twice for the same period (the first run assesses, flags, opens plans and notifies; the second finds nothing to
do) counting its queries, and times the project list page and the yield overview as a district office user.

Everything runs inside one transaction rolled back at the end (history events and seals included): the database
is left as it was found. While it writes it holds the history chain's lock, so use a database of your own.
"""

import datetime as dt
import os
import random
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from notifications.models import Notification
from organisation.models import District, Town, TownKind, Village
from organisation.periods import month_end, previous_month, twelve_months_ending
from organisation.roles import Role
from organisation.services import staff_post_assign
from projects.models import (
    Category,
    IncomeRecord,
    IndustryProject,
    Investment,
    InvestmentSource,
    ProjectStatus,
    RectificationPlan,
    YieldAssessment,
)
from projects.services.yields import default_period_end, yield_assessment_run

TOWNS = 15
VILLAGES_PER_TOWN = 12
BATCH = 5000
COPY_CHUNK = 50_000
# The mix of projects generated: how each one's last year looks.
KINDS = ("meeting", "weak", "idle", "struggling", "no_investment")
KIND_WEIGHTS = (70, 15, 5, 9, 1)
NOTIFICATION_TABLE = Notification._meta.db_table


def _parts(queries) -> dict[str, float]:
    """The SQL seconds of a yield run by statement kind."""
    parts = dict.fromkeys(("read", "assessments", "plans", "notices", "other"), 0.0)
    kinds = (
        (f'INSERT INTO "{YieldAssessment._meta.db_table}"', "assessments"),
        (f'INSERT INTO "{RectificationPlan._meta.db_table}"', "plans"),
        (f'"{NOTIFICATION_TABLE}"', "notices"),
        (f'FROM "{IndustryProject._meta.db_table}"', "read"),
    )
    for query in queries:
        kind = next((name for marker, name in kinds if marker in query["sql"]), "other")
        parts[kind] += float(query["time"])
    return parts


class Rollback(Exception):
    """Raised at the end so that everything the benchmark wrote is rolled back."""


class Command(BaseCommand):
    help = "Time the yield job (and its query count) and the project pages on generated projects and income."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=20000)
        parser.add_argument("--baseline", type=int, default=2000, help="a smaller size measured first (0: none)")
        parser.add_argument("--years", type=int, default=5, help="years of income records per project")
        parser.add_argument("--per-year", type=int, default=4, help="income records per project and year")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--requests", type=int, default=7, help="requests per page timing (the median is shown)")

    def say(self, text=""):
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, projects, baseline, years, per_year, seed, requests, **options):
        self.rng = random.Random(seed)
        self.seed, self.years, self.per_year, self.requests = seed, years, per_year, requests
        self.period_end = default_period_end()
        sizes = sorted({size for size in (baseline, projects) if size > 0})
        self._environment()
        rows = []
        self.income_total = 0
        try:
            with transaction.atomic():
                self._organisation()
                made = 0
                for size in sizes:
                    generation = self._generate(made, size)
                    made = size
                    rows.append({"size": size, **generation, **self._measure(size)})
                raise Rollback
        except Rollback:
            pass
        self._table(rows)

    # -- generation -------------------------------------------------------------------------------------------------

    def _environment(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(",")[0]
        self.say(f"Database: {version}; CPUs: {os.cpu_count()}; seed {self.seed}")
        self.say(
            f"Yield period: the twelve months to {self.period_end}; {self.years} years of income, "
            f"{self.per_year} records per project and year; mix of last years "
            + ", ".join(f"{kind} {weight}%" for kind, weight in zip(KINDS, KIND_WEIGHTS, strict=True))
        )

    def _organisation(self):
        district = District.objects.get_or_create(code="371302", defaults={"name": "兰山区"})[0]
        prefix = f"98{self.seed % 100:02d}"
        self.towns = Town.objects.bulk_create(
            Town(
                district=district,
                name=f"基准测试镇{self.seed}-{index:02d}",
                kind=TownKind.TOWN,
                code=f"{prefix}{index:03d}",
            )
            for index in range(TOWNS)
        )
        self.villages = {
            town.pk: Village.objects.bulk_create(
                Village(town=town, name=f"基准{index:02d}村", code=f"{town.code}{index:03d}")
                for index in range(VILLAGES_PER_TOWN)
            )
            for town in self.towns
        }
        users = get_user_model().objects
        self.creator = users.create(username=f"benchmark-creator-{prefix}")
        self.office = users.create(username=f"benchmark-office-{prefix}")
        staff_post_assign(user=self.office, role=Role.DISTRICT_OFFICE)
        for town in self.towns:
            for role in (Role.TOWN_STAFF, Role.TOWN_STATION):
                user = users.create(username=f"benchmark-{role}-{town.code}", email=f"{role}-{town.code}@example.cn")
                staff_post_assign(user=user, role=role, town=town)

    def _generate(self, start: int, stop: int) -> dict:
        """Projects ``start`` .. ``stop`` - 1 with their investments, villages and income; seconds and counts."""
        started = time.perf_counter()
        rng = self.rng
        first_day, _last = twelve_months_ending(self.period_end)
        operating_since = first_day.replace(year=first_day.year - self.years)
        projects, kinds = [], []
        for index in range(start, stop):
            town = self.towns[index % TOWNS]
            kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
            investment = Decimal(rng.randint(20, 300) * 10000)
            agreed = (investment * Decimal("0.08")).quantize(Decimal("1")) if kind == "struggling" else None
            if kind != "struggling" and rng.random() < 0.3:
                agreed = (investment * Decimal("0.05")).quantize(Decimal("1"))
            projects.append(
                IndustryProject(
                    code=f"BM{self.seed % 100:02d}-{index:06d}",
                    name=f"基准扶贫产业项目{index}",
                    category=rng.choice(Category.values),
                    town=town,
                    content="建设标准化蔬菜大棚",
                    scale="占地50亩",
                    implementing_unit="镇人民政府",
                    planned_completion=operating_since,
                    status=ProjectStatus.OPERATING,
                    operation_started_on=operating_since,
                    three_assets_number=f"SZ-BM-{index:07d}",
                    agreed_annual_income=agreed,
                    created_by=self.creator,
                )
            )
            kinds.append((kind, investment, agreed))
        projects = IndustryProject.objects.bulk_create(projects, batch_size=BATCH)
        projects_seconds = time.perf_counter() - started

        Investment.objects.bulk_create(
            [
                Investment(project=project, source=InvestmentSource.CENTRAL, amount=investment)
                for project, (kind, investment, _agreed) in zip(projects, kinds, strict=True)
                if kind != "no_investment"
            ],
            batch_size=BATCH,
        )
        through = IndustryProject.villages.through
        through.objects.bulk_create(
            [
                through(industryproject_id=project.pk, village_id=rng.choice(self.villages[project.town_id]).pk)
                for project in projects
            ],
            batch_size=BATCH,
        )
        income_started = time.perf_counter()
        income_rows = self._income_copy(projects, kinds)
        income_seconds = time.perf_counter() - income_started
        self.income_total += income_rows
        return {
            "income_total": self.income_total,
            "generated_projects": len(projects),
            "income_rows": income_rows,
            "generate_s": time.perf_counter() - started,
            "projects_s": projects_seconds,
            "income_s": income_seconds,
        }

    def _income_rows(self, projects, kinds):
        rng = self.rng
        recorded_at = dt.datetime.now(dt.UTC)
        for project, (kind, investment, agreed) in zip(projects, kinds, strict=True):
            base = investment if kind != "no_investment" else Decimal(rng.randint(20, 300) * 10000)
            for back in range(self.years):
                window_end = self.period_end.replace(year=self.period_end.year - back)
                window_start, window_end = twelve_months_ending(window_end)
                last_year = back == 0
                if last_year and kind == "idle":
                    continue
                if last_year and kind == "weak":
                    rate = Decimal(rng.randint(100, 590)) / 10000
                elif last_year and kind == "struggling":
                    rate = agreed / investment * Decimal(rng.randint(50, 95)) / 100
                else:
                    rate = Decimal(rng.randint(600, 1200)) / 10000
                yearly = (base * rate).quantize(Decimal("0.01"))
                part = (yearly / self.per_year).quantize(Decimal("0.01"))
                for quarter in range(self.per_year):
                    received = window_start + dt.timedelta(days=(quarter + 1) * 365 // self.per_year - 1)
                    amount = part if quarter < self.per_year - 1 else yearly - part * (self.per_year - 1)
                    if amount <= 0:
                        continue
                    yield (
                        project.pk,
                        window_start,
                        window_end,
                        amount,
                        min(received, window_end),
                        "兰山基准农业发展有限公司",
                        self.creator.pk,
                        recorded_at,
                    )

    def _income_copy(self, projects, kinds) -> int:
        """COPY the income records in chunks (each chunk one statement: its history events sealed together)."""
        table = connection.ops.quote_name(IncomeRecord._meta.db_table)
        columns = "project_id, period_start, period_end, amount, received_on, payer, recorded_by_id, recorded_at"
        count = 0
        rows = self._income_rows(projects, kinds)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            while True:
                chunk = [row for _index, row in zip(range(COPY_CHUNK), rows, strict=False)]
                if not chunk:
                    break
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
                count += len(chunk)
        return count

    # -- measurement ------------------------------------------------------------------------------------------------

    def _measure(self, size: int) -> dict:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("ANALYZE")
            analyse_seconds = time.perf_counter() - started
        result = {"analyse_s": analyse_seconds}
        try:
            with transaction.atomic():
                # first: a period never assessed, every project below the floor flagged (the worst case); second:
                # the same period again (nothing to do); another month: the month before, once the first run's plans
                # are open (what a monthly run does in steady state: every assessment new, few new flags).
                month_before = month_end(previous_month(self.period_end))
                for label, period_end in (
                    ("first", self.period_end),
                    ("second", self.period_end),
                    ("month", month_before),
                ):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        run = yield_assessment_run(period_end=period_end)
                        seconds = time.perf_counter() - started
                    batches = sum(1 for query in queries if f'INSERT INTO "{NOTIFICATION_TABLE}"' in query["sql"])
                    result[label] = {
                        "seconds": seconds,
                        "queries": len(queries),
                        "notice_batches": batches,
                        "parts": _parts(queries),
                        "run": run,
                    }
                result["untracked_s"] = self._untracked_copy()
                # The test client's host name, for this measure only.
                with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
                    result["pages"] = self._pages()
                raise Rollback
        except Rollback:
            pass
        first = result["first"]["run"]
        classes = ", ".join(f"{name} {count:,}" for name, count in sorted(first.by_class.items()))
        self.say(
            f"\n{size:,} projects: assessed {first.assessed:,} ({classes}); "
            f"flagged {first.flagged:,}, plans opened {first.plans_opened:,}, notifications {first.notifications:,}"
        )
        return result

    def _untracked_copy(self) -> float:
        """Seconds to write the same assessments into an untracked copy of the table: the write without history."""
        table = connection.ops.quote_name(YieldAssessment._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE assessment_probe (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            cursor.execute(
                f"INSERT INTO assessment_probe SELECT * FROM {table} WHERE period_end = %s", [self.period_end]
            )
            seconds = time.perf_counter() - started
            cursor.execute("DROP TABLE assessment_probe")
        return seconds

    def _pages(self) -> dict:
        client = Client()
        client.force_login(self.office)
        pages = {}
        for label, name in (("project list", "projects:project_list"), ("yield overview", "projects:yield_overview")):
            try:
                url = reverse(name)
            except NoReverseMatch:
                pages[label] = None
                continue
            response = client.get(url)  # warm: templates, the session
            assert response.status_code == 200, (name, response.status_code)
            timings = []
            for _request in range(self.requests):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    client.get(url)
                    timings.append(time.perf_counter() - started)
            pages[label] = {"median_ms": statistics.median(timings) * 1000, "queries": len(queries)}
        return pages

    def _table(self, rows):
        self.say("\nGeneration, added to reach each size (inside the transaction; history triggers and seals fire on")
        self.say("every tracked row; projects and investments by bulk_create, income records by COPY):")
        self.say(
            f"  {'projects':>9} {'added':>7} {'income rows added':>18} {'income rows in all':>19} {'projects s':>11} "
            f"{'income s':>9} {'total s':>8} {'ANALYZE s':>10}"
        )
        for row in rows:
            self.say(
                f"  {row['size']:>9,} {row['generated_projects']:>7,} {row['income_rows']:>18,} "
                f"{row['income_total']:>19,} {row['projects_s']:>11.1f} {row['income_s']:>9.1f} "
                f"{row['generate_s']:>8.1f} {row['analyse_s']:>10.1f}"
            )
        self.say(
            "\nYield job (yield_assessment_run; queries counted with CaptureQueriesContext). first: a period never"
        )
        self.say("assessed, every project below the floor flagged afresh (worst case); second: the same period again;")
        self.say("month: the month before, after the first run's plans are open (a steady monthly run):")
        self.say(
            f"  {'projects':>9} {'run':<7} {'seconds':>8} {'queries':>8} {'of which notice batches':>24} "
            f"{'written':>8} {'flagged':>8}"
        )
        for row in rows:
            for label in ("first", "second", "month"):
                run = row[label]
                self.say(
                    f"  {row['size']:>9,} {label:<7} {run['seconds']:>8.2f} {run['queries']:>8} "
                    f"{run['notice_batches']:>24} {run['run'].written:>8,} {run['run'].flagged:>8,}"
                )
        self.say("\nWhere the first run's time went (seconds of SQL; the rest of its time is Python):")
        self.say(
            f"  {'projects':>9} {'read':>6} {'write assessments':>18} {'same rows, untracked table':>27} "
            f"{'open plans':>11} {'notices':>8} {'other':>6} {'Python':>7}"
        )
        for row in rows:
            parts, first = row["first"]["parts"], row["first"]
            python = first["seconds"] - sum(parts.values())
            self.say(
                f"  {row['size']:>9,} {parts['read']:>6.2f} {parts['assessments']:>18.2f} {row['untracked_s']:>27.2f} "
                f"{parts['plans']:>11.2f} {parts['notices']:>8.2f} {parts['other']:>6.2f} {python:>7.2f}"
            )
        self.say(f"\nPages as a district office user (median of {self.requests} requests, after one warm-up):")
        self.say(f"  {'projects':>9} {'page':<15} {'median ms':>10} {'queries':>8}")
        for row in rows:
            for label, page in row["pages"].items():
                if page is None:
                    self.say(f"  {row['size']:>9,} {label:<15} {'(no such page yet)':>19}")
                else:
                    self.say(f"  {row['size']:>9,} {label:<15} {page['median_ms']:>10.1f} {page['queries']:>8}")
        self.say("\nEverything above was rolled back.")
