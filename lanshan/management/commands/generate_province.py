"""Fill the configured database with the province-scale data set of the dashboards' benchmark.

    python manage.py generate_province                      # 400,000 households, 1,000,000 members, ...
    python manage.py generate_province --scale 0.01         # a quick small run (a hundredth of every count)
    python manage.py generate_province --seed 7 --today 2026-12-06

The data set is ``lanshan.province``'s: seeded (the same seed and the same --today give the same rows), with dates
over the 24 months before --today (default: today). It is written in one transaction, with PostgreSQL's COPY, and
every constraint and trigger of the schema applies, the history triggers included. It is meant for a database of its
own: the command refuses a database that already holds households unless --force.
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from history.context import history_context
from history.tracking import history_plans_forget
from households.models import Household
from lanshan.province import ProvinceGenerator, Sizes, counts_of_data_set

DEFAULTS = Sizes()


class Command(BaseCommand):
    help = (
        "Generate the province-scale benchmark data set (seeded): towns and villages, households and members with "
        "valid ID numbers, cadres, data-quality problems, the funds chain, monthly reports, loans, projects with "
        "their income and yields, and ledger items. Every database constraint and trigger applies (the history "
        "triggers too). Refuses a database that already holds households unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20181017, help="seed of the random streams")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="the day dates run up to (default: today)"
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiply every count (not villages per town) by this"
        )
        for name in ("towns", "villages_per_town", "households", "members", "projects", "transfers", "loans"):
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(DEFAULTS, name))
        parser.add_argument("--ledger-items", type=int, default=DEFAULTS.ledger_items)
        parser.add_argument("--force", action="store_true", help="generate even if the database holds households")

    def say(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, seed, today, scale, force, **options):
        if scale <= 0:
            raise CommandError("--scale must be greater than 0.")
        if Household.objects.exists() and not force:
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} already holds "
                f"{Household.objects.count():,} households: use a database of its own, or --force to add to it."
            )
        sizes = Sizes(**{name: options[name] for name in Sizes.__dataclass_fields__}).scaled(scale)
        today = today or timezone.localdate()
        started = time.perf_counter()
        with transaction.atomic(), history_context(command="generate_province", seed=seed):
            history_plans_forget()
            made = ProvinceGenerator(sizes, seed=seed, today=today, say=self.say).run()
        generated = time.perf_counter() - started
        self.say(f"Committed in {generated:.1f} s; vacuuming and analysing the tables…")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # As autovacuum would leave them (a server may run without it, as the test machines here do): without
            # the visibility map, every index-only scan reads the table's rows too (a town's allocations filter:
            # 22,839 row fetches, 11 ms).
            # VACUUM cannot run inside a transaction (a caller's, as in the tests): there, the statistics only.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        self.say(f"Vacuumed and analysed in {time.perf_counter() - started:.1f} s.")
        self.say("\nMade (rows, seconds):")
        for item in made:
            self.say(f"  {item.label:<34} {item.rows:>11,} {item.seconds:8.1f} s")
        self.say(f"  {'total':<34} {sum(item.rows for item in made):>11,} {generated:8.1f} s")
        self.say("\nNow in the database:")
        for name, count in counts_of_data_set().items():
            self.say(f"  {name:<34} {count:>11,}")
