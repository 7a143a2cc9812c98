from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import check_broker, check_database


@never_cache
@require_GET
def healthz(request):
    """200 when the database and broker are reachable; 503 naming what is not."""
    checks = {"database": check_database(), "broker": check_broker()}
    failing = {name: reason for name, reason in checks.items() if reason}
    body = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: (reason or "ok") for name, reason in checks.items()},
    }
    return JsonResponse(body, status=503 if failing else 200)


def home(request):
    return render(request, "core/home.html")
