"""Inviting experts, sending and revoking their personal links, and recording their answers.

Lock order everywhere: the edition row, then the invitation row(s). Capacity decisions are made
while holding the edition lock, so two experts accepting the last seat at once cannot both get it.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forums.models import Edition, EmailTemplate, Invitation, InvitationEvent, Session, hash_token

from .emails import render_email

ANSWERS = (Invitation.Status.ACCEPTED, Invitation.Status.DECLINED, Invitation.Status.TENTATIVE)
OPENED_EVENT_INTERVAL = timedelta(hours=1)
MAX_TOKEN_LENGTH = 128


class InvitationError(Exception):
    """A staff action that cannot be done; `message` says why, in words for the staff member."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class RSVPError(Exception):
    """An answer that cannot be saved; `message` is shown to the expert."""

    default_message = _("Your answer could not be saved.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class RSVPClosed(RSVPError):
    default_message = _("This invitation can no longer be answered online.")


class StaleAnswer(RSVPError):
    default_message = _(
        "Your answer was changed in another window or tab after this page was opened. "
        "The page now shows the answer on record: please review it and submit again."
    )


class InvalidAnswer(RSVPError):
    default_message = _("Please check your answer.")


# --- tokens -------------------------------------------------------------------------------


def _derive_token(seed: str) -> str:
    """The raw link token for a random seed: HMAC with SECRET_KEY, 256 bits, URL-safe.

    The database stores the seed and the token's sha256, never the token: a leaked database alone
    does not give working links, yet a reminder can still carry the same link as the invitation.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"forums.rsvp:{seed}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _issue_token(invitation: Invitation) -> str:
    seed = secrets.token_urlsafe(32)
    raw = _derive_token(seed)
    invitation.token_seed = seed
    invitation.token_hash = hash_token(raw)
    invitation.token_issued_at = timezone.now()
    invitation.token_revoked_at = None
    return raw


def current_raw_token(invitation: Invitation) -> str | None:
    """The link token the expert already has; None if never sent, revoked or SECRET_KEY changed."""
    if not invitation.token_seed or not invitation.token_hash or invitation.token_revoked_at:
        return None
    raw = _derive_token(invitation.token_seed)
    return raw if hmac.compare_digest(hash_token(raw), invitation.token_hash) else None


def find_invitation_by_token(raw_token: str) -> Invitation | None:
    """The invitation whose link carries this token (withdrawn ones included), else None."""
    if not raw_token or len(raw_token) > MAX_TOKEN_LENGTH:
        return None
    token_hash = hash_token(raw_token)
    invitation = Invitation.objects.with_related().filter(token_hash=token_hash).first()
    if invitation is None or not hmac.compare_digest(invitation.token_hash, token_hash):
        return None
    return invitation


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


def queue_invitation_email(
    invitation: Invitation,
    kind: str,
    *,
    dedup_key: str,
    raw_token: str | None = None,
    ics_method: str | None = None,
):
    """Render one email of `kind` for the invitation and put it in the outbox (deduplicated)."""
    from academy_portal.mail.services import queue_email
    from forums.ics import build_invitation_ics

    if raw_token is None:
        raw_token = current_raw_token(invitation)
    rendered = render_email(kind, invitation, raw_token=raw_token)
    attachments = []
    if ics_method:
        attachments.append(
            (
                "invitation.ics" if ics_method != "CANCEL" else "cancellation.ics",
                build_invitation_ics(invitation, method=ics_method),
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


def send_invitation(invitation: Invitation, *, sent_by) -> str:
    """Issue a fresh link (the previous one stops working) and queue the invitation email."""
    with transaction.atomic():
        edition, locked = _lock(invitation)
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
        queue_invitation_email(
            locked,
            EmailTemplate.Kind.INVITATION,
            dedup_key=f"invitation:{locked.pk}:{locked.token_hash[:16]}",
            raw_token=raw,
            ics_method="PUBLISH",
        )
    _refresh(invitation, locked)
    return raw


def send_invitations(invitations, *, sent_by, drafts_only: bool = True) -> tuple[int, list[str]]:
    """Send each invitation (by default only those still drafts); returns (sent, problems)."""
    sent, problems = 0, []
    for invitation in invitations:
        with transaction.atomic():
            _, locked = _lock(invitation)
            # Re-read under the lock: a double-clicked "send" finds it already sent.
            if drafts_only and locked.status != Invitation.Status.DRAFT:
                continue
            try:
                send_invitation(locked, sent_by=sent_by)
            except InvitationError as exc:
                problems.append(f"{locked.expert}: {exc.message}")
                continue
            sent += 1
    return sent, problems


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
        promoted.append(candidate)
    return promoted


def fill_places_from_waitlist(edition: Edition, *, actor) -> list[Invitation]:
    """After the capacity was raised: confirm waitlisted experts while places are free."""
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        return promote_from_waitlist(locked, actor=actor)


def remind_invitation_now(invitation: Invitation, *, reminded_by) -> bool:
    """A "please answer" reminder now, for a pending invitation only; False if not sent."""
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
        stamp = timezone.now().strftime("%Y%m%d%H%M")
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


# --- expert side --------------------------------------------------------------------------


def record_rsvp_opened(invitation: Invitation) -> None:
    """An "opened" audit event, at most one an hour; the invitation itself is never changed."""
    since = timezone.now() - OPENED_EVENT_INTERVAL
    already = InvitationEvent.objects.filter(
        invitation=invitation, kind=InvitationEvent.Kind.OPENED, created_at__gte=since
    ).exists()
    if not already:
        _record(invitation, InvitationEvent.Kind.OPENED, by_expert=True)


def closed_reason(invitation: Invitation):
    """Why the invitation cannot be answered, in words for the expert (None if it can)."""
    status = invitation.status
    if status == Invitation.Status.WITHDRAWN or invitation.token_revoked_at:
        return _("This invitation has been withdrawn. Please contact the organisers.")
    if status == Invitation.Status.EXPIRED:
        return _("The time to answer this invitation has passed. Please contact the organisers.")
    if status == Invitation.Status.DRAFT or not invitation.token_hash:
        return _("This invitation has not been sent yet.")
    if invitation.edition_ended:
        return _("This event has already taken place.")
    if invitation.deadline_passed:
        return _(
            "The deadline for answers has passed. To change your answer, please write to the "
            "organisers."
        )
    return None


def _answer_fields(
    *,
    attendance,
    dietary_needs,
    accessibility_needs,
    arrival_date,
    departure_date,
    needs_hotel,
    needs_visa_letter,
    passport_name,
    passport_nationality,
    accompanying_person,
    privacy_consent,
    chatham_house_acknowledged,
    decline_reason,
) -> dict:
    def clean(value):
        return " ".join(str(value or "").split())

    return {
        "attendance": attendance or "",
        "dietary_needs": clean(dietary_needs),
        "accessibility_needs": clean(accessibility_needs),
        "arrival_date": arrival_date or None,
        "departure_date": departure_date or None,
        "needs_hotel": bool(needs_hotel),
        "needs_visa_letter": bool(needs_visa_letter),
        "passport_name": clean(passport_name),
        "passport_nationality": str(passport_nationality or ""),
        "accompanying_person": clean(accompanying_person),
        "privacy_consent": bool(privacy_consent),
        "chatham_house_acknowledged": bool(chatham_house_acknowledged),
        "decline_reason": (decline_reason or "").strip(),
    }


def _current_fields(invitation: Invitation, names) -> dict:
    values = {name: getattr(invitation, name) for name in names}
    values["passport_nationality"] = str(invitation.passport_nationality or "")
    return values


def _validate_answer(invitation: Invitation, answer: str, fields: dict, session_ids) -> None:
    if answer not in ANSWERS:
        raise InvalidAnswer(_("Please choose whether you accept, decline or are not sure yet."))
    if fields["attendance"] and fields["attendance"] not in Invitation.Attendance.values:
        raise InvalidAnswer(_("Please choose how you will attend."))
    arrival, departure = fields["arrival_date"], fields["departure_date"]
    if arrival and departure and departure < arrival:
        raise InvalidAnswer(_("The departure date cannot be before the arrival date."))
    if fields["accompanying_person"] and not invitation.edition.allows_accompanying_person:
        raise InvalidAnswer(_("This event does not admit accompanying persons."))
    if session_ids:
        known = set(
            Session.objects.filter(edition=invitation.edition, pk__in=session_ids).values_list(
                "pk", flat=True
            )
        )
        if known != set(session_ids):
            raise InvalidAnswer(_("Please choose sessions of this event only."))


def submit_rsvp(
    invitation: Invitation,
    *,
    answer: str,
    expected_version: int,
    attendance="",
    sessions=(),
    dietary_needs="",
    accessibility_needs="",
    arrival_date=None,
    departure_date=None,
    needs_hotel=False,
    needs_visa_letter=False,
    passport_name="",
    passport_nationality="",
    accompanying_person="",
    privacy_consent=False,
    chatham_house_acknowledged=False,
    decline_reason="",
) -> Invitation:
    """Save the answer once; an accept beyond capacity waits, a freed place is re-offered."""
    fields = _answer_fields(
        attendance=attendance,
        dietary_needs=dietary_needs,
        accessibility_needs=accessibility_needs,
        arrival_date=arrival_date,
        departure_date=departure_date,
        needs_hotel=needs_hotel,
        needs_visa_letter=needs_visa_letter,
        passport_name=passport_name,
        passport_nationality=passport_nationality,
        accompanying_person=accompanying_person,
        privacy_consent=privacy_consent,
        chatham_house_acknowledged=chatham_house_acknowledged,
        decline_reason=decline_reason,
    )
    session_ids = sorted({s if isinstance(s, int) else s.pk for s in sessions})
    with transaction.atomic():
        edition, locked = _lock(invitation)
        if not locked.is_answerable:
            raise RSVPClosed(closed_reason(locked))
        if answer not in ANSWERS:
            raise InvalidAnswer(_("Please choose whether you accept, decline or are not sure yet."))
        current_sessions = sorted(locked.sessions_attending.values_list("pk", flat=True))
        if (
            locked.answer == answer
            and _current_fields(locked, fields) == fields
            and current_sessions == session_ids
        ):
            # The same answer again (a double click, a resubmitted form): nothing to do.
            _refresh(invitation, locked)
            return invitation
        if expected_version != locked.version:
            raise StaleAnswer()
        _validate_answer(locked, answer, fields, session_ids)

        previous_status = locked.status
        had_answer = previous_status in Invitation.ANSWERED_STATUSES
        if answer == Invitation.Status.ACCEPTED:
            if previous_status in (Invitation.Status.ACCEPTED, Invitation.Status.WAITLISTED):
                new_status = previous_status  # details changed; keep the place or the turn
            elif has_free_place(edition):
                new_status = Invitation.Status.ACCEPTED
            else:
                new_status = Invitation.Status.WAITLISTED
        else:
            new_status = answer
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.status = new_status
        if new_status == Invitation.Status.WAITLISTED and previous_status != new_status:
            locked.waitlisted_at = timezone.now()
        elif new_status != Invitation.Status.WAITLISTED and new_status != previous_status:
            locked.waitlisted_at = None
        locked.responded_at = timezone.now()
        locked.version += 1
        try:
            locked.full_clean(exclude=["edition", "expert", "offered_session", "invited_by"])
        except ValidationError as exc:
            raise InvalidAnswer(" ".join(exc.messages)) from exc
        locked.save()
        locked.sessions_attending.set(session_ids)
        _record(
            locked,
            InvitationEvent.Kind.CHANGED if had_answer else InvitationEvent.Kind.ANSWERED,
            by_expert=True,
            answer=answer,
            status=new_status,
            previous_status=previous_status,
        )
        if new_status == Invitation.Status.WAITLISTED and previous_status != new_status:
            _record(locked, InvitationEvent.Kind.WAITLISTED, by_expert=True)
            queue_invitation_email(
                locked,
                EmailTemplate.Kind.WAITLISTED,
                dedup_key=f"waitlisted:{locked.pk}:{locked.version}",
            )
        if new_status == Invitation.Status.ACCEPTED:
            queue_invitation_email(
                locked,
                EmailTemplate.Kind.CONFIRMATION,
                dedup_key=f"confirmation:{locked.pk}:{locked.version}",
                ics_method="PUBLISH",
            )
        if previous_status == Invitation.Status.ACCEPTED and new_status != previous_status:
            promote_from_waitlist(edition)
    _refresh(invitation, locked)
    return invitation
