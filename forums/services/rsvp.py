"""The expert's side: opening the personal link and answering (accept, decline, tentative).

Answers lock the edition row, then the invitation (the same order as the staff services), so the
capacity decision for the last seat is made by one answer at a time.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from academy_portal.core.prepared import PreparedQuery
from academy_portal.mail.placeholders import neutralize_markers
from academy_portal.mail.services import queue_email
from forums.models import EmailTemplate, Invitation, InvitationEvent, Session

from .emails import outbox_detail_markers
from .events import copy_saved_invitation, lock_invitation, record_event
from .invitation_emails import queue_answer_email, queue_invitation_email
from .waitlist import has_free_place, promote_from_waitlist, sync_offered_session_role

ANSWERS = (Invitation.Status.ACCEPTED, Invitation.Status.DECLINED, Invitation.Status.TENTATIVE)
OPENED_EVENT_INTERVAL = timedelta(hours=1)
# Saved with every answer besides its fields (_answer_fields).
ANSWER_BOOKKEEPING = (
    "status",
    "version",
    "responded_at",
    "waitlisted_at",
    "privacy_notice_version",
    "privacy_consented_at",
    "listing_consented_at",
    "updated_at",
)


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


# The sessions an answer replaces, read under the invitation's lock (compiled once).
_SESSIONS_ATTENDING = PreparedQuery(
    lambda invitation_id: Invitation.sessions_attending.through.objects.filter(
        invitation_id=invitation_id
    ),
    sentinel=-7_000_000_004,
)


def record_rsvp_opened(invitation: Invitation) -> None:
    """An "opened" audit event, at most one an hour; the invitation itself is never changed."""
    since = timezone.now() - OPENED_EVENT_INTERVAL
    already = InvitationEvent.objects.filter(
        invitation=invitation, kind=InvitationEvent.Kind.OPENED, created_at__gte=since
    ).exists()
    if not already:
        record_event(invitation, InvitationEvent.Kind.OPENED, by_expert=True)


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
    listing_consent=False,
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
        "listing_consent": bool(listing_consent),
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


def _record_consent(invitation: Invitation, *, given: bool) -> None:
    """Keep which privacy notice the expert agreed to, and when (the first time, per version)."""
    if not given:
        invitation.privacy_notice_version = ""
        invitation.privacy_consented_at = None
    elif not (
        invitation.privacy_consent
        and invitation.privacy_notice_version == settings.PRIVACY_NOTICE_VERSION
    ):
        invitation.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION
        invitation.privacy_consented_at = timezone.now()


def _record_listing_consent(invitation: Invitation, *, given: bool) -> None:
    """When the expert agreed to be named in the public programme (kept while it stands)."""
    if not given:
        invitation.listing_consented_at = None
    elif not invitation.listing_consent:
        invitation.listing_consented_at = timezone.now()


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
    listing_consent=False,
) -> Invitation:
    """Save the answer once; an accept beyond capacity waits, a freed place is re-offered.

    `listing_consent`: the expert agrees to be named in the public programme (stored with the
    time it was given; any answer without it withdraws it)."""
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
        listing_consent=listing_consent,
    )
    session_ids = sorted({s if isinstance(s, int) else s.pk for s in sessions})
    with transaction.atomic():
        edition, locked = lock_invitation(invitation)
        if not locked.is_answerable:
            raise RSVPClosed(closed_reason(locked))
        if answer not in ANSWERS:
            raise InvalidAnswer(_("Please choose whether you accept, decline or are not sure yet."))
        current_sessions = sorted(row.session_id for row in _SESSIONS_ATTENDING.fetch(locked.pk))
        if (
            locked.answer == answer
            and _current_fields(locked, fields) == fields
            and current_sessions == session_ids
        ):
            # The same answer again (a double click, a resubmitted form): nothing to do.
            copy_saved_invitation(invitation, locked)
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
        _record_consent(locked, given=fields["privacy_consent"])
        _record_listing_consent(locked, given=fields["listing_consent"])
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
            # The fields' own rules. Not the unique token hash nor the constraints: an answer
            # changes neither the link nor (edition, expert), and _validate_answer has checked
            # the dates as the departure-after-arrival constraint does (the database too).
            locked.full_clean(
                exclude=["edition", "expert", "offered_session", "invited_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            raise InvalidAnswer(" ".join(exc.messages)) from exc
        # Only what an answer sets (a shorter UPDATE; staff fields are not rewritten).
        locked.save(update_fields=[*fields, *ANSWER_BOOKKEEPING])
        if current_sessions != session_ids:
            locked.sessions_attending.set(session_ids)
        record_event(
            locked,
            InvitationEvent.Kind.CHANGED if had_answer else InvitationEvent.Kind.ANSWERED,
            by_expert=True,
            answer=answer,
            status=new_status,
            previous_status=previous_status,
        )
        if new_status == Invitation.Status.WAITLISTED and previous_status != new_status:
            record_event(locked, InvitationEvent.Kind.WAITLISTED, by_expert=True)
            queue_invitation_email(
                locked,
                EmailTemplate.Kind.WAITLISTED,
                dedup_key=f"waitlisted:{locked.pk}:{locked.version}",
            )
        if new_status == Invitation.Status.ACCEPTED:
            # Written by the worker when sent, from this answer as it is now (see
            # queue_answer_email): the row is in this transaction, its rendering is not.
            queue_answer_email(
                locked,
                EmailTemplate.Kind.CONFIRMATION,
                dedup_key=f"confirmation:{locked.pk}:{locked.version}",
                sessions=session_ids,
                ics_method="PUBLISH",
            )
        if new_status != previous_status:
            sync_offered_session_role(locked)
        if previous_status == Invitation.Status.ACCEPTED and new_status != previous_status:
            promote_from_waitlist(edition)
        if edition.answer_notification_email:
            notify_staff_of_answer(locked, previous_status=previous_status, changed=had_answer)
    copy_saved_invitation(invitation, locked)
    return invitation


def notify_staff_of_answer(invitation: Invitation, *, previous_status: str, changed: bool) -> None:
    """Queue one note per answer version to the edition's staff address, in the site language."""
    edition = invitation.edition
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "expert": invitation.expert,
            "edition": edition,
            "changed": changed,
            "status_label": invitation.get_status_display(),
            "previous_label": (
                Invitation.Status(previous_status).label
                if changed and previous_status != invitation.status
                else ""
            ),
            "admin_url": settings.SITE_URL
            + reverse("admin:forums_invitation_change", args=[invitation.pk]),
            "language": settings.LANGUAGE_CODE,
            # Personal details are outbox markers, filled in only when the note is sent.
            **outbox_detail_markers(invitation),
            "decline_reason": neutralize_markers(invitation.decline_reason),
        }
        subject = render_to_string("emails/forums/answer_notice_subject.txt", context)
        text = render_to_string("emails/forums/answer_notice.txt", context)
        html = render_to_string("emails/forums/answer_notice.html", context)
    queue_email(
        to_email=edition.answer_notification_email,
        subject=subject,
        text_body=text,
        html_body=html,
        language=settings.LANGUAGE_CODE,
        kind="rsvp_answer_notice",
        dedup_key=f"rsvp-answer-notice:{invitation.pk}:{invitation.version}",
        related=invitation,
    )
