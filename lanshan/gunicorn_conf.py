"""Gunicorn's configuration for the district's server: ``gunicorn -c lanshan/gunicorn_conf.py lanshan.wsgi``.

Every figure comes from the environment (docs/deployment.md), read as the Django settings read theirs, so the
systemd unit (or the smoke test, tests/deploy) changes them without editing this file.
"""

import os

import environ

env = environ.Env()


def _cores() -> int:
    """The cores this process may run on (a container's or a cgroup's share, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Behind the proxy on the same machine; a second web machine binds its private address.
bind = env.list("GUNICORN_BIND", default=["127.0.0.1:8000"])
# One process a core, plus one to use a core while another process waits on PostgreSQL: a page spends most of its time
# on the web process's CPU (bin/loadtest: gunicorn about 1 core, PostgreSQL 0.3). Gunicorn's usual two a core plus one
# shared the cores among more requests at once, and the slowest waited longest: on 2 cores, 50 users at 19 requests/s,
# 5 processes missed p95 < 200 ms on 3-17 of 34 pages, 3 processes on 2 (README, "Load test").
workers = env.int("GUNICORN_WORKERS", default=_cores() + 1)
# More than one thread a process switches to the gthread worker: pages waiting on PostgreSQL share a process.
threads = env.int("GUNICORN_THREADS", default=1)
# A request still running after this many seconds has its process killed and restarted. Longer than the
# database's statement timeout, so a slow query is cancelled by PostgreSQL (a clean error) before that.
timeout = env.int("GUNICORN_TIMEOUT", default=60)
graceful_timeout = env.int("GUNICORN_GRACEFUL_TIMEOUT", default=30)
keepalive = env.int("GUNICORN_KEEPALIVE", default=5)
# A process is replaced after this many requests (0: never), so a slow leak cannot grow for weeks.
max_requests = env.int("GUNICORN_MAX_REQUESTS", default=2000)
max_requests_jitter = env.int("GUNICORN_MAX_REQUESTS_JITTER", default=200)
# Only these addresses may tell gunicorn the client's scheme and address (X-Forwarded-*): the proxy.
forwarded_allow_ips = env("GUNICORN_FORWARDED_ALLOW_IPS", default="127.0.0.1")
# The heartbeat file of each process on a memory file system, never a disk that can stall.
worker_tmp_dir = env("GUNICORN_WORKER_TMP_DIR", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
accesslog = env("GUNICORN_ACCESS_LOG", default="-")
# The combined log format, then how long the request took in the process (microseconds) and which process served it:
# a slow page seen by a user is either slow here or waited for a free process.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus pid=%(p)s'
errorlog = env("GUNICORN_ERROR_LOG", default="-")
loglevel = env("GUNICORN_LOG_LEVEL", default="info")
proc_name = "lanshan-web"


# The process's long-lived objects out of the full garbage collections' way (lanshan/long_lived.py): when the
# application is loaded, and again after some of the process's requests, between requests.
def post_worker_init(worker):
    from lanshan.long_lived import freeze_long_lived

    worker.log.info("Froze %d long-lived objects (process started)", freeze_long_lived())


def post_request(worker, req, environ, resp):
    from lanshan.long_lived import freeze_due, freeze_long_lived

    # worker.nr: the requests this process has served, the count gunicorn's max_requests reads.
    if freeze_due(worker.nr):
        worker.log.info("Froze %d long-lived objects (after %d requests)", freeze_long_lived(), worker.nr)
