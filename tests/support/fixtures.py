"""Pytest fixtures around the real services of tests/support (import them into a test module).

Celery runs tasks eagerly under pytest (settings.CELERY_TASK_ALWAYS_EAGER); `broker` turns that
off for one test so on-commit enqueues really go to Redis, where a real worker takes them.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings

from academy_portal.celery import app
from forums.models import EmailTemplate
from forums.services.default_templates import install_default_email_templates
from tests.support.smtp import RecordingSMTPServer
from tests.support.worker import CeleryWorker

__all__ = ["broker", "default_email_templates", "smtp_server", "start_worker", "worker_env"]


@pytest.fixture
def smtp_server():
    """A running recording SMTP server on a free local port; stopped after the test."""
    server = RecordingSMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def default_email_templates(django_db_blocker):
    """The forums' default email templates, also after a transactional test's flush.

    They come from a data migration, which the flush at the end of a transactional test wipes
    (post_migrate restores only roles, sites and content types): reinstall them before and
    after, so neither this test nor a later one finds them missing."""

    with django_db_blocker.unblock():
        install_default_email_templates(EmailTemplate)
    yield
    with django_db_blocker.unblock():
        install_default_email_templates(EmailTemplate)


def database_url() -> str:
    """DATABASE_URL of the database this test uses (pytest-django's test_<name>)."""
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


def dedicated_redis_url() -> str:
    """settings.REDIS_URL on a db number of its own (RELIABILITY_REDIS_DB, default 15), which
    these tests flush freely: the suite's own Redis db is left alone."""
    db = int(os.environ.get("RELIABILITY_REDIS_DB", "15"))
    return urlunsplit(urlsplit(settings.REDIS_URL)._replace(path=f"/{db}"))


def _reset_producer_pools(app) -> None:
    # What Celery itself does after a fork: the next publish connects to the current broker_url.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(require_redis):
    """Publish this test's tasks to a dedicated Redis db for real (not eagerly); the db is
    flushed before and after. Yields its URL, for the worker's REDIS_URL."""

    url = dedicated_redis_url()
    client = redis.Redis.from_url(url)
    client.flushdb()
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_producer_pools(app)
    yield url
    app.conf.broker_url, app.conf.task_always_eager = saved
    _reset_producer_pools(app)
    client.flushdb()
    client.close()


@pytest.fixture
def worker_env(transactional_db, require_postgres, broker, smtp_server, tmp_path):
    """Environment for a worker subprocess sharing this test's database, broker and SMTP."""
    return {
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker,
        "EMAIL_URL": smtp_server.url,
        "EMAIL_TIMEOUT": "10",
        "SITE_URL": settings.SITE_URL,
        "VAR_DIR": str(tmp_path / "worker-var"),
        # A production-like worker (production settings, tests/support/worker.py): real broker,
        # real batches.
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def start_worker(worker_env, tmp_path):
    """start_worker(**env_overrides) -> a ready CeleryWorker; all are stopped after the test.

    Stopped before the test database is flushed and dropped (it depends on transactional_db),
    so no worker connection outlives the test."""
    workers: list[CeleryWorker] = []

    def start(*, concurrency: int = 2, **overrides: str) -> CeleryWorker:
        worker = CeleryWorker(
            env={**worker_env, **overrides},
            log_path=tmp_path / f"worker-{len(workers) + 1}.log",
            concurrency=concurrency,
        )
        workers.append(worker)
        return worker.start(wait_ready=60)

    yield start
    for worker in workers:
        worker.stop(timeout=15)
