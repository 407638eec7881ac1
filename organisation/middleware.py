"""Request guards every page shares.

``StatementTimeoutMiddleware``: no statement of a request runs longer than ``REQUEST_STATEMENT_TIMEOUT_MS``.

``RequestInputGuardMiddleware``: a NUL byte in a GET parameter (``?q=%00``) reached the database, which refuses it
(PostgreSQL text cannot hold NUL), and nine list pages answered 500. Such a request is answered 400 with the error
page (in the user's language) before any view runs: no page needs to check it."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import OperationalError, connection
from django.shortcuts import render
from psycopg.errors import QueryCanceled

logger = logging.getLogger(__name__)


class RequestInputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("A NUL byte in the query string.")
        return self.get_response(request)


class StatementTimeoutMiddleware:
    """Every statement a request runs is cancelled by PostgreSQL after ``REQUEST_STATEMENT_TIMEOUT_MS`` (0: no
    limit), and the request answered with the "took too long" page (503) instead of holding its connection: a
    full-district export once kept 97 abandoned requests open until PostgreSQL ran out of connections.

    The limit is set on the web process's database session once per connection (no query per request); Celery workers
    and management commands never pass here, so their long jobs keep no limit.

    The same session has PostgreSQL's JIT compilation off (``REQUEST_DATABASE_JIT``, default off): a page's query the
    planner over-estimates (a scope's ``IN`` subqueries) was compiled for 1-2 s to run for 0.1 s (the projects list of
    a village clerk on the province: 3.4 s, 0.15 s without JIT; bin/loadtest). Jobs and commands keep JIT for their
    long queries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _web_session_set(settings.REQUEST_STATEMENT_TIMEOUT_MS, jit=settings.REQUEST_DATABASE_JIT)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and isinstance(exception.__cause__, QueryCanceled):
            logger.warning("A statement of %s %s ran out of time and was cancelled.", request.method, request.path)
            return render(request, "timeout.html", status=503)
        return None


def _web_session_set(milliseconds: int, *, jit: bool) -> None:
    """The request's database session: its statement timeout (0: none, as PostgreSQL reads 0) and JIT on or off."""
    connection.ensure_connection()
    raw = connection.connection
    wanted = (milliseconds, jit)
    if getattr(raw, "lanshan_web_session", None) == wanted:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false), set_config('jit', %s, false)",
            [f"{int(milliseconds)}ms", "on" if jit else "off"],
        )
    raw.lanshan_web_session = wanted
