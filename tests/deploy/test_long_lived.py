"""The web processes' freezing of their long-lived objects (lanshan/long_lived.py); the smoke test in
test_serving.py shows gunicorn calling it."""

import gc
import weakref

import pytest

from lanshan.long_lived import FREEZE_AFTER_REQUESTS, freeze_due, freeze_long_lived


class Node:
    def __init__(self):
        self.other = self


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezing_collects_the_garbage_first_and_freezes_what_is_alive(unfrozen):
    # given an object kept alive and a cycle nobody refers to any more
    kept = Node()
    dropped = Node()
    dropped_ref = weakref.ref(dropped)
    del dropped
    assert dropped_ref() is not None  # a cycle: only the collector frees it

    # when the process freezes its long-lived objects
    frozen = freeze_long_lived()

    # then the cycle was collected, not frozen for ever, and the live object is out of the collector's walks
    assert dropped_ref() is None
    assert frozen == gc.get_freeze_count() > 0
    assert not any(obj is kept for obj in gc.get_objects())
    # and a full collection leaves it alone
    gc.collect()
    assert kept.other is kept


def test_freezing_is_due_after_the_tenth_hundredth_and_thousandth_request_only():
    assert [count for count in range(1, 2001) if freeze_due(count)] == sorted(FREEZE_AFTER_REQUESTS) == [10, 100, 1000]
