"""Prometheus metrics at /metrics: request rates and latencies, plus gauges that upper layers
register (the outbox's depth and age, in academy_portal.mail) and Celery task failures.

Off unless METRICS_TOKEN or METRICS_ALLOWED_IPS is set: the page tells an outsider how busy the
academy is and which views exist. With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR
(an empty folder per start, prometheus-client's multiprocess mode) so one scrape sums them all.
"""

import ipaddress
import os
from collections.abc import Callable, Iterable

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import constant_time_compare
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from academy_portal.core.ratelimit import client_ip

HTTP_REQUESTS = Counter(
    "portal_http_requests_total",
    "HTTP requests answered, by method, view and status class.",
    ["method", "view", "status"],
)
HTTP_LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["method", "view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

_TASK_FAILURE_KEY = "metrics:task-failures:{}"
# Gauges computed at scrape time from the database, registered by the apps that own the data.
_scrape_collectors: list[Callable[[], Iterable[Metric]]] = []


def register_scrape_collector(collect: Callable[[], Iterable[Metric]]) -> None:
    """Add a function yielding metric families, called on each scrape (idempotent)."""
    if collect not in _scrape_collectors:
        _scrape_collectors.append(collect)


def record_request(*, method: str, view: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, view, f"{status // 100}xx").inc()
    HTTP_LATENCY.labels(method, view).observe(seconds)


def record_task_failure(task_name: str) -> None:
    """Count a failed Celery task in the shared cache (Redis in production), so a scrape of any
    web host sees the failures of workers on every host."""
    key = _TASK_FAILURE_KEY.format(task_name)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def _task_failures() -> Iterable[Metric]:
    family = CounterMetricFamily(
        "portal_task_failures",
        "Celery tasks that raised, by task, since the cache was emptied.",
        labels=["task"],
    )
    names = sorted(name for name in current_app.tasks if not name.startswith("celery."))
    counts = cache.get_many([_TASK_FAILURE_KEY.format(name) for name in names])
    for name in names:
        family.add_metric([name], counts.get(_TASK_FAILURE_KEY.format(name), 0))
    yield family


class _ScrapeCollector:
    def collect(self) -> Iterable[Metric]:
        yield from _task_failures()
        for collect in _scrape_collectors:
            yield from collect()


def metrics_enabled() -> bool:
    return bool(settings.METRICS_TOKEN or settings.METRICS_ALLOWED_IPS)


def may_scrape(request) -> bool:
    """A bearer token equal to METRICS_TOKEN, or a client address in METRICS_ALLOWED_IPS."""
    if settings.METRICS_TOKEN:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and constant_time_compare(token, settings.METRICS_TOKEN):
            return True
    if settings.METRICS_ALLOWED_IPS:
        try:
            address = ipaddress.ip_address(client_ip(request))
        except ValueError:
            return False
        return any(
            address in ipaddress.ip_network(network, strict=False)
            for network in settings.METRICS_ALLOWED_IPS
        )
    return False


def render_metrics() -> tuple[bytes, str]:
    """The exposition text: this process's (or, in multiprocess mode, every worker's) request
    metrics, then the scrape-time gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_registry = CollectorRegistry()
        MultiProcessCollector(process_registry)
    else:
        process_registry = REGISTRY
    scrape_registry = CollectorRegistry()
    scrape_registry.register(_ScrapeCollector())
    return generate_latest(process_registry) + generate_latest(scrape_registry), CONTENT_TYPE_LATEST
