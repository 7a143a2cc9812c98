"""Publishing an edition's programme, and noting changes of its schedule for calendars.

A published edition (`programme_published_at` set) has public pages (/forums/...) and is in the
public calendar feed; an unpublished one is a 404 there. Who published or withdrew it is in the
admin log, like staff's other actions done through services.
"""

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy_portal.core.services import log_admin_action
from forums.models import Edition


@transaction.atomic
def publish_programme(*, edition: Edition, published_by) -> bool:
    """Make the edition's programme public. Returns False if it already was (nothing changes,
    the first publication time stays).

    Invariant: an edition is public exactly when `programme_published_at` is set."""
    updated = Edition.objects.filter(pk=edition.pk, programme_published_at__isnull=True).update(
        programme_published_at=timezone.now()
    )
    edition.refresh_from_db(fields=["programme_published_at"])
    if updated:
        log_admin_action(
            user=published_by, obj=edition, action_flag=CHANGE, message=_("Programme published.")
        )
    return bool(updated)


@transaction.atomic
def unpublish_programme(*, edition: Edition, unpublished_by) -> bool:
    """Take the edition's programme off the public pages and feed (they answer 404 for it).
    Returns False if it was not published."""
    updated = Edition.objects.filter(pk=edition.pk, programme_published_at__isnull=False).update(
        programme_published_at=None
    )
    edition.refresh_from_db(fields=["programme_published_at"])
    if updated:
        log_admin_action(
            user=unpublished_by,
            obj=edition,
            action_flag=CHANGE,
            message=_("Programme unpublished."),
        )
    return bool(updated)


@transaction.atomic
def record_schedule_change(*, edition: Edition) -> int:
    """The times, dates or places of the edition's sessions changed: raise its
    `schedule_sequence` (in the database, so two changes at once both count).

    Invariant: every calendar entry built afterwards (the public feed, each expert's calendar)
    has a higher SEQUENCE than any built before, so calendar clients take the new times."""
    Edition.objects.filter(pk=edition.pk).update(schedule_sequence=F("schedule_sequence") + 1)
    edition.refresh_from_db(fields=["schedule_sequence"])
    return edition.schedule_sequence
