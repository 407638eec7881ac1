"""Build the figures of the last twelve months and time the dashboards on them (issue 12: every dashboard page in
under 200 ms at the 95th percentile, with at most 15 queries).

    python manage.py generate_province                  # once, on a database of its own
    python manage.py benchmark_dashboards --requests 50

First each month's figures are built with ``reporting.services.summary.summary_build`` (oldest first; the time of
each is printed; ``--no-build`` measures the figures already stored). Then the district's, a town's and a village's
dashboard, and the lists of what needs action now that each dashboard loads after it, are requested through Django's
test client by a district office user, a town staff user and a village clerk: one warm-up request, then
``--requests`` timed ones; p50 and p95 are printed with the queries of one request, and whether the page meets the
goal. The town is the one with the most households, the village its largest.

The users are made in a transaction rolled back at the end; the built figures stay (they are what the nightly job
would have stored).
"""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from households.models import Household
from organisation.benchmarking import benchmark_user, page_timings, percentile
from organisation.models import Town, Village
from organisation.periods import previous_month
from organisation.roles import Role
from reporting.services.summary import summary_build

GOAL_P95_MS = 200
GOAL_QUERIES = 15


class Rollback(Exception):
    """Raised at the end so that the benchmark's users are rolled back."""


class Command(BaseCommand):
    help = (
        "Build the last twelve months' figures (summary_build, timed per month), then time the district's, a town's "
        "and a village's dashboard: p50 and p95 in ms and the queries per page, against the goal of < 200 ms p95 and "
        "<= 15 queries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50, help="timed requests per page (after one warm-up)")
        parser.add_argument("--months", type=int, default=12, help="months of figures to build, ending this one")
        parser.add_argument(
            "--no-build", dest="build", action="store_false", help="measure the figures already stored"
        )

    def say(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, requests, months, build, **options):
        if requests < 1:
            raise CommandError("--requests must be at least 1.")
        today = timezone.localdate()
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(",")[0]
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        self.say(f"Database {connection.settings_dict['NAME']}: {version}; {os.cpu_count()} CPUs, load average {load}")
        self.say(
            f"{Town.objects.count():,} towns, {Village.objects.count():,} villages, "
            f"{Household.objects.count():,} households; today {today}"
        )
        if build:
            self._build(today, months)
        # The planner's statistics of the figures, as autovacuum would bring them up to date after a build (a table
        # it believes empty is read with the plans of an empty table).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reporting_figurevalue, reporting_summarybuild")
        units = self._units()
        results = []
        try:
            with transaction.atomic():
                users = self._users(*units)
                for label, name, args, user in self._pages(*units, users):
                    try:
                        url = reverse(name, args=args)
                    except NoReverseMatch:
                        self.say(f"  {label:<36} not available: no URL named {name}")
                        continue
                    timings, queries = page_timings(url, user, {}, requests=requests)
                    result = (label, percentile(timings, 0.5) * 1000, percentile(timings, 0.95) * 1000, queries)
                    results.append(result)
                    self.say(f"  {label:<36} {self._cells(*result[1:])}")
                raise Rollback
        except Rollback:
            pass
        self._table(results, requests)

    def _build(self, today, months: int) -> None:
        month = today.replace(day=1)
        wanted = [month]
        for _month in range(months - 1):
            month = previous_month(month)
            wanted.append(month)
        self.say(f"\nBuilding the figures of {len(wanted)} months (summary_build):")
        started = time.perf_counter()
        for month in reversed(wanted):
            began = time.perf_counter()
            built = summary_build(month=month)
            self.say(f"  {month:%Y-%m}  {time.perf_counter() - began:7.2f} s  {built.rows:>8,} figures")
        self.say(f"  all     {time.perf_counter() - started:7.2f} s")

    def _units(self) -> tuple[Town, Village]:
        """The town with the most households, and its village with the most."""
        largest = (
            Household.objects.values("village__town", "village")
            .annotate(households=Count("id"))
            .order_by("-households", "village")
        )
        by_town: dict[int, int] = {}
        villages: dict[int, tuple[int, int]] = {}
        for row in largest:
            town_id = row["village__town"]
            by_town[town_id] = by_town.get(town_id, 0) + row["households"]
            villages.setdefault(town_id, (row["village"], row["households"]))
        if not by_town:
            town = Town.objects.order_by("code").first()
            village = Village.objects.filter(town=town).order_by("code").first() if town else None
            if town is None or village is None:
                raise CommandError("There are no towns with villages: run generate_province first.")
            return town, village
        town_id = max(by_town, key=lambda pk: (by_town[pk], -pk))
        return Town.objects.get(pk=town_id), Village.objects.get(pk=villages[town_id][0])

    def _users(self, town: Town, village: Village) -> dict[str, object]:
        return {
            "district": benchmark_user("dashboards-office", Role.DISTRICT_OFFICE),
            "town": benchmark_user("dashboards-town", Role.TOWN_STAFF, town=town),
            "village": benchmark_user("dashboards-village", Role.VILLAGE_CLERK, village=village),
        }

    def _pages(self, town: Town, village: Village, users: dict):
        self.say(f"\nPages (town {town.name}, village {village.name}): p50 / p95 ms, queries of one request")
        district, town_user, village_user = users["district"], users["town"], users["village"]
        return [
            ("district dashboard (district office)", "reporting:dashboard", [], district),
            ("town dashboard (district office)", "reporting:dashboard_town", [town.pk], district),
            ("town dashboard (town staff)", "reporting:dashboard_town", [town.pk], town_user),
            ("village dashboard (town staff)", "reporting:dashboard_village", [village.pk], town_user),
            ("village dashboard (village clerk)", "reporting:dashboard_village", [village.pk], village_user),
            ("district actions (district office)", "reporting:dashboard_actions", [], district),
            ("town actions (town staff)", "reporting:dashboard_town_actions", [town.pk], town_user),
            ("village actions (village clerk)", "reporting:dashboard_village_actions", [village.pk], village_user),
        ]

    @staticmethod
    def _cells(p50: float, p95: float, queries: int) -> str:
        meets = p95 < GOAL_P95_MS and queries <= GOAL_QUERIES
        return f"{p50:8.1f} {p95:8.1f} {queries:5d}   {'meets the goal' if meets else 'MISSES the goal'}"

    def _table(self, results: list, requests: int) -> None:
        if not results:
            self.say("\nNo page was measured.")
            return
        self.say(
            f"\nSummary ({requests} requests each after a warm-up; goal: p95 < {GOAL_P95_MS} ms and "
            f"<= {GOAL_QUERIES} queries)"
        )
        self.say(f"  {'page (user)':<36} {'p50 ms':>8} {'p95 ms':>8} {'query':>5}")
        for label, p50, p95, queries in results:
            self.say(f"  {label:<36} {self._cells(p50, p95, queries)}")
        missed = [label for label, _p50, p95, queries in results if p95 >= GOAL_P95_MS or queries > GOAL_QUERIES]
        if missed:
            self.say(f"{len(missed)} of {len(results)} pages miss the goal: {', '.join(missed)}.")
        else:
            self.say(f"All {len(results)} pages meet the goal.")
