"""Who or what made a change, when it is not a web request.

The middleware names the user and URL of a request; every Celery task is named by the signal
handlers connected in ``history.apps``. Management commands and one-off jobs wrap their writes in
``history_context``::

    with history_context(command="import_households", file=path.name):
        ...

How pghistory 3.9 behaves, and what this module adds to it:

- One context per thread. A nested context does not stack: its metadata is merged into the
  outermost one, for good, and only the outermost exit ends the context.
- The metadata reaches the triggers through ``set_config(..., true)`` put in front of each
  statement, so it is local to the database transaction and outlives the ``with`` block: a write
  later in the same transaction, outside any context, would still carry it. Leaving the
  outermost context therefore clears it (``_forget_in_transaction``).
"""

from typing import Any

import pghistory
import psycopg
from celery import Task
from django.db import connection

from history.tracking import history_plans_forget


# Lower case like pghistory.context, which it extends: used as a ``with`` block or a decorator.
class history_context(pghistory.context):
    """Attach metadata (command, job, file...) to every history event written inside the block."""

    def __enter__(self):
        active = super().__enter__()
        # pghistory hands back a new context built on this one's metadata dict, or the outer one.
        self.outermost = active.metadata is self.metadata
        return active

    def __exit__(self, *exc):
        super().__exit__(*exc)
        if self.outermost:
            _forget_in_transaction()


def _forget_in_transaction() -> None:
    raw = connection.connection
    if raw is not None and raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pghistory.context_id', '', true),"
                " set_config('pghistory.context_metadata', '', true)"
            )


# The open context of each running task, by task id: entered at task_prerun, left at task_postrun,
# with the metadata of the context the task joined (None when the task opened its own).
_task_contexts: dict[str, tuple[history_context, dict[str, Any] | None, dict[str, Any]]] = {}


def task_context_enter(*, task_id: str, task: Task, **signal_kwargs) -> None:
    if not task.request.is_eager:
        # A worker's database session outlives the task: bulk writes must not reuse stale trigger plans.
        history_plans_forget()
    context = history_context()
    active = context.__enter__()
    # A task applied inside another context (an eager task in a request, a task calling another's
    # apply()) joins it; keep what the outer context said, to put it back when the task ends.
    outer_metadata = None if context.outermost else dict(active.metadata)
    pghistory.context(task=task.name, task_id=task_id)
    _task_contexts[task_id] = (context, outer_metadata, active.metadata)


def task_context_exit(*, task_id: str, **signal_kwargs) -> None:
    entry = _task_contexts.pop(task_id, None)
    if entry is None:
        return
    context, outer_metadata, metadata = entry
    if outer_metadata is not None:
        metadata.clear()
        metadata.update(outer_metadata)
    context.__exit__(None, None, None)
