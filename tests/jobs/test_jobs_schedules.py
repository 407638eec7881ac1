from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import translation
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from jobs.schedules import DEFAULT_SCHEDULES, HEARTBEAT_TASK, DefaultSchedule
from jobs.services import schedules_ensure

pytestmark = pytest.mark.django_db


def test_migrate_leaves_every_default_schedule_in_the_database():
    # given the test database, migrated (post_migrate ran schedules_ensure)
    # then every declared schedule has its row
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert {schedule.name for schedule in DEFAULT_SCHEDULES} <= names


def test_schedules_ensure_creates_the_missing_rows_once():
    # given no periodic task at all
    PeriodicTask.objects.all().delete()
    # when the defaults are ensured twice
    first = schedules_ensure()
    second = schedules_ensure()
    # then the first call created one row per default and the second none
    assert sorted(task.name for task in first) == sorted(schedule.name for schedule in DEFAULT_SCHEDULES)
    assert second == []
    assert PeriodicTask.objects.count() == len(DEFAULT_SCHEDULES)


def test_heartbeat_runs_every_minute_and_history_checkpoint_hourly_in_shanghai_time():
    # given the defaults recreated from scratch
    PeriodicTask.objects.all().delete()
    schedules_ensure()
    # then
    heartbeat = PeriodicTask.objects.get(task=HEARTBEAT_TASK)
    assert (heartbeat.interval.every, heartbeat.interval.period) == (1, IntervalSchedule.MINUTES)
    checkpoint = PeriodicTask.objects.get(task="history.tasks.write_checkpoint")
    assert (checkpoint.crontab.minute, checkpoint.crontab.hour) == ("0", "*")
    assert str(checkpoint.crontab.timezone) == "Asia/Shanghai"


def test_schedules_ensure_never_overwrites_what_the_office_edited():
    # given the office moved the checkpoint to 02:30 and switched the heartbeat off
    checkpoint = PeriodicTask.objects.get(task="history.tasks.write_checkpoint")
    checkpoint.crontab = CrontabSchedule.objects.create(minute="30", hour="2", timezone="Asia/Shanghai")
    checkpoint.description = "moved by the office"
    checkpoint.save()
    PeriodicTask.objects.filter(task=HEARTBEAT_TASK).update(enabled=False)
    # when the defaults are ensured again (as after every migrate)
    created = schedules_ensure()
    # then nothing was created or changed
    assert created == []
    checkpoint.refresh_from_db()
    assert (checkpoint.crontab.minute, checkpoint.crontab.hour, checkpoint.description) == (
        "30",
        "2",
        "moved by the office",
    )
    assert not PeriodicTask.objects.get(task=HEARTBEAT_TASK).enabled


def test_a_schedule_needs_exactly_one_kind_of_timing():
    with pytest.raises(ValueError):
        DefaultSchedule(name="both", task="x", description="", crontab={"minute": "0"}, every=timedelta(minutes=5))
    with pytest.raises(ValueError):
        DefaultSchedule(name="neither", task="x", description="")


def test_ensure_schedules_command_reports_what_it_created(capsys):
    # given the heartbeat row was deleted
    PeriodicTask.objects.filter(task=HEARTBEAT_TASK).delete()
    # when the command runs
    call_command("ensure_schedules")
    # then it recreated just that one
    assert "Created heartbeat" in capsys.readouterr().out
    assert PeriodicTask.objects.filter(task=HEARTBEAT_TASK).count() == 1


def test_default_schedules_are_described_in_the_sites_language(db):
    PeriodicTask.objects.all().delete()
    with translation.override("en"):
        schedules_ensure()
    assert PeriodicTask.objects.get(task="jobs.tasks.heartbeat").description.startswith("每分钟一次")
