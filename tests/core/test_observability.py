"""Seeing it run: request ids in the logs, JSON logs, /metrics for Prometheus, Sentry opt-in."""

import gzip
import io
import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from celery.signals import task_failure
from django.utils import timezone

from academy_portal.core.observability import (
    PortalJsonFormatter,
    RequestIdFilter,
    logging_config,
)
from academy_portal.mail.models import OutboxMessage
from tests.core.test_settings import run_manage
from tests.mail.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-0123456789abcdef"


@pytest.fixture
def json_log():
    """Root log records as the production JSON handler writes them, one object per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(PortalJsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-4f1c2d3e9a8b7c6d"})
    forged = client.get("/healthz", headers={"X-Request-ID": "x\nFAKE LOG LINE level=ERROR"})

    assert kept["X-Request-ID"] == "nginx-4f1c2d3e9a8b7c6d"
    assert "FAKE" not in forged["X-Request-ID"]
    assert len(forged["X-Request-ID"]) == 32


def test_log_records_of_a_request_carry_its_id_as_json(client, json_log):
    response = client.get("/no-such-page/")  # django.request logs "Not Found" while it runs

    records = [r for r in json_log() if r["logger"] == "django.request"]
    assert response.status_code == 404
    assert records, "the 404 was logged"
    assert records[0]["request_id"] == response["X-Request-ID"]
    assert records[0]["level"] == "WARNING"
    assert set(records[0]) >= {"time", "level", "logger", "message", "request_id"}


def test_log_records_outside_a_request_say_so(json_log):
    logging.getLogger("forums.tasks").warning("chores ran")

    assert json_log()[-1]["request_id"] == "-"


def test_the_logging_setting_chooses_json_or_text():
    assert logging_config(json=True, level="INFO")["formatters"]["portal"] == {
        "()": PortalJsonFormatter
    }
    text = logging_config(json=False, level="DEBUG")
    assert "%(request_id)s" in text["formatters"]["portal"]["format"]
    assert text["root"]["level"] == "DEBUG"


def test_metrics_are_off_unless_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []

    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_metrics_need_the_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = ["10.0.5.0/24"]

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.5.17").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.6.17").status_code == 404


def test_behind_the_proxy_the_allow_list_checks_the_real_client(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.5.9"]
    settings.USE_X_FORWARDED_FOR = True

    # The client claims an allowed address; the proxy appends the real one last.
    forged = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.5.9, 203.0.113.7"
    )
    scraper = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.5.9")

    assert forged.status_code == 404
    assert scraper.status_code == 200


def scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def sample(text: str, name_and_labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name_and_labels + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name_and_labels} not in the exposition")


def test_metrics_count_requests_by_view_and_time_them(client, settings):
    settings.METRICS_TOKEN = TOKEN
    labels = 'method="GET",status="2xx",view="healthz"'
    client.get("/healthz")  # the series exists from here on
    before = sample(scrape(client), f"portal_http_requests_total{{{labels}}}")

    for _ in range(3):
        client.get("/healthz")
    text = scrape(client)

    assert sample(text, f"portal_http_requests_total{{{labels}}}") == before + 3
    assert (
        sample(text, 'portal_http_request_duration_seconds_count{method="GET",view="healthz"}') >= 3
    )
    assert "/healthz" not in text  # view names, never raw paths (bounded labels)


def test_metrics_show_the_outbox_depth_the_oldest_due_email_and_failures(client, settings):
    settings.METRICS_TOKEN = TOKEN
    now = timezone.now()
    OutboxMessageFactory(status=OutboxMessage.Status.QUEUED, send_after=now - timedelta(minutes=7))
    OutboxMessageFactory(status=OutboxMessage.Status.QUEUED, send_after=now + timedelta(hours=1))
    OutboxMessageFactory(status=OutboxMessage.Status.FAILED, last_error="550 mailbox unavailable")
    OutboxMessageFactory(status=OutboxMessage.Status.SENT, sent_at=now)

    text = scrape(client)

    assert sample(text, 'portal_outbox_messages{status="queued"}') == 2
    assert sample(text, 'portal_outbox_messages{status="failed"}') == 1
    assert sample(text, 'portal_outbox_messages{status="sending"}') == 0
    assert 7 * 60 <= sample(text, "portal_outbox_oldest_due_age_seconds") < 8 * 60


def test_an_empty_outbox_has_no_age(client, settings):
    settings.METRICS_TOKEN = TOKEN

    assert sample(scrape(client), "portal_outbox_oldest_due_age_seconds") == 0


def test_a_failed_celery_task_is_counted(client, settings):
    from academy_portal.celery import app  # noqa: PLC0415 - the project's Celery app

    settings.METRICS_TOKEN = TOKEN
    chores = app.tasks["forums.tasks.run_invitation_chores"]
    labels = '{task="forums.tasks.run_invitation_chores"}'
    before = sample(scrape(client), f"portal_task_failures_total{labels}")

    task_failure.send(sender=chores, task_id="t-1", exception=RuntimeError("db gone"))
    task_failure.send(sender=chores, task_id="t-2", exception=RuntimeError("db gone"))

    assert sample(scrape(client), f"portal_task_failures_total{labels}") == before + 2


def test_the_scrape_is_bounded_in_queries(client, settings, django_assert_max_num_queries):
    settings.METRICS_TOKEN = TOKEN
    OutboxMessageFactory.create_batch(20, status=OutboxMessage.Status.QUEUED)

    with django_assert_max_num_queries(1):
        scrape(client)


class _SentryIntake(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        _SentryIntake.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_sentry_is_off_without_a_dsn(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "import sentry_sdk; print(sentry_sdk.get_client().is_active())",
        env={},
        tmp_path=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_with_a_dsn_errors_reach_sentry_without_personal_data(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _SentryIntake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _SentryIntake.received.clear()
    dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
    code = (
        "import sentry_sdk; c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['send_default_pii'], c.options['environment']); "
        "sentry_sdk.capture_exception(RuntimeError('outbox sweep failed')); sentry_sdk.flush(5)"
    )
    try:
        result = run_manage(
            "shell",
            "-c",
            code,
            env={"SENTRY_DSN": dsn, "SENTRY_ENVIRONMENT": "staging"},
            tmp_path=tmp_path,
        )
    finally:
        server.shutdown()
        server.server_close()

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True False staging"
    envelope = b"".join(_SentryIntake.received)
    assert b"outbox sweep failed" in envelope


ROUTE = (
    "from academy_portal.celery import app; import json; r = app.amqp.router; "
    "print(json.dumps({n: r.route({}, n)['queue'].name for n in ["
    "'academy_portal.mail.tasks.send_outbox_message', 'forums.tasks.run_invitation_chores', "
    "'partners.tasks.check_mou_expiry', 'forums.tasks.send_invitations_task']}))"
)


@pytest.mark.parametrize(
    ("separate", "queues"),
    [
        ("0", ["celery", "celery", "celery", "celery"]),
        ("1", ["mail", "chores", "chores", "celery"]),
    ],
)
def test_task_queues_split_only_when_asked(tmp_path, separate, queues):
    result = run_manage(
        "shell", "-c", ROUTE, env={"SEPARATE_TASK_QUEUES": separate}, tmp_path=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert list(json.loads(result.stdout.strip().splitlines()[-1]).values()) == queues
