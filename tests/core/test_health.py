"""/healthz: what a load balancer or uptime monitor sees. Only the outside world is faked:
a database driver that fails, a broker on a closed port, a broker folder that is gone."""

import time

import pytest
from django.core.cache import cache
from django.db import OperationalError, connections
from django.test import override_settings
from django.urls import reverse

from academy_portal.celery import app as celery_app
from academy_portal.core.health import (
    BROKER_CHECK_INTERVAL,
    CACHE_CHECK_INTERVAL,
    RecentCheck,
    check_cache,
    recent_cache_check,
)

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_url():
    """Point Celery (and the settings health.py reads) at another broker for one test."""
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "broker_transport_options": conf.get("broker_transport_options"),
    }
    overrides = []

    def use(url: str, **transport_options):
        conf.update(broker_url=url, broker_transport_options=transport_options)
        override = override_settings(
            CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS=transport_options
        )
        override.enable()
        overrides.append(override)

    yield use
    conf.update(saved)
    for override in reversed(overrides):
        override.disable()


def working_filesystem_broker(broker_url, tmp_path):
    """A filesystem broker in `tmp_path`, its folder there; returns the folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    broker_url(
        "filesystem://",
        data_folder_in=str(folder),
        data_folder_out=str(folder),
        processed_folder=str(tmp_path),
    )
    return folder


def test_healthy_portal_answers_200_naming_each_check(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "cache": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]  # a cached "ok" would hide an outage


def test_unreachable_database_answers_503_naming_the_database(client, db, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    with monkeypatch.context() as patch:
        patch.setattr(connections["default"], "cursor", refuse)
        response = client.get(reverse("healthz"))
    # The undo leaves the original bound method as an instance attribute; drop it.
    vars(connections["default"]).pop("cursor", None)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == "ok"
    assert body["checks"]["database"] == "unavailable"
    # The reason (address, driver message) is logged for operators, never shown.
    assert "5432" not in response.content.decode()
    assert "OperationalError" in caplog.text and "5432" in caplog.text


def test_unreachable_broker_answers_503_naming_the_broker(client, db, broker_url):
    broker_url(CLOSED_PORT_BROKER)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "unavailable"
    assert "Error" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_missing_filesystem_broker_folder_answers_503(client, db, broker_url, tmp_path):
    gone = tmp_path / "celery" / "out"
    broker_url(
        "filesystem://",
        data_folder_in=str(gone),
        data_folder_out=str(gone),
        processed_folder=str(tmp_path / "processed"),
    )

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"
    assert str(tmp_path) not in response.content.decode()


def test_working_filesystem_broker_folder_is_ok(client, db, broker_url, tmp_path):
    working_filesystem_broker(broker_url, tmp_path)

    response = client.get(reverse("healthz"))

    assert response.status_code == 200, response.json()


def test_healthz_is_not_redirected_to_https(client, db):
    # Load balancers probe over plain HTTP inside the network, even with SSL redirect on.
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get(reverse("healthz")).status_code == 200
        assert client.get(reverse("home")).status_code == 301


def test_healthz_only_answers_get(client, db):
    assert client.post(reverse("healthz")).status_code == 405


def test_a_recent_check_probes_once_per_interval_and_at_once_for_another_broker():
    now = [100.0]
    probes = []
    address = ["redis://one"]

    def probe():
        probes.append((address[0], now[0]))
        return None if address[0] == "redis://one" else "refused"

    check = RecentCheck(probe, key=lambda: address[0], interval=2.0, clock=lambda: now[0])
    assert check() is None
    now[0] += 1.9
    assert check() is None  # within the interval: the last outcome, no new connection
    assert len(probes) == 1
    now[0] += 0.2
    assert check() is None
    assert len(probes) == 2  # the interval has passed: probed again
    address[0] = "redis://two"
    assert check() == "refused"  # another broker is probed at once
    assert probes[-1] == ("redis://two", now[0])


def test_a_broker_outage_and_its_end_show_within_the_check_interval(
    client, db, broker_url, tmp_path
):
    folder = working_filesystem_broker(broker_url, tmp_path)
    assert client.get(reverse("healthz")).status_code == 200

    def seconds_until(status: int) -> float:
        started = time.monotonic()
        while client.get(reverse("healthz")).status_code != status:
            assert time.monotonic() - started < BROKER_CHECK_INTERVAL + 1, "not reported in time"
            time.sleep(0.05)
        return time.monotonic() - started

    folder.rmdir()  # the broker is gone
    assert seconds_until(503) <= BROKER_CHECK_INTERVAL + 0.5
    assert client.get(reverse("healthz")).json()["checks"]["broker"] == "unavailable"
    folder.mkdir()  # and back
    assert seconds_until(200) <= BROKER_CHECK_INTERVAL + 0.5


def test_the_cache_check_writes_again_when_its_value_is_gone(client, db):
    assert client.get(reverse("healthz")).status_code == 200
    assert check_cache() is None
    cache.clear()  # evicted, expired or a flushed Redis: not an outage
    assert check_cache() is None
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "ok"


def test_the_cache_is_probed_at_most_once_per_interval_and_at_once_when_it_moves(settings):
    assert recent_cache_check.interval == CACHE_CHECK_INTERVAL <= 2.0
    recent_cache_check()
    before = recent_cache_check._last
    recent_cache_check()
    assert recent_cache_check._last is before  # within the interval: the last outcome
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "x"}
    }
    assert recent_cache_check() is None
    assert recent_cache_check._last is not before  # another cache: probed at once


def test_healthz_is_answered_before_sessions_and_users_but_with_the_security_headers(
    client, db, django_assert_num_queries
):
    client.cookies["sessionid"] = "not-a-session"
    with django_assert_num_queries(1):  # SELECT 1: no session or user is read
        response = client.get("/healthz", HTTP_X_REQUEST_ID="a05b376eb1c6a72d12993d452ddb2929")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["X-Request-ID"] == "a05b376eb1c6a72d12993d452ddb2929"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert "no-cache" in response["Cache-Control"]
    assert "Vary" not in response and "sessionid" not in response.cookies
    assert response.resolver_match.view_name == "healthz"
