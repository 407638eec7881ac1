"""The test suite: the real PostgreSQL and Redis, on a database and Redis numbers of its own."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_RESULT_BACKEND = env("TEST_CELERY_RESULT_BACKEND", default="redis://127.0.0.1:6379/15")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"
# Static files come from the finders; no collectstatic before a test run.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# No statement limit for the tests' shared connection (a test of the limit sets it: tests/test_statement_timeout.py).
REQUEST_STATEMENT_TIMEOUT_MS = 0

# Models that exist only for the tests (see tests/testapp).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405

# Files the tests upload (household sheets, evidence) go to a folder of the test run, never to var/media. Tests that
# look at the stored files set their own tmp_path with the ``settings`` fixture.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="lanshan-test-media-"))

# The rate limit's counts on a Redis number of the tests, apart for each database (engineers run suites side by side).
CACHES = {
    **CACHES,  # noqa: F405
    "rate_limit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("TEST_RATE_LIMIT_CACHE_URL", default="redis://127.0.0.1:6379/13"),
        "KEY_PREFIX": f"test-rate-{DATABASES['default']['NAME']}",  # noqa: F405
    },
}

# No anchor file unless a test sets one (a tmp_path): the anchors outlive each test's rolled-back database.
HISTORY_ANCHOR_PATH = Path(_anchor) if (_anchor := env.str("HISTORY_ANCHOR_PATH", default="")) else None
