"""Inviting experts, sending and revoking their personal links, the waitlist, reminders now.

Many at once, and in the background: batches.py.

Lock order everywhere: the edition row, then the invitation row(s). Capacity decisions are made
while holding the edition lock, so two experts accepting the last seat at once cannot both get it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forums.models import (
    Edition,
    EmailTemplate,
    Invitation,
    InvitationEvent,
    Session,
    SessionRole,
)

from .emails import find_template, render_email
from .tokens import _issue_token, current_raw_token

# Invitations sent per transaction by `send_invitations`: the edition row stays locked for one
# chunk (~0.3 s), so experts answering meanwhile wait that long at most.
SEND_CHUNK_SIZE = 50


class InvitationError(Exception):
    """A staff action that cannot be done; `message` says why, in words for the staff member."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


# --- helpers ------------------------------------------------------------------------------


def _record(invitation, kind, *, actor=None, by_expert=False, **details) -> InvitationEvent:
    return InvitationEvent.objects.create(
        invitation=invitation, kind=kind, actor=actor, by_expert=by_expert, details=details
    )


def _lock(invitation: Invitation) -> tuple[Edition, Invitation]:
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


def _refresh(target: Invitation, source: Invitation) -> None:
    """Give the caller's object the saved state (it may be held by a view or an admin action)."""
    target.refresh_from_db()
    target.edition = source.edition


class _BatchCache:
    """What is the same for every invitation of an edition, looked up once per batch of sends:
    the email template per kind and language, and the event's span for the .ics."""

    def __init__(self):
        self.templates = {}
        self.spans = {}

    def template(self, kind: str, invitation: Invitation) -> EmailTemplate:
        # The same language rule as render_email.
        language = invitation.expert.preferred_language or settings.LANGUAGE_CODE
        key = (kind, language, invitation.edition_id)
        if key not in self.templates:
            self.templates[key] = find_template(kind, language=language, edition=invitation.edition)
        return self.templates[key]

    def span(self, invitation: Invitation):
        from forums.ics import event_span

        key = (invitation.edition_id, invitation.offered_session_id)
        if key not in self.spans:
            self.spans[key] = event_span(invitation)
        return self.spans[key]


def queue_invitation_email(
    invitation: Invitation,
    kind: str,
    *,
    dedup_key: str,
    raw_token: str | None = None,
    ics_method: str | None = None,
    cache: _BatchCache | None = None,
):
    """Render one email of `kind` for the invitation and put it in the outbox (deduplicated).

    The stored email carries markers, not the personal link or details: the outbox fills
    them in when it sends (forums' resolver, `emails.outbox_values`)."""
    from academy_portal.mail.services import queue_email
    from forums.ics import build_invitation_ics

    if raw_token is None:
        raw_token = current_raw_token(invitation)
    rendered = render_email(
        kind,
        invitation,
        raw_token=raw_token,
        template=cache.template(kind, invitation) if cache else None,
        for_outbox=True,
    )
    attachments = []
    if ics_method:
        attachments.append(
            (
                "invitation.ics" if ics_method != "CANCEL" else "cancellation.ics",
                build_invitation_ics(
                    invitation, method=ics_method, span=cache.span(invitation) if cache else None
                ),
                f"text/calendar; method={ics_method}",
            )
        )
    edition = invitation.edition
    return queue_email(
        to_email=invitation.expert.email,
        to_name=invitation.expert.full_name,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        language=rendered.language,
        kind=kind,
        dedup_key=dedup_key,
        related=invitation,
        attachments=attachments,
        reply_to=edition.contact_email or settings.ACADEMY_CONTACT_EMAIL,
    )


def accepted_count(edition: Edition) -> int:
    return edition.invitations.filter(status=Invitation.Status.ACCEPTED).count()


def has_free_place(edition: Edition) -> bool:
    return edition.capacity is None or accepted_count(edition) < edition.capacity


# --- staff side ---------------------------------------------------------------------------


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
    _check_can_invite(edition, offered_session)
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
            _record(
                invitation,
                InvitationEvent.Kind.CREATED,
                actor=invited_by,
                offered_session=offered_session.pk if offered_session else None,
                offered_role=offered_role or "",
            )
    return invitation, created


def _check_can_invite(edition: Edition, offered_session: Session | None) -> None:
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
        _, locked = _lock(invitation)
        raw = _send_locked(locked, sent_by=sent_by)
    _refresh(invitation, locked)
    return raw


def _send_locked(locked: Invitation, *, sent_by, cache: _BatchCache | None = None) -> str:
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
    raw = _issue_token(locked)
    if reopening:
        locked.status = Invitation.Status.SENT
    locked.sent_at = timezone.now()
    locked.save()
    _record(
        locked,
        InvitationEvent.Kind.SENT if first_time else InvitationEvent.Kind.RESENT,
        actor=sent_by,
        previous_status=previous_status,
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


def _ids(invitations) -> list[int]:
    """Ids of invitations given as a queryset, objects or ids (a task passes ids)."""
    if isinstance(invitations, QuerySet):
        return list(invitations.values_list("pk", flat=True))
    return [i if isinstance(i, int) else i.pk for i in invitations]


def send_invitations(invitations, *, sent_by, drafts_only: bool = True) -> tuple[int, list[str]]:
    """Send each invitation (by default only those still drafts); returns (sent, problems).

    One transaction per SEND_CHUNK_SIZE invitations, each in its own savepoint: a problem
    loses only its own invitation. Status is re-read under the row lock, so a double click,
    or a background task run twice, finds the invitation already sent and sends nothing.
    """
    sent, problems = 0, []
    cache = _BatchCache()
    ids = _ids(invitations)
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
) -> dict[str, list]:
    """Send sent invitations again with a new link (or only the new link), once per click.

    Skips drafts (use send), links issued within the last minute (a double click) and links
    issued after `requested_at` (when the click was; a background task run twice).
    Returns {"sent": [invitations], "skipped": [invitations], "problems": [messages]}.
    """
    outcome = {"sent": [], "skipped": [], "problems": []}
    for invitation in invitations:
        with transaction.atomic():
            _, locked = _lock(invitation)
            issued = locked.token_issued_at
            if (
                locked.status == Invitation.Status.DRAFT
                or _just_issued(locked)
                or (requested_at is not None and issued is not None and issued >= requested_at)
            ):
                outcome["skipped"].append(locked)
                continue
            try:
                if new_link_only:
                    reissue_token(locked, issued_by=sent_by, notify=True)
                else:
                    send_invitation(locked, sent_by=sent_by)
            except InvitationError as exc:
                outcome["problems"].append(f"{locked.expert}: {exc.message}")
                continue
            outcome["sent"].append(locked)
    return outcome


def reissue_token(invitation: Invitation, *, issued_by, notify: bool = False) -> str:
    """A new link for the expert; the old one stops working at once. `notify` emails it."""
    with transaction.atomic():
        _, locked = _lock(invitation)
        if locked.status in (
            Invitation.Status.DRAFT,
            Invitation.Status.WITHDRAWN,
            Invitation.Status.EXPIRED,
        ):
            raise InvitationError(
                _("The invitation of %(expert)s is %(status)s: send it to give a new link.")
                % {"expert": locked.expert, "status": locked.get_status_display()}
            )
        raw = _issue_token(locked)
        locked.save()
        _record(locked, InvitationEvent.Kind.TOKEN_REISSUED, actor=issued_by, emailed=notify)
        if notify:
            queue_invitation_email(
                locked,
                EmailTemplate.Kind.INVITATION,
                dedup_key=f"invitation:{locked.pk}:{locked.token_hash[:16]}",
                raw_token=raw,
                ics_method="PUBLISH",
            )
    _refresh(invitation, locked)
    return raw


def withdraw_invitation(
    invitation: Invitation, *, withdrawn_by, notify: bool = False
) -> Invitation:
    """Withdrawn: the link stops working, a freed place goes to the waitlist; emails if asked."""
    with transaction.atomic():
        edition, locked = _lock(invitation)
        if locked.status == Invitation.Status.WITHDRAWN:
            _refresh(invitation, locked)
            return invitation
        previous_status = locked.status
        locked.status = Invitation.Status.WITHDRAWN
        locked.token_revoked_at = timezone.now()
        locked.save()
        _record(
            locked,
            InvitationEvent.Kind.WITHDRAWN,
            actor=withdrawn_by,
            previous_status=previous_status,
            emailed=notify,
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
    _refresh(invitation, locked)
    return invitation


def promote_from_waitlist(edition: Edition, *, actor=None) -> list[Invitation]:
    """Fill free places with the longest-waiting experts, confirming and emailing each.

    Call with the edition row locked (inside the caller's transaction).
    """
    promoted = []
    today = timezone.localdate()
    if edition.end_date < today:
        return promoted
    while has_free_place(edition):
        candidate = (
            edition.invitations.select_for_update(of=("self",))
            .select_related("expert", "offered_session")
            .filter(status=Invitation.Status.WAITLISTED, token_revoked_at__isnull=True)
            .order_by("waitlisted_at", "id")
            .first()
        )
        if candidate is None:
            break
        candidate.edition = edition
        candidate.status = Invitation.Status.ACCEPTED
        candidate.version += 1
        candidate.save()
        _record(
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
        change = "added" if SessionRole.objects.get_or_create(**lookup)[1] else ""
    else:
        change = "removed" if SessionRole.objects.filter(**lookup).delete()[0] else ""
    if change:
        # On the history, so staff see why the programme changed.
        _record(
            invitation,
            InvitationEvent.Kind.NOTE,
            actor=actor,
            session_role=change,
            role=invitation.offered_role,
            session=str(invitation.offered_session),
        )


def fill_places_from_waitlist(edition: Edition, *, actor) -> list[Invitation]:
    """After the capacity was raised: confirm waitlisted experts while places are free."""
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        return promote_from_waitlist(locked, actor=actor)


def remind_invitations_now(
    invitations, *, reminded_by, requested_at: datetime | None = None
) -> int:
    """remind_invitation_now for each pending invitation; returns how many were reminded."""
    pending = Invitation.objects.filter(pk__in=_ids(invitations)).pending().order_by("pk")
    return sum(
        remind_invitation_now(invitation, reminded_by=reminded_by, requested_at=requested_at)
        for invitation in pending
    )


def remind_invitation_now(
    invitation: Invitation, *, reminded_by, requested_at: datetime | None = None
) -> bool:
    """A "please answer" reminder now, for a pending invitation only; False if not sent.

    One per minute of `requested_at` (default now): the outbox key carries it."""
    with transaction.atomic():
        _, locked = _lock(invitation)
        if locked.status != Invitation.Status.SENT or not locked.is_answerable:
            return False
        raw = current_raw_token(locked)
        if raw is None:  # SECRET_KEY was changed since the link was issued
            raw = _issue_token(locked)
            locked.save()
            _record(locked, InvitationEvent.Kind.TOKEN_REISSUED, actor=reminded_by)
        # Minute resolution: a double click sends one reminder, a reminder next day another.
        stamp = (requested_at or timezone.now()).strftime("%Y%m%d%H%M")
        _, created = queue_invitation_email(
            locked,
            EmailTemplate.Kind.REMINDER_UNANSWERED,
            dedup_key=f"reminder:manual:{locked.pk}:{stamp}",
            raw_token=raw,
        )
        if created:
            _record(locked, InvitationEvent.Kind.REMINDED, actor=reminded_by, manual=True)
    _refresh(invitation, locked)
    return created
