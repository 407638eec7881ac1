"""Settings shared by every environment; each value that differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
import pghistory
import pgtrigger
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "guardian",
    "pgtrigger",
    "pghistory",
    "django_celery_beat",
    "import_export",
    # Login throttling and lockout (AXES_* below).
    "axes",
    # The platform every domain stands on.
    "organisation",
    "history",
    "jobs",
    "notifications",
    # The four domains of the work plan.
    "households",
    "funds",
    "projects",
    "audits",
    # People and partners of points 15-18: departments, pairings, first secretaries, social forces, honours, training.
    "partners",
    # The district's view over the four: the figures, the dashboards and the monthly report.
    "reporting",
    # The project package itself, above every app: commands that compose the apps (the demo data).
    "lanshan",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A user's reach (towns and villages granted) is read once per request (organisation.scoping.reach_of).
    "organisation.scoping.ReachCacheMiddleware",
    # A signed-in user's pages and downloads are never cached (organisation.response_headers).
    "organisation.response_headers.NoStoreMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # The dashboards' and reports' GET requests read from the replica when one is configured (organisation.replica).
    "organisation.replica.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL byte in a GET parameter is a 400, before any view (organisation.middleware).
    "organisation.middleware.RequestInputGuardMiddleware",
    # No statement of a request runs longer than REQUEST_STATEMENT_TIMEOUT_MS; the "took too long" page instead.
    "organisation.middleware.StatementTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Attaches the user and URL to every history entry written while handling a request.
    "history.middleware.HistoryContextMiddleware",
    # Last: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lanshan.urls"
WSGI_APPLICATION = "lanshan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisation.context_processors.staff",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# PostgreSQL only: triggers (history, append-only tables) and row locks are part of the design.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/lanshan")}
# A request either saves everything it set out to save or nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# The longest a statement of a web request may run before PostgreSQL cancels it and the page says it took too long
# (organisation.middleware.StatementTimeoutMiddleware); 0: no limit. Workers and commands have none (exports and
# imports are jobs).
REQUEST_STATEMENT_TIMEOUT_MS = env.int("REQUEST_STATEMENT_TIMEOUT_MS", default=30_000)
# PostgreSQL's JIT compilation for a web request's statements (the same middleware): off, since a page's short query
# with an over-estimated plan was compiled for longer than it ran (bin/loadtest); jobs and commands keep the server's.
REQUEST_DATABASE_JIT = env.bool("REQUEST_DATABASE_JIT", default=False)
# A streaming replica of it, when there is one (docs/deployment.md, "Beyond one machine"): the pages and jobs that only
# read (REPLICA_READ_VIEWS, and the blocks a job marks with replica_reads()) read from it; everything else, and
# every request of a browser that wrote in the last REPLICA_PIN_SECONDS, reads from the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
DATABASE_ROUTERS = ["organisation.replica.ReplicaRouter"]
REPLICA_READ_VIEWS = [
    "reporting:dashboard",
    "reporting:dashboard_actions",
    "reporting:dashboard_town",
    "reporting:dashboard_town_actions",
    "reporting:dashboard_village",
    "reporting:dashboard_village_actions",
    "reporting:work_report_list",
    "reporting:work_report_detail",
    "public:*",
]
REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
# How long a job that reads what it just wrote waits for the replica to replay it before reading the primary instead.
REPLICA_CATCH_UP_SECONDS = env.float("DATABASE_REPLICA_CATCH_UP_SECONDS", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a login for a user name and address locked out after too many wrong passwords.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Object permissions are granted on towns and villages only, never to an anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "organisation.password_validation.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
# Wrong passwords (django-axes): after AXES_FAILURE_LIMIT for one user name from one address, that pair is locked out
# for AXES_COOLOFF_TIME (each further try restarts the wait); another address, or the user elsewhere, is unaffected.
# The failures are kept in the database, so every web worker counts the same; a good password resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The user's address behind the proxy: X-Forwarded-For's last entry, believed only from these addresses.
AXES_CLIENT_IP_CALLABLE = "organisation.client_address.client_address"
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
# Content-Security-Policy (django-csp): scripts only from our own static files (the vendored htmx, Bootstrap and
# ECharts, and static/js: no inline script or handler anywhere), nothing framed, forms sent to us only. Styles allow
# inline style attributes: the templates and the vendored scripts set them, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Personal data kept no longer than needed (beat jobs in jobs/schedules.py): an import's sheet and staged rows when it
# is not confirmed within IMPORT_UNCONFIRMED_KEEP_DAYS days, an export's file EXPORT_KEEP_DAYS days after it was made.
IMPORT_UNCONFIRMED_KEEP_DAYS = env.int("IMPORT_UNCONFIRMED_KEEP_DAYS", default=30)
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=30)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Money reads 2,000,000.00 through intcomma in Chinese too (lanshan/formats); USE_THOUSAND_SEPARATOR stays off.
FORMAT_MODULE_PATH = ["lanshan.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

# The nightly backup (lanshan.backups, docs/deployment.md): a folder on another disk than the database and MEDIA_ROOT,
# the newest BACKUP_KEEP kept and none older than BACKUP_KEEP_DAYS days (0 switches either rule off).
BACKUP_ROOT = env.path("DJANGO_BACKUP_ROOT", default=BASE_DIR / "var" / "backups")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=35)
# The client tools, at least the server's major version (Debian: /usr/lib/postgresql/<version>/bin/pg_dump).
BACKUP_PG_DUMP = env("BACKUP_PG_DUMP", default="pg_dump")
BACKUP_PG_RESTORE = env("BACKUP_PG_RESTORE", default="pg_restore")

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="lanshan-fupin@localhost")
# The address users reach the site at: links in e-mailed notifications start with it.
SITE_URL = env("DJANGO_SITE_URL", default="http://127.0.0.1:8000")

# History (django-pghistory): the context (who, which URL or job) is stored on each entry itself,
# so an entry is complete on its own and its seal covers who made the change.
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_APPEND_ONLY = True
# One INSERT ... SELECT of events per statement (from transition tables), not one trigger call per row:
# bulk imports and the set-based updates of jobs cost a fraction of the row-level triggers.
PGHISTORY_LEVEL = pgtrigger.Statement
# Each signed checkpoint's head is also appended to this file (history.services.history_anchor_append), which
# verify_history checks the database against: put it on another volume than the database ("" switches it off).
HISTORY_ANCHOR_PATH = (
    Path(_anchor)
    if (_anchor := env.str("HISTORY_ANCHOR_PATH", default=str(BASE_DIR / "var" / "history-anchors.log")))
    else None
)
# The checkpoint schedule's interval (jobs/schedules.py, hourly): verify_history fails when seals older than two
# intervals are signed by no checkpoint written within two intervals of them.
HISTORY_CHECKPOINT_INTERVAL = timedelta(hours=1)

# Celery: Redis is broker and result store; schedules are kept in the database (editable in the admin).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="redis://127.0.0.1:6379/1")
# The queue the workers read and every task goes to unless a setting names another: two deployments sharing one
# Redis (a training copy beside the real one) each name their own (docs/deployment.md).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 60 * 60 * 24 * 7
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# django-celery-beat's database scheduler, run by one beat at a time: a second beat waits for the first one's
# PostgreSQL advisory lock and takes over within BEAT_LOCK_POLL_SECONDS after it stops (jobs.beat).
CELERY_BEAT_SCHEDULER = "jobs.beat:SingleBeatScheduler"
BEAT_LOCK_POLL_SECONDS = env.int("BEAT_LOCK_POLL_SECONDS", default=10)
DJANGO_CELERY_BEAT_TZ_AWARE = True
# Beat writes a task's last_run_at after every send (not every 3 minutes): the job status page
# reads "beat is alive" from the heartbeat's last_run_at.
CELERY_BEAT_SYNC_EVERY = 1
# Processes the household import's check reads and checks the sheet in (households.forked); 0: one per core
# this process may use.
HOUSEHOLD_IMPORT_PROCESSES = env.int("HOUSEHOLD_IMPORT_PROCESSES", default=0)
# bin/demo without a Redis server (lanshan/demo.py) sets CELERY_BROKER_URL=filesystem://: Kombu then
# keeps each queue as files in one folder, which lanshan/demo.py creates.
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_folder = env("CELERY_FILESYSTEM_FOLDER", default=str(BASE_DIR / "var" / "celery"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": f"{_celery_folder}/queue",
        "data_folder_out": f"{_celery_folder}/queue",
        "control_folder": f"{_celery_folder}/control",
    }

# The public evaluation form's rate limit (partners.services.evaluations) counts submissions per address in a cache
# every web worker shares: Redis. bin/demo without Redis keeps the count in the process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("RATE_LIMIT_CACHE_URL", default="redis://127.0.0.1:6379/2"),
        "KEY_PREFIX": "lanshan-rate",
    },
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CACHES["rate_limit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate-limit"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
