"""Reachability probes for /healthz: the database, the Celery broker and the cache.

Each probe returns None when its service answers, else the reason, for the log only: the
reason names internal addresses and exception texts, which /healthz never shows.

The broker is connected to afresh at most every BROKER_CHECK_INTERVAL seconds per process
(`recent_broker_check`): a new broker connection costs more than the rest of /healthz, and a
load balancer probes often. The cache is probed at most every CACHE_CHECK_INTERVAL seconds
(`recent_cache_check`): a round trip to Redis is most of what is left. An outage (or a
recovery) of either therefore shows within that many seconds; the database, which every page
needs, is checked on every request.
"""

import os
import secrets
import threading
import time
from collections.abc import Callable
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


BROKER_CHECK_INTERVAL = 2.0  # seconds


class RecentCheck:
    """A probe run at most every `interval` seconds for each `key()`; the last outcome between.

    Keyed by what the probe looks at (the broker's address), so pointing the portal at another
    broker checks that one at once. `clock` is injectable for tests."""

    def __init__(
        self,
        probe: Callable[[], str | None],
        *,
        key: Callable[[], object],
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.probe, self.key, self.interval, self.clock = probe, key, interval, clock
        self._last: dict[object, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def __call__(self) -> str | None:
        key = self.key()
        last = self._last.get(key)
        if last is not None and self.clock() - last[0] < self.interval:
            return last[1]
        with self._lock:  # one probe at a time per process; the others take its outcome
            last = self._last.get(key)
            if last is not None and self.clock() - last[0] < self.interval:
                return last[1]
            outcome = self.probe()
            self._last = {key: (self.clock(), outcome)}  # only the current broker is kept
        return outcome


def _broker_address() -> object:
    return (settings.CELERY_BROKER_URL, repr(settings.CELERY_BROKER_TRANSPORT_OPTIONS))


recent_broker_check = RecentCheck(check_broker, key=_broker_address, interval=BROKER_CHECK_INTERVAL)

_CACHE_PROBE_PREFIX = f"healthz:{secrets.token_hex(4)}"
CACHE_PROBE_TIMEOUT = 60  # seconds a probe value lives in the cache
_cache_probe_values: dict[str, str] = {}  # what this process last wrote, by key


CACHE_CHECK_INTERVAL = 2.0  # seconds


def _cache_address() -> object:
    return repr(settings.CACHES.get("default"))


def check_cache() -> str | None:
    """None when a value written to the cache reads back, else the reason.

    Through the cache API, not a private ping: the degrading Redis backend swallows errors,
    so a value that does not come back is how an outage shows. The value written last (by this
    process and thread) is read back: one round trip; it is written again, and read back, when
    it is not found (the first time, once a minute as it expires, and during an outage)."""
    # One key per process and thread: no other probe writes it between our set and get,
    # nothing is left behind for long (it expires), nothing piles up.
    key = f"{_CACHE_PROBE_PREFIX}:{os.getpid()}:{threading.get_ident()}"
    try:
        expected = _cache_probe_values.get(key)
        if expected is not None and cache.get(key) == expected:
            return None
        value = secrets.token_hex(8)
        cache.set(key, value, timeout=CACHE_PROBE_TIMEOUT)
        found = cache.get(key)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    if found != value:
        _cache_probe_values.pop(key, None)
        return "a value written to the cache could not be read back"
    _cache_probe_values[key] = value
    return None


recent_cache_check = RecentCheck(check_cache, key=_cache_address, interval=CACHE_CHECK_INTERVAL)
