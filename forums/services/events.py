"""Locking an invitation for a write, recording its history, handing the saved state back.

Lock order everywhere: the edition row, then the invitation row(s). Capacity decisions are made
while holding the edition lock, so two experts accepting the last seat at once cannot both get it.
"""

from django.db.models import QuerySet

from forums.models import Edition, Invitation, InvitationEvent


def record_event(
    invitation: Invitation, kind: str, *, actor=None, by_expert: bool = False, **details
) -> InvitationEvent:
    """One line of the invitation's history: what happened, who did it, with which details."""
    return InvitationEvent.objects.create(
        invitation=invitation, kind=kind, actor=actor, by_expert=by_expert, details=details
    )


def lock_invitation(invitation: Invitation) -> tuple[Edition, Invitation]:
    """The edition row, then the invitation row, locked (call inside a transaction)."""
    edition = (
        Edition.objects.select_for_update().select_related("forum").get(pk=invitation.edition_id)
    )
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("expert", "offered_session")
        .get(pk=invitation.pk)
    )
    locked.edition = edition
    return edition, locked


def refresh_invitation(target: Invitation, source: Invitation) -> None:
    """Give the caller's object the saved state (it may be held by a view or an admin action)."""
    target.refresh_from_db()
    target.edition = source.edition


def invitation_ids(invitations) -> list[int]:
    """Ids of invitations given as a queryset, objects or ids (a task passes ids)."""
    if isinstance(invitations, QuerySet):
        return list(invitations.values_list("pk", flat=True))
    return [i if isinstance(i, int) else i.pk for i in invitations]
