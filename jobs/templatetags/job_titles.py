"""The job status page names jobs in the site's language, never by their Python task path."""

from django import template
from django_celery_beat.models import PeriodicTask

from jobs.schedules import schedule_title, task_title

register = template.Library()


@register.filter
def job_title(task: str) -> str:
    return str(task_title(task))


@register.filter
def periodic_task_title(periodic_task: PeriodicTask) -> str:
    return str(schedule_title(periodic_task.name, periodic_task.task))
