"""The Redis cache makes one redis-py client per connection pool, not one per call, and that
client works like a fresh one: against a real Redis, across a dropped connection."""

import secrets

import pytest
from django.core.cache.backends.redis import RedisCacheClient

from academy_portal.core.cache import ResilientRedisCache, ReusedClientRedisCacheClient

NOWHERE = "redis://127.0.0.1:6391/0"  # nothing listens there: no call connects


def test_one_client_per_pool_is_made_once_and_reused():
    cache = ResilientRedisCache(NOWHERE, {})
    backend = cache._cache
    assert isinstance(backend, ReusedClientRedisCacheClient)
    first = backend.get_client("a", write=True)
    assert backend.get_client("b", write=False) is first  # one server: one pool, one client
    # Django's own client makes a new one each time (what this saves).
    plain = RedisCacheClient([NOWHERE])
    assert plain.get_client("a") is not plain.get_client("a")


def test_the_reused_client_reads_writes_and_reconnects_on_redis(require_redis, settings):
    cache = ResilientRedisCache(settings.REDIS_URL, {})
    key = f"test-cache:{secrets.token_hex(8)}"
    try:
        cache.set(key, {"n": 1}, timeout=30)
        assert cache.get(key) == {"n": 1}
        assert cache.add(key, 2) is False
        # Every connection of this client dropped by the server: the next call reconnects.
        client = cache._cache.get_client(key, write=True)
        client.client_kill_filter(_id=client.client_id())
        assert cache.get(key) == {"n": 1}
        assert cache.add(f"{key}:n", 0) is True
        assert cache.incr(f"{key}:n") == 1
    finally:
        cache.delete(key)
        cache.delete(f"{key}:n")


def test_incr_is_one_script_call_and_refuses_a_missing_key_as_django_does(require_redis, settings):
    cache = ResilientRedisCache(settings.REDIS_URL, {})
    key = f"test-cache:{secrets.token_hex(8)}"
    try:
        with pytest.raises(ValueError):
            cache.incr(key)
        assert cache.get(key) is None  # not created by the refused incr
        cache.add(key, 1, timeout=30)
        client = cache._cache.get_client(key, write=True)
        calls = []
        original = client.execute_command
        client.execute_command = lambda *args, **kw: calls.append(args[0]) or original(*args, **kw)
        try:
            assert cache.incr(key) == 2
            assert cache.incr(key, 5) == 7
        finally:
            del client.execute_command
        assert calls == ["EVALSHA", "EVALSHA"]  # one round trip each
        assert 0 < client.ttl(cache.make_and_validate_key(key)) <= 30  # the expiry is kept
    finally:
        cache.delete(key)
