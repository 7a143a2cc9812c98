from django.conf import settings

from academy_portal.core.signin import StaffAccess, redirect_to_staff_step, staff_access


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
