"""The one way a job is sent (organisation.enqueue): a broker that refuses connections is reported to the caller,
never raised, and the waiting records each app registers are sent again by the sweep."""

import pytest
from django.utils import translation

from organisation import enqueue as enqueue_kit
from organisation.enqueue import enqueue, enqueue_on_commit, waiting_resend, waiting_resender
from organisation.tasks import recompute_deadlines

pytestmark = pytest.mark.django_db


def test_a_refused_send_calls_on_refused_with_the_chinese_message(broker_down):
    # given a broker that refuses connections
    told: list[str] = []
    # when a job is sent
    with translation.override("en"):
        sent = enqueue(recompute_deadlines, args=[[2026]], on_refused=told.append)
    # then it says so, in the site's language (Chinese), instead of raising
    assert sent is False
    assert len(told) == 1 and "后台任务服务" in told[0]


def test_a_refused_send_after_commit_is_no_error(broker_down, django_capture_on_commit_callbacks):
    told: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(recompute_deadlines, args=[[2026]], on_refused=told.append)
    assert told


def test_a_send_the_broker_takes_is_true(private_queue):
    told: list[str] = []
    assert enqueue(recompute_deadlines, args=[[2026]], on_refused=told.append, queue=private_queue) is True
    assert told == []


def test_the_sweep_runs_every_resender_even_after_one_fails(monkeypatch):
    monkeypatch.setattr(enqueue_kit, "_resenders", {})

    @waiting_resender("broken")
    def broken() -> int:
        raise RuntimeError("boom")

    @waiting_resender("fine")
    def fine() -> int:
        return 3

    assert waiting_resend() == {"broken": 0, "fine": 3}
