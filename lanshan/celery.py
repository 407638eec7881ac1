import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lanshan.settings.local")

app = Celery("lanshan")
# Every CELERY_* Django setting configures the app; the schedules themselves live in jobs/schedules.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
