"""Locking an invitation for a write, recording its history, handing the saved state back.

Lock order everywhere: the edition row, then the invitation row(s). Capacity decisions are made
while holding the edition lock, so two experts accepting the last seat at once cannot both get it.
"""

from django.db.models import QuerySet

from academy_portal.core.prepared import PreparedQuery
from forums.models import Edition, Invitation, InvitationEvent


def record_event(
    invitation: Invitation, kind: str, *, actor=None, by_expert: bool = False, **details
) -> InvitationEvent:
    """One line of the invitation's history: what happened, who did it, with which details."""
    return InvitationEvent.objects.create(
        invitation=invitation, kind=kind, actor=actor, by_expert=by_expert, details=details
    )


# Every answer and staff change locks these two rows: compiled once per process.
_LOCK_EDITION = PreparedQuery(
    lambda pk: Edition.objects.select_for_update().select_related("forum").filter(pk=pk),
    sentinel=-7_000_000_001,
)
_LOCK_INVITATION = PreparedQuery(
    lambda pk: (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("expert", "offered_session")
        .filter(pk=pk)
    ),
    sentinel=-7_000_000_002,
)


def lock_invitation(invitation: Invitation) -> tuple[Edition, Invitation]:
    """The edition row, then the invitation row, locked (call inside a transaction)."""
    edition = _LOCK_EDITION.first(invitation.edition_id)
    if edition is None:
        raise Edition.DoesNotExist("Edition matching query does not exist.")
    locked = _LOCK_INVITATION.first(invitation.pk)
    if locked is None:
        raise Invitation.DoesNotExist("Invitation matching query does not exist.")
    locked.edition = edition
    return edition, locked


def refresh_invitation(target: Invitation, source: Invitation) -> None:
    """Give the caller's object the saved state (it may be held by a view or an admin action)."""
    target.refresh_from_db()
    target.edition = source.edition


def copy_saved_invitation(target: Invitation, source: Invitation) -> None:
    """As refresh_invitation, without reading the row again: `source` must be the row as
    locked in this transaction with every change saved (an answer's), so its values are the
    database's; related objects included."""
    if target is source:
        return
    for field in Invitation._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
        if field.is_relation:
            if field.is_cached(source):
                field.set_cached_value(target, field.get_cached_value(source))
            elif field.is_cached(target):
                field.delete_cached_value(target)
    target.edition = source.edition
    # Prefetched relations (sessions attended ...) may have changed: read again when asked.
    target._prefetched_objects_cache = {}


def invitation_ids(invitations) -> list[int]:
    """Ids of invitations given as a queryset, objects or ids (a task passes ids)."""
    if isinstance(invitations, QuerySet):
        return list(invitations.values_list("pk", flat=True))
    return [i if isinstance(i, int) else i.pk for i in invitations]
