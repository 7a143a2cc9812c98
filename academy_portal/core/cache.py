"""A Redis cache that degrades, instead of raising, while Redis cannot be reached.

The portal's cache holds nothing that must survive: rate-limit counters (ours and allauth's),
the outbox's "flush pending" flag, lookup memos. An outage of Redis must therefore never turn
an RSVP answer or a sign-in into a 500. While Redis is unreachable this backend behaves like
an empty cache that forgets what it is told:

- get / get_many / has_key: nothing is found (the default);
- add: True, as if the key had just been created (allauth's cache lock and our limiter then
  go on and let the request through: rate limits fail open);
- incr / decr: the delta, as if counting from zero (a fresh counter is never over its limit);
- set / touch / delete / clear: nothing happens (False where the method returns a flag).

Each degraded call is logged as a warning (at most once every `WARN_EVERY` seconds per
process, so an outage does not flood the log), and after a failure Redis is left alone for
`RETRY_AFTER` seconds: a Redis that hangs instead of refusing would otherwise cost every
cache call a socket timeout.

Django's Redis backend builds a new `redis.Redis` client for every cache call, and redis-py's
constructor sets up ~170 response callbacks each time (~0.2 ms, more than the round trip);
`ReusedClientRedisCacheClient` keeps one client per connection pool instead (redis-py clients
are thread-safe handles on their pool), so a page's rate-limit checks cost round trips only;
its incr() is one round trip (a script) instead of Django's two.
"""

import logging
import time
from functools import partial

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


# INCRBY an existing key, else nil: Django's incr() in one round trip instead of two
# (EXISTS, then INCRBY), and without the gap between them.
INCR_EXISTING = """
if redis.call('exists', KEYS[1]) == 1 then
    return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, with one `redis.Redis` per connection pool, made once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_scripts = {}

    def incr(self, key, delta):
        """Django's incr (ValueError for a missing key), as one script call (EVALSHA)."""
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(client)
        if script is None:
            script = self._incr_scripts[client] = client.register_script(INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    RETRY_AFTER = 5.0
    WARN_EVERY = 30.0

    def __init__(self, server, params):
        # Fail fast: no connection attempt or read may hang a request for long, and redis-py's
        # own retries would multiply the wait. (A copy: settings.CACHES stays as configured.)
        options = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0, "retry": None}
        super().__init__(server, {**params, "OPTIONS": {**options, **params.get("OPTIONS", {})}})
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0
        self._warned_at = float("-inf")

    def _degraded(self, operation, fallback, call):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call()
        except OUTAGE_ERRORS as error:
            now = time.monotonic()
            self._down_until = now + self.RETRY_AFTER
            if now - self._warned_at >= self.WARN_EVERY:
                self._warned_at = now
                # The exception names the address; logs are for operators, pages are not.
                logger.warning(
                    "Cache unavailable (%s during %s): degrading to an empty cache",
                    error,
                    operation,
                )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degraded("add", True, partial(super().add, key, value, timeout, version))

    def get(self, key, default=None, version=None):
        return self._degraded("get", default, partial(super().get, key, default, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degraded("set", None, partial(super().set, key, value, timeout, version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degraded("touch", False, partial(super().touch, key, timeout, version))

    def delete(self, key, version=None):
        return self._degraded("delete", False, partial(super().delete, key, version))

    def get_many(self, keys, version=None):
        return self._degraded("get_many", {}, partial(super().get_many, keys, version))

    def has_key(self, key, version=None):
        return self._degraded("has_key", False, partial(super().has_key, key, version))

    def incr(self, key, delta=1, version=None):
        return self._degraded("incr", delta, partial(super().incr, key, delta, version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = list(data)  # the keys that could not be set
        return self._degraded("set_many", failed, partial(super().set_many, data, timeout, version))

    def delete_many(self, keys, version=None):
        return self._degraded("delete_many", None, partial(super().delete_many, keys, version))

    def clear(self):
        return self._degraded("clear", False, super().clear)
