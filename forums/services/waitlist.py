"""Capacity and the waitlist: free places, promoting the longest-waiting experts, session roles.

An edition with a capacity holds at most that many accepted invitations; a further "accept"
waits on the list (rsvp.py) and is confirmed here, in order, as soon as a place is free.
"""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from academy_portal.core.prepared import PreparedQuery
from forums.models import Edition, EmailTemplate, Invitation, InvitationEvent, SessionRole

from .events import record_event
from .invitation_emails import queue_invitation_email

# SELECT COUNT(id) ... GROUP BY edition_id: no row when there is no accepted invitation.
_ACCEPTED_COUNT = PreparedQuery(
    lambda edition_id: (
        Invitation.objects.filter(edition_id=edition_id, status=Invitation.Status.ACCEPTED)
        .values("edition_id")
        .annotate(accepted=Count("pk"))
        .values_list("accepted", flat=True)
    ),
    sentinel=-7_000_000_005,
)


def accepted_count(edition: Edition) -> int:
    """The edition's accepted invitations (asked at every answer that takes a place)."""
    counted = _ACCEPTED_COUNT.fetch(edition.pk)
    return counted[0] if counted else 0


def has_free_place(edition: Edition) -> bool:
    return edition.capacity is None or accepted_count(edition) < edition.capacity


# The longest-waiting expert of an edition, locked; asked after every declined place.
_NEXT_WAITLISTED = PreparedQuery(
    lambda edition_id: (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("expert", "offered_session")
        .filter(
            edition_id=edition_id,
            status=Invitation.Status.WAITLISTED,
            token_revoked_at__isnull=True,
        )
        .order_by("waitlisted_at", "id")[:1]
    ),
    sentinel=-7_000_000_003,
)


def promote_from_waitlist(edition: Edition, *, actor=None) -> list[Invitation]:
    """Fill free places with the longest-waiting experts, confirming and emailing each.

    Call with the edition row locked (inside the caller's transaction). `actor` is whoever freed
    or added the place (None: the expert's own answer did); the history names them.
    """
    promoted = []
    today = timezone.localdate()
    if edition.end_date < today:
        return promoted
    while True:
        # The next in line first: without one (the common case) no places are counted.
        candidate = _NEXT_WAITLISTED.first(edition.pk)
        if candidate is None or not has_free_place(edition):
            break
        candidate.edition = edition
        candidate.status = Invitation.Status.ACCEPTED
        candidate.version += 1
        candidate.save()
        record_event(
            candidate,
            InvitationEvent.Kind.OFFERED_PLACE,
            actor=actor,
            waitlisted_at=candidate.waitlisted_at.isoformat() if candidate.waitlisted_at else None,
        )
        queue_invitation_email(
            candidate,
            EmailTemplate.Kind.PLACE_OFFERED,
            dedup_key=f"place_offered:{candidate.pk}:{candidate.version}",
            ics_method="PUBLISH",
        )
        sync_offered_session_role(candidate, actor=actor)
        promoted.append(candidate)
    return promoted


def fill_places_from_waitlist(edition: Edition, *, actor) -> list[Invitation]:
    """After the capacity was raised: confirm waitlisted experts while places are free."""
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        return promote_from_waitlist(locked, actor=actor)


def sync_offered_session_role(invitation: Invitation, *, actor=None) -> None:
    """An accepted invitation holds the session role it offered; any other status does not."""
    if not (invitation.offered_session_id and invitation.offered_role):
        return
    lookup = {
        "session_id": invitation.offered_session_id,
        "expert_id": invitation.expert_id,
        "role": invitation.offered_role,
    }
    if invitation.status == Invitation.Status.ACCEPTED:
        # Not get_or_create (a savepoint around its INSERT): the role is unique, so a role
        # added by staff at this very moment is kept once (ON CONFLICT DO NOTHING).
        missing = not SessionRole.objects.filter(**lookup).exists()
        if missing:
            SessionRole.objects.bulk_create([SessionRole(**lookup)], ignore_conflicts=True)
        change = "added" if missing else ""
    else:
        change = "removed" if SessionRole.objects.filter(**lookup).delete()[0] else ""
    if change:
        # On the history, so staff see why the programme changed.
        record_event(
            invitation,
            InvitationEvent.Kind.NOTE,
            actor=actor,
            session_role=change,
            role=invitation.offered_role,
            session=str(invitation.offered_session),
        )
