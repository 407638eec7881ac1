"""Measure the overdue scan and the overdue list on a generated district, at two sizes in one run.

    python manage.py benchmark_funds --transfers 200000 --baseline 20000 --seed 1

A seeded, reproducible district (15 towns of 20 villages, their staff) gets ``--baseline`` transfers first and
then enough more to reach ``--transfers``; at each size the scan is timed and its queries counted three ways
(the first scan, which flags and notifies the tenth of the transfers that are overdue; the hourly scan that
finds a hundred newly overdue; a scan that finds nothing new), and the overdue list is requested through
Django's test client by a district office user and a town user. Everything runs in one transaction rolled
back at the end (history events and seals included): the database is left as it was found, empty or not.
While it writes it holds the history chain's lock, so other writers of tracked records wait: use a database of
your own.
"""

import datetime as dt
import os
import random
import time
import uuid
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funds.models import (
    Allocation,
    FundsPolicy,
    Hop,
    Installment,
    Loan,
    LoanStatus,
    MonthlyReport,
    PaymentRequest,
    PaymentRequestStatus,
    RepaymentInterval,
    ReportStatus,
    Transfer,
)
from funds.selectors.overdue import overdue_today, overdue_totals, overdue_transfer_list
from funds.services.overdue import overdue_scan
from funds.services.reports import monthly_reports_ensure
from funds.views.overdue import PAGE_SIZE
from history.context import history_context
from households.choices import LabourAbility, PovertyCause, Relation, Sex
from households.models import Household, Member
from notifications.models import Notification
from organisation.benchmarking import benchmark_district, benchmark_prefix, benchmark_user, page_measure
from organisation.roles import Role

TOWNS = 15
VILLAGES_PER_TOWN = 20
TRANSFERS_PER_ALLOCATION = 200
LOANS_PER_TRANSFERS = 20  # one loan for every 20 transfers
OVERDUE_SHARE = 0.10  # unsent after the due day
PENDING_SHARE = 0.10  # unsent, not yet due
LATE_SHARE = 0.05  # of the sent ones: sent after the due day (flagged then, days late kept)
HOURLY_NEW = 100  # transfers falling overdue between two hourly scans
TRANSFER_COLUMNS = (
    "id",
    "allocation_id",
    "hop",
    "town_id",
    "village_id",
    "payment_request_id",
    "source_id",
    "amount",
    "sent_on",
    "voucher_number",
    "received_on",
    "overdue_flagged_at",
    "days_late",
    "created_at",
    "clock_start",
    "due_date",
    "due_is_provisional",
)
REQUEST_COLUMNS = (
    "id",
    "village_id",
    "allocation_id",
    "project_name",
    "purpose",
    "amount",
    "status",
    "submitted_on",
    "submitted_by_id",
    "reviewed_on",
    "reviewed_by_id",
    "return_reason",
)


def _statement(sql: str) -> str:
    """What a statement does, in a few words (the history context's set_config prefix left out)."""
    words = " ".join(sql.split("true); ", 1)[-1].split()).replace('"', "")
    for marker in ("UPDATE ", "INSERT INTO ", "FROM "):
        if marker in words:
            return (marker + words.split(marker, 1)[1].split(" ", 1)[0]).strip()
    return words[:40]


class Rollback(Exception):
    """Raised at the end so that everything the benchmark wrote is rolled back."""


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def reserve_ids(model, count: int) -> int:
    """The first of ``count`` consecutive ids taken from the model's sequence, so COPY can write them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [model._meta.db_table, model._meta.db_table, count],
        )
        return cursor.fetchone()[0] - count + 1


def copy_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with connection.cursor() as cursor, cursor.copy(f"COPY {_table(model)} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class BenchmarkDistrict:
    """The generated district: towns, villages, staff, and funds records grown in steps from one seeded stream."""

    def __init__(self, *, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.today = today
        self.transfers = 0
        self.loans = 0
        self.allocation_number = 0

    # -- the organisation and its people ----------------------------------------------------------------------

    def build(self) -> None:
        self.towns, self.villages = benchmark_district(
            towns=TOWNS, villages_per_town=VILLAGES_PER_TOWN, prefix=benchmark_prefix("98")
        )
        self.office = benchmark_user("office", Role.DISTRICT_OFFICE)
        self.finance = benchmark_user("finance", Role.DISTRICT_FINANCE)
        self.town_users = {}
        for town in self.towns:
            for role in (Role.TOWN_FINANCE, Role.TOWN_STATION, Role.TOWN_STAFF):
                user = benchmark_user(f"{town.code}-{role}", role, town=town)
                self.town_users.setdefault(town.pk, {})[role] = user
        FundsPolicy.current()

    # -- funds records ------------------------------------------------------------------------------------------

    def grow_to(self, transfers: int) -> None:
        """Add allocations, payment requests, transfers and loans until there are ``transfers`` transfers."""
        count = transfers - self.transfers
        if count <= 0:
            return
        allocations = self._allocations(max(1, count // TRANSFERS_PER_ALLOCATION))
        chain_hops = min(count, len(allocations) * TOWNS * 2)
        village_hops = count - chain_hops
        requests = self._requests(allocations, village_hops)
        self._transfers(allocations, chain_hops, requests)
        self.transfers = transfers
        self._loans(transfers // LOANS_PER_TRANSFERS - self.loans)
        self.loans = transfers // LOANS_PER_TRANSFERS

    def _allocations(self, count: int) -> list[Allocation]:
        rows = []
        for _index in range(count):
            self.allocation_number += 1
            amount = Decimal(self.rng.randint(1_000_000, 50_000_000))
            rows.append(
                Allocation(
                    document_number=f"基准财农指〔{self.allocation_number:06d}〕号",
                    title="基准测试专项扶贫资金",
                    year=self.today.year,
                    amount=amount,
                    allotted=amount,
                    received_on=self.today - dt.timedelta(days=self.rng.randint(20, 540)),
                    recorded_by=self.finance,
                )
            )
        return Allocation.objects.bulk_create(rows, batch_size=1000)

    def _timing(self) -> dict:
        """A transfer's dates: overdue and unsent, pending, sent on time, or sent late (flagged then)."""
        draw = self.rng.random()
        if draw < OVERDUE_SHARE:
            due = self.today - dt.timedelta(days=self.rng.randint(1, 180))
            return {"due": due, "sent_on": None, "flagged": None, "days_late": None}
        if draw < OVERDUE_SHARE + PENDING_SHARE:
            due = self.today + dt.timedelta(days=self.rng.randint(0, 14))
            return {"due": due, "sent_on": None, "flagged": None, "days_late": None}
        due = self.today - dt.timedelta(days=self.rng.randint(0, 500))
        late = self.rng.randint(1, 20)
        if self.rng.random() < LATE_SHARE and due + dt.timedelta(days=late) <= self.today:
            flagged = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 5), tzinfo=dt.UTC)
            return {"due": due, "sent_on": due + dt.timedelta(days=late), "flagged": flagged, "days_late": late}
        return {
            "due": due,
            "sent_on": due - dt.timedelta(days=self.rng.randint(0, 7)),
            "flagged": None,
            "days_late": 0,
        }

    def _requests(self, allocations: list[Allocation], count: int) -> list[tuple]:
        """``count`` approved payment requests of villages (the TO_VILLAGE transfers' requests)."""
        first = reserve_ids(PaymentRequest, count) if count else 0
        rows, plan = [], []
        for index in range(count):
            allocation = self.rng.choice(allocations)
            town = self.rng.choice(self.towns)
            village = self.rng.choice(self.villages[town.pk])
            amount = Decimal(self.rng.randint(10_000, 2_000_000)) / 100
            timing = self._timing()
            approved_on = timing["due"] - dt.timedelta(days=7)
            station = self.town_users[town.pk][Role.TOWN_STATION].pk
            rows.append(
                (
                    first + index,
                    village.pk,
                    allocation.pk,
                    "基准项目",
                    "设备款",
                    amount,
                    PaymentRequestStatus.APPROVED.value,
                    approved_on - dt.timedelta(days=2),
                    station,
                    approved_on,
                    station,
                    "",
                )
            )
            plan.append((first + index, allocation, town, village, amount, timing))
        copy_rows(PaymentRequest, REQUEST_COLUMNS, rows)
        return plan

    def _transfers(self, allocations: list[Allocation], chain_hops: int, requests: list[tuple]) -> None:
        now = timezone.now()
        shares = chain_hops // 2
        first = reserve_ids(Transfer, chain_hops + len(requests))
        rows = []

        def row(pk, allocation, hop, town, amount, timing, *, village=None, request=None, source=None):
            sent_on = timing["sent_on"]
            clock_start = timing["due"] - dt.timedelta(days=7 if hop != Hop.TO_TOWN else 15)
            if sent_on is not None and sent_on < clock_start:
                sent_on = clock_start
            return (
                pk,
                allocation.pk,
                hop.value,
                town.pk,
                village.pk if village else None,
                request,
                source,
                amount,
                sent_on,
                "",
                sent_on,
                timing["flagged"],
                timing["days_late"],
                now,
                clock_start,
                timing["due"],
                False,
            )

        pk = first
        for share in range(shares):
            allocation = allocations[share // TOWNS]
            town = self.towns[share % TOWNS]
            amount = Decimal(self.rng.randint(100_000, 20_000_000)) / 100
            rows.append(row(pk, allocation, Hop.TO_TOWN, town, amount, self._timing()))
            # Each hop draws its own dates: the mix of overdue, pending and sent is what the scan meets.
            rows.append(row(pk + 1, allocation, Hop.TO_STATION, town, amount, self._timing(), source=pk))
            pk += 2
        for request, allocation, town, village, amount, timing in requests:
            rows.append(row(pk, allocation, Hop.TO_VILLAGE, town, amount, timing, village=village, request=request))
            pk += 1
        copy_rows(Transfer, TRANSFER_COLUMNS, rows)

    def _loans(self, count: int) -> None:
        """``count`` households with a loan each: a tenth applied (half of those past the limit), the rest being
        repaid in four quarterly instalments, a fifth of them behind."""
        if count <= 0:
            return
        start = Household.objects.count()
        villages = [village for town in self.towns for village in self.villages[town.pk]]
        households = Household.objects.bulk_create(
            (
                Household(
                    file_number=f"BMF{uuid.uuid4().hex[:6]}{start + index:08d}",
                    village=self.rng.choice(villages),
                    main_cause=PovertyCause.ILLNESS,
                    year_identified=2016,
                )
                for index in range(count)
            ),
            batch_size=2000,
        )
        members = Member.objects.bulk_create(
            (
                Member(
                    household=household,
                    name="基准借款人",
                    # County code 371398 is no real county: generated people never meet real ones.
                    id_number=f"371398{start + index:011d}X",
                    relation=Relation.HEAD,
                    sex=Sex.MALE,
                    birth_date=dt.date(1980, 1, 1),
                    labour_ability=LabourAbility.ORDINARY,
                )
                for index, household in enumerate(households)
            ),
            batch_size=2000,
        )
        recorder = self.town_users[self.towns[0].pk][Role.TOWN_STAFF]
        loans, schedules = [], []
        for household, member in zip(households, members, strict=True):
            received = self.today - dt.timedelta(days=self.rng.randint(1, 500))
            loan = Loan(
                household=household,
                borrower=member,
                amount=Decimal(self.rng.randint(5, 50)) * 1000,
                term_months=12,
                repayment_interval=RepaymentInterval.QUARTERLY,
                purpose="养殖",
                clock_start=received,
                due_date=received + dt.timedelta(days=9),
                recorded_by=recorder,
            )
            if self.rng.random() < 0.1:
                loan.clock_start = self.today - dt.timedelta(days=self.rng.randint(1, 20))
                loan.due_date = loan.clock_start + dt.timedelta(days=9)
            else:
                loan.status = LoanStatus.DISBURSED
                loan.decided_on = loan.disbursed_on = received + dt.timedelta(days=3)
                loan.decided_by = recorder
                loan.maturity_on = loan.disbursed_on + dt.timedelta(days=365)
                behind = self.rng.random() < 0.2
                schedules.append((loan, behind))
            loans.append(loan)
        Loan.objects.bulk_create(loans, batch_size=2000)
        instalments = []
        for loan, behind in schedules:
            for number in range(1, 5):
                due_on = loan.disbursed_on + dt.timedelta(days=91 * number)
                principal = loan.amount / 4
                paid = principal if due_on < self.today and not behind else Decimal("0.00")
                instalments.append(
                    Installment(loan=loan, number=number, due_on=due_on, principal=principal, paid=paid)
                )
        Installment.objects.bulk_create(instalments, batch_size=5000)

    def reports_submitted(self) -> None:
        """Every monthly report owed so far, submitted on its due day except the latest month's."""
        monthly_reports_ensure(today=self.today)
        latest = MonthlyReport.objects.order_by("-month").values_list("month", flat=True).first()
        if latest is not None:
            MonthlyReport.objects.filter(month__lt=latest, submitted_on__isnull=True).update(
                status=ReportStatus.SUBMITTED, submitted_on=F("due_date")
            )

    def unflag(self) -> None:
        """Back to "never scanned": the flags of what is still undone, the risk bands, the scan's notices."""
        Transfer.objects.filter(sent_on__isnull=True, overdue_flagged_at__isnull=False).update(overdue_flagged_at=None)
        MonthlyReport.objects.filter(submitted_on__isnull=True, overdue_flagged_at__isnull=False).update(
            overdue_flagged_at=None
        )
        Loan.objects.filter(decided_on__isnull=True, overdue_flagged_at__isnull=False).update(overdue_flagged_at=None)
        Loan.objects.exclude(risk_band=0).update(risk_band=0, risk_flagged_at=None)
        Notification.objects.filter(key__startswith="funds.").delete()

    def unflag_some(self, count: int) -> int:
        """Make ``count`` overdue transfers look newly overdue (unflagged, never notified), as an hour brings."""
        pks = list(
            Transfer.objects.filter(sent_on__isnull=True, overdue_flagged_at__isnull=False)
            .order_by("?")
            .values_list("pk", flat=True)[:count]
        )
        Transfer.objects.filter(pk__in=pks).update(overdue_flagged_at=None)
        Notification.objects.filter(key__in=[f"funds.transfer.overdue:{pk}" for pk in pks]).delete()
        return len(pks)


class Command(BaseCommand):
    help = "Time the overdue scan and the overdue list on a generated district (rolled back at the end)."

    def add_arguments(self, parser):
        parser.add_argument("--transfers", type=int, default=200_000, help="transfers at the larger size")
        parser.add_argument("--baseline", type=int, default=20_000, help="transfers at the smaller size (0: skip)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--requests", type=int, default=9, help="page requests per figure (the median is shown)")
        parser.add_argument(
            "--no-vacuum",
            action="store_true",
            help="skip the VACUUM ANALYZE of the tables written (dead rows of earlier rolled-back runs slow the scan)",
        )

    def say(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, transfers, baseline, seed, requests, no_vacuum, **options):
        sizes = sorted({size for size in (baseline, transfers) if size > 0})
        now = timezone.now()
        today = overdue_today(now)
        if not no_vacuum:
            self._vacuum()
        self._environment()
        # The URL configuration is imported on first use: not a cost of the first scan measured.
        reverse("funds:overdue_list")
        self.say(f"Seed {seed}; today {today} (Beijing); sizes {', '.join(f'{size:,}' for size in sizes)} transfers")
        results = []
        try:
            with transaction.atomic(), history_context(command="benchmark_funds"):
                district = BenchmarkDistrict(seed=seed, today=today)
                started = time.perf_counter()
                district.build()
                self.say(f"Towns, villages and {2 + 3 * TOWNS} staff: {time.perf_counter() - started:.1f} s")
                for size in sizes:
                    results.append(self._measure_size(district, size, now, requests))
                raise Rollback
        except Rollback:
            pass
        self._summary(results)

    def _vacuum(self):
        started = time.perf_counter()
        written = (Transfer, PaymentRequest, Loan, Installment, MonthlyReport, Household, Member, Notification)
        tables = [model._meta.db_table for model in written] + [
            model.pgh_event_model._meta.db_table for model in written if hasattr(model, "pgh_event_model")
        ]
        with connection.cursor() as cursor:
            for table in [*tables, "history_seal"]:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
        self.say(f"VACUUM ANALYZE of the {len(tables) + 1} tables it writes: {time.perf_counter() - started:.1f} s")

    def _environment(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(",")[0]
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        self.say(f"Database: {version}; {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")

    def _measure_size(self, district: BenchmarkDistrict, size: int, now: dt.datetime, requests: int) -> dict:
        started = time.perf_counter()
        district.grow_to(size)
        district.reports_submitted()
        generated = time.perf_counter() - started
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for model in (Transfer, PaymentRequest, Loan, Installment, MonthlyReport, Household, Notification):
                cursor.execute(f"ANALYZE {_table(model)}")
        analysed = time.perf_counter() - started
        overdue = Transfer.objects.filter(sent_on__isnull=True, due_date__lt=district.today).count()
        self.say(
            f"\n{size:,} transfers ({overdue:,} overdue unsent), {district.loans:,} loans: generated (history "
            f"triggers and seals included) in {generated:.1f} s = {size / generated:,.0f} transfers/s; "
            f"ANALYZE {analysed:.1f} s"
        )
        # The first scan twice on the same backlog: its flags' history one event per transfer as before, then one
        # sealed bulk event for the flag statement (issue 15 item 13).
        district.unflag()
        before = self._scan(now, per_row_history=True)
        self.say(f"  first scan, one history event per flagged transfer (before)  {self._scan_line(before)}")
        district.unflag()
        first = self._scan(now)
        self.say(f"  first scan, one sealed bulk event (after)  {self._scan_line(first)}")
        hourly_now = now + dt.timedelta(hours=1)
        district.unflag_some(HOURLY_NEW)
        hourly = self._scan(hourly_now)
        self.say(f"  hourly scan  {self._scan_line(hourly)}")
        idle = self._scan(hourly_now + dt.timedelta(minutes=5))
        self.say(f"  idle scan    {self._scan_line(idle)}")
        town = district.towns[0]
        pages = {
            "office, page 1": (district.office, {}),
            "office, page 40 (or the last)": (district.office, {"page": max(1, min(40, -(-overdue // PAGE_SIZE)))}),
            "office, >= 30 days, to villages": (district.office, {"min_days": 30, "hop": Hop.TO_VILLAGE}),
            "town finance office, page 1": (district.town_users[town.pk][Role.TOWN_FINANCE], {}),
        }
        page_figures = {}
        for label, (user, query) in pages.items():
            page_figures[label] = self._page(user, query, requests)
            seconds, queries, rows = page_figures[label]
            self.say(f"  list: {label:<34} {seconds * 1000:7.1f} ms  {queries:3d} queries  ({rows:,} rows match)")
        return {"size": size, "first": first, "hourly": hourly, "idle": idle, "pages": page_figures}

    def _scan(self, now: dt.datetime, *, per_row_history: bool = False) -> dict:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = overdue_scan(now=now, per_row_history=per_row_history)
            seconds = time.perf_counter() - started
        timed = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))
        return {
            "seconds": seconds,
            "queries": len(queries),
            "result": result,
            "sql_seconds": sum(float(query["time"]) for query in timed),
            "slowest": [(float(query["time"]), _statement(query["sql"])) for query in timed[:3]],
        }

    @staticmethod
    def _scan_line(scan: dict) -> str:
        result = scan["result"]
        slowest = "; ".join(f"{seconds:.2f} s {statement}" for seconds, statement in scan["slowest"])
        return (
            f"{scan['seconds']:6.2f} s  {scan['queries']:3d} queries  flagged: {result.transfers:,} transfers, "
            f"{result.reports:,} reports, {result.loan_applications:,} loan applications; risk bands raised "
            f"{result.risk_raised:,}; notifications written {result.notifications:,}\n"
            f"{'':15}SQL {scan['sql_seconds']:.2f} s, slowest: {slowest}"
        )

    def _page(self, user, query: dict, requests: int) -> tuple[float, int, int]:
        seconds, queries = page_measure(reverse("funds:overdue_list"), user, query, requests=requests)
        rows = overdue_totals(
            overdue_transfer_list(
                user=user,
                today=overdue_today(timezone.now()),
                hop=query.get("hop", ""),
                min_days=query.get("min_days"),
            )
        ).count
        return seconds, queries, rows

    def _summary(self, results: list[dict]) -> None:
        if not results:
            return
        self.say("\nSummary (scan: seconds / queries; list: median ms / queries)")
        header = f"  {'':<40}" + "".join(f"{result['size']:>20,}" for result in results)
        self.say(header + "  transfers")
        for kind in ("first", "hourly", "idle"):
            cells = "".join(
                f"{result[kind]['seconds']:>12.2f} s {result[kind]['queries']:>4d} q" for result in results
            )
            self.say(f"  {'scan: ' + kind:<40}{cells}")
        for label in results[0]["pages"]:
            cells = "".join(
                f"{result['pages'][label][0] * 1000:>11.1f} ms {result['pages'][label][1]:>4d} q" for result in results
            )
            self.say(f"  {'list: ' + label:<40}{cells}")
        self.say("Everything written was rolled back.")
