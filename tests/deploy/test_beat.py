"""Beat exactly once: two beat processes started as the unit starts them (production settings), against this run's
test database; the second waits on the first one's PostgreSQL advisory lock and takes over only once it stopped."""

import sys
import time

import pytest

from lanshan.celery import app as celery_app
from tests.deploy.production import Process, production_environment, wait_for_text

HOLDS = "This beat holds the beat lock"
WAITS = "Another beat holds the beat lock"


@pytest.fixture
def beat_environment(tmp_path, private_queue, transactional_db):
    environment = production_environment(tmp_path, queue=private_queue, BEAT_LOCK_POLL_SECONDS="1")
    yield environment
    # The jobs the beats sent to this test's queue: nobody will run them.
    with celery_app.connection_for_write() as connection:
        connection.default_channel.client.delete(private_queue)


def beat(name, environment, folder) -> Process:
    command = ["celery", "-A", "lanshan", "beat", "--loglevel", "INFO", "--pidfile=", "--max-interval", "1"]
    return Process(name, [sys.executable, "-m", *command], environment, folder)


def test_a_second_beat_waits_for_the_first_and_takes_over_when_it_stops(beat_environment, tmp_path):
    # given a beat that holds the lock
    first = beat("beat-first", beat_environment, tmp_path)
    second = None
    try:
        wait_for_text(first, HOLDS)
        # when a second beat starts
        second = beat("beat-second", beat_environment, tmp_path)
        wait_for_text(second, WAITS)
        time.sleep(3)
        # then it waits, naming the first one, and sends nothing
        assert second.running(), second.output()
        assert HOLDS not in second.output()
        assert "Sending due task" not in second.output()
        assert "lanshan beat" in second.output()
        # when the first one stops, then the second takes over
        assert first.stop() is not None
        wait_for_text(second, HOLDS, timeout=30)
    finally:
        for process in (first, second):
            if process is not None:
                process.stop()
