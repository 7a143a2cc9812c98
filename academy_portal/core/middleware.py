import time

from django.conf import settings
from django.urls import resolve

from academy_portal.core import metrics
from academy_portal.core.observability import REQUEST_ID_HEADER, request_id_from, request_id_var
from academy_portal.core.signin import StaffAccess, redirect_to_staff_step, staff_access


class RequestIdMiddleware:
    """First in the chain: give the request its id (the proxy's or a new one) for every log
    record made while it runs, and send it back as X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Not reset on the way out: Django logs a 4xx/5xx after the middleware chain returns.
        # request_finished (connected in CoreConfig.ready) sets it back to "-".
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class MetricsMiddleware:
    """Count requests and time them by view name (a bounded label: never the raw path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        metrics.record_request(
            method=request.method if request.method in {"GET", "HEAD", "POST"} else "other",
            view=(match.view_name or "unnamed") if match else "unmatched",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


class HealthzMiddleware:
    """Answer /healthz here, before sessions, locale, CSRF, authentication and messages.

    A load balancer probes often and needs none of those; the request id, the metrics and the
    security headers (the middleware before this one) still apply, and the view is the same
    one the URL names. Everything else passes through untouched."""

    PATH = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response
        self._match = None

    def __call__(self, request):
        if request.path_info != self.PATH:
            return self.get_response(request)
        if self._match is None:
            self._match = resolve(self.PATH)  # the URLconf's view, resolved once
        request.resolver_match = self._match
        response = self._match.func(request)
        if settings.CONTENT_SECURITY_POLICY:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy: the portal ships no inline script or style."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class StaffSecondFactorMiddleware:
    """Keep staff sessions without a completed second factor off every page but sign-in.

    A staff user who signed in with a password alone is sent to set up an authenticator (or
    to enter its code); a session that began with an emailed sign-in code is signed out.
    allauth's own pages (sign-in, MFA, sign-out) stay reachable: they are how to get through.
    """

    EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/healthz", "/favicon")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not (path.startswith(self.EXEMPT_PREFIXES) or path.startswith(settings.STATIC_URL)):
            access = staff_access(request)
            if access is not StaffAccess.GRANTED:
                return redirect_to_staff_step(request, access)
        return self.get_response(request)
