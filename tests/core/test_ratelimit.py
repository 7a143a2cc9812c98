"""The rate limiter's window is exact on every cache backend: a limit lasts its window (what
Retry-After promises), not the backend's default timeout from the last hit.

Time is moved with time-machine (the cache's own expiry follows it); nothing sleeps."""

import time

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from academy_portal.core import ratelimit
from forums.services import send_invitation
from tests.factories import UserFactory
from tests.forums.invitation_factories import InvitationFactory

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def file_cache(tmp_path):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


@pytest.fixture(params=["locmem", "filebased"])
def any_cache(request, settings, tmp_path):
    """Each test runs on the backends used without Redis (tests, `make run`)."""
    settings.CACHES = LOCMEM if request.param == "locmem" else file_cache(tmp_path)
    cache.clear()
    yield request.param
    cache.clear()


def test_a_limit_lasts_its_window_not_300_seconds_from_the_last_hit(any_cache):
    limit = ratelimit.Limit(count=2, seconds=10)
    with time_machine.travel(time.time(), tick=False) as clock:
        assert ratelimit.hit("t", "a", limit)
        assert ratelimit.hit("t", "a", limit)
        # Blocked hits keep coming every few seconds, as a hammering client's would.
        for _ in range(3):
            clock.shift(3)
            assert not ratelimit.hit("t", "a", limit)
        clock.shift(1.5)  # 10.5 s after the first hit: the window is over
        assert ratelimit.hit("t", "a", limit)
        assert ratelimit.hit("t", "a", limit)
        assert not ratelimit.hit("t", "a", limit)  # and the new window has the same budget


def test_keys_and_scopes_have_their_own_budgets(any_cache):
    limit = ratelimit.Limit(count=1, seconds=60)
    with time_machine.travel(time.time(), tick=False):
        assert ratelimit.hit("t", "a", limit)
        assert not ratelimit.hit("t", "a", limit)
        assert ratelimit.hit("t", "b", limit)
        assert ratelimit.hit("u", "a", limit)


def test_the_verdict_says_how_long_until_the_window_ends(any_cache):
    limit = ratelimit.Limit(count=1, seconds=60)
    with time_machine.travel(time.time(), tick=False) as clock:
        first = ratelimit.consume("t", "a", limit)
        assert first.allowed
        clock.shift(45.2)
        blocked = ratelimit.consume("t", "a", limit)
        assert not blocked.allowed
        assert blocked.retry_after == 15  # whole seconds, rounded up
        clock.shift(15)
        assert ratelimit.consume("t", "a", limit).allowed


def test_an_injected_clock_decides_the_window_whatever_the_cache_keeps(any_cache):
    # A cache that keeps a key longer than asked (or a clock that differs from the cache's)
    # must not stretch the window: the window's end is stored and compared, not inferred.
    limit = ratelimit.Limit(count=1, seconds=5)
    assert ratelimit.consume("t", "clock", limit, now=1000.0).allowed
    assert not ratelimit.consume("t", "clock", limit, now=1004.9).allowed
    assert ratelimit.consume("t", "clock", limit, now=1005.0).allowed
    assert not ratelimit.consume("t", "clock", limit, now=1006.0).allowed


@pytest.mark.django_db
def test_a_blocked_rsvp_link_opens_again_when_retry_after_says(client, any_cache):
    invitation = InvitationFactory()
    token = send_invitation(invitation, sent_by=UserFactory())
    url = reverse("forums:rsvp", args=[token])
    with time_machine.travel(time.time(), tick=False) as clock:
        for _ in range(10):
            assert client.post(url, {"version": 0}).status_code == 200
        clock.shift(20)
        blocked = client.post(url, {"version": 0})
        assert blocked.status_code == 429
        assert blocked["Retry-After"] == "40"  # what is left of the 60-second window
        clock.shift(39)
        assert client.post(url, {"version": 0}).status_code == 429
        clock.shift(1)
        assert client.post(url, {"version": 0}).status_code == 200


@pytest.mark.django_db
def test_limiter_on_redis_keeps_the_exact_window(require_redis, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "academy_portal.core.cache.ResilientRedisCache",
            "LOCATION": settings.REDIS_URL,
        }
    }
    cache.clear()
    limit = ratelimit.Limit(count=2, seconds=30)
    # Redis expires keys on its own clock; the limiter's stored window end uses ours.
    assert ratelimit.consume("redis-window", "k", limit, now=1000.0).allowed
    assert ratelimit.consume("redis-window", "k", limit, now=1001.0).allowed
    verdict = ratelimit.consume("redis-window", "k", limit, now=1010.0)
    assert not verdict.allowed and verdict.retry_after == 20
    assert ratelimit.consume("redis-window", "k", limit, now=1030.0).allowed
    cache.clear()
