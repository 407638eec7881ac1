"""Reads that may go to a read replica (docs/deployment.md, "Beyond one machine").

When ``DATABASES["replica"]`` is configured (``DATABASE_REPLICA_URL``), the dashboards, the monthly reports' pages,
the public page and the report and export jobs read from it, so the primary keeps its capacity for the writes.
Everything else reads from the primary, and so does any read that could see a write it depends on:

- only inside ``replica_reads()``: the middleware opens it for GET and HEAD requests of the views named in
  ``settings.REPLICA_READ_VIEWS``, a job around the part that only reads;
- never for a request that writes (POST, PUT, PATCH, DELETE), nor for the few seconds after one from the same browser
  (``REPLICA_PIN_SECONDS``, a cookie), so a user never sees a page older than their own last change;
- never after a write inside the block: the first write sends every later read of the block back to the primary;
- the session and the user are read from the primary before the block opens.

With no replica configured the router says nothing and every query goes to ``default``.
"""

import contextlib
import contextvars
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "lanshan_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class _Reads:
    wrote: bool = False


_replica_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads(*, caught_up: bool = False):
    """Reads inside the block go to the replica (when one is configured) until the block's first write.

    ``caught_up``: a job that has just written what it now reads (the monthly report after building the figures)
    first waits until the replica has replayed everything the primary had written, for at most
    ``REPLICA_CATCH_UP_SECONDS``; a replica still behind then leaves the whole block on the primary."""
    reads = _Reads()
    if caught_up and replica_configured() and not replica_wait_caught_up(settings.REPLICA_CATCH_UP_SECONDS):
        logger.warning("The read replica is behind the primary: this job reads from the primary.")
        reads.wrote = True
    token = _replica_reads.set(reads)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_wait_caught_up(timeout: float) -> bool:
    """Whether the replica replayed, within ``timeout`` seconds, all the primary had written when this was called."""
    with connections[DEFAULT_DB_ALIAS].cursor() as primary:
        primary.execute("SELECT pg_current_wal_insert_lsn()")
        (lsn,) = primary.fetchone()
    deadline = time.monotonic() + timeout
    with connections[REPLICA].cursor() as replica:
        while True:
            replica.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [lsn])
            if replica.fetchone()[0]:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)


def reading_from_replica() -> bool:
    reads = _replica_reads.get()
    return reads is not None and not reads.wrote and replica_configured()


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads in ``replica_reads()`` go to the replica; writes, migrations and every other read
    to ``default``."""

    def db_for_read(self, model, **hints):
        return REPLICA if reading_from_replica() else None

    def db_for_write(self, model, **hints):
        reads = _replica_reads.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from either may point to one from the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Opens ``replica_reads()`` around the GET and HEAD requests of ``settings.REPLICA_READ_VIEWS`` (URL names;
    ``namespace:*`` for every view of a namespace), unless the browser wrote in the last seconds. Sits after the
    authentication middleware; the session and the user are loaded from the primary first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_reads_token", None)
            if token is not None:
                _replica_reads.reset(token)
        if request.method not in SAFE_METHODS and replica_configured():
            # This browser just wrote: its next pages read the primary until the replica has surely caught up.
            response.set_cookie(
                PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            replica_configured()
            and request.method in SAFE_METHODS
            and PIN_COOKIE not in request.COOKIES
            and _named_for_replica(request.resolver_match)
        ):
            # From the primary: the session and the user a login or a password change may have just written.
            if hasattr(request, "user"):
                request.user.is_authenticated  # noqa: B018
            # Open until the response is made, its template rendered included (reset in __call__).
            request._replica_reads_token = _replica_reads.set(_Reads())
        return None


def _named_for_replica(match) -> bool:
    if match is None:
        return False
    names = settings.REPLICA_READ_VIEWS
    return match.view_name in names or any(f"{namespace}:*" in names for namespace in match.namespaces)
