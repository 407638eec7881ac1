"""The job status page names every job in Chinese: no Python task path, no English schedule name."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from jobs.schedules import DEFAULT_SCHEDULES, ON_DEMAND_TITLES
from jobs.services import job_run_finish

pytestmark = pytest.mark.django_db

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
    assert [task.name for task in PeriodicTask.objects.all() if task.name in html] == []
    # and each job is named in Chinese
    for title in ["任务进程心跳", "数据质量检查", "逾期扫描", "项目收益评估", "贫困户导入", "后台任务"]:
        assert title in html
