"""Redis down (cache and broker): no answer and no sign-in is lost.

The cache and the Celery broker point at a Redis URL where nothing listens (or, for the hang,
at a socket that accepts and never answers), so these tests need no Redis and run everywhere.
Rate limits fail open with a warning, the answer commits, its confirmation waits in the outbox
and the sweep sends it; /healthz says 503 without telling the world where Redis lives.
"""

import json
import logging
import socket
import time

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from academy_portal.celery import app as celery_app
from academy_portal.core import ratelimit
from academy_portal.core.cache import ResilientRedisCache
from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import enqueue_delivery, sweep_outbox
from forums.models import Invitation
from tests.core.test_settings import run_manage
from tests.factories import ExpertFactory
from tests.forums import invitation_factories

DEAD_REDIS = "redis://127.0.0.1:6391/0"  # nothing listens there
RESILIENT = "academy_portal.core.cache.ResilientRedisCache"
PLAIN = "django.core.cache.backends.redis.RedisCache"


def use_broker(url: str, transport_options: dict):
    """Point Celery at `url` and publish for real (not eagerly); returns the undo."""
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "broker_transport_options": conf.broker_transport_options,
        "task_always_eager": conf.task_always_eager,
    }
    override = override_settings(
        CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS=transport_options
    )

    def fresh_pools():
        # The app caches its connection and producer pools for the first broker it used.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    fresh_pools()
    conf.update(broker_url=url, broker_transport_options=transport_options, task_always_eager=False)
    override.enable()

    def undo():
        override.disable()
        conf.update(saved)
        fresh_pools()

    return undo


@pytest.fixture
def dead_redis(settings):
    """Cache and broker both on a Redis that is down, configured as production is."""
    settings.CACHES = {"default": {"BACKEND": RESILIENT, "LOCATION": DEAD_REDIS}}
    undo = use_broker(DEAD_REDIS, {"socket_connect_timeout": 1, "socket_timeout": 5})
    yield
    undo()


def sent_invitation(capture_on_commit):
    # Deliver the invitation now (eagerly, before the outage), so that its on-commit batch is
    # spent and the answer's email gets a batch of its own.
    with capture_on_commit(execute=True):
        invitation, token = invitation_factories.sent_invitation()
    OutboxMessage.objects.all().delete()  # only the answer's emails matter here
    mail.outbox.clear()
    return invitation, token


def accept(invitation) -> dict:
    return {
        "answer": "accepted",
        "version": invitation.version,
        "privacy_consent": "on",
        "chatham_house_acknowledged": "on",
        "dietary_needs": "",
        "arrival_date": "",
        "departure_date": "",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("backend", [RESILIENT, PLAIN])
def test_rsvp_answer_commits_and_its_email_is_sent_by_the_sweep_with_redis_down(
    client, settings, django_capture_on_commit_callbacks, caplog, backend
):
    invitation, token = sent_invitation(django_capture_on_commit_callbacks)
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": DEAD_REDIS}}
    undo = use_broker(DEAD_REDIS, {"socket_connect_timeout": 1, "socket_timeout": 5})
    try:
        url = reverse("forums:rsvp", args=[token])
        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
            started = time.monotonic()
            response = client.post(url, accept(invitation))
            elapsed = time.monotonic() - started
    finally:
        undo()

    assert response.status_code == 302  # not a 500: the answer went through
    assert elapsed < 10
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    confirmation = OutboxMessage.objects.get(kind="confirmation")
    assert confirmation.status == OutboxMessage.Status.QUEUED  # the broker could not take it
    assert mail.outbox == []
    logged = caplog.text
    assert "sweep will send" in logged  # the failed publish is logged, not raised
    if backend == PLAIN:
        assert "not enforced" in logged  # the limiter itself failed open

    # Later, the per-minute sweep (beat) delivers what could not be enqueued.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    sweep_outbox()
    confirmation.refresh_from_db()
    assert confirmation.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1 and invitation.expert.email in mail.outbox[0].to[0]


@pytest.mark.django_db
def test_sign_in_code_pages_work_with_the_cache_down(client, dead_redis):
    expert = ExpertFactory(email="tran.minh@example.org")
    assert client.get(reverse("account_login")).status_code == 200
    assert client.get(reverse("account_request_login_code")).status_code == 200
    response = client.post(reverse("account_request_login_code"), {"email": expert.email})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    assert len(mail.outbox) == 1 and expert.email in mail.outbox[0].to[0]
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_healthz_says_503_without_address_or_exception_text(client, dead_redis, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable", "cache": "unavailable"},
    }
    body = response.content.decode()
    for leak in ("127.0.0.1", "6391", "Error", "refused", "Connection"):
        assert leak not in body
    assert "6391" in caplog.text  # the operator finds the reason in the log


def test_the_degrading_cache_behaves_as_an_empty_cache_and_logs_once(caplog):
    dead = ResilientRedisCache(DEAD_REDIS, {})
    with caplog.at_level(logging.WARNING, logger="academy_portal.core.cache"):
        assert dead.get("k", "default") == "default"
        assert dead.add("k", 1) is True  # allauth's cache lock must not spin and refuse
        assert dead.incr("k") == 1
        assert dead.set("k", 1) is None
        assert dead.get_many(["a", "b"]) == {}
        assert dead.has_key("k") is False
        assert dead.delete("k") is False
        assert dead.set_many({"a": 1}) == ["a"]
    warnings = [r for r in caplog.records if r.name == "academy_portal.core.cache"]
    assert len(warnings) == 1 and "degrading" in warnings[0].getMessage()


def test_limiter_fails_open_with_a_warning_on_a_cache_that_raises(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": PLAIN, "LOCATION": DEAD_REDIS}}
    limit = ratelimit.Limit(count=1, seconds=60)
    with caplog.at_level(logging.WARNING, logger="academy_portal.core.ratelimit"):
        verdicts = [ratelimit.consume("outage", "k", limit) for _ in range(3)]
    assert all(verdict.allowed for verdict in verdicts)
    assert "not enforced" in caplog.text


@pytest.fixture
def hung_redis():
    """A socket that accepts connections and never answers: a Redis that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.mark.django_db
def test_publishing_to_a_hung_broker_fails_fast(hung_redis, caplog, tmp_path):
    # The broker timeouts and retry policy production uses (settings.py, REDIS_URL set).
    result = run_manage(
        "shell",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'options': s.CELERY_BROKER_TRANSPORT_OPTIONS,"
        " 'policy': s.CELERY_TASK_PUBLISH_RETRY_POLICY,"
        " 'timeout': s.CELERY_BROKER_CONNECTION_TIMEOUT}))",
        env={"REDIS_URL": hung_redis},
        tmp_path=tmp_path,
    )
    production = json.loads(result.stdout.strip().splitlines()[-1])
    conf = celery_app.conf
    saved_policy = conf.task_publish_retry_policy
    saved_timeout = conf.broker_connection_timeout
    conf.update(
        task_publish_retry_policy=production["policy"],
        broker_connection_timeout=production["timeout"],
    )
    undo = use_broker(hung_redis, production["options"])
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING):
            enqueue_delivery([1, 2])
        elapsed = time.monotonic() - started
    finally:
        undo()
        conf.update(task_publish_retry_policy=saved_policy, broker_connection_timeout=saved_timeout)
    assert elapsed < 15, elapsed  # kombu's defaults wait forever here
    assert "sweep will send" in caplog.text


def test_production_settings_use_the_degrading_cache_with_timeouts(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps(s.CACHES))",
        env={"REDIS_URL": "redis://127.0.0.1:6379/9"},
        tmp_path=tmp_path,
    )
    caches = json.loads(result.stdout.strip().splitlines()[-1])
    assert caches["default"]["BACKEND"] == RESILIENT
    assert caches["default"]["OPTIONS"]["socket_timeout"] <= 2
    assert caches["default"]["OPTIONS"]["socket_connect_timeout"] <= 2
