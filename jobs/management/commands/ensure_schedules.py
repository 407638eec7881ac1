from django.core.management.base import BaseCommand

from jobs.services import schedules_ensure


class Command(BaseCommand):
    help = "Create the default periodic tasks of jobs/schedules.py that are missing; existing ones are left as edited."

    def handle(self, *args, **options):
        created = schedules_ensure()
        for periodic_task in created:
            self.stdout.write(f"Created {periodic_task.name} ({periodic_task.task}).")
        if not created:
            self.stdout.write("Every default schedule exists already.")
