"""Services of the core app: recording who read personal data, and what staff did."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation

from academy_portal.core.models import AccessLog


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
