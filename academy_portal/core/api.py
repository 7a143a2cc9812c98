"""Building blocks of the read-only JSON API (Django REST framework): the staff clients' token
authentication, scopes, per-token throttling, the access log of each staff read, pagination.

A client sends `Authorization: Bearer <key>`. An unknown or revoked key is a 401; a key
without the endpoint's scope is a 403; staff endpoints answer GET, HEAD and OPTIONS only.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, pagination, permissions, throttling

from academy_portal.core.models import AccessLog, ApiToken
from academy_portal.core.services import find_api_token, record_access, record_api_token_use

# Results per page, unless the client asks for fewer or more (`?page_size=`, up to the maximum).
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200


class ApiPagination(pagination.PageNumberPagination):
    page_size = API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = API_MAX_PAGE_SIZE


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` -> (the user who issued the token, the token)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send one key: Authorization: Bearer <key>.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.") from None
        token = find_api_token(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        record_api_token_use(token=token)
        return token.created_by, token

    def authenticate_header(self, request):
        # A WWW-Authenticate header makes DRF answer 401 (not 403) without a valid key.
        return f'{self.keyword} realm="api"'


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A key issued in the admin."}


class HasTokenScope(permissions.BasePermission):
    """A read (GET, HEAD, OPTIONS) with a token that holds the view's `required_scope`."""

    message = "This API key does not hold the scope this endpoint needs."

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated("Send an API key: Authorization: Bearer <key>.")
        if request.method not in permissions.SAFE_METHODS:
            raise exceptions.MethodNotAllowed(request.method)
        return view.required_scope in token.scopes


class ApiTokenThrottle(throttling.SimpleRateThrottle):
    """Requests per token in the cache, at `API_TOKEN_THROTTLE_RATE` (e.g. "600/hour")."""

    scope = "api_token"

    def get_rate(self):
        # Read at each request (not frozen at import as DRF's THROTTLE_RATES): tests change it.
        return settings.API_TOKEN_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class StaffApiMixin:
    """What every staff endpoint is: token-authenticated, scoped, throttled, read-only, logged."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasTokenScope]
    throttle_classes = [ApiTokenThrottle]
    http_method_names = ["get", "head", "options"]
    required_scope: str = ""

    def log_read(self, *, model: type[models.Model], object_ids: Iterable[int]) -> None:
        """One access-log row for this request, under the user who issued the token."""
        token = self.request.auth
        record_access(
            user=token.created_by,
            action=AccessLog.Action.VIEW,
            model=model,
            what=f"API ({token.name}): {self.request.get_full_path()}",
            object_ids=object_ids,
        )
