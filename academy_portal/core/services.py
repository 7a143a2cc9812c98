"""Services of the core app: recording who read personal data."""

from collections.abc import Iterable

from django.db import models

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
