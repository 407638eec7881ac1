"""The province-scale data set the dashboards are measured on (issue 12: "fast at province scale").

``ProvinceGenerator(sizes, seed=..., today=...).run()`` fills the configured database with a seeded, reproducible
province: by default 200 towns of 20 villages, 400,000 registered households with 1,000,000 members (valid GB 11643
ID numbers, unique), their status history, dibao enrolments, assistance cadres and data-quality problems; the funds
chain (allocations, holdings, about 200,000 transfers with sent and received dates at every hop, some overdue, the
villages' payment requests), the towns' monthly fund-usage reports and microcredit loans with their instalments and
repayments; 20,000 industry projects with their villages, status moves, investments, income records, yield
assessments, rectification plans, property-right confirmations and the towns' industrial parks; and 50,000 ledger
items made the way ``benchmark_audits`` makes them. Dates lie in the 24 months before ``today``.

The same seed and the same ``today`` give the same data set, row for row: each part draws from its own seeded
stream, so a change to one part leaves the others as they were.

Rows are written with PostgreSQL's COPY in batches, with their primary keys taken from the tables' own sequences
first (so the rows that refer to them are written the same way). Every constraint and trigger applies as to any
other write, the history triggers included: each batch is one statement, so one seal of the history chain.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from decimal import ROUND_DOWN, Decimal
from functools import cache
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Model

from audits.management.commands.benchmark_audits import BenchmarkLedger
from audits.models import RectificationItem
from funds.choices import Hop, LoanStatus, PaymentRequestStatus, RepaymentInterval, ReportStatus, RiskBand, Unit
from funds.models import (
    Allocation,
    FundsPolicy,
    Holding,
    Installment,
    Loan,
    MonthlyReport,
    PaymentRequest,
    Repayment,
    Transfer,
)
from funds.rules import days_late, loan_processing_deadline, report_deadline, transfer_deadline
from funds.selectors.loans import risk_band_for
from funds.services.loans import add_months, repayment_schedule
from history.tracking import history_plans_forget
from households.choices import (
    Health,
    HouseholdAttribute,
    HouseholdStatus,
    HousingStructure,
    LabourAbility,
    PovertyCause,
    Relation,
    ReturnCause,
    SchoolStage,
    WaterSource,
)
from households.id_numbers import id_check_character
from households.models import (
    Cadre,
    CadreAssignment,
    DibaoEnrolment,
    Household,
    Member,
    QualityProblem,
    StatusEvent,
)
from households.models.quality import ProblemClass
from households.quality_rules import RULES
from organisation.benchmarking import benchmark_district, benchmark_user
from organisation.models import Town, Village
from organisation.periods import month_end, month_start, next_month, previous_month, twelve_months_ending
from organisation.roles import Role
from organisation.workdays import WorkingCalendar
from projects.models import (
    Category,
    IndustrialPark,
    IndustryProject,
    Investment,
    InvestmentSource,
    PlanStatus,
    ProjectStatus,
    PropertyRightConfirmation,
    RectificationPlan,
    Remedy,
    StatusChange,
    YieldAssessment,
    YieldClass,
)
from projects.models import IncomeRecord as ProjectIncome
from projects.rules import classify, yield_rate

BEIJING = ZoneInfo("Asia/Shanghai")
# Rows per COPY statement: one statement is one seal of the history chain.
BATCH_SIZE = 20_000
WINDOW_MONTHS = 24
CENT = Decimal("0.01")
# The transfers one town's share of an allocation makes on average (to the town, on to the station, and to 1-5
# villages, fewer for the newest allocations): how many allocations a target number of transfers needs.
TRANSFERS_PER_SHARE = 4.3
SHARE_OF_TOWNS = 0.5  # of the towns each allocation is allotted to

SURNAMES = "王李张刘陈杨赵孙周吴徐马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN_NAMES = (
    "秀英",
    "桂兰",
    "建国",
    "志强",
    "玉梅",
    "春生",
    "海燕",
    "明",
    "军",
    "丽",
    "敏",
    "磊",
    "涛",
    "芳",
    "淑珍",
    "凤英",
    "金花",
    "长福",
    "广才",
    "德胜",
    "玉兰",
    "国庆",
    "红梅",
    "晓东",
    "春花",
    "振华",
    "立新",
    "秀兰",
    "文",
    "静",
    "伟",
    "强",
    "娟",
    "平",
    "刚",
    "霞",
    "勇",
    "艳",
    "杰",
    "鹏",
)
# Birthplace codes of the ID numbers: mostly the district's own, some of the neighbouring counties.
BIRTHPLACES = ("371302",) * 8 + ("371311", "371312", "371321", "371322", "371323", "371324", "371325", "371326")


@dataclass(frozen=True)
class Sizes:
    towns: int = 200
    villages_per_town: int = 20
    households: int = 400_000
    members: int = 1_000_000
    projects: int = 20_000
    transfers: int = 200_000
    loans: int = 20_000
    ledger_items: int = 50_000

    def scaled(self, scale: float) -> Sizes:
        """Every count times ``scale`` (the towns too, so a village keeps its size; villages per town stay)."""
        if scale == 1:
            return self
        return replace(
            self,
            **{
                item.name: max(1, round(getattr(self, item.name) * scale))
                for item in fields(self)
                if item.name != "villages_per_town"
            },
        )


@dataclass
class Made:
    label: str
    rows: int
    seconds: float


# -- writing rows ----------------------------------------------------------------------------------------------------


def ids_take(model: type[Model], count: int) -> int:
    """The first of ``count`` consecutive primary keys taken from ``model``'s sequence (1 when count is 0)."""
    if count <= 0:
        return 1
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
            [table, column, table, column, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


def batched(rows: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Table:
    """COPY of ``model``'s rows: each row gives ``fields`` in order; every other column gets its model default
    (evaluated once, so a ``timezone.now`` default is the same instant for the whole table)."""

    def __init__(self, model: type[Model], fields: list[str] | tuple[str, ...]):
        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        rest = [field for field in opts.concrete_fields if field.name not in fields and not field.primary_key]
        self.model = model
        self.defaults = tuple(field.get_default() for field in rest)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in [*given, *rest])
        self.sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"

    def copy(
        self,
        rows: Iterable[tuple],
        progress: Callable[[int], None] | None = None,
        *,
        analyze_after: int | None = None,
    ) -> int:
        """Write ``rows``; with ``analyze_after``, that many first, then analyse the table and have the session's
        plans made afresh (for a trigger whose query on the table must not be planned for an empty table)."""
        count = 0
        defaults = self.defaults
        rows = iter(rows)
        with connection.cursor() as cursor:
            if analyze_after:
                with cursor.copy(self.sql) as copy:
                    for row in itertools.islice(rows, analyze_after):
                        copy.write_row((*row, *defaults))
                        count += 1
                cursor.execute(f"ANALYZE {connection.ops.quote_name(self.model._meta.db_table)}")
                history_plans_forget()
            for chunk in batched(rows, BATCH_SIZE):
                with cursor.copy(self.sql) as copy:
                    for row in chunk:
                        copy.write_row((*row, *defaults))
                count += len(chunk)
                if progress:
                    progress(count)
        return count


# -- the generator ---------------------------------------------------------------------------------------------------


@dataclass
class HouseholdFacts:
    """What the later parts need of each household (kept in lists by position, not as model instances)."""

    ids: list[int]
    village: list[int]
    town: list[int]
    identified: list[dt.date]
    borrower: list[int]  # the member id of a working-age member (or the head)


class ProvinceGenerator:
    def __init__(
        self,
        sizes: Sizes,
        *,
        seed: int,
        today: dt.date,
        say: Callable[[str], None] = print,
    ):
        self.sizes = sizes
        self.seed = seed
        self.today = today
        self.say = say
        self.start = month_start(today)
        for _month in range(WINDOW_MONTHS - 1):
            self.start = previous_month(self.start)
        self.window_days = (today - self.start).days
        self.made: list[Made] = []
        self.calendar = WorkingCalendar.load()
        self.funds_policy = FundsPolicy.current()

    # -- helpers -----------------------------------------------------------------------------------------------------

    def rng(self, part: str) -> random.Random:
        """The seeded stream of one part of the data set."""
        return random.Random(f"{self.seed}:{part}")

    def step(self, label: str, write: Callable[[], int]) -> int:
        started = time.perf_counter()
        rows = write()
        seconds = time.perf_counter() - started
        self.made.append(Made(label, rows, seconds))
        rate = f"{rows / seconds:>10,.0f} rows/s" if seconds > 0 and rows else ""
        self.say(f"  {label:<34} {rows:>11,} rows {seconds:8.1f} s {rate}")
        return rows

    def progress(self, label: str, total: int) -> Callable[[int], None] | None:
        if total < 200_000:
            return None
        started = time.perf_counter()
        every = max(BATCH_SIZE, total // 5 // BATCH_SIZE * BATCH_SIZE)

        def report(count: int) -> None:
            if count % every == 0 and count < total:
                self.say(f"    {label}: {count:,} of {total:,} ({time.perf_counter() - started:.0f} s)")

        return report

    def day_in_window(self, rng: random.Random) -> dt.date:
        return self.start + dt.timedelta(days=rng.randint(0, self.window_days))

    def past_day(self, rng: random.Random, low: int, high: int) -> dt.date:
        """A day ``low`` to ``high`` days before today."""
        return self.today - dt.timedelta(days=rng.randint(low, high))

    @staticmethod
    def at(day: dt.date, hour: int = 9) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=BEIJING)

    @cache  # noqa: B019 - the generator lives for one command
    def transfer_due(self, hop: Hop, clock_start: dt.date):
        return transfer_deadline(hop, clock_start, calendar=self.calendar)

    # -- the whole data set ------------------------------------------------------------------------------------------

    def run(self) -> list[Made]:
        self.say(
            f"Province data set, seed {self.seed}, dates {self.start} to {self.today}: {self.sizes.towns:,} towns x "
            f"{self.sizes.villages_per_town} villages, {self.sizes.households:,} households, "
            f"{self.sizes.members:,} members, {self.sizes.projects:,} projects, about {self.sizes.transfers:,} "
            f"transfers, {self.sizes.loans:,} loans, {self.sizes.ledger_items:,} ledger items"
        )
        # Foreign keys are checked at the end of each statement rather than at the commit: a deferred check waits
        # in a queue that every later statement (each query of a row trigger too) walks, so a million pending
        # checks make the writing quadratic. Every check is made all the same. (Every deferrable constraint of the
        # schema is initially deferred: that is the mode given back at the end.)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            self.step("towns, villages and users", self.organisation)
            self.households_make()
            self.funds_make()
            self.projects_make()
            self.step("ledger items (benchmark_audits)", self.ledger)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return self.made

    # -- organisation ------------------------------------------------------------------------------------------------

    def organisation(self) -> int:
        prefix = self.town_prefix()
        self.prefix = prefix
        self.towns, villages = benchmark_district(
            towns=self.sizes.towns, villages_per_town=self.sizes.villages_per_town, prefix=prefix
        )
        self.villages_of = {town.pk: villages[town.pk] for town in self.towns}
        self.villages: list[Village] = [village for town in self.towns for village in villages[town.pk]]
        self.town_of_village = {village.pk: village.town_id for village in self.villages}
        self.office = benchmark_user("province-office", Role.DISTRICT_OFFICE)
        self.finance = benchmark_user("province-finance", Role.DISTRICT_FINANCE)
        self.staff = {
            town.pk: benchmark_user(f"province-{town.code}", Role.TOWN_STAFF, town=town) for town in self.towns
        }
        return len(self.towns) + len(self.villages) + 2 + len(self.staff)

    def town_prefix(self) -> str:
        """Six digits of town code from the seed; the next free ones when a data set of this seed is there already."""
        number = 900_000 + self.seed % 90_000
        while Town.objects.filter(code__startswith=str(number)).exists():
            number = 900_000 + (number - 900_000 + 1) % 100_000
        return str(number)

    # -- households --------------------------------------------------------------------------------------------------

    def households_make(self) -> None:
        self.step("households", self.households)
        self.step("household status changes", self.status_events)
        self.step("members", self.members)
        self.step("dibao enrolments", self.dibao)
        self.step("assistance cadres", self.cadres)
        self.step("cadre assignments", self.cadre_assignments)
        self.step("data-quality problems", self.quality_problems)

    def households(self) -> int:
        rng = self.rng("households")
        sizes = self.sizes
        total = sizes.households
        per_village, extra = divmod(total, len(self.villages))
        first = ids_take(Household, total)
        facts = HouseholdFacts(ids=[], village=[], town=[], identified=[], borrower=[])
        self.household_sizes: list[int] = []
        self.household_status: list[str] = []
        self.household_attribute: list[str] = []
        self.household_events: list[list[tuple[str, dt.date, str]]] = []
        self.household_cadre: list[bool] = []
        self.household_graded: list[bool] = []
        causes = [cause for cause in PovertyCause.values if cause != PovertyCause.OTHER]
        cause_weights = [30, 15, 10, 3, 4, 3, 10, 12, 6, 3, 4][: len(causes)]

        def rows() -> Iterator[tuple]:
            household_id = first
            for index, village in enumerate(self.villages):
                for number in range(1, per_village + (1 if index < extra else 0) + 1):
                    identified_year = rng.choice((2014, 2014, 2015, 2015, 2016))
                    identified = dt.date(identified_year, rng.randint(9, 11), rng.randint(1, 28))
                    status, status_since, events = self._status_history(rng, identified)
                    main_cause = rng.choices(causes, cause_weights)[0]
                    other = (
                        [rng.choice([cause for cause in causes if cause != main_cause])] if rng.random() < 0.4 else []
                    )
                    attribute = rng.choices(
                        (
                            HouseholdAttribute.ORDINARY,
                            HouseholdAttribute.DIBAO,
                            HouseholdAttribute.FIVE_GUARANTEE,
                            HouseholdAttribute.DIBAO_POOR,
                        ),
                        (70, 15, 5, 10),
                    )[0]
                    graded = rng.random() >= 0.04
                    grade = rng.choices(("A", "B", "C", "D"), (55, 38, 5, 2))[0] if graded else ""
                    # Most households were registered before the window opened; some are added month by month.
                    created = (
                        self.start - dt.timedelta(days=rng.randint(1, 600))
                        if rng.random() < 0.8
                        else self.day_in_window(rng)
                    )
                    facts.ids.append(household_id)
                    facts.village.append(village.pk)
                    facts.town.append(village.town_id)
                    facts.identified.append(identified)
                    self.household_status.append(status)
                    self.household_attribute.append(attribute)
                    self.household_events.append(events)
                    self.household_cadre.append(rng.random() >= 0.05)
                    self.household_graded.append(graded)
                    yield (
                        household_id,
                        f"S{village.code}{number:04d}",
                        village.pk,
                        f"{rng.randint(1, 9)}组",
                        f"{village.name}{rng.randint(1, 9)}组{rng.randint(1, 120)}号",
                        attribute,
                        main_cause,
                        other,
                        identified_year,
                        status,
                        status_since,
                        rng.random() >= 0.03,
                        Decimal(rng.randint(35, 180)),
                        rng.choices(HousingStructure.values, (10, 55, 25, 1, 4, 5))[0],
                        rng.randint(1965, 2016),
                        grade,
                        dt.date(rng.choice((2016, 2017, 2018)), rng.randint(1, 12), rng.randint(1, 28))
                        if graded
                        else None,
                        rng.choices(WaterSource.values, (80, 12, 3, 1, 2, 2))[0],
                        rng.random() < 0.03,
                        self.at(created),
                        self.at(max(created, status_since)),
                    )
                    household_id += 1

        table = Table(
            Household,
            (
                "id",
                "file_number",
                "village",
                "group",
                "address",
                "attribute",
                "main_cause",
                "other_causes",
                "year_identified",
                "status",
                "status_since",
                "food_and_clothing_secure",
                "house_area",
                "house_structure",
                "house_year_built",
                "housing_grade",
                "housing_appraised_on",
                "water_source",
                "drinking_water_difficult",
                "created_at",
                "updated_at",
            ),
        )
        count = table.copy(rows(), self.progress("households", total))
        self.facts = facts
        return count

    def _status_history(self, rng: random.Random, identified: dt.date) -> tuple[str, dt.date, list]:
        """The household's status now, since when, and its dated status changes (status, day, return cause)."""
        events = [(HouseholdStatus.NOT_OUT, identified, "")]
        status = rng.choices(
            (
                HouseholdStatus.NOT_OUT,
                HouseholdStatus.OUT_CONTINUING,
                HouseholdStatus.OUT_ENDED,
                HouseholdStatus.RETURNED,
                HouseholdStatus.MARGINAL,
            ),
            (18, 57, 14, 4, 7),
        )[0]
        in_window = rng.random() < 0.3
        first_day = identified + dt.timedelta(days=300)
        before_window = (self.start - first_day).days
        if in_window or before_window < 1:
            changed = self.day_in_window(rng)
        else:
            changed = first_day + dt.timedelta(days=rng.randint(0, before_window))
        later = min(self.today, changed + dt.timedelta(days=rng.randint(30, 400)))
        if status == HouseholdStatus.OUT_CONTINUING:
            events.append((status, changed, ""))
        elif status == HouseholdStatus.OUT_ENDED:
            events += [(HouseholdStatus.OUT_CONTINUING, changed, ""), (status, later, "")]
        elif status == HouseholdStatus.RETURNED:
            cause = rng.choice((ReturnCause.ILLNESS, ReturnCause.DISASTER))
            events += [(HouseholdStatus.OUT_CONTINUING, changed, ""), (status, later, cause)]
        elif status == HouseholdStatus.MARGINAL:
            events.append((status, changed, ""))
        return status, events[-1][1], events

    def status_events(self) -> int:
        facts = self.facts
        total = sum(len(events) for events in self.household_events)

        def rows() -> Iterator[tuple]:
            for household_id, events in zip(facts.ids, self.household_events, strict=True):
                for status, day, cause in events:
                    yield household_id, status, day, cause, self.at(day, 17)

        table = Table(StatusEvent, ("household", "status", "effective_on", "return_cause", "recorded_at"))
        count = table.copy(rows(), self.progress("status changes", total))
        del self.household_events
        return count

    def _member_counts(self) -> list[int]:
        """How many members each household has: 1 to 6, adding up to the members asked for."""
        rng = self.rng("household sizes")
        households = len(self.facts.ids)
        target = min(max(self.sizes.members, households), households * 6)
        sizes = rng.choices((1, 2, 3, 4, 5, 6), (20, 30, 24, 15, 8, 3), k=households)
        difference = target - sum(sizes)
        step = 1 if difference > 0 else -1
        while difference:
            index = rng.randrange(households)
            if 1 <= sizes[index] + step <= 6:
                sizes[index] += step
                difference -= step
        return sizes

    def members(self) -> int:
        rng = self.rng("members")
        facts = self.facts
        counts = self._member_counts()
        total = sum(counts)
        first = ids_take(Member, total)
        used: set[str] = set(Member.objects.values_list("id_number", flat=True)) if Member.objects.exists() else set()
        orders: dict[tuple[str, dt.date, int], int] = {}
        attribute = self.household_attribute
        reference_year = self.today.year

        def id_number(birth: dt.date, female: bool) -> str:
            while True:
                place = rng.choice(BIRTHPLACES)
                key = (place, birth, 0 if female else 1)
                taken = orders.get(key, rng.randrange(0, 40))
                orders[key] = taken + 1 + rng.randrange(0, 3)
                if taken >= 500:  # every sequence number of the day and place is taken: another place
                    continue
                body = f"{place}{birth:%Y%m%d}{taken * 2 + (0 if female else 1):03d}"
                number = body + id_check_character(body)
                if number not in used:
                    if used:
                        used.add(number)
                    return number

        def birth(year: int) -> dt.date:
            return dt.date(min(max(year, 1920), 2016), rng.randint(1, 12), rng.randint(1, 28))

        def rows() -> Iterator[tuple]:
            member_id = first
            for position, household_id in enumerate(facts.ids):
                size = counts[position]
                surname = rng.choice(SURNAMES)
                head_year = rng.randint(1940, 1990)
                head_female = rng.random() < 0.25
                people = [(Relation.HEAD, birth(head_year), head_female)]
                if size > 1 and rng.random() < 0.8:
                    people.append((Relation.SPOUSE, birth(head_year + rng.randint(-5, 5)), not head_female))
                while len(people) < size:
                    kind = rng.random()
                    if kind < 0.55:
                        female = rng.random() < 0.5
                        people.append(
                            (
                                Relation.DAUGHTER if female else Relation.SON,
                                birth(head_year + rng.randint(20, 34)),
                                female,
                            )
                        )
                    elif kind < 0.8 and head_year <= 1972:
                        female = rng.random() < 0.5
                        relation = Relation.GRANDDAUGHTER if female else Relation.GRANDSON
                        people.append((relation, birth(rng.randint(max(head_year + 42, 2000), 2016)), female))
                    elif kind < 0.9:
                        people.append((Relation.DAUGHTER_IN_LAW, birth(head_year + rng.randint(20, 32)), True))
                    else:
                        female = rng.random() < 0.6
                        people.append((Relation.PARENT, birth(head_year - rng.randint(20, 30)), female))
                # The borrower of a loan: the first member born 1966-1995 (of working age), else the head.
                borrower = None
                in_dibao = attribute[position] in (HouseholdAttribute.DIBAO, HouseholdAttribute.DIBAO_POOR)
                for relation, born, female in people:
                    number = id_number(born, female)
                    age = reference_year - born.year
                    health = rng.choices(Health.values, (76, 14, 5, 5))[0]
                    if borrower is None and 1966 <= born.year <= 1995:
                        borrower = member_id
                    yield (
                        member_id,
                        household_id,
                        surname + rng.choice(GIVEN_NAMES)
                        if relation != Relation.DAUGHTER_IN_LAW
                        else (rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)),
                        number,
                        relation,
                        "female" if female else "male",
                        born,
                        _school_stage(rng, age),
                        health,
                        rng.randint(1, 4) if health == Health.DISABLED else None,
                        _labour(rng, age, health),
                        16 <= age <= 60 and rng.random() < 0.3,
                        in_dibao,
                        rng.random() < 0.98,
                        age >= 16 and rng.random() < 0.85,
                        6 <= age <= 17 and rng.random() < 0.01,
                    )
                    member_id += 1
                facts.borrower.append(borrower if borrower is not None else member_id - len(people))

        table = Table(
            Member,
            (
                "id",
                "household",
                "name",
                "id_number",
                "relation",
                "sex",
                "birth_date",
                "school_stage",
                "health",
                "disability_grade",
                "labour_ability",
                "migrant_worker",
                "in_dibao",
                "medical_insurance",
                "pension_insurance",
                "dropout_risk",
            ),
        )
        count = table.copy(rows(), self.progress("members", total))
        self.household_sizes = counts
        return count

    def dibao(self) -> int:
        rng = self.rng("dibao")
        facts = self.facts

        def rows() -> Iterator[tuple]:
            for position, household_id in enumerate(facts.ids):
                if self.household_attribute[position] not in (HouseholdAttribute.DIBAO, HouseholdAttribute.DIBAO_POOR):
                    continue
                persons = self.household_sizes[position]
                yield (
                    household_id,
                    Decimal(rng.randint(200, 450)) * persons,
                    persons,
                    facts.identified[position] + dt.timedelta(days=rng.randint(0, 60)),
                )

        return Table(DibaoEnrolment, ("household", "monthly_amount", "persons", "starts_on")).copy(rows())

    def cadres(self) -> int:
        """One cadre for one to five households of a town (most help three to five); 5% of households have none."""
        rng = self.rng("cadres")
        facts = self.facts
        groups: list[tuple[int, list[int]]] = []  # (town id, household positions)
        by_town: dict[int, list[int]] = {}
        for position, town_id in enumerate(facts.town):
            if self.household_cadre[position]:
                by_town.setdefault(town_id, []).append(position)
        for town_id, positions in by_town.items():
            start = 0
            while start < len(positions):
                size = rng.choices((1, 2, 3, 4, 5), (5, 10, 25, 30, 30))[0]
                groups.append((town_id, positions[start : start + size]))
                start += size
        first = ids_take(Cadre, len(groups))
        town_names = {town.pk: town.name for town in self.towns}
        units = ("人民政府", "财政所", "经管站", "农业站", "卫生院", "中心小学", "派出所", "供电所")
        self.cadre_groups = [(first + index, positions) for index, (_town, positions) in enumerate(groups)]

        def rows() -> Iterator[tuple]:
            for index, (town_id, _positions) in enumerate(groups):
                yield (
                    first + index,
                    rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                    town_names[town_id] + rng.choice(units),
                    f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}",
                )

        return Table(Cadre, ("id", "name", "work_unit", "phone")).copy(rows())

    def cadre_assignments(self) -> int:
        rng = self.rng("cadre assignments")
        facts = self.facts

        def rows() -> Iterator[tuple]:
            for cadre_id, positions in self.cadre_groups:
                for position in positions:
                    starts = (
                        facts.identified[position] + dt.timedelta(days=rng.randint(10, 200))
                        if rng.random() < 0.9
                        else self.day_in_window(rng)
                    )
                    yield facts.ids[position], cadre_id, starts

        total = sum(len(positions) for _cadre, positions in self.cadre_groups)
        # The cadre-limit trigger counts each new row's cadre's households with a plan made on its first row: made
        # while the table's statistics say it is empty, that plan scans the whole table for every row. So a first
        # thousand rows are written, the table analysed and the session's plans forgotten, then the rest.
        table = Table(CadreAssignment, ("household", "cadre", "starts_on"))
        count = table.copy(rows(), self.progress("cadre assignments", total), analyze_after=1_000)
        del self.cadre_groups
        return count

    def quality_problems(self) -> int:
        """What the data-quality check would keep: every household without a cadre and every house never appraised
        (open), and a share of other rules' problems found over the window, half of them resolved since."""
        rng = self.rng("quality problems")
        facts = self.facts
        rules = {rule.code: rule for rule in RULES}
        household_rules = [
            rule
            for code, rule in rules.items()
            if code not in {"cadre_missing", "housing_not_appraised", "id_number_invalid", "id_number_mismatch"}
        ]
        classes = {code: str(rule.problem_class) for code, rule in rules.items()}

        def problem(code: str, position: int, member_id: int | None, found: dt.date, resolved: dt.date | None):
            household_id = facts.ids[position]
            key = f"{code}:{household_id}" + (f":{member_id}" if member_id else "")
            found_at = self.at(found, 2)
            return (
                key,
                code,
                classes.get(code, ProblemClass.INFORMATION),
                facts.town[position],
                household_id,
                member_id,
                f"基准数据：{code}",
                found_at,
                found_at,
                self.at(resolved, 2) if resolved else None,
            )

        def rows() -> Iterator[tuple]:
            for position in range(len(facts.ids)):
                if not self.household_cadre[position] and "cadre_missing" in rules:
                    yield problem("cadre_missing", position, None, self.day_in_window(rng), None)
                if not self.household_graded[position] and "housing_not_appraised" in rules:
                    yield problem("housing_not_appraised", position, None, self.day_in_window(rng), None)
                if household_rules and rng.random() < 0.02:
                    found = self.day_in_window(rng)
                    resolved = found + dt.timedelta(days=rng.randint(1, 120)) if rng.random() < 0.5 else None
                    rule = rng.choice(household_rules)
                    yield problem(
                        rule.code, position, None, found, resolved if resolved and resolved <= self.today else None
                    )

        table = Table(
            QualityProblem,
            (
                "key",
                "rule",
                "problem_class",
                "town",
                "household",
                "member",
                "detail",
                "first_found_at",
                "last_found_at",
                "resolved_at",
            ),
        )
        return table.copy(rows())

    # -- funds -------------------------------------------------------------------------------------------------------

    def funds_make(self) -> None:
        self.funds_chain()
        self.step("monthly fund-usage reports", self.monthly_reports)
        self.loans_make()

    def funds_chain(self) -> None:
        """Allocations allotted to half the towns each; at each hop a transfer with its clock, due day, sending and
        receipt (most on time, some late, some not sent and overdue now); the stations' holdings and the villages'
        payment requests."""
        rng = self.rng("funds chain")
        towns = [town.pk for town in self.towns]
        shares_per_allocation = max(1, round(len(towns) * SHARE_OF_TOWNS))
        allocations = max(1, round(self.sizes.transfers / (shares_per_allocation * TRANSFERS_PER_SHARE)))
        first_allocation = ids_take(Allocation, allocations)
        allocation_rows, holdings, requests = [], [], []
        to_town, to_station, to_village = [], [], []
        for index in range(allocations):
            allocation_id = first_allocation + index
            received = self.start + dt.timedelta(days=self.window_days * index // allocations)
            allotted = Decimal(0)
            for town_id in sorted(rng.sample(towns, shares_per_allocation)):
                amount = Decimal(rng.randint(20, 400) * 5_000)
                allotted += amount
                town_transfer = self._transfer(rng, Hop.TO_TOWN, allocation_id, town_id, amount, received)
                to_town.append(town_transfer)
                if town_transfer["received_on"] is None:
                    continue
                holdings.append((allocation_id, town_id, Unit.TOWN_FINANCE, amount, amount))
                station = self._transfer(
                    rng, Hop.TO_STATION, allocation_id, town_id, amount, town_transfer["received_on"]
                )
                station["source"] = town_transfer
                to_station.append(station)
                if station["received_on"] is None:
                    continue
                committed = self._requests(rng, allocation_id, town_id, amount, station["received_on"], requests)
                holdings.append((allocation_id, town_id, Unit.STATION, amount, committed))
            year = received.year
            allocation_rows.append(
                (
                    allocation_id,
                    f"鲁财农指〔{year}〕{self.prefix}{index + 1:04d}号",
                    f"{year}年中央财政专项扶贫资金（第{index + 1}批）",
                    "山东省财政厅",
                    year,
                    (allotted * Decimal(rng.choice(("1", "1", "1.05", "1.1")))).quantize(CENT),
                    received,
                    allotted,
                    self.finance.pk,
                    self.at(received, 10),
                )
            )
        for request in requests:
            if request["transfer"] is not None:
                to_village.append(request["transfer"])
        transfers = [*to_town, *to_station, *to_village]
        first_transfer = ids_take(Transfer, len(transfers))
        for offset, transfer in enumerate(transfers):
            transfer["id"] = first_transfer + offset
        first_request = ids_take(PaymentRequest, len(requests))
        for offset, request in enumerate(requests):
            request["id"] = first_request + offset
        self.allocation_ids = [row[0] for row in allocation_rows]

        self.step(
            "allocations",
            lambda: Table(
                Allocation,
                (
                    "id",
                    "document_number",
                    "title",
                    "issued_by",
                    "year",
                    "amount",
                    "received_on",
                    "allotted",
                    "recorded_by",
                    "recorded_at",
                ),
            ).copy(allocation_rows),
        )
        self.step(
            "payment requests",
            lambda: Table(
                PaymentRequest,
                (
                    "id",
                    "village",
                    "allocation",
                    "project_name",
                    "purpose",
                    "amount",
                    "status",
                    "submitted_on",
                    "submitted_by",
                    "reviewed_on",
                    "reviewed_by",
                    "return_reason",
                ),
            ).copy(
                (
                    request["id"],
                    request["village"],
                    request["allocation"],
                    request["project_name"],
                    "产业项目建设资金",
                    request["amount"],
                    request["status"],
                    request["submitted_on"],
                    self.staff[request["town"]].pk,
                    request["reviewed_on"],
                    self.staff[request["town"]].pk if request["reviewed_on"] else None,
                    request["return_reason"],
                )
                for request in requests
            ),
        )
        transfer_fields = (
            "id",
            "allocation",
            "hop",
            "town",
            "village",
            "payment_request",
            "source",
            "amount",
            "sent_on",
            "voucher_number",
            "sent_by",
            "received_on",
            "received_by",
            "overdue_flagged_at",
            "days_late",
            "created_at",
            "clock_start",
            "due_date",
            "due_is_provisional",
        )

        def transfer_rows() -> Iterator[tuple]:
            for transfer in transfers:
                sender = self.finance.pk if transfer["hop"] == Hop.TO_TOWN else self.staff[transfer["town"]].pk
                source = transfer.get("source")
                request = transfer.get("request")
                yield (
                    transfer["id"],
                    transfer["allocation"],
                    transfer["hop"],
                    transfer["town"],
                    request["village"] if request else None,
                    request["id"] if request else None,
                    source["id"] if source else None,
                    transfer["amount"],
                    transfer["sent_on"],
                    f"PZ{transfer['id']:08d}" if transfer["sent_on"] else "",
                    sender if transfer["sent_on"] else None,
                    transfer["received_on"],
                    self.staff[transfer["town"]].pk if transfer["received_on"] else None,
                    transfer["flagged"],
                    transfer["days_late"],
                    self.at(transfer["clock_start"], 10),
                    transfer["clock_start"],
                    transfer["due"].due_date,
                    transfer["due"].provisional,
                )

        self.step(
            "transfers (every hop)",
            lambda: Table(Transfer, transfer_fields).copy(transfer_rows(), self.progress("transfers", len(transfers))),
        )
        self.step(
            "holdings",
            lambda: Table(Holding, ("allocation", "town", "unit", "received", "committed")).copy(holdings),
        )
        self.transfer_counts = {
            "to_town": len(to_town),
            "to_station": len(to_station),
            "to_village": len(to_village),
            "overdue": sum(1 for transfer in transfers if transfer["flagged"]),
        }

    def _transfer(
        self, rng: random.Random, hop: Hop, allocation_id: int, town_id: int, amount: Decimal, clock_start: dt.date
    ) -> dict:
        """One hop's transfer, whose clock started on ``clock_start``: sent on time (85%), late, or (2%) never."""
        due = self.transfer_due(hop, clock_start)
        allowed = max(0, (due.due_date - clock_start).days)
        draw = rng.random()
        if draw < 0.85:
            sent_on: dt.date | None = clock_start + dt.timedelta(days=rng.randint(min(1, allowed), allowed))
        elif draw < 0.98:
            sent_on = due.due_date + dt.timedelta(days=rng.randint(1, 40))
        else:
            sent_on = None
        received_on = sent_on + dt.timedelta(days=rng.randint(0, 3)) if sent_on else None
        if sent_on and sent_on > self.today:
            sent_on = received_on = None
        if received_on and received_on > self.today:
            received_on = None
        flagged = None
        if sent_on is None and due.due_date < self.today:
            flagged = self.at(due.due_date + dt.timedelta(days=1), 0).replace(minute=10)
        return {
            "hop": hop,
            "allocation": allocation_id,
            "town": town_id,
            "amount": amount,
            "clock_start": clock_start,
            "due": due,
            "sent_on": sent_on,
            "received_on": received_on,
            "flagged": flagged,
            "days_late": days_late(due.due_date, sent_on) if sent_on else None,
        }

    def _requests(
        self,
        rng: random.Random,
        allocation_id: int,
        town_id: int,
        amount: Decimal,
        station_received: dt.date,
        requests: list[dict],
    ) -> Decimal:
        """The villages' requests on what the station received: approved ones get their transfer; what is
        committed (approved) is returned."""
        villages = self.villages_of[town_id]
        chosen = rng.sample(villages, min(len(villages), rng.randint(1, 5)))
        weights = [rng.randint(1, 10) for _village in chosen]
        spendable = amount * Decimal("0.9")
        committed = Decimal(0)
        for village, weight in zip(chosen, weights, strict=True):
            part = (spendable * weight / sum(weights)).quantize(CENT, rounding=ROUND_DOWN)
            submitted = station_received + dt.timedelta(days=rng.randint(1, 45))
            reviewed = submitted + dt.timedelta(days=rng.randint(0, 7))
            returned = rng.random() < 0.05
            if part <= 0 or submitted > self.today:
                continue
            request = {
                "village": village.pk,
                "town": town_id,
                "allocation": allocation_id,
                "project_name": f"{village.name}产业项目",
                "amount": part,
                "submitted_on": submitted,
                "status": PaymentRequestStatus.SUBMITTED,
                "reviewed_on": None,
                "return_reason": "",
                "transfer": None,
            }
            if reviewed <= self.today:
                request["reviewed_on"] = reviewed
                if returned:
                    request["status"] = PaymentRequestStatus.RETURNED
                    request["return_reason"] = "预算明细不全，请补充后重新提交"
                else:
                    request["status"] = PaymentRequestStatus.APPROVED
                    committed += part
                    transfer = self._transfer(rng, Hop.TO_VILLAGE, allocation_id, town_id, part, reviewed)
                    transfer["request"] = request
                    request["transfer"] = transfer
            requests.append(request)
        return committed

    def monthly_reports(self) -> int:
        rng = self.rng("monthly reports")
        months = []
        month = self.start
        while month_end(month) < self.today:
            months.append(month)
            month = next_month(month)
        due_day = self.funds_policy.report_due_working_day
        deadlines = {
            month: report_deadline(month, due_working_day=due_day, calendar=self.calendar) for month in months
        }

        def rows() -> Iterator[tuple]:
            for town in self.towns:
                staff = self.staff[town.pk].pk
                for month in months:
                    due = deadlines[month]
                    draw = rng.random()
                    submitted: dt.date | None = due.due_date - dt.timedelta(days=rng.randint(0, 4))
                    if draw > 0.9:
                        submitted = due.due_date + dt.timedelta(days=rng.randint(1, 12))
                    if draw < 0.03 or (submitted and submitted > self.today):
                        submitted = None
                    reviewed = submitted + dt.timedelta(days=rng.randint(1, 6)) if submitted else None
                    if reviewed and reviewed > self.today:
                        reviewed = None
                    if submitted is None:
                        status = ReportStatus.DRAFT
                    elif reviewed is None:
                        status = ReportStatus.SUBMITTED
                    else:
                        status = ReportStatus.RETURNED if rng.random() < 0.04 else ReportStatus.ACCEPTED
                    flagged = None
                    if submitted is None and due.due_date < self.today:
                        flagged = self.at(due.due_date + dt.timedelta(days=1), 0).replace(minute=10)
                    yield (
                        town.pk,
                        month,
                        status,
                        "资金按计划拨付使用" if submitted else "",
                        submitted,
                        staff if submitted else None,
                        reviewed,
                        self.office.pk if reviewed else None,
                        "请补充项目明细" if status == ReportStatus.RETURNED else "",
                        flagged,
                        days_late(due.due_date, submitted) if submitted else None,
                        month_end(month),
                        due.due_date,
                        due.provisional,
                    )

        table = Table(
            MonthlyReport,
            (
                "town",
                "month",
                "status",
                "notes",
                "submitted_on",
                "submitted_by",
                "reviewed_on",
                "reviewed_by",
                "review_note",
                "overdue_flagged_at",
                "days_late",
                "clock_start",
                "due_date",
                "due_is_provisional",
            ),
        )
        return table.copy(rows())

    def loans_make(self) -> None:
        """Loans of distinct households, applied for over the last three years: most disbursed and being repaid on
        their schedule (some fell behind: the risk bands), some settled, a few undecided, approved or rejected."""
        rng = self.rng("loans")
        facts = self.facts
        count = min(self.sizes.loans, len(facts.ids))
        positions = sorted(rng.sample(range(len(facts.ids)), count))
        first = ids_take(Loan, count)
        working_days = self.funds_policy.loan_processing_working_days
        loans, installments, repayments = [], [], []
        for index, position in enumerate(positions):
            loan_id = first + index
            applied = self.past_day(rng, 0, 3 * 365)
            due = loan_processing_deadline(applied, working_days=working_days, calendar=self.calendar)
            amount = Decimal(rng.randint(10, 50) * 1_000)
            term = rng.choice((12, 24, 36))
            interval = rng.choices(RepaymentInterval.values, (20, 30, 50))[0]
            draw = rng.random()
            decided = applied + dt.timedelta(days=rng.randint(1, 14))
            disbursed = decided + dt.timedelta(days=rng.randint(1, 10))
            behind = rng.random() < 0.08
            status = LoanStatus.DISBURSED
            if draw < 0.04 or decided > self.today:
                status = LoanStatus.APPLIED
            elif draw < 0.09:
                status = LoanStatus.REJECTED
            elif draw < 0.11 or disbursed > self.today:
                status = LoanStatus.APPROVED
            loan = {
                "id": loan_id,
                "household": facts.ids[position],
                "borrower": facts.borrower[position],
                "town": facts.town[position],
                "amount": amount,
                "term": term,
                "interval": interval,
                "applied": applied,
                "due": due,
                "status": status,
                "decided": decided if status != LoanStatus.APPLIED else None,
                "disbursed": None,
                "maturity": None,
                "contract": "",
                "repaid": Decimal(0),
                "risk": RiskBand.NONE,
            }
            if status in (LoanStatus.DISBURSED,):
                loan["disbursed"] = disbursed
                loan["maturity"] = add_months(disbursed, term)
                loan["contract"] = f"XD{self.prefix}{index + 1:07d}"
                schedule = repayment_schedule(
                    amount=amount, term_months=term, interval=interval, disbursed_on=disbursed
                )
                stop = rng.randint(1, len(schedule)) if behind else len(schedule) + 1
                oldest_unpaid = None
                for number, (due_on, principal) in enumerate(schedule, start=1):
                    paid = Decimal(0)
                    if due_on <= self.today and number < stop:
                        paid = principal
                        paid_on = max(disbursed, due_on - dt.timedelta(days=rng.randint(0, 10)))
                        repayments.append((loan_id, paid_on, principal, self.staff[loan["town"]].pk))
                    elif due_on < self.today and oldest_unpaid is None:
                        oldest_unpaid = due_on
                    loan["repaid"] += paid
                    installments.append((loan_id, number, due_on, principal, paid))
                loan["risk"] = risk_band_for(oldest_unpaid, self.today)
                if loan["repaid"] == amount:
                    loan["status"] = LoanStatus.SETTLED
            loans.append(loan)

        def loan_rows() -> Iterator[tuple]:
            for loan in loans:
                staff = self.staff[loan["town"]].pk
                decided, due = loan["decided"], loan["due"]
                flagged = None
                if decided is None and due.due_date < self.today:
                    flagged = self.at(due.due_date + dt.timedelta(days=1), 0).replace(minute=10)
                risk = loan["risk"]
                yield (
                    loan["id"],
                    loan["household"],
                    loan["borrower"],
                    loan["amount"],
                    loan["term"],
                    loan["interval"],
                    "发展特色种养殖",
                    loan["status"],
                    decided,
                    staff if decided else None,
                    "不符合贷款条件" if loan["status"] == LoanStatus.REJECTED else "",
                    loan["contract"],
                    loan["disbursed"],
                    loan["maturity"],
                    loan["repaid"],
                    flagged,
                    days_late(due.due_date, decided) if decided else None,
                    risk,
                    self.at(self.today, 1) if risk != RiskBand.NONE else None,
                    staff,
                    self.at(loan["applied"], 10),
                    loan["applied"],
                    due.due_date,
                    due.provisional,
                )

        loan_fields = (
            "id",
            "household",
            "borrower",
            "amount",
            "term_months",
            "repayment_interval",
            "purpose",
            "status",
            "decided_on",
            "decided_by",
            "reject_reason",
            "contract_number",
            "disbursed_on",
            "maturity_on",
            "repaid",
            "overdue_flagged_at",
            "days_late",
            "risk_band",
            "risk_flagged_at",
            "recorded_by",
            "recorded_at",
            "clock_start",
            "due_date",
            "due_is_provisional",
        )
        self.step("microcredit loans", lambda: Table(Loan, loan_fields).copy(loan_rows()))
        self.step(
            "loan instalments",
            lambda: Table(Installment, ("loan", "number", "due_on", "principal", "paid")).copy(
                installments, self.progress("instalments", len(installments))
            ),
        )
        self.step(
            "loan repayments",
            lambda: Table(Repayment, ("loan", "paid_on", "amount", "recorded_by")).copy(
                repayments, self.progress("repayments", len(repayments))
            ),
        )

    # -- projects ----------------------------------------------------------------------------------------------------

    # The moves from a proposal to each status, in order, with the days each takes (low, high).
    PATH = (
        (ProjectStatus.PROPOSAL, 0, 0),
        (ProjectStatus.REVIEW, 10, 30),
        (ProjectStatus.PUBLICITY, 5, 20),
        (ProjectStatus.APPROVED, 7, 14),
        (ProjectStatus.CONSTRUCTION, 10, 60),
        (ProjectStatus.COMPLETED, 90, 300),
        (ProjectStatus.OPERATING, 10, 60),
    )
    STATUS_WEIGHTS = {
        ProjectStatus.PROPOSAL: 5,
        ProjectStatus.REVIEW: 3,
        ProjectStatus.PUBLICITY: 2,
        ProjectStatus.APPROVED: 4,
        ProjectStatus.CONSTRUCTION: 10,
        ProjectStatus.COMPLETED: 8,
        ProjectStatus.OPERATING: 62,
        ProjectStatus.SUSPENDED: 3,
        ProjectStatus.CONVERTED: 3,
    }

    def projects_make(self) -> None:
        self.step("industrial parks", self.parks)
        self.projects_plan()
        self.step("industry projects", self.projects)
        self.step("project villages", self.project_villages)
        self.step("project status changes", self.project_status_changes)
        self.step("project investments", self.investments)
        self.step("project income records", self.project_income)
        self.step("yield assessments", self.yield_assessments)
        self.step("rectification plans", self.rectification_plans)
        self.step("property-right confirmations", self.confirmations)

    def parks(self) -> int:
        rng = self.rng("parks")
        self.parks_of: dict[int, list[int]] = {}
        rows = []
        for town in self.towns:
            if rng.random() >= 0.7:
                continue
            for number in range(rng.choice((1, 1, 1, 2))):
                established = (
                    self.day_in_window(rng)
                    if rng.random() < 0.3
                    else self.start - dt.timedelta(days=rng.randint(30, 900))
                )
                rows.append(
                    (town.pk, f"{town.name}扶贫产业园{number + 1}", established, Decimal(rng.randint(50, 2_000)))
                )
        first = ids_take(IndustrialPark, len(rows))
        for offset, (town_id, *_rest) in enumerate(rows):
            self.parks_of.setdefault(town_id, []).append(first + offset)
        return Table(IndustrialPark, ("id", "town", "name", "established_on", "area_mu")).copy(
            (first + offset, *row) for offset, row in enumerate(rows)
        )

    def projects_plan(self) -> None:
        """Each project's status, town, dates along its path, investment and the yield it is made to have."""
        rng = self.rng("projects")
        statuses = list(self.STATUS_WEIGHTS)
        weights = list(self.STATUS_WEIGHTS.values())
        towns = self.towns
        plans = []
        for index in range(self.sizes.projects):
            status = rng.choices(statuses, weights)[0]
            reached = (
                ProjectStatus.OPERATING if status in (ProjectStatus.SUSPENDED, ProjectStatus.CONVERTED) else status
            )
            steps = []
            for path_status, low, high in self.PATH:
                steps.append((path_status, rng.randint(low, high)))
                if path_status == reached:
                    break
            if status in (ProjectStatus.SUSPENDED, ProjectStatus.CONVERTED):
                steps.append((status, rng.randint(60, 400)))
            span = sum(days for _status, days in steps)
            # Most operating projects have run for more than a year (a full year of yield behind them).
            back = rng.randint(0, 720) if rng.random() < 0.6 else rng.randint(720, 1_500)
            created = self.today - dt.timedelta(days=span + back)
            day, moves = created, []
            for path_status, days in steps:
                day += dt.timedelta(days=days)
                moves.append((path_status, day))
            town = rng.choice(towns)
            investment = Decimal(rng.randint(20, 600) * 5_000)
            yield_class = rng.choices(
                (YieldClass.MEETING, YieldClass.WEAK, YieldClass.IDLE, YieldClass.STRUGGLING), (76, 12, 5, 7)
            )[0]
            plans.append(
                {
                    "index": index,
                    "status": status,
                    "town": town,
                    "created": created,
                    "moves": moves,
                    "dates": dict(moves),
                    "investment": investment,
                    "parts": rng.choice((1, 1, 2, 3)),
                    "class": yield_class,
                    # What the operator agreed to pay: a struggling one pays less; a sound one agreed the floor.
                    "agreed": (investment * Decimal("0.08")).quantize(CENT)
                    if yield_class == YieldClass.STRUGGLING
                    else (investment * Decimal("0.06")).quantize(CENT)
                    if yield_class == YieldClass.MEETING and rng.random() < 0.3
                    else None,
                    "category": rng.choices(Category.values, (50, 15, 12, 8, 15))[0],
                    "villages": rng.sample(
                        self.villages_of[town.pk], min(len(self.villages_of[town.pk]), rng.choice((1, 1, 2)))
                    ),
                    "park": rng.choice(self.parks_of[town.pk])
                    if town.pk in self.parks_of and rng.random() < 0.3
                    else None,
                }
            )
        first = ids_take(IndustryProject, len(plans))
        for plan in plans:
            plan["id"] = first + plan["index"]
        self.project_plans = plans

    def projects(self) -> int:
        rng = self.rng("project rows")
        names = (
            "特色种植基地",
            "生态养殖场",
            "农产品加工厂",
            "乡村旅游民宿",
            "电商服务站",
            "光伏电站",
            "冷链仓储",
            "大棚蔬菜",
        )

        def rows() -> Iterator[tuple]:
            for plan in self.project_plans:
                dates = plan["dates"]
                status = plan["status"]
                registered = ProjectStatus.COMPLETED in dates
                number = plan["index"] + 1
                yield (
                    plan["id"],
                    f"XM{self.prefix}{number:06d}",
                    f"{plan['villages'][0].name}{rng.choice(names)}",
                    plan["category"],
                    plan["town"].pk,
                    plan["park"],
                    "建设标准化生产设施，带动贫困户增收",
                    f"{rng.randint(20, 500)}亩",
                    f"{plan['town'].name}人民政府",
                    plan["created"] + dt.timedelta(days=60),
                    plan["created"] + dt.timedelta(days=rng.randint(300, 540)),
                    status,
                    1 if ProjectStatus.REVIEW in dates else 0,
                    dates.get(ProjectStatus.CONSTRUCTION),
                    dates.get(ProjectStatus.COMPLETED),
                    dates.get(ProjectStatus.OPERATING),
                    plan["agreed"],
                    f"SZ{self.prefix}{number:06d}" if ProjectStatus.OPERATING in dates or registered else "",
                    f"ZC{self.prefix}{number:06d}" if registered else "",
                    dates[ProjectStatus.COMPLETED] + dt.timedelta(days=20) if registered else None,
                    self.staff[plan["town"].pk].pk,
                    self.at(plan["created"]),
                )

        table = Table(
            IndustryProject,
            (
                "id",
                "code",
                "name",
                "category",
                "town",
                "park",
                "content",
                "scale",
                "implementing_unit",
                "planned_start",
                "planned_completion",
                "status",
                "review_round",
                "construction_started_on",
                "completed_on",
                "operation_started_on",
                "agreed_annual_income",
                "three_assets_number",
                "asset_registration_number",
                "asset_registered_on",
                "created_by",
                "created_at",
            ),
        )
        return table.copy(rows())

    def project_villages(self) -> int:
        through = IndustryProject.villages.through
        quote = connection.ops.quote_name
        sql = f"COPY {quote(through._meta.db_table)} (industryproject_id, village_id) FROM STDIN"
        count = 0
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for plan in self.project_plans:
                for village in plan["villages"]:
                    copy.write_row((plan["id"], village.pk))
                    count += 1
        return count

    def project_status_changes(self) -> int:
        def rows() -> Iterator[tuple]:
            for plan in self.project_plans:
                user = self.staff[plan["town"].pk].pk
                previous = ""
                for status, day in plan["moves"]:
                    yield plan["id"], previous, status, day, user, self.at(day, 16)
                    previous = status

        total = sum(len(plan["moves"]) for plan in self.project_plans)
        table = Table(StatusChange, ("project", "from_status", "to_status", "changed_on", "changed_by", "recorded_at"))
        return table.copy(rows(), self.progress("status changes", total))

    def investments(self) -> int:
        """A project's investment from its approval: one to three parts by source, summing to its total."""
        rng = self.rng("investments")
        sources = InvestmentSource.values
        allocations = self.allocation_ids

        def rows() -> Iterator[tuple]:
            for plan in self.project_plans:
                approved = plan["dates"].get(ProjectStatus.APPROVED)
                if approved is None:
                    continue
                parts = plan["parts"]
                part = (plan["investment"] / parts).quantize(CENT, rounding=ROUND_DOWN)
                amounts = [part] * (parts - 1) + [plan["investment"] - part * (parts - 1)]
                for number, amount in enumerate(amounts):
                    source = sources[0] if number == 0 else rng.choice(sources)
                    yield (
                        plan["id"],
                        source,
                        amount,
                        approved + dt.timedelta(days=rng.randint(0, 30)),
                        rng.choice(allocations) if source == InvestmentSource.CENTRAL and rng.random() < 0.3 else None,
                    )

        return Table(Investment, ("project", "source", "amount", "invested_on", "allocation")).copy(rows())

    def project_income(self) -> int:
        """Quarterly payments for the quarters an operating project ran, as far back as two years, at the yield
        its class asks for (none for an idle one in the last year; below the agreed sum for a struggling one)."""
        rng = self.rng("project income")
        self.income_of: dict[int, list[tuple[dt.date, Decimal]]] = {}

        def rows() -> Iterator[tuple]:
            for plan in self.project_plans:
                operating = plan["dates"].get(ProjectStatus.OPERATING)
                if operating is None or plan["status"] != ProjectStatus.OPERATING:
                    continue
                investment, yield_class = plan["investment"], plan["class"]
                if yield_class == YieldClass.MEETING:
                    annual = investment * Decimal(rng.randint(65, 130)) / 1_000
                elif yield_class == YieldClass.WEAK:
                    annual = investment * Decimal(rng.randint(10, 55)) / 1_000
                elif yield_class == YieldClass.STRUGGLING:
                    annual = plan["agreed"] * Decimal(rng.randint(50, 90)) / 100
                else:
                    annual = investment * Decimal(rng.randint(20, 60)) / 1_000
                quarterly = (annual / 4).quantize(CENT)
                quarter = month_start(max(operating, self.today - dt.timedelta(days=730)))
                quarter = quarter.replace(month=(quarter.month - 1) // 3 * 3 + 1)
                received_list = self.income_of.setdefault(plan["id"], [])
                while True:
                    quarter_end = month_end(quarter.replace(month=quarter.month + 2))
                    received = quarter_end + dt.timedelta(days=rng.randint(1, 25))
                    if received > self.today:
                        break
                    idle_now = yield_class == YieldClass.IDLE and (self.today - received).days < 400
                    if quarter_end >= operating and quarterly > 0 and not idle_now:
                        received_list.append((received, quarterly))
                        yield (
                            plan["id"],
                            max(quarter, operating),
                            quarter_end,
                            quarterly,
                            received,
                            "合作社",
                            self.staff[plan["town"].pk].pk,
                            self.at(received, 11),
                        )
                    quarter = next_month(quarter_end)

        table = Table(
            ProjectIncome,
            ("project", "period_start", "period_end", "amount", "received_on", "payer", "recorded_by", "recorded_at"),
        )
        return table.copy(rows(), self.progress("income records", 200_000))

    def yield_assessments(self) -> int:
        """The monthly yield job's result for each of the last twelve months' ends: every project operating now
        that had a full year behind it, classified by ``projects.rules.classify``; the first one below the floor
        is flagged."""
        period_ends = []
        month = previous_month(self.today)
        for _month in range(12):
            period_ends.append(month_end(month))
            month = previous_month(month)
        period_ends.reverse()
        rows, self.flagged = [], []
        for plan in self.project_plans:
            operating = plan["dates"].get(ProjectStatus.OPERATING)
            if operating is None or plan["status"] != ProjectStatus.OPERATING:
                continue
            approved = plan["dates"][ProjectStatus.APPROVED]
            incomes = self.income_of.get(plan["id"], [])
            flagged = False
            for period_end in period_ends:
                period_start, _end = twelve_months_ending(period_end)
                if operating > period_start:
                    continue
                income = sum((amount for day, amount in incomes if period_start <= day <= period_end), Decimal(0))
                investment = plan["investment"] if approved <= period_end else Decimal(0)
                yield_class = classify(income, investment, plan["agreed"])
                flag = None
                if yield_class in (YieldClass.WEAK, YieldClass.IDLE, YieldClass.STRUGGLING) and not flagged:
                    flagged = True
                    flag = self.at(period_end + dt.timedelta(days=1), 2)
                rows.append(
                    [
                        None,
                        plan["id"],
                        period_end,
                        income,
                        investment,
                        yield_rate(income, investment),
                        yield_class,
                        self.at(period_end + dt.timedelta(days=1), 2),
                        flag,
                    ]
                )
                if flag:
                    self.flagged.append((plan, rows[-1]))
        first = ids_take(YieldAssessment, len(rows))
        for offset, row in enumerate(rows):
            row[0] = first + offset
        table = Table(
            YieldAssessment,
            (
                "id",
                "project",
                "period_end",
                "income",
                "investment",
                "yield_rate",
                "classification",
                "assessed_at",
                "flagged_at",
            ),
        )
        return table.copy((tuple(row) for row in rows), self.progress("assessments", len(rows)))

    def rectification_plans(self) -> int:
        """A plan for each flagged project: a draft, in progress (some past their deadline), or completed."""
        rng = self.rng("rectification plans")

        def rows() -> Iterator[tuple]:
            for plan, assessment in self.flagged:
                opened = assessment[8]
                draw = rng.random()
                status = (
                    PlanStatus.DRAFT if draw < 0.25 else PlanStatus.IN_PROGRESS if draw < 0.8 else PlanStatus.COMPLETED
                )
                deadline = opened.date() + dt.timedelta(days=rng.randint(60, 400))
                completed = min(self.today, opened.date() + dt.timedelta(days=rng.randint(30, 150)))
                started = status != PlanStatus.DRAFT
                yield (
                    plan["id"],
                    assessment[0],
                    rng.choice(Remedy.values) if started else "",
                    "一、核实经营情况；二、调整经营主体；三、追加投入" if started else "",
                    f"{plan['town'].name}人民政府" if started else "",
                    deadline if started else None,
                    status,
                    completed if status == PlanStatus.COMPLETED else None,
                    opened,
                )

        table = Table(
            RectificationPlan,
            (
                "project",
                "assessment",
                "remedy",
                "steps",
                "responsible_unit",
                "deadline",
                "status",
                "completed_on",
                "created_at",
            ),
        )
        return table.copy(rows())

    def confirmations(self) -> int:
        rng = self.rng("confirmations")

        def rows() -> Iterator[tuple]:
            for plan in self.project_plans:
                completed = plan["dates"].get(ProjectStatus.COMPLETED)
                if completed is None or rng.random() >= 0.75:
                    continue
                yield (
                    plan["id"],
                    f"QZ{self.prefix}{plan['index'] + 1:06d}",
                    min(self.today, completed + dt.timedelta(days=rng.randint(30, 120))),
                    "村集体",
                    self.staff[plan["town"].pk].pk,
                )

        return Table(
            PropertyRightConfirmation, ("project", "certificate_number", "confirmed_on", "owner", "recorded_by")
        ).copy(rows())

    # -- audits ------------------------------------------------------------------------------------------------------

    def ledger(self) -> int:
        ledger = ProvinceLedger(seed=self.seed, today=self.today, generator=self)
        ledger.grow_to(self.sizes.ledger_items)
        return ledger.items


class ProvinceLedger(BenchmarkLedger):
    """``benchmark_audits``' ledger (items, measures, notes, look-backs, the scan's orders) on the province's towns."""

    def __init__(self, *, seed: int, today: dt.date, generator: ProvinceGenerator):
        super().__init__(seed=seed, today=today)
        self.towns = generator.towns
        self.villages = generator.villages_of
        self.office: User = generator.office
        self.staff = generator.staff

    def grow_to(self, size: int) -> None:
        """The items, then each raised on the day its clock started (``benchmark_audits`` leaves them raised now,
        which a month's figures would count in the current month only)."""
        super().grow_to(size)
        table = connection.ops.quote_name(RectificationItem._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET raised_at = (clock_start + time '09:00') AT TIME ZONE 'Asia/Shanghai' "
                "WHERE town_id = ANY(%s) AND raised_at::date <> clock_start",
                [[town.pk for town in self.towns]],
            )


def _school_stage(rng: random.Random, age: int) -> str:
    if age < 3:
        return SchoolStage.NOT_IN_SCHOOL
    if age <= 5:
        return SchoolStage.PRESCHOOL if rng.random() < 0.8 else SchoolStage.NOT_IN_SCHOOL
    if age <= 11:
        return SchoolStage.PRIMARY
    if age <= 14:
        return SchoolStage.JUNIOR
    if age <= 17:
        return SchoolStage.VOCATIONAL if rng.random() < 0.3 else SchoolStage.SENIOR
    if age <= 21 and rng.random() < 0.3:
        return SchoolStage.HIGHER
    return SchoolStage.NOT_IN_SCHOOL


def _labour(rng: random.Random, age: int, health: str) -> str:
    if age < 16 or age > 65:
        return LabourAbility.NONE
    if health in (Health.SERIOUS, Health.DISABLED):
        return LabourAbility.LOST
    return LabourAbility.SKILLED if rng.random() < 0.2 else LabourAbility.ORDINARY


def counts_of_data_set() -> dict[str, int]:
    """The rows of each generated table now in the database (what the command prints at the end)."""
    models: tuple[type[Model], ...] = (
        Town,
        Village,
        Household,
        Member,
        StatusEvent,
        CadreAssignment,
        QualityProblem,
        Allocation,
        Transfer,
        PaymentRequest,
        Holding,
        MonthlyReport,
        Loan,
        Installment,
        IndustryProject,
        Investment,
        ProjectIncome,
        YieldAssessment,
        RectificationPlan,
        PropertyRightConfirmation,
        IndustrialPark,
    )
    return {model.__name__: model.objects.count() for model in models}
