from django.core.management.base import BaseCommand

from audits.services.scan import ledger_scan
from funds.demo_data import demo_funds_load
from funds.services.overdue import overdue_scan
from history.context import history_context
from households.demo_data import demo_households_load
from households.models import QualityRun
from households.services.quality import quality_check_run, quality_run_create
from organisation.demo_data import DEMO_PASSWORD, demo_data_load
from projects.demo_data import demo_projects_load
from projects.services.yields import yield_assessment_run
from reporting.demo_data import demo_figures_load


class Command(BaseCommand):
    help = "Load Lanshan's towns, demo villages and one demo user per role (safe to run twice)."

    def handle(self, *args, **options):
        with history_context(command="load_demo_data"):
            logins = demo_data_load()
            households = demo_households_load()
            allocations = demo_funds_load()
            projects = demo_projects_load()
            jobs_ran = demo_jobs_run_once()
            figures = demo_figures_load()
        self.stdout.write(f"Demo households created: {households}")
        self.stdout.write(f"Demo allocations created: {allocations}")
        self.stdout.write(f"Demo projects created: {projects}")
        if jobs_ran:
            self.stdout.write(
                "The nightly and hourly jobs ran once: data-quality check, yield assessment, overdue scan, ledger scan"
            )
        self.stdout.write(f"Figures computed for the dashboards (12 months): {figures}")
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
