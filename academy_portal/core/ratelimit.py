"""A small rate limiter on the Django cache: at most N hits per key within a window.

Used for the public RSVP pages: a personal link must not become a way to hammer the database
or the mail queue. The cache is shared by all web processes in production (Redis), so the
limit holds across workers.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `seconds` for one key."""

    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    """Whether a hit is allowed, and in how many whole seconds its window ends (Retry-After)."""

    allowed: bool
    retry_after: int


def _cache_key(scope: str, key: str) -> str:
    # Keys may hold secrets (tokens) or odd characters; hash them so neither reaches the cache.
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, key: str, limit: Limit, *, now: float | None = None) -> bool:
    """Count one hit for `key`; False once it exceeds `limit` within its window."""
    return consume(scope, key, limit, now=now).allowed


def consume(scope: str, key: str, limit: Limit, *, now: float | None = None) -> Verdict:
    """Count one hit for `key` against `limit`; the window is exactly `limit.seconds` long.

    The window starts at the first hit (not on the clock's minute), so a burst cannot get twice
    the budget by straddling a minute boundary. Its end is stored under its own key, written
    only by add()/set() with the window as timeout, and the hits are counted under a key named
    after that end: a backend whose incr() rewrites the expiry (the file cache resets it to
    300 s) can keep an old counter longer, but never a window. `now` (seconds since the epoch)
    is the clock, injectable for tests.

    Fails open: if the cache cannot be used the hit is allowed and a warning logged, because a
    cache outage must never turn an expert's answer or a sign-in away.
    """
    now = time.time() if now is None else now
    base = _cache_key(scope, key)
    try:
        end = _window_end(base, limit, now)
        count = _count_hit(f"{base}:{end!r}", ttl=max(math.ceil(end - now), 1))
    except Exception:
        logger.warning("Rate limit %r not enforced: the cache is unavailable", scope, exc_info=True)
        return Verdict(allowed=True, retry_after=0)
    return Verdict(allowed=count <= limit.count, retry_after=max(math.ceil(end - now), 1))


def _window_end(base: str, limit: Limit, now: float) -> float:
    anchor = f"{base}:window"
    end = cache.get(anchor)
    if end is not None and end > now:
        return end
    fresh = now + limit.seconds
    if end is None:
        if cache.add(anchor, fresh, timeout=limit.seconds):
            return fresh
        end = cache.get(anchor)  # another request opened the window first
        if end is not None and end > now:
            return end
    # The stored window is over by our clock though the cache still holds it: replace it.
    cache.set(anchor, fresh, timeout=limit.seconds)
    return fresh


def _count_hit(counter: str, *, ttl: int) -> int:
    # Every hit but a window's first finds the counter: incr() first (one round trip on
    # Redis). add() is atomic: only the first hit of a window creates the counter; one that
    # loses that race counts on it.
    try:
        return cache.incr(counter)
    except ValueError:  # no counter yet (or it just expired)
        pass
    if cache.add(counter, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(counter)
    except ValueError:  # the counter expired between add() and incr()
        cache.add(counter, 1, timeout=ttl)
        return 1


def client_ip(request) -> str:
    """The address a request came from, as seen by our own reverse proxy when there is one.

    Only the last X-Forwarded-For entry is trusted: it is the one our proxy appended; earlier
    entries are whatever the client chose to send.
    """
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"
