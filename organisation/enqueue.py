"""Sending a job to the workers, the one way: a broker that refuses it never becomes an error page.

``transaction.on_commit(lambda: task.delay(...))`` raised after the record was committed when Redis was down:
the request answered 500 and the record stayed "queued" or "checking" for ever. Every job a request (or a job)
sends goes through ``enqueue`` instead: a refused send is logged, ``on_refused`` is told the message in the site's
language (the caller marks its record "waiting for the job service" with it), and ``False`` is returned.

What is left waiting is sent again by the beat sweep ``jobs.tasks.resend_waiting`` (declared in
``jobs/schedules.py``) and by a worker when it starts: each app that leaves records waiting registers, with
``waiting_resender``, one function that sends its waiting records again and returns how many it sent.
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# The errors a broker that is down or unreachable raises on a send (connection refused, name not resolved, timeout).
REFUSED_ERRORS: tuple[type[BaseException], ...] = (BrokerError, OSError)

WAITING_MESSAGE = gettext_lazy(
    "Waiting for the job service: it could not be reached, so this job has not started yet. It is sent again "
    "automatically as soon as the service is back."
)

Resender = Callable[[], int]
_resenders: dict[str, Resender] = {}


def waiting_message() -> str:
    """The waiting message in the site's language: stored text, whoever or whatever asked."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(WAITING_MESSAGE)


def enqueue(
    task: Any,
    *,
    args: Iterable[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    on_refused: Callable[[str], None] | None = None,
    on_sent: Callable[[], None] | None = None,
    **options: Any,
) -> bool:
    """Send ``task`` with ``args``/``kwargs`` (and Celery's ``options``: queue, countdown …); ``True`` once sent.

    A broker that refuses it is logged and ``on_refused(message)`` is called with the waiting message in the site's
    language; ``False`` is returned. Never raises for a broker that is down. ``on_sent()`` is called once it is sent
    (a page's "queued" message)."""
    try:
        if options:
            task.apply_async(args=list(args), kwargs=dict(kwargs or {}), **options)
        else:
            # The same send (``delay`` is ``apply_async`` without options), by the name tests and callers know.
            task.delay(*args, **dict(kwargs or {}))
    except REFUSED_ERRORS:
        logger.exception("The job %s could not be sent to the job service.", getattr(task, "name", task))
        if on_refused is not None:
            on_refused(waiting_message())
        return False
    if on_sent is not None:
        on_sent()
    return True


def enqueue_on_commit(
    task: Any,
    *,
    args: Iterable[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    on_refused: Callable[[str], None] | None = None,
    on_sent: Callable[[], None] | None = None,
    **options: Any,
) -> None:
    """``enqueue`` once the current transaction commits (at once outside one)."""
    frozen_args = list(args)
    frozen_kwargs = dict(kwargs or {})
    transaction.on_commit(
        lambda: enqueue(
            task, args=frozen_args, kwargs=frozen_kwargs, on_refused=on_refused, on_sent=on_sent, **options
        )
    )


def request_reporter(request: Any, sent_message: str | Any) -> dict[str, Callable[..., None]]:
    """The ``on_sent``/``on_refused`` pair of a page's "run now" button: the sent message as information, the waiting
    message as a warning (said once the request's transaction has committed, before the response is sent)."""
    from django.contrib import messages

    return {
        "on_sent": lambda: messages.info(request, sent_message),
        "on_refused": lambda message: messages.warning(request, message),
    }


def waiting_resender(name: str) -> Callable[[Resender], Resender]:
    """Register the function that sends an app's waiting records again (returns how many it sent); by name, so a
    module imported twice registers once."""

    def register(function: Resender) -> Resender:
        _resenders[name] = function
        return function

    return register


def waiting_resend() -> dict[str, int]:
    """Run every registered resender: what each sent again. One that fails is logged and the others still run."""
    sent: dict[str, int] = {}
    for name, resend in sorted(_resenders.items()):
        try:
            sent[name] = resend()
        except Exception:
            logger.exception("Sending the waiting jobs of %s again failed.", name)
            sent[name] = 0
    return sent


__all__ = [
    "REFUSED_ERRORS",
    "WAITING_MESSAGE",
    "enqueue",
    "enqueue_on_commit",
    "request_reporter",
    "waiting_message",
    "waiting_resend",
    "waiting_resender",
]
