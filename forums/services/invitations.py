"""Inviting experts, sending, resending and withdrawing invitations, new personal links.

Many at once, and in the background: batches.py. Locks and history: events.py (lock order: the
edition row, then the invitation rows). Places and the waitlist: waitlist.py. Reminders sent by
hand: reminders.py.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.admin.models import CHANGE
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy_portal.core.services import log_admin_action
from forums.models import Edition, EmailTemplate, Invitation, InvitationEvent, Session

from .events import invitation_ids, lock_invitation, record_event, refresh_invitation
from .invitation_emails import BatchCache, queue_invitation_email
from .tokens import issue_token
from .waitlist import promote_from_waitlist, sync_offered_session_role

# Invitations sent per transaction by `send_invitations`: the edition row stays locked for one
# chunk (~0.3 s), so experts answering meanwhile wait that long at most.
SEND_CHUNK_SIZE = 50


@dataclass
class ResendOutcome:
    """What "send again" / "new link" did: invitations sent, skipped (drafts, double clicks),
    and problems in words for the staff member."""

    sent: list[Invitation] = field(default_factory=list)
    skipped: list[Invitation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class InvitationError(Exception):
    """A staff action that cannot be done; `message` says why, in words for the staff member."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def invite_expert(
    edition: Edition,
    *,
    expert,
    invited_by,
    offered_session: Session | None = None,
    offered_role: str = "",
    personal_message: str = "",
) -> tuple[Invitation, bool]:
    """One invitation per expert and edition: inviting again returns the existing one (False)."""
    check_can_invite(edition, offered_session)
    with transaction.atomic():
        invitation, created = Invitation.objects.get_or_create(
            edition=edition,
            expert=expert,
            defaults={
                "offered_session": offered_session,
                "offered_role": offered_role or "",
                "personal_message": (personal_message or "").strip(),
                "invited_by": invited_by,
            },
        )
        if created:
            record_event(
                invitation,
                InvitationEvent.Kind.CREATED,
                actor=invited_by,
                offered_session=offered_session.pk if offered_session else None,
                offered_role=offered_role or "",
            )
    return invitation, created


def check_can_invite(edition: Edition, offered_session: Session | None) -> None:
    """InvitationError unless the edition takes invitations (and offers this session)."""
    if edition.status not in (Edition.Status.PLANNING, Edition.Status.INVITATIONS_OPEN):
        raise InvitationError(
            _("%(edition)s is not open for invitations (status: %(status)s).")
            % {"edition": edition, "status": edition.get_status_display()}
        )
    if edition.end_date < timezone.localdate():
        raise InvitationError(_("%(edition)s has already ended.") % {"edition": edition})
    if offered_session is not None and offered_session.edition_id != edition.pk:
        raise InvitationError(
            _("The session “%(session)s” is not part of %(edition)s.")
            % {"session": offered_session, "edition": edition}
        )


def send_invitation(invitation: Invitation, *, sent_by) -> str:
    """Issue a fresh link (the previous one stops working) and queue the invitation email."""
    with transaction.atomic():
        _, locked = lock_invitation(invitation)
        raw = _send_locked(locked, sent_by=sent_by)
    refresh_invitation(invitation, locked)
    return raw


def _send_locked(locked: Invitation, *, sent_by, cache: BatchCache | None = None) -> str:
    """send_invitation's work, with the edition and invitation rows locked by the caller."""
    edition = locked.edition
    if edition.end_date < timezone.localdate():
        raise InvitationError(_("%(edition)s has already ended.") % {"edition": edition})
    reopening = locked.status in (
        Invitation.Status.DRAFT,
        Invitation.Status.WITHDRAWN,
        Invitation.Status.EXPIRED,
    )
    if reopening and edition.status != Edition.Status.INVITATIONS_OPEN:
        raise InvitationError(
            _("Invitations to %(edition)s are not open (status: %(status)s).")
            % {"edition": edition, "status": edition.get_status_display()}
        )
    if reopening and locked.deadline_passed:
        raise InvitationError(
            _("The RSVP deadline of %(edition)s has passed: extend it before inviting.")
            % {"edition": edition}
        )
    first_time = locked.sent_at is None
    previous_status = locked.status
    raw = issue_token(locked)
    if reopening:
        locked.status = Invitation.Status.SENT
    locked.sent_at = timezone.now()
    locked.save()
    record_event(
        locked,
        InvitationEvent.Kind.SENT if first_time else InvitationEvent.Kind.RESENT,
        actor=sent_by,
        previous_status=previous_status,
    )
    log_admin_action(
        user=sent_by,
        obj=locked,
        action_flag=CHANGE,
        message=_("Invitation sent.") if first_time else _("Invitation sent again."),
    )
    try:
        queue_invitation_email(
            locked,
            EmailTemplate.Kind.INVITATION,
            dedup_key=f"invitation:{locked.pk}:{locked.token_hash[:16]}",
            raw_token=raw,
            ics_method="PUBLISH",
            cache=cache,
        )
    except ValidationError as exc:  # e.g. an address imported before it was validated
        raise InvitationError(" ".join(exc.messages)) from exc
    return raw


def send_invitations(invitations, *, sent_by, drafts_only: bool = True) -> tuple[int, list[str]]:
    """Send each invitation (by default only those still drafts); returns (sent, problems).

    One transaction per SEND_CHUNK_SIZE invitations, each in its own savepoint: a problem
    loses only its own invitation. Status is re-read under the row lock, so a double click,
    or a background task run twice, finds the invitation already sent and sends nothing.
    """
    sent, problems = 0, []
    cache = BatchCache()
    ids = invitation_ids(invitations)
    for start in range(0, len(ids), SEND_CHUNK_SIZE):
        chunk = ids[start : start + SEND_CHUNK_SIZE]
        with transaction.atomic():
            # Lock order: the edition rows, then the invitation rows (both by id).
            edition_ids = set(
                Invitation.objects.filter(pk__in=chunk).values_list("edition_id", flat=True)
            )
            editions = Edition.objects.select_for_update().select_related("forum")
            editions = {e.pk: e for e in editions.filter(pk__in=edition_ids).order_by("pk")}
            rows = (
                Invitation.objects.select_for_update(of=("self",))
                .select_related("expert", "offered_session")
                .filter(pk__in=chunk)
                .order_by("pk")
            )
            for locked in rows:
                if drafts_only and locked.status != Invitation.Status.DRAFT:
                    continue
                locked.edition = editions[locked.edition_id]
                try:
                    with transaction.atomic():
                        _send_locked(locked, sent_by=sent_by, cache=cache)
                except InvitationError as exc:
                    problems.append(f"{locked.expert}: {exc.message}")
                    continue
                sent += 1
    return sent, problems


# A second click on "send again" / "new link" within this time is taken as a double click.
DOUBLE_CLICK_WINDOW = timedelta(minutes=1)


def _just_issued(invitation: Invitation) -> bool:
    issued = invitation.token_issued_at
    return issued is not None and issued > timezone.now() - DOUBLE_CLICK_WINDOW


def resend_invitations(
    invitations,
    *,
    sent_by,
    new_link_only: bool = False,
    requested_at: datetime | None = None,
) -> ResendOutcome:
    """Send sent invitations again with a new link (or only the new link), once per click.

    Skips drafts (use send), links issued within the last minute (a double click) and links
    issued after `requested_at` (when the click was; a background task run twice).
    """
    outcome = ResendOutcome()
    for invitation in invitations:
        with transaction.atomic():
            _, locked = lock_invitation(invitation)
            issued = locked.token_issued_at
            if (
                locked.status == Invitation.Status.DRAFT
                or _just_issued(locked)
                or (requested_at is not None and issued is not None and issued >= requested_at)
            ):
                outcome.skipped.append(locked)
                continue
            try:
                if new_link_only:
                    reissue_token(locked, issued_by=sent_by, notify=True)
                else:
                    send_invitation(locked, sent_by=sent_by)
            except InvitationError as exc:
                outcome.problems.append(f"{locked.expert}: {exc.message}")
                continue
            outcome.sent.append(locked)
    return outcome


def reissue_token(invitation: Invitation, *, issued_by, notify: bool = False) -> str:
    """A new link for the expert; the old one stops working at once. `notify` emails it."""
    with transaction.atomic():
        _, locked = lock_invitation(invitation)
        if locked.status in (
            Invitation.Status.DRAFT,
            Invitation.Status.WITHDRAWN,
            Invitation.Status.EXPIRED,
        ):
            raise InvitationError(
                _("The invitation of %(expert)s is %(status)s: send it to give a new link.")
                % {"expert": locked.expert, "status": locked.get_status_display()}
            )
        raw = issue_token(locked)
        locked.save()
        record_event(locked, InvitationEvent.Kind.TOKEN_REISSUED, actor=issued_by, emailed=notify)
        if notify:
            queue_invitation_email(
                locked,
                EmailTemplate.Kind.INVITATION,
                dedup_key=f"invitation:{locked.pk}:{locked.token_hash[:16]}",
                raw_token=raw,
                ics_method="PUBLISH",
            )
    refresh_invitation(invitation, locked)
    return raw


def withdraw_invitation(
    invitation: Invitation, *, withdrawn_by, notify: bool = False, reason: str = ""
) -> Invitation:
    """Withdrawn: the link stops working, a freed place goes to the waitlist; emails if asked.
    `reason` (e.g. "replaced by ... as delegate") goes into the history."""
    with transaction.atomic():
        edition, locked = lock_invitation(invitation)
        if locked.status == Invitation.Status.WITHDRAWN:
            refresh_invitation(invitation, locked)
            return invitation
        previous_status = locked.status
        locked.status = Invitation.Status.WITHDRAWN
        locked.token_revoked_at = timezone.now()
        locked.save()
        record_event(
            locked,
            InvitationEvent.Kind.WITHDRAWN,
            actor=withdrawn_by,
            previous_status=previous_status,
            emailed=notify,
            **({"reason": reason} if reason else {}),
        )
        log_admin_action(
            user=withdrawn_by, obj=locked, action_flag=CHANGE, message=_("Invitation withdrawn.")
        )
        if notify and previous_status != Invitation.Status.DRAFT:
            queue_invitation_email(
                locked,
                EmailTemplate.Kind.WITHDRAWN,
                dedup_key=f"withdrawn:{locked.pk}:{locked.token_revoked_at.isoformat()}",
                ics_method="CANCEL" if previous_status == Invitation.Status.ACCEPTED else None,
            )
        sync_offered_session_role(locked, actor=withdrawn_by)
        if previous_status == Invitation.Status.ACCEPTED:
            promote_from_waitlist(edition, actor=withdrawn_by)
    refresh_invitation(invitation, locked)
    return invitation
