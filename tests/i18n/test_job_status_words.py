"""The job status page names every job in Chinese: no Python task path, no English schedule name."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_celery_beat.models import PeriodicTask

from jobs.schedules import DEFAULT_SCHEDULES, ON_DEMAND_TITLES
from jobs.services import job_run_finish

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TASK_PATH = re.compile(r"\b[a-z_]+\.tasks\.[a-z_]+\b")


def test_the_job_status_page_shows_no_task_path_and_no_english_job_name(client, office_user):
    # given every scheduled and on-demand job ran once, and a job nobody gave a title
    for task in [schedule.task for schedule in DEFAULT_SCHEDULES] + [*ON_DEMAND_TITLES, "audits.tasks.some_new_job"]:
        job_run_finish(task_name=task, finished_at=timezone.now(), succeeded=True)
    client.force_login(office_user)
    # when the district office opens the page in the default language
    html = client.get(reverse("jobs:status")).content.decode()
    # then no task path and no schedule's English name is shown
    assert TASK_PATH.findall(html) == []
    assert [task.name for task in PeriodicTask.objects.all() if f"<td>{task.name}<" in html] == []
    # and each job is named by its title in the catalogue's Chinese (tests/i18n checks the catalogue has it)
    with translation.override("zh-hans"):
        titles = [str(schedule.title) for schedule in DEFAULT_SCHEDULES] + [str(t) for t in ON_DEMAND_TITLES.values()]
        titles.append(gettext("Background job"))
    assert [title for title in titles if title not in html] == []


def test_every_job_has_a_chinese_title_in_the_catalogue():
    # given the catalogue
    catalog = polib.pofile(str(PO))
    # then every job's title is translated into Chinese
    with translation.override("en"):
        titles = [str(schedule.title) for schedule in DEFAULT_SCHEDULES] + [*map(str, ON_DEMAND_TITLES.values())]
    missing = [
        title for title in [*titles, "Background job"] if not (catalog.find(title) and catalog.find(title).msgstr)
    ]
    assert missing == []
