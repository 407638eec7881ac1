"""Production serving, for real: collectstatic, gunicorn and a Celery worker started as the systemd units of
docs/deployment.md start them (``lanshan.settings.production``, DEBUG off), on 127.0.0.1 and this run's test
database. A user logs in, reads a list, gets a static file from WhiteNoise and has an export written by the worker.

The requests say ``X-Forwarded-Proto: https`` as the proxy in front of gunicorn does (``SECURE_PROXY_SSL_HEADER``):
the site then sees HTTPS, so the SSL redirect, the secure cookies and CSRF's HTTPS checks all apply as in production.
"""

import gzip
import http.client
import re
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from jobs.models import JobRun, JobRunStatus
from reporting.models import SummaryBuild
from tests.deploy.production import (
    REPO,
    Process,
    free_port,
    manage,
    production_environment,
    wait_for_port,
    wait_for_text,
)
from tests.factories.households import MemberFactory

PASSWORD = "smoke-test-Passw0rd"


class Browser:
    """Just enough of a browser behind the HTTPS proxy: keeps cookies (secure ones too), sends the proxy's header."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, *, form: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": f"{self.origin}{path}",
                }
            )
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, content


@pytest.fixture
def served(tmp_path, private_queue, transactional_db):
    """collectstatic, then gunicorn (2 processes x 2 threads) and one Celery worker, all with the production
    settings; stopped (SIGTERM) before the test database is emptied."""
    port = free_port()
    environment = production_environment(
        tmp_path,
        queue=private_queue,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="2",
        GUNICORN_TIMEOUT="30",
    )
    # As the release steps of docs/deployment.md: Django's deployment checks pass, then the static files are collected.
    manage(environment, "check", "--deploy", "--fail-level", "WARNING")
    manage(environment, "collectstatic", "--noinput", "--verbosity", "0")
    web = Process(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "-c", "lanshan/gunicorn_conf.py", "lanshan.wsgi"],
        environment,
        tmp_path,
    )
    worker = Process(
        "worker",
        [sys.executable, "-m", "celery", "-A", "lanshan", "worker", "--concurrency", "1", "--loglevel", "INFO",
         "--hostname", f"smoke-{private_queue}@%h", "--without-gossip", "--without-mingle"],
        environment,
        tmp_path,
    )  # fmt: skip
    try:
        wait_for_port(web, port)
        wait_for_text(worker, "ready.")
        yield {"port": port, "web": web, "worker": worker, "static_root": tmp_path / "static"}
    finally:
        for process in (web, worker):
            process.stop()


@pytest.mark.celery_worker
def test_gunicorn_with_production_settings_serves_the_site_and_a_worker_runs_its_job(served, office_user, village):
    # given the district office, with a password production can check (PBKDF2), and two households
    staff = office_user
    staff.username = "smoke-office"
    staff.password = PBKDF2PasswordHasher().encode(PASSWORD, "smoke-salt", iterations=1000)
    staff.save(update_fields=["username", "password"])
    members = [MemberFactory(household__village=village), MemberFactory(household__village=village)]
    browser = Browser(served["port"])

    # when it opens the login page, then logs in
    response, login_page = browser.request("GET", "/login/")
    assert response.status == 200, login_page[:500]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1).decode()
    response, content = browser.request(
        "POST", "/login/", form={"username": "smoke-office", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    # then it is sent home with a session cookie that only travels over HTTPS
    assert (response.status, response.headers["Location"]) == (302, "/"), content[:1000]
    session_cookie = next(header for header in browser.set_cookie_headers if header.startswith("sessionid="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie

    # when it reads the household list
    response, content = browser.request("GET", "/households/")
    # then the list holds its town's households
    assert response.status == 200, content[:1000]
    for member in members:
        assert member.household.file_number in content.decode()

    # when a page that does not exist is asked for: DEBUG is off, so no URL list and no traceback
    response, content = browser.request("GET", "/no-such-page/")
    assert response.status == 404
    assert b"URLconf" not in content and b"Traceback" not in content

    # when the page's stylesheet and script are fetched, compressed
    response, content = browser.request("GET", "/static/vendor/htmx/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    # then WhiteNoise serves the collected file, gzipped, from the static root collectstatic filled
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(content) == (REPO / "static" / "vendor" / "htmx" / "htmx.min.js").read_bytes()
    assert (served["static_root"] / "vendor" / "htmx" / "htmx.min.js.gz").exists()

    # when it asks for this month's figures to be computed now (a job for the Celery worker)
    month = timezone.localdate().replace(day=1)
    response, _ = browser.request("GET", "/households/")
    response, content = browser.request(
        "POST",
        "/reporting/compute/",
        form={"month": f"{month:%Y-%m}", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
    )
    assert response.status == 302, content[:1000]
    # (the job status page's record of a run is written after the task returns: wait for that, not for the figures)
    deadline = time.monotonic() + 90
    runs = JobRun.objects.filter(task_name="reporting.tasks.build_figures_of_month", last_finished_at__isnull=False)
    while not runs.exists():
        assert time.monotonic() < deadline, f"no worker computed the figures:\n{served['worker'].output()}"
        time.sleep(0.3)
    # then the production worker ran it, the month's figures are computed, and the run's record says it succeeded
    assert SummaryBuild.objects.filter(month=month).exists()
    run = runs.get()
    assert (run.last_status, run.run_count) == (JobRunStatus.SUCCESS, 1)
    assert run.last_worker.startswith("smoke-")
    assert "reporting.tasks.build_figures_of_month" in served["worker"].output()

    # and each of the two web processes froze its long-lived objects once it had loaded (lanshan/long_lived.py)
    assert served["web"].output().count("long-lived objects (process started)") == 2, served["web"].output()
