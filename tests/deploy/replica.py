"""A real streaming replica for the router's tests: a PostgreSQL primary of the test run's own (initdb on a free
port, loaded with the test database by pg_dump and pg_restore) and a hot standby made of it with ``pg_basebackup -R``,
started with ``pg_ctl`` from /usr/lib/postgresql/<server version>/bin (as the postgres user when run as root).

Why not a standby of the shared test cluster itself: it refuses replication connections (its pg_hba.conf has no
``replication`` line), and a test must not reconfigure a server other sessions use. The primary here is the same
PostgreSQL, with the same schema, migrations and rows as the test database.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.deploy.production import free_port


class ReplicaUnavailable(Exception):
    """The servers could not be started here: the tests skip, saying why."""


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], *, as_postgres: bool = True, timeout: int = 300) -> None:
    done = subprocess.run(
        _as_postgres(command) if as_postgres else command, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise ReplicaUnavailable(f"{' '.join(command)} failed: {done.stderr.strip()[-1500:]}")


def connect(port: int, dbname: str, **options) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname, **options)


def wait_until_caught_up(primary_port: int, replica_port: int, dbname: str, timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has written so far (its insert position: with
    synchronous_commit off a commit may not be written out yet)."""
    with connect(primary_port, dbname, autocommit=True) as primary:
        (lsn,) = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
    deadline = time.monotonic() + timeout
    with connect(replica_port, dbname, autocommit=True) as replica:
        while not replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]:
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica did not replay up to {lsn} within {timeout} s")
            time.sleep(0.05)


@contextlib.contextmanager
def streaming_pair(source: dict):
    """Start a primary holding ``source``'s database (a Django settings dict) and its streaming replica; yield their
    ports; stop both and delete their folders afterwards."""
    try:
        with connect(source.get("PORT") or 5432, source["NAME"]) as probe:
            major = probe.info.server_version // 10000
    except psycopg.Error as error:
        raise ReplicaUnavailable(f"the test database does not answer: {error}") from error
    binaries = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (binaries / "pg_ctl").exists():
        raise ReplicaUnavailable(f"no PostgreSQL {major} server binaries in {binaries}")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        raise ReplicaUnavailable("running as root without runuser: pg_ctl cannot be started as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="lanshan-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary_port, replica_port = free_port(), free_port()
    primary, replica = folder / "primary", folder / "replica"
    started = []
    try:
        _run([f"{binaries}/initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nmax_connections = 40\n"
                "shared_buffers = 32MB\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        _run([f"{binaries}/pg_ctl", "-D", str(primary), "-l", str(folder / "primary.log"), "-w", "-t", "60", "start"])
        started.append(primary)
        # The test database, as the test run made it, on the primary.
        dump = folder / "test-database.dump"
        environment = {"host": "127.0.0.1", "user": "postgres"}
        _run(["pg_dump", "-Fc", "-h", environment["host"], "-p", str(source.get("PORT") or 5432), "-U", "postgres",
              "-f", str(dump), source["NAME"]], as_postgres=False)  # fmt: skip
        if os.geteuid() == 0:
            shutil.chown(dump, "postgres", "postgres")
        with connect(primary_port, "postgres", autocommit=True) as server:
            server.execute(f'CREATE DATABASE "{source["NAME"]}" TEMPLATE template0')
        _run([f"{binaries}/pg_restore", "--exit-on-error", "--no-owner", "-h", "127.0.0.1", "-p", str(primary_port),
              "-U", "postgres", "-d", source["NAME"], str(dump)])  # fmt: skip
        # The standby: a base backup that writes its own primary_conninfo and standby.signal (-R).
        _run([f"{binaries}/pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
              "-D", str(replica), "-R", "-X", "stream", "--checkpoint=fast"])  # fmt: skip
        _run([f"{binaries}/pg_ctl", "-D", str(replica), "-l", str(folder / "replica.log"), "-w", "-t", "60",
              "-o", f"-p {replica_port}", "start"])  # fmt: skip
        started.append(replica)
        with connect(replica_port, source["NAME"]) as standby:
            if not standby.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                raise ReplicaUnavailable("the base backup started as a primary, not as a standby")
        yield {"primary": primary_port, "replica": replica_port, "name": source["NAME"], "folder": folder}
    finally:
        for data in reversed(started):
            with contextlib.suppress(ReplicaUnavailable, subprocess.TimeoutExpired):
                _run([f"{binaries}/pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
