"""Staff API keys: issued and revoked by administrators in the admin, stored as a hash, checked
on every staff request (401 unknown or revoked, 403 wrong scope, 405 not a read), throttled per
key in the cache, and every request written to the access log."""

import datetime as dt
import hashlib

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from academy_portal.core import roles
from academy_portal.core.models import AccessLog, ApiToken
from academy_portal.core.services import issue_api_token, revoke_api_token
from tests.api_helpers import bearer, issued_key
from tests.factories import EditionFactory, MOUFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITATIONS = ApiToken.Scope.INVITATIONS_READ
MOUS = ApiToken.Scope.MOUS_READ


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def counts_path() -> str:
    return reverse("api:invitation_counts")


def mous_path() -> str:
    return reverse("api:mou_list")


def test_the_stored_token_holds_a_hash_and_a_prefix_never_the_key():
    token, key = issued_key(MOUS, INVITATIONS)
    token.refresh_from_db()
    assert key.startswith("ap_") and len(key) >= 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) == 10
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(key in value for value in stored)
    assert token.scopes == ["invitations:read", "mous:read"]
    # Two keys never share a hash.
    assert issued_key(MOUS)[1] != key


def test_an_unknown_scope_is_refused_and_nothing_is_stored():
    with pytest.raises(ValueError, match="unknown API scopes: mous:write"):
        issued_key("mous:write")
    assert not ApiToken.objects.exists()


def test_a_valid_key_reads_and_notes_its_last_use(client):
    token, key = issued_key(MOUS)
    MOUFactory()
    response = client.get(mous_path(), **bearer(key))
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client.head(mous_path(), **bearer(key)).status_code == 200
    assert client.options(mous_path(), **bearer(key)).status_code == 200


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ap_unknown", "Bearer", "Bearer a b", "Basic dXNlcjpwYXNz", "Bearer \u00e9"],
)
def test_no_key_or_an_unknown_key_is_a_401(client, header):
    issued_key(MOUS)
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(mous_path(), **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "detail" in response.json()
    assert not AccessLog.objects.exists()


def test_a_revoked_key_is_a_401_from_then_on(client):
    token, key = issued_key(MOUS)
    assert client.get(mous_path(), **bearer(key)).status_code == 200
    assert revoke_api_token(token=token)
    first = token.revoked_at
    assert not revoke_api_token(token=token)  # twice: the first time stays
    assert token.revoked_at == first
    response = client.get(mous_path(), **bearer(key))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown or revoked API key."}


def test_a_key_without_the_scope_is_a_403(client):
    _, mous_key = issued_key(MOUS)
    _, counts_key = issued_key(INVITATIONS)
    assert client.get(counts_path(), **bearer(mous_key)).status_code == 403
    assert client.get(mous_path(), **bearer(counts_key)).status_code == 403
    assert client.get(counts_path(), **bearer(counts_key)).status_code == 200
    assert not AccessLog.objects.filter(model_label="partners.mou").exists()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_key_only_reads(client, method):
    _, key = issued_key(MOUS, INVITATIONS)
    mou = MOUFactory()
    for path in (mous_path(), counts_path()):
        response = getattr(client, method)(path, {}, content_type="application/json", **bearer(key))
        assert response.status_code == 405
    mou.refresh_from_db()
    assert not AccessLog.objects.exists()
    # Without a key, a write is refused as unauthenticated.
    assert client.post(mous_path(), {}).status_code == 401


def test_each_key_is_throttled_in_the_cache(client, settings):
    settings.API_TOKEN_THROTTLE_RATE = "3/minute"
    _, key = issued_key(MOUS)
    _, other = issued_key(MOUS, name="Intranet")
    for _ in range(3):
        assert client.get(mous_path(), **bearer(key)).status_code == 200
    refused = client.get(mous_path(), **bearer(key))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert client.get(mous_path(), **bearer(other)).status_code == 200  # its own count
    assert AccessLog.objects.count() == 4  # refused requests read nothing


def test_the_throttle_counts_in_redis_when_the_cache_is_redis(require_redis, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "academy_portal.core.cache.ResilientRedisCache",
            "LOCATION": settings.REDIS_URL,
        }
    }
    settings.API_TOKEN_THROTTLE_RATE = "2/minute"
    cache.clear()
    token, key = issued_key(MOUS)
    assert [client.get(mous_path(), **bearer(key)).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert len(cache.get(f"throttle_api_token_{token.pk}")) == 2


def test_every_staff_request_is_in_the_access_log_under_who_issued_the_key(client):
    admin = UserFactory(groups=[roles.ADMINISTRATORS])
    _, key = issued_key(MOUS, INVITATIONS, name="Main website", user=admin)
    mous = [MOUFactory(), MOUFactory()]
    editions = [EditionFactory(), EditionFactory()]

    client.get(mous_path() + "?status=active", **bearer(key))
    client.get(counts_path(), **bearer(key))

    mou_row, count_row = AccessLog.objects.order_by("pk")
    assert (mou_row.user, mou_row.action, mou_row.model_label) == (admin, "view", "partners.mou")
    assert mou_row.what == "API (Main website): /api/v1/staff/mous/?status=active"
    assert sorted(mou_row.object_ids) == sorted(m.pk for m in mous)
    assert mou_row.record_count == 2 and not mou_row.personal_details
    assert count_row.model_label == "forums.edition"
    assert sorted(count_row.object_ids) == sorted(e.pk for e in editions)


def test_a_key_used_within_the_minute_is_not_written_again(client, django_assert_num_queries):
    token, key = issued_key(MOUS)
    MOUFactory()
    client.get(mous_path(), **bearer(key))
    token.refresh_from_db()
    used = token.last_used_at
    # The key, the count, the page, the access log row: no UPDATE of the key.
    with django_assert_num_queries(4):
        client.get(mous_path(), **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == used
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used - dt.timedelta(minutes=2))
    client.get(mous_path(), **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at > used - dt.timedelta(seconds=1)
    assert token.last_used_at <= timezone.now()


# The admin: administrators only; the key shown once; revoking; no editing or deleting.


@pytest.mark.parametrize(
    ("group", "status"),
    [
        (roles.ADMINISTRATORS, 200),
        (roles.VIEWERS, 403),
        (roles.FORUM_COORDINATORS, 403),
        (roles.PARTNERSHIPS_OFFICERS, 403),
    ],
)
def test_only_administrators_see_and_issue_keys(client, group, status):
    token, _ = issued_key(MOUS)
    client.force_login(UserFactory(groups=[group]))
    assert client.get("/admin/core/apitoken/").status_code == status
    assert client.get("/admin/core/apitoken/add/").status_code == status
    assert client.get(f"/admin/core/apitoken/{token.pk}/change/").status_code == status


def test_an_administrator_issues_a_key_that_is_shown_once_and_works(client):
    admin = UserFactory(groups=[roles.ADMINISTRATORS])
    client.force_login(admin)

    response = client.post(
        "/admin/core/apitoken/add/", {"name": "Main website", "scopes": ["mous:read"]}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    token = ApiToken.objects.get()
    assert (token.name, token.scopes, token.created_by) == ("Main website", ["mous:read"], admin)
    assert f'value="{key}"' in response.content.decode()
    assert "shown only this once" in response.content.decode()
    # Nowhere afterwards: not on the list nor on the token's page.
    for path in ("/admin/core/apitoken/", f"/admin/core/apitoken/{token.pk}/change/"):
        page = client.get(path)
        assert page.status_code == 200 and key not in page.content.decode()
        assert token.prefix in page.content.decode()
    client.logout()
    assert client.get(mous_path(), **bearer(key)).status_code == 200


def test_the_add_form_refuses_no_scope_and_an_unknown_one_with_a_message(client):
    client.force_login(UserFactory(groups=[roles.ADMINISTRATORS]))
    for scopes in ([], ["mous:write"]):
        response = client.post("/admin/core/apitoken/add/", {"name": "Site", "scopes": scopes})
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "scopes" in errors
    assert not ApiToken.objects.exists()


def test_an_administrator_revokes_keys_and_nobody_edits_or_deletes_them(client):
    token, key = issued_key(MOUS)
    other, other_key = issued_key(MOUS, name="Intranet")
    client.force_login(UserFactory(groups=[roles.ADMINISTRATORS]))

    response = client.post(
        "/admin/core/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
        follow=True,
    )

    assert "1 API key revoked." in response.content.decode()
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None and other.revoked_at is None
    assert client.get(mous_path(), **bearer(key)).status_code == 401
    assert client.get(mous_path(), **bearer(other_key)).status_code == 200
    delete = client.post(f"/admin/core/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403 and ApiToken.objects.filter(pk=token.pk).exists()
    edit = client.post(f"/admin/core/apitoken/{other.pk}/change/", {"name": "Changed"})
    assert edit.status_code == 403
    other.refresh_from_db()
    assert other.name == "Intranet"


def test_the_token_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    admin = UserFactory(groups=[roles.ADMINISTRATORS])
    client.force_login(admin)
    issue_api_token(name="One", scopes=[MOUS], created_by=admin)
    with django_assert_max_num_queries(12) as one:
        assert client.get("/admin/core/apitoken/").status_code == 200
    for n in range(20):
        issue_api_token(name=f"Client {n}", scopes=[MOUS], created_by=UserFactory())
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/admin/core/apitoken/").status_code == 200
