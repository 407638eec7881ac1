"""The heartbeat a kit's job holds while it runs (the list export, ``organisation.exports``), without this app
importing the jobs app above it: the jobs app plugs its lease in when Django starts (``jobs.apps``, with
``jobs.heartbeat.beating``) and registers what a dead run of the kit's jobs leaves (``stale_handler``)."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

LeaseHolder = Callable[[str, int], AbstractContextManager]

_holder: LeaseHolder | None = None


def lease_holder_set(holder: LeaseHolder) -> None:
    """Called once by the jobs app: ``holder(kind, object_id)`` holds the run's lease while its block runs."""
    global _holder
    _holder = holder


def held(kind: str, object_id: int) -> AbstractContextManager:
    """The run's lease on (``kind``, ``object_id``) for a ``with`` block; none where the jobs app is not installed."""
    return _holder(kind, object_id) if _holder is not None else nullcontext()
