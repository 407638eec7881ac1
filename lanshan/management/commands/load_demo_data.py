import time

from django.core.management.base import BaseCommand

from audits.demo_data import demo_ledger_load
from audits.services.scan import ledger_scan
from funds.demo_data import demo_funds_load, demo_loans_load
from funds.services.overdue import overdue_scan
from history.context import history_context
from households.demo_data import demo_households_load
from households.models import QualityRun
from households.services.quality import quality_check_run, quality_run_create
from organisation.demo_data import DEMO_PASSWORD, demo_data_load
from partners.demo_data import demo_partners_load
from projects.demo_data import demo_projects_load
from projects.services.yields import yield_assessment_run
from reporting.demo_data import DEMO_MONTHS, demo_figures_load


class Command(BaseCommand):
    help = "Load Lanshan's towns, demo villages and one demo user per role (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--background-figures",
            action="store_true",
            help="Compute this month's and last month's figures now and send the ten months before to the worker "
            "(bin/demo, which starts one).",
        )
        parser.add_argument(
            "--figure-months",
            type=int,
            default=DEMO_MONTHS,
            help=f"Compute the figures of this many months, the latest first (default {DEMO_MONTHS}).",
        )

    def handle(self, *args, **options):
        clock = time.monotonic()

        def part(text: str) -> None:
            # One line per part as it ends, with its time: bin/demo shows them as its progress.
            nonlocal clock
            now = time.monotonic()
            self.stdout.write(f"{text} ({now - clock:.1f} s)")
            self.stdout.flush()
            clock = now

        with history_context(command="load_demo_data"):
            logins = demo_data_load()
            part(f"Towns, villages and demo users: {len(logins)} logins")
            part(f"Demo households created: {demo_households_load()}")
            part(f"Demo allocations created: {demo_funds_load()}")
            part(f"Demo loans created: {demo_loans_load()}")
            part(f"Demo projects created: {demo_projects_load()}")
            part(f"Demo partners created: {demo_partners_load()}")
            part(f"Demo ledger items raised and walked: {demo_ledger_load()}")
            if demo_jobs_run_once():
                part(
                    "The nightly and hourly jobs ran once: data-quality check, yield assessment, overdue scan, "
                    "ledger scan"
                )
            rows, sent = demo_figures_load(background=options["background_figures"], months=options["figure_months"])
            part(
                f"Figures computed for the dashboards: {rows}"
                + (f"; {sent} earlier months are being computed by the worker" if sent else "")
            )
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<20} {login.role.label} · {login.place}")


def demo_jobs_run_once() -> bool:
    """The demo's first load runs the jobs beat would have run by now, so that its pages tell a consistent story
    (quality problems found, yields assessed, overdue transfers flagged and on the ledger) instead of waiting for the
    night. A second load runs none of them (the demo data change nothing the second time); False then."""
    if QualityRun.objects.exists():
        return False
    quality_check_run(run=quality_run_create())
    yield_assessment_run()
    overdue_scan()
    ledger_scan()
    return True
