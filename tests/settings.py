"""Settings for the test suite: the production settings, with what tests need on top.

pytest-django uses this module (pyproject.toml); `manage.py`, Celery and `make run` keep
academy_portal.settings. Everything else (DATABASE_URL, REDIS_URL, VAR_DIR ...) still comes
from the environment, so one suite runs on SQLite and on PostgreSQL + Redis.

Processes a test starts (a real Celery worker, `manage.py` from the shell) run the production
settings: tests/support/worker.py and the tests that spawn `manage.py` pass
DJANGO_SETTINGS_MODULE=academy_portal.settings explicitly, since pytest-django exports this one.
"""

from academy_portal.settings import *  # noqa: F403

# Each test sees a fresh in-process cache, even when REDIS_URL is set (the Redis tests build
# their own client, or override CACHES, against settings.REDIS_URL).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests never run collectstatic: WhiteNoise looks files up per request (instead of warning, on
# every test client, that STATIC_ROOT does not exist), and templates need no manifest.
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The test client and the live server speak plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

# Staff sign in with force_login; the sign-in tests turn the second factor on themselves.
STAFF_MFA_REQUIRED = False

# Tasks run inline: nothing is published to the development broker under var/ (the `broker`
# fixture of tests/support/fixtures.py turns this off for the tests with a real worker).
CELERY_TASK_ALWAYS_EAGER = True
# A test's on-commit send sends its own email only (academy_portal/mail/services/__init__.py).
OUTBOX_TASK_BATCH_SIZE = 1
