"""The production processes, started for real: gunicorn and Celery with ``lanshan.settings.production``, against
this run's test database and the test Redis, each in its own process with only the environment the deployment
guide (docs/deployment.md) lists."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
# The environment the deployment guide names; anything else of the test run's is left out.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def database_url(settings_dict: dict | None = None) -> str:
    """The URL of the database the tests run on (the test database, not the one DATABASE_URL names)."""
    database = settings_dict or connection.settings_dict
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(folder: Path, *, queue: str, **extra: str) -> dict[str, str]:
    """What a systemd unit of docs/deployment.md gives each process, pointed at the test database and Redis."""
    environment = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    environment.update(
        DJANGO_SETTINGS_MODULE="lanshan.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_RESULT_BACKEND=settings.CELERY_RESULT_BACKEND,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        DJANGO_STATIC_ROOT=str(folder / "static"),
        DJANGO_MEDIA_ROOT=str(folder / "media"),
        PYTHONUNBUFFERED="1",
    )
    environment.update(extra)
    return environment


def manage(environment: dict[str, str], *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """``manage.py`` with the production settings; its output is in the assertion message when it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"manage.py {' '.join(arguments)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


class Process:
    """A long-running command whose output goes to a file; stopped with SIGTERM (as systemd stops it)."""

    def __init__(self, name: str, command: list[str], environment: dict[str, str], folder: Path):
        self.name = name
        self.log = folder / f"{name}.log"
        with self.log.open("wb") as log:
            self.popen = subprocess.Popen(
                command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 30) -> int:
        if self.running():
            # The whole session: gunicorn's and Celery's child processes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
        return self.popen.returncode


def wait_for_port(process: Process, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.running(), f"{process.name} stopped before answering:\n{process.output()}"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise AssertionError(f"{process.name} did not answer on port {port} within {timeout} s:\n{process.output()}")


def wait_for_text(process: Process, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in process.output():
        assert time.monotonic() < deadline, f"{process.name} never logged {text!r}:\n{process.output()}"
        time.sleep(0.2)
