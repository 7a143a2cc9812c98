import logging

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import metrics
from .health import check_database, recent_broker_check, recent_cache_check

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """200 when the database, broker and cache answer; 503 naming (only) what does not.

    The broker's and the cache's answers may be up to `health.BROKER_CHECK_INTERVAL` and
    `health.CACHE_CHECK_INTERVAL` seconds old.
    The reasons go to the log: the probe is public, and an exception text would show
    internal host names, ports and driver versions to anyone."""
    checks = {
        "database": check_database(),
        "broker": recent_broker_check(),
        "cache": recent_cache_check(),
    }
    failing = {name: reason for name, reason in checks.items() if reason}
    for name, reason in failing.items():
        logger.warning("Health check: %s unavailable: %s", name, reason)
    body = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: ("unavailable" if reason else "ok") for name, reason in checks.items()},
    }
    return JsonResponse(body, status=503 if failing else 200)


def home(request):
    return render(request, "core/home.html")


@never_cache
@require_GET
def metrics_view(request):
    """Prometheus exposition, for a scraper with the token or from an allowed address. Absent
    (404) when metrics are off, and to everyone else, so the page's existence tells nothing."""
    if not metrics.metrics_enabled() or not metrics.may_scrape(request):
        raise Http404
    body, content_type = metrics.render_metrics()
    return HttpResponse(body, content_type=content_type)
