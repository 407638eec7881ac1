from django.core.management.base import BaseCommand

from funds.demo_data import demo_funds_load
from history.context import history_context
from households.demo_data import demo_households_load
from organisation.demo_data import DEMO_PASSWORD, demo_data_load
from projects.demo_data import demo_projects_load
from reporting.demo_data import demo_figures_load


class Command(BaseCommand):
    help = "Load Lanshan's towns, demo villages and one demo user per role (safe to run twice)."

    def handle(self, *args, **options):
        with history_context(command="load_demo_data"):
            logins = demo_data_load()
            households = demo_households_load()
            allocations = demo_funds_load()
            projects = demo_projects_load()
            figures = demo_figures_load()
        self.stdout.write(f"Demo households created: {households}")
        self.stdout.write(f"Demo allocations created: {allocations}")
        self.stdout.write(f"Demo projects created: {projects}")
        self.stdout.write(f"Figures computed for the dashboards (12 months): {figures}")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<20} {login.role.label} · {login.place}")
