"""Measure the ledger list, the ledger's Excel export and the daily ledger scan on a generated district, at two sizes
in one run.

    python manage.py benchmark_audits --items 50000 --baseline 5000 --seed 1

A seeded, reproducible district (15 towns of 20 villages, a district office user and each town's staff) gets
``--baseline`` ledger items first and then enough more to reach ``--items``: each item with one to three measures
(a third of them with a progress note), closed items with their look-back, overdue items with the supervision order
the daily scan issued them (unanswered orders past their reply deadline with the items flagged for an interview),
and a small backlog the next scan has to do (overdue items not ordered yet, orders whose missed reply is not
flagged yet, look-backs due and not reminded). At each size:

- the daily scan (``audits.services.scan.ledger_scan``), timed and its queries counted three ways: the first scan,
  which does the backlog; a scan after a hundred items fell overdue; a scan that finds nothing new;
- the ledger list (``audits:item_list``) through Django's test client, page 1 and the last page, by the district
  office and by a town's staff: the median time and the queries of one request;
- the Excel ledger (``audits.exports``): ``ledger_rows`` read from the database, and ``ledger_workbook_write``
  against a plain openpyxl write-only loop writing the same rows in the same run, in rows per second (the fastest
  of at least ``--rounds`` alternated writes of each, and of ``--export-seconds`` worth).

Everything runs in one transaction rolled back at the end (history events and seals included): the database is left
as it was found. While it writes it holds the history chain's lock, so other writers of tracked records wait: use a
database of your own.
"""

import datetime as dt
import gc
import io
import os
import random
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from audits import exports
from audits.choices import EXTERNAL_SOURCES, Category, ItemStatus, LookBackOutcome, Source
from audits.models import LookBack, Measure, OrderItem, ProgressNote, RectificationItem, SupervisionOrder
from audits.numbering import ITEM, ORDER, numbers_take
from audits.selectors.ledger import item_list
from audits.services.scan import ledger_scan
from audits.views.ledger import PAGE_SIZE
from history.context import history_context
from notifications.models import Notification
from organisation.benchmarking import benchmark_district, benchmark_prefix, benchmark_user, page_measure
from organisation.roles import Role

TOWNS = 15
VILLAGES_PER_TOWN = 20
BATCH_SIZE = 2000
SOURCES = sorted(EXTERNAL_SOURCES | {Source.SELF_CHECK, Source.PUBLIC_COMPLAINT})
CATEGORIES = list(Category.values)
CLOSED_SHARE = 0.45
REQUESTED_SHARE = 0.10  # of all items: close-off asked, not verified yet
UNORDERED_SHARE = 0.05  # of the overdue open items: not ordered yet (the first scan orders them)
REPLIED_SHARE = 0.70  # of the orders
UNFLAGGED_SHARE = 0.05  # of the items of unanswered orders past their reply deadline: not flagged yet
LOOK_BACK_DONE_SHARE = 0.75  # of the look-backs come due
UNREMINDED_SHARE = 0.03  # of the pending look-backs come due: not reminded yet
NOTE_SHARE = 0.30  # of the measures: with a progress note
NEWLY_OVERDUE = 100
MAX_EXPORT_ROUNDS = 40
MODELS = (RectificationItem, Measure, ProgressNote, LookBack, SupervisionOrder, OrderItem, Notification)


class Rollback(Exception):
    """Raised at the end so that everything the benchmark wrote is rolled back."""


def working_days_later(start: dt.date, days: int) -> dt.date:
    """About ``days`` working days after ``start`` (weekends skipped; the generated data need not be exact)."""
    weeks, rest = divmod(days, 5)
    day = start + dt.timedelta(weeks=weeks)
    while rest:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            rest -= 1
    return day


class BenchmarkLedger:
    """The generated district and its ledger, grown in steps from one seeded stream."""

    def __init__(self, *, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.today = today
        self.items = 0

    def build(self) -> None:
        self.towns, self.villages = benchmark_district(
            towns=TOWNS, villages_per_town=VILLAGES_PER_TOWN, prefix=benchmark_prefix("97")
        )
        self.office = benchmark_user("office", Role.DISTRICT_OFFICE)
        self.staff = {town.pk: benchmark_user(f"{town.code}-staff", Role.TOWN_STAFF, town=town) for town in self.towns}

    # -- the ledger -------------------------------------------------------------------------------------------------

    def grow_to(self, size: int) -> None:
        count = size - self.items
        if count <= 0:
            return
        items = self._items(count)
        self._measures(items)
        self._look_backs([item for item in items if item.status == ItemStatus.CLOSED])
        self._orders([item for item in items if item.status != ItemStatus.CLOSED and item.due_date < self.today])
        self.items = size

    def _items(self, count: int) -> list[RectificationItem]:
        rng, today = self.rng, self.today
        numbers = numbers_take(kind=ITEM, year=today.year, count=count)
        rows = []
        for sequence in numbers:
            town = rng.choice(self.towns)
            days = rng.choice((10, 15, 20, 30, 60))
            raised = today - dt.timedelta(days=rng.randint(0, 540))
            item = RectificationItem(
                year=today.year,
                sequence=sequence,
                source=rng.choice(SOURCES),
                source_reference=f"兰审报〔{raised.year}〕{rng.randint(1, 99)}号",
                category=rng.choice(CATEGORIES),
                town=town,
                village=rng.choice(self.villages[town.pk]) if rng.random() < 0.8 else None,
                description=f"基准问题{sequence}：扶贫资金拨付滞后，档案资料不全，需逐户核实整改",
                responsible_unit=f"{town.name}人民政府",
                responsible_person="张三",
                time_limit_working_days=days,
                raised_by=self.office,
                clock_start=raised,
                due_date=working_days_later(raised, days),
            )
            draw = rng.random()
            if draw < CLOSED_SHARE:
                closed_on = min(today, raised + dt.timedelta(days=rng.randint(3, 120)))
                item.status = ItemStatus.CLOSED
                item.close_requested_by = self.staff[town.pk]
                item.close_requested_at = dt.datetime.combine(closed_on, dt.time(9), tzinfo=dt.UTC)
                item.close_request_note = "已整改到位"
                item.closed_by = self.office
                item.closed_on = closed_on
                item.closed_late = closed_on > item.due_date
            elif draw < CLOSED_SHARE + REQUESTED_SHARE:
                item.status = ItemStatus.CLOSE_OFF_REQUESTED
                item.close_requested_by = self.staff[town.pk]
                item.close_requested_at = timezone.now()
                item.close_request_note = "已整改，请核销"
            rows.append(item)
        return RectificationItem.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    def _measures(self, items: list[RectificationItem]) -> None:
        rng = self.rng
        measures = []
        for item in items:
            for number in range(rng.randint(1, 3)):
                measures.append(
                    Measure(
                        item=item,
                        description=f"措施{number + 1}：逐户核对并补齐资料",
                        owner_unit=item.responsible_unit,
                        due_on=item.due_date,
                        done_on=item.closed_on,
                    )
                )
        measures = Measure.objects.bulk_create(measures, batch_size=BATCH_SIZE)
        written_by = self.office
        ProgressNote.objects.bulk_create(
            (
                ProgressNote(measure=measure, text="已完成入户核实，正在整理档案", written_by=written_by)
                for measure in measures
                if rng.random() < NOTE_SHARE
            ),
            batch_size=BATCH_SIZE,
        )

    def _look_backs(self, closed: list[RectificationItem]) -> None:
        rng, today = self.rng, self.today
        rows = []
        for item in closed:
            due = item.closed_on + dt.timedelta(days=90)
            look_back = LookBack(item=item, after_days=90, clock_start=item.closed_on, due_date=due)
            if due <= today:
                if rng.random() < LOOK_BACK_DONE_SHARE:
                    look_back.outcome = LookBackOutcome.CONFIRMED
                    look_back.done_by, look_back.done_on = self.office, due
                    look_back.note = "未反弹"
                elif rng.random() >= UNREMINDED_SHARE:
                    look_back.reminded_at = timezone.now()
            rows.append(look_back)
        LookBack.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    def _orders(self, overdue: list[RectificationItem]) -> None:
        """The orders the daily scan issued: one per town and month of the items' deadlines, issued the day after
        the last of them."""
        rng, today = self.rng, self.today
        groups: dict[tuple, list[RectificationItem]] = {}
        for item in overdue:
            if rng.random() >= UNORDERED_SHARE:
                groups.setdefault((item.town_id, item.due_date.year, item.due_date.month), []).append(item)
        numbers = numbers_take(kind=ORDER, year=today.year, count=len(groups))
        orders = []
        for (town_id, *_month), sequence in zip(groups, numbers, strict=True):
            issued = max(item.due_date for item in groups[(town_id, *_month)]) + dt.timedelta(days=1)
            order = SupervisionOrder(
                year=today.year,
                sequence=sequence,
                town_id=town_id,
                addressee="中共基准镇委、基准镇人民政府",
                automatic=True,
                requirement="请限期整改并书面回复。",
                reply_working_days=5,
                clock_start=issued,
                due_date=working_days_later(issued, 5),
            )
            replied_on = issued + dt.timedelta(days=rng.randint(1, 6))
            if rng.random() < REPLIED_SHARE and replied_on <= today:
                order.reply, order.replied_by, order.replied_on = "已整改", self.staff[town_id], replied_on
            orders.append(order)
        orders = SupervisionOrder.objects.bulk_create(orders, batch_size=BATCH_SIZE)
        links, flagged = [], []
        for order, rows in zip(orders, groups.values(), strict=True):
            links.extend(OrderItem(order=order, item=item, item_due_date=item.due_date) for item in rows)
            if order.replied_on is None and order.due_date < today:
                flagged.extend(item.pk for item in rows if rng.random() >= UNFLAGGED_SHARE)
        OrderItem.objects.bulk_create(links, batch_size=BATCH_SIZE)
        for start in range(0, len(flagged), BATCH_SIZE):
            RectificationItem.objects.filter(pk__in=flagged[start : start + BATCH_SIZE]).update(
                interview_due_since=today - dt.timedelta(days=1)
            )

    def newly_overdue(self, count: int) -> int:
        """Make ``count`` open items not yet due fall due yesterday, as a day brings."""
        pks = list(
            RectificationItem.objects.filter(status=ItemStatus.OPEN, due_date__gte=self.today)
            .order_by("?")
            .values_list("pk", flat=True)[:count]
        )
        RectificationItem.objects.filter(pk__in=pks).update(due_date=self.today - dt.timedelta(days=1))
        return len(pks)


class Command(BaseCommand):
    help = "Time the ledger list, the ledger's Excel export and the daily ledger scan on a generated district."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=50_000, help="ledger items at the larger size")
        parser.add_argument("--baseline", type=int, default=5_000, help="ledger items at the smaller size (0: skip)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--requests", type=int, default=9, help="page requests per figure (the median is shown)")
        parser.add_argument("--rounds", type=int, default=5, help="export writes per figure (the fastest is shown)")
        parser.add_argument(
            "--export-seconds",
            type=float,
            default=5.0,
            help="more export writes until each writer has run about this long (small sizes need more rounds)",
        )

    def say(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, items, baseline, seed, requests, rounds, export_seconds, **options):
        sizes = sorted({size for size in (baseline, items) if size > 0})
        today = timezone.localdate()
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(",")[0]
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        self.say(f"Database: {version}; {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
        # The URL configuration is imported on first use: not a cost of the first page measured.
        reverse("audits:item_list")
        self.say(f"Seed {seed}; today {today} (Beijing); sizes {', '.join(f'{size:,}' for size in sizes)} items")
        results = []
        try:
            with transaction.atomic(), history_context(command="benchmark_audits"):
                ledger = BenchmarkLedger(seed=seed, today=today)
                ledger.build()
                for size in sizes:
                    results.append(self._measure_size(ledger, size, requests, rounds, export_seconds))
                raise Rollback
        except Rollback:
            pass
        self._summary(results)

    def _measure_size(
        self, ledger: BenchmarkLedger, size: int, requests: int, rounds: int, export_seconds: float
    ) -> dict:
        started = time.perf_counter()
        ledger.grow_to(size)
        generated = time.perf_counter() - started
        with connection.cursor() as cursor:
            for model in MODELS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        counts = {model.__name__: model.objects.count() for model in MODELS[:-1]}
        self.say(
            f"\n{size:,} items: generated (history triggers and seals included) in {generated:.1f} s; "
            + ", ".join(f"{count:,} {name}" for name, count in counts.items())
        )
        figures: dict = {"size": size, "scans": {}, "pages": {}}
        figures["scans"]["first"] = self._scan()
        self.say(f"  first scan          {self._scan_line(figures['scans']['first'])}")
        ledger.newly_overdue(NEWLY_OVERDUE)
        figures["scans"][f"{NEWLY_OVERDUE} newly overdue"] = scan = self._scan()
        self.say(f"  {NEWLY_OVERDUE} newly overdue   {self._scan_line(scan)}")
        figures["scans"]["nothing new"] = scan = self._scan()
        self.say(f"  nothing new         {self._scan_line(scan)}")

        town = ledger.towns[0]
        town_staff = ledger.staff[town.pk]
        office_pages = max(1, -(-RectificationItem.objects.count() // PAGE_SIZE))
        town_pages = max(1, -(-RectificationItem.objects.filter(town=town).count() // PAGE_SIZE))
        pages = {
            "office, page 1": (ledger.office, {}),
            "office, last page": (ledger.office, {"page": office_pages}),
            "office, overdue, one town": (ledger.office, {"overdue": "yes", "town": town.pk}),
            "town staff, page 1": (town_staff, {}),
            "town staff, last page": (town_staff, {"page": town_pages}),
        }
        for label, (user, query) in pages.items():
            figures["pages"][label] = seconds, queries = page_measure(
                reverse("audits:item_list"), user, query, requests=requests
            )
            self.say(f"  list: {label:<28} {seconds * 1000:7.1f} ms  {queries:3d} queries")

        figures["export"] = export = self._export(ledger.office, rounds, export_seconds)
        self.say(
            f"  export: {export['rows']:,} rows read by ledger_rows in {export['read']:.2f} s "
            f"({export['rows'] / export['read']:,.0f} rows/s); written by ledger_workbook_write "
            f"{export['ours_rate']:,.0f} rows/s, by a plain openpyxl write-only loop {export['raw_rate']:,.0f} rows/s "
            f"= {export['ours_rate'] / export['raw_rate']:.2f}x; read and written {export['end_rate']:,.0f} rows/s"
        )
        return figures

    def _scan(self) -> dict:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = ledger_scan()
            seconds = time.perf_counter() - started
        return {"seconds": seconds, "queries": len(queries), "result": result}

    @staticmethod
    def _scan_line(scan: dict) -> str:
        result = scan["result"]
        return (
            f"{scan['seconds']:6.2f} s {scan['queries']:4d} queries  orders {result.orders:,} "
            f"({result.ordered_items:,} items), interview flags {result.interview_flags:,}, look-back reminders "
            f"{result.look_back_reminders:,}, notifications {result.notifications:,}"
        )

    def _export(self, user, rounds: int, export_seconds: float) -> dict:
        started = time.perf_counter()
        rows = list(exports.ledger_rows(item_list(user=user)))
        read = time.perf_counter() - started
        timings: dict[str, list[float]] = {"ours": [], "raw": []}
        writers = {
            "ours": lambda: exports.ledger_workbook_write(rows, io.BytesIO(), unit="兰山区扶贫办"),
            "raw": lambda: _raw_workbook_write(rows, io.BytesIO()),
        }
        round_ = 0
        while round_ < rounds or (sum(timings["ours"]) < export_seconds and round_ < MAX_EXPORT_ROUNDS):
            # Alternated, each going first every other round, after a collection: both meet the same machine.
            for name in ("ours", "raw") if round_ % 2 == 0 else ("raw", "ours"):
                gc.collect()
                started = time.perf_counter()
                writers[name]()
                timings[name].append(time.perf_counter() - started)
            round_ += 1
        ours, raw = timings["ours"], timings["raw"]
        # The fastest of each: on a shared machine the load of other work only ever slows a round down.
        ours_seconds, raw_seconds = min(ours), min(raw)
        return {
            "rows": len(rows),
            "read": read,
            "ours_rate": len(rows) / ours_seconds,
            "raw_rate": len(rows) / raw_seconds,
            "end_rate": len(rows) / (read + ours_seconds),
        }

    def _summary(self, results: list[dict]) -> None:
        if not results:
            return
        self.say("\nSummary (scan: seconds / queries; list: median ms / queries; export: rows/s)")
        self.say(f"  {'':<36}" + "".join(f"{result['size']:>20,}" for result in results) + "  items")
        for kind in results[0]["scans"]:
            cells = "".join(
                f"{result['scans'][kind]['seconds']:>12.2f} s {result['scans'][kind]['queries']:>4d} q"
                for result in results
            )
            self.say(f"  {'scan: ' + kind:<36}{cells}")
        for label in results[0]["pages"]:
            cells = "".join(
                f"{result['pages'][label][0] * 1000:>11.1f} ms {result['pages'][label][1]:>4d} q" for result in results
            )
            self.say(f"  {'list: ' + label:<36}{cells}")
        for label, key in (
            ("export: ledger_workbook_write", "ours_rate"),
            ("export: plain openpyxl loop", "raw_rate"),
            ("export: read and written", "end_rate"),
        ):
            self.say(f"  {label:<36}" + "".join(f"{result['export'][key]:>14,.0f} rows/s" for result in results))
        ratios = "".join(
            f"{result['export']['ours_rate'] / result['export']['raw_rate']:>19.2f}x" for result in results
        )
        self.say(f"  {'export: ours / plain':<36}{ratios}")
        self.say("Everything written was rolled back.")


def _raw_workbook_write(rows: list[tuple], stream) -> None:
    """The yardstick: the same rows through openpyxl's write-only mode, with nothing else."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("ledger")
    for row in rows:
        sheet.append(row)
    workbook.save(stream)
