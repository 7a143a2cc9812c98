"""An expert's rights over their data: a copy of it (download) and its erasure.

Lives in forums, not experts, because it spans the expert, their invitations and history and
the emails sent to them (experts sits below forums and cannot see invitations).
"""

from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy_portal.core.academy import academy_name
from academy_portal.core.models import AccessLog
from academy_portal.core.services import log_admin_action, record_access
from academy_portal.mail.models import OutboxAttachment, OutboxMessage
from experts.models import Expert
from forums.models import ErasureRequest, Invitation, InvitationEvent

from .events import record_event
from .retention import ANSWER_FIELDS, ERASED_VALUES

EXPORT_FORMAT_VERSION = 1

# Profile fields in the download: what the expert gave or may see about themselves. Staff
# notes are internal working notes (see /work/notes/retention-security.md).
PROFILE_FIELDS = (
    "honorific",
    "honorific_vi",
    "given_name",
    "family_name",
    "name_order",
    "email",
    "phone",
    "nationality",
    "country",
    "position",
    "affiliation_text",
    "capacity",
    "languages",
    "bio",
    "preferred_language",
    "created_at",
    "updated_at",
)
ANSWER_EXPORT_FIELDS = (
    "attendance",
    "dietary_needs",
    "accessibility_needs",
    "arrival_date",
    "departure_date",
    "needs_hotel",
    "needs_visa_letter",
    "passport_name",
    "passport_nationality",
    "accompanying_person",
    "chatham_house_acknowledged",
    "decline_reason",
)


def _value(value):
    # Countries and other field objects as their stored code; JSON-friendly otherwise.
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value or "")


def _by(event: InvitationEvent) -> str:
    if event.by_expert:
        return "you"
    return "academy staff" if event.actor_id else "the portal"


def _invitation_export(invitation: Invitation) -> dict:
    edition = invitation.edition
    return {
        "id": invitation.pk,
        # Titles in the language the expert reads the portal in (English if not translated).
        "forum": edition.forum.text_in("name"),
        "edition": edition.text_in("title"),
        "edition_dates": [_value(edition.start_date), _value(edition.end_date)],
        "status": invitation.status,
        "offered_session": (
            invitation.offered_session.text_in("title") if invitation.offered_session else ""
        ),
        "offered_role": invitation.offered_role,
        "sent_at": _value(invitation.sent_at),
        "answered_at": _value(invitation.responded_at),
        "answer": {name: _value(getattr(invitation, name)) for name in ANSWER_EXPORT_FIELDS},
        "sessions_attending": [s.text_in("title") for s in invitation.sessions_attending.all()],
        "consent": {
            "privacy_notice_agreed": invitation.privacy_consent,
            "privacy_notice_version": invitation.privacy_notice_version,
            "agreed_at": _value(invitation.privacy_consented_at),
        },
        "history": [
            {
                "at": _value(event.created_at),
                "what": event.kind,
                "by": _by(event),
                "details": event.details,
            }
            for event in invitation.events.all()
        ],
    }


def personal_data_export(*, expert: Expert, user) -> dict:
    """Everything the portal holds about `expert`, for them to download; logged as an export.

    Never contains a working RSVP link (no token, no email bodies, which carry links) nor
    anything about another expert.
    """
    invitations = list(
        expert.invitations.exclude(status=Invitation.Status.DRAFT)
        .select_related("edition__forum", "offered_session")
        .prefetch_related("sessions_attending", "events")
        .order_by("edition__start_date", "pk")
    )
    emails = OutboxMessage.objects.filter(to_email__iexact=expert.email).order_by("created_at")
    User = get_user_model()
    accounts = User.objects.filter(
        Q(email__iexact=expert.email) | Q(emailaddress__email__iexact=expert.email)
    ).distinct()
    data = {
        "format_version": EXPORT_FORMAT_VERSION,
        "generated_at": _value(timezone.now()),
        "academy": academy_name(),
        "profile": {
            **{name: _value(getattr(expert, name)) for name in PROFILE_FIELDS},
            "affiliation": expert.affiliation_name,
            "expertise_areas": [area.name for area in expert.expertise_areas.all()],
        },
        "consents": {
            "contact": {
                "consents_to_be_contacted": expert.consent_to_contact,
                "given_on": _value(expert.consent_given_on),
            },
            "privacy_notice": [
                {
                    "invitation": inv.pk,
                    "edition": inv.edition.text_in("title"),
                    **_export_consent(inv),
                }
                for inv in invitations
                if inv.privacy_consent
            ],
        },
        "sign_in_accounts": [
            {
                "username": account.get_username(),
                "email": account.email,
                "joined": _value(account.date_joined),
                "last_sign_in": _value(account.last_login),
            }
            for account in accounts
        ],
        "invitations": [_invitation_export(inv) for inv in invitations],
        # Subject, kind and dates only: the bodies hold personal RSVP links, which are keys.
        "emails_sent_to_you": [
            {
                "subject": message.subject,
                "kind": message.kind,
                "status": message.status,
                "queued_at": _value(message.created_at),
                "sent_at": _value(message.sent_at),
            }
            for message in emails
        ],
        "erasure_requests": [
            {
                "status": request.status,
                "requested_at": _value(request.requested_at),
                "completed_at": _value(request.completed_at),
            }
            for request in expert.erasure_requests.all()
        ],
    }
    record_access(
        user=user,
        action=AccessLog.Action.EXPORT,
        model=Expert,
        what="Own data download (/me/)",
        object_ids=[expert.pk],
        personal_details=True,
    )
    return data


def _export_consent(invitation: Invitation) -> dict:
    return {
        "version": invitation.privacy_notice_version,
        "agreed_at": _value(invitation.privacy_consented_at),
    }


def pending_erasure_request(expert: Expert) -> ErasureRequest | None:
    return expert.erasure_requests.filter(status=ErasureRequest.Status.PENDING).first()


def request_erasure(*, expert: Expert) -> ErasureRequest:
    """The expert's pending erasure request, created if there is none (asking twice is once)."""
    existing = pending_erasure_request(expert)
    if existing:
        return existing
    try:
        with transaction.atomic():
            return ErasureRequest.objects.create(expert=expert)
    except IntegrityError:
        # A simultaneous request (second tab) created it first.
        return pending_erasure_request(expert)


def erased_name(expert_id: int) -> str:
    return f"Erased expert #{expert_id}"


def erased_email(expert_id: int) -> str:
    # Unique (experts' emails are), and .invalid never delivers (RFC 2606).
    return f"erased-expert-{expert_id}@erased.invalid"


@transaction.atomic
def anonymise_expert(*, erasure_request: ErasureRequest, by) -> bool:
    """Complete an erasure request: the expert becomes "Erased expert #id"; False if done already.

    Kept, so statistics hold: the expert row (with country, capacity, institution and
    expertise areas) and every invitation with its edition, status, attendance and yes/no needs.
    Erased: name, email, phone, nationality, position, free-text affiliation, bio, languages,
    staff notes, contact consent; every invitation's personal details, decline reason and
    personal message, and its link (revoked); the sign-in accounts (deactivated, renamed, no
    email addresses); address, name and bodies of emails to them or about their invitations.
    """
    request = ErasureRequest.objects.select_for_update().get(pk=erasure_request.pk)
    if not request.is_pending:
        return False
    now = timezone.now()
    expert = Expert.objects.select_for_update().get(pk=request.expert_id)
    old_email = expert.email

    invitations = list(expert.invitations.select_for_update().order_by("pk"))
    invitation_ids = [inv.pk for inv in invitations]
    Invitation.objects.filter(pk__in=invitation_ids).update(
        **ERASED_VALUES,
        personal_message="",
        token_hash=None,
        token_seed="",
        token_revoked_at=now,
        updated_at=now,
    )
    for invitation in invitations:
        record_event(
            invitation,
            InvitationEvent.Kind.DATA_ERASED,
            actor=by,
            erased="the expert's personal data (" + ", ".join(ANSWER_FIELDS) + ", link)",
            reason=f"erasure request #{request.pk} of the expert",
        )

    _erase_emails(old_email=old_email, expert=expert, invitation_ids=invitation_ids)
    _erase_accounts(email=old_email, expert=expert)

    expert.honorific = ""
    expert.honorific_vi = ""
    expert.given_name = erased_name(expert.pk)
    expert.family_name = ""
    expert.email = erased_email(expert.pk)
    for name in ("phone", "position", "affiliation_text", "languages", "bio", "staff_notes"):
        setattr(expert, name, "")
    expert.nationality = ""
    expert.consent_to_contact = False
    expert.consent_given_on = None
    expert.save()

    request.status = ErasureRequest.Status.COMPLETED
    request.completed_at = now
    request.completed_by = by
    request.save(update_fields=["status", "completed_at", "completed_by"])
    log_admin_action(
        user=by, obj=expert, action_flag=CHANGE, message=_("Personal data erased on request.")
    )
    return True


def _erase_emails(*, old_email: str, expert: Expert, invitation_ids: list[int]) -> None:
    invitation_type = ContentType.objects.get_for_model(Invitation)
    to_them = Q(to_email__iexact=old_email)
    about_them = Q(related_content_type=invitation_type, related_object_id__in=invitation_ids)
    messages = OutboxMessage.objects.filter(to_them | about_them)
    # Not sent yet: never sent now (their bodies are about to go).
    messages.filter(to_them).cancellable().update(status=OutboxMessage.Status.CANCELLED)
    OutboxAttachment.objects.filter(message__in=messages).delete()
    messages.update(text_body="", html_body="")
    # Last: the filter above matches on the address this replaces.
    messages.filter(to_them).update(to_email=erased_email(expert.pk), to_name="")


def _erase_accounts(*, email: str, expert: Expert) -> None:
    User = get_user_model()
    # Staff accounts are never touched here, even if one shared the expert's address.
    accounts = User.objects.filter(
        Q(email__iexact=email) | Q(emailaddress__email__iexact=email), is_staff=False
    ).distinct()
    for account in accounts:
        EmailAddress.objects.filter(user=account).delete()
        account.username = f"erased-expert-{expert.pk}-{account.pk}"
        account.email = ""
        account.first_name = ""
        account.last_name = ""
        account.is_active = False
        account.set_unusable_password()
        account.save()
