"""A small rate limiter on the Django cache: at most N hits per key within a window.

Used for the public RSVP pages: a personal link must not become a way to hammer the database
or the mail queue. The cache is shared by all web processes in production (Redis), so the
limit holds across workers.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `seconds` for one key."""

    count: int
    seconds: int


def _cache_key(scope: str, key: str) -> str:
    # Keys may hold secrets (tokens) or odd characters; hash them so neither reaches the cache.
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, key: str, limit: Limit) -> bool:
    """Count one hit for `key`; False once it exceeds `limit` within `seconds` of its first hit.

    The window starts at the first hit (not on the clock's minute), so a burst cannot get twice
    the budget by straddling a minute boundary.
    """
    cache_key = _cache_key(scope, key)
    # add() is atomic: only the first hit of a window creates the counter (with its expiry).
    if cache.add(cache_key, 1, timeout=limit.seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The counter expired between add() and incr(): this hit opens a new window.
        cache.add(cache_key, 1, timeout=limit.seconds)
        return True
    return count <= limit.count


def client_ip(request) -> str:
    """The address a request came from, as seen by our own reverse proxy when there is one.

    Only the last X-Forwarded-For entry is trusted: it is the one our proxy appended; earlier
    entries are whatever the client chose to send.
    """
    if getattr(settings, "USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"
