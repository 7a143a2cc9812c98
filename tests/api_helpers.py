"""API keys issued as an administrator does it (academy_portal.core.services.issue_api_token)."""

from academy_portal.core import roles
from academy_portal.core.services import issue_api_token
from tests.factories import UserFactory


def issued_key(*scopes: str, name: str = "Main website", user=None):
    """(token, key) with these scopes, issued by an administrator (made when not given)."""
    user = user or UserFactory(groups=[roles.ADMINISTRATORS])
    return issue_api_token(name=name, scopes=scopes, created_by=user)


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
