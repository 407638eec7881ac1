"""A request's statement that runs too long is cancelled by PostgreSQL and answered with the "took too long" page
(503, in Chinese), instead of holding its connection; outside requests (workers, commands) there is no limit."""

import time

import pytest
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views import View

from lanshan.urls import urlpatterns as site_urlpatterns


class SlowView(LoginRequiredMixin, View):
    """A page whose query takes five seconds."""

    record_free = True

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return HttpResponse("done")


urlpatterns = [path("test-slow/", SlowView.as_view(), name="test_slow"), *site_urlpatterns]


@pytest.fixture
def fresh_connection():
    # The limit is set once per database session: a session of this test's own.
    connection.close()
    yield
    connection.close()


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_a_slow_statement_in_a_request_is_cancelled_with_the_timeout_page(
    client, office_user, settings, fresh_connection
):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 300
    client.force_login(office_user)
    # when a page's query runs longer than the limit
    started = time.monotonic()
    response = client.get("/test-slow/")
    took = time.monotonic() - started
    # then it is cancelled at the limit, and the page says so in Chinese
    assert took < 3
    assert response.status_code == 503
    page = response.content.decode()
    assert 'data-testid="error-timeout"' in page and "页面响应超时" in page
    # and the connection answers the next request at once
    assert client.get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_outside_a_request_there_is_no_limit(settings, fresh_connection, office_user, client):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 300
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SELECT pg_sleep(0.5)")


@pytest.mark.django_db(transaction=True)
def test_a_request_runs_its_statements_without_jit(client, office_user, settings, fresh_connection):
    settings.REQUEST_DATABASE_JIT = False
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 30_000
    # outside a request the server's setting holds (PostgreSQL's default: on)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
    # a request's database session has JIT off (a short query planned as costly was compiled for seconds)
    client.force_login(office_user)
    assert client.get("/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
