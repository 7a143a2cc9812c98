"""Services of the core app: recording who read personal data, and what staff did."""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation

from academy_portal.core.models import AccessLog, ApiToken

# What an API key looks like: "ap_" then 43 URL-safe characters (256 random bits).
API_KEY_PREFIX = "ap_"
# Shown in the admin to tell keys apart: the key's first characters, useless alone.
API_KEY_SHOWN_CHARACTERS = 10
# A key's last use is written at most this often (not a database write per request).
API_TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)


def record_access(
    *,
    user,
    action: str,
    model: type[models.Model],
    what: str,
    object_ids: Iterable[int],
    personal_details: bool = False,
) -> AccessLog:
    """Write one access-log row for `user` reading `object_ids` of `model` (a page or export).

    Every export of personal data and every page that shows passport data calls this in the
    same request, before the data leaves the server: no row, no data.
    """
    ids = list(object_ids)
    return AccessLog.objects.create(
        user=user,
        action=action,
        model_label=model._meta.label_lower,
        what=str(what)[:200],
        record_count=len(ids),
        object_ids=ids,
        personal_details=personal_details,
    )


def log_admin_action(*, user, obj: models.Model, action_flag: int, message: str) -> LogEntry | None:
    """Record a staff action done through a service in the admin log ("Recent actions",
    the object's "History"), as the admin records its own edits.

    Only a signed-in staff member's action is logged: an expert's answer or a scheduled task
    (no user) is not an admin action. The message is stored in the site's language, like
    the admin's own change messages. Returns None when nothing was logged.
    """
    if user is None or not getattr(user, "is_staff", False) or obj.pk is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        representation = str(obj)[:200]
    return LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=representation,
        action_flag=action_flag,
        change_message=text,
    )


def api_key_hash(key: str) -> str:
    """The stored form of an API key. The key holds 256 random bits, so a plain SHA-256 cannot
    be reversed or guessed; it is not keyed with SECRET_KEY, so rotating that keeps keys working."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_api_token(*, name: str, scopes: Iterable[str], created_by) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which exists nowhere else: the row keeps the
    key's hash and first characters only, so the caller shows the key once and drops it."""
    valid = set(ApiToken.Scope.values)
    chosen = list(dict.fromkeys(scopes))
    unknown = [scope for scope in chosen if scope not in valid]
    if unknown:
        raise ValueError(f"unknown API scopes: {', '.join(unknown)}")
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        prefix=key[:API_KEY_SHOWN_CHARACTERS],
        key_hash=api_key_hash(key),
        scopes=sorted(chosen),
        created_by=created_by,
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> bool:
    """Revoke the token from now on; revoking twice keeps the first time. True if it was active."""
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return bool(changed)


def find_api_token(*, key: str) -> ApiToken | None:
    """The active token with this key, with who issued it (one query); None for an unknown or
    revoked key."""
    if not key.startswith(API_KEY_PREFIX) or len(key) > 100:
        return None
    return (
        ApiToken.objects.active().select_related("created_by").filter(key_hash=api_key_hash(key))
    ).first()


def record_api_token_use(*, token: ApiToken) -> None:
    """Note when the token was last used, at most once a minute (one UPDATE, or none)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < API_TOKEN_USE_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
