"""Reachability probes for /healthz: the database, the Celery broker and the cache.

Each probe returns None when its service answers, else the reason, for the log only: the
reason names internal addresses and exception texts, which /healthz never shows.
"""

import secrets
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> str | None:
    """None when a trivial query succeeds, else the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def check_broker() -> str | None:
    """None when the Celery broker accepts a connection, else the reason."""
    try:
        # The portal's Celery app (academy_portal/celery.py sets itself current on import),
        # reached without core importing the project module above it.
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            # The filesystem transport "connects" without touching disk; check its folder too.
            if settings.CELERY_BROKER_URL.startswith("filesystem://"):
                folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
                if not folder.is_dir():
                    return f"broker folder {folder} is missing"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def check_cache() -> str | None:
    """None when a value written to the cache reads back, else the reason.

    Through the cache API, not a private ping: the degrading Redis backend swallows errors,
    so a value that does not come back is how an outage shows."""
    key = f"healthz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    if found != value:
        return "a value written to the cache could not be read back"
    return None
