"""Delegation requests (services): an institution names its delegates, each gets an invitation.

Staff create a request and send it: the contact gets an email whose personal link is an outbox
marker (the stored email never holds a working link), filled in when sent by
`delegation_outbox_values` (registered in PartnersConfig.ready). On the nomination page the
contact names up to `max_delegates` people; each is matched by email to an expert, or created
with the institution as affiliation, and invited and sent through forums' usual services. Until
the deadline a delegate can be replaced: the old invitation is withdrawn (with the reason), the
new delegate invited. Lock order: the delegation request row, then forums' (edition, invitation).
"""

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from academy_portal.core.academy import academy_name
from academy_portal.core.services import log_admin_action
from academy_portal.mail.placeholders import link_marker, neutralize_markers
from academy_portal.mail.services import queue_email
from experts.models import Expert
from experts.services import find_expert_by_email
from forums.models import Invitation, InvitationEvent, hash_token
from forums.services import InvitationError, invite_expert, send_invitations, withdraw_invitation
from forums.services.emails import format_date, format_date_range, text_to_html
from forums.services.events import record_event
from forums.services.invitations import check_can_invite
from forums.services.tokens import new_seeded_token, rebuild_token

from .models import DelegationRequest, Nomination

DELEGATION_KIND = "delegation_request"
DELEGATION_LINK = "delegation_link"
MAX_TOKEN_LENGTH = 128
REOPENED = (Invitation.Status.DRAFT, Invitation.Status.WITHDRAWN, Invitation.Status.EXPIRED)


class DelegationError(Exception):
    """A nomination or staff action that cannot be done; `message` says why, in words."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class AlreadyNamed(DelegationError):
    """Every delegate submitted is already named: a form sent twice; nothing to do."""


@dataclass(frozen=True)
class Nominee:
    """A delegate as the contact typed them."""

    name: str
    email: str
    title: str = ""
    language: str = "en"


# --- the contact's link ------------------------------------------------------------------------


DELEGATION_PURPOSE = "partners.delegation"


def _issue_token(request: DelegationRequest) -> str:
    seed, raw, token_hash = new_seeded_token(purpose=DELEGATION_PURPOSE)
    request.token_seed, request.token_hash = seed, token_hash
    request.token_issued_at = timezone.now()
    return raw


def current_delegation_token(request: DelegationRequest) -> str | None:
    """The link the contact has (rebuilt from the seed), None if none or the key changed."""
    return rebuild_token(request.token_seed, request.token_hash, purpose=DELEGATION_PURPOSE)


def find_delegation_by_token(raw_token: str) -> DelegationRequest | None:
    """The sent delegation request whose link carries this token, else None."""
    if not raw_token or len(raw_token) > MAX_TOKEN_LENGTH:
        return None
    token_hash = hash_token(raw_token)
    found = (
        DelegationRequest.objects.select_related("edition__forum", "institution")
        .filter(token_hash=token_hash)
        .first()
    )
    if found is None or not hmac.compare_digest(found.token_hash, token_hash):
        return None
    return found


def delegation_url(raw_token: str) -> str:
    try:
        path = reverse("delegation", args=[raw_token])
    except NoReverseMatch:  # the public pages are not mounted
        path = f"/delegation/{raw_token}/"
    return f"{settings.SITE_URL}{path}"


def delegation_outbox_values(
    *, object_ids: list[int], names: set[str], language: str
) -> dict[int, dict[str, str]]:
    """The outbox resolver of delegation requests: the contact's current link, when sent."""
    values = {}
    for request in DelegationRequest.objects.filter(pk__in=object_ids).only(
        "pk", "status", "token_seed", "token_hash"
    ):
        own = {}
        raw = current_delegation_token(request)
        if DELEGATION_LINK in names and raw and request.status == DelegationRequest.Status.SENT:
            own[DELEGATION_LINK] = delegation_url(raw)
        values[request.pk] = own
    return values


# --- staff: create and send ---------------------------------------------------------------------


def check_delegation_request(request: DelegationRequest) -> None:
    """ValidationError unless the request can be saved and sent: its MOU is with its
    institution, its edition takes invitations, the deadline is ahead, and it asks for no
    fewer delegates than are already named."""
    errors = {}
    if request.pk and request.max_delegates is not None:
        named = request.nominations.active().count()
        if request.max_delegates < named:
            errors["max_delegates"] = _(
                "Delegates already named: %(count)d; ask for at least that many."
            ) % {"count": named}
    if (
        request.mou_id
        and request.institution_id
        and request.mou.institution_id != (request.institution_id)
    ):
        errors["mou"] = _("This MOU is with another institution.")
    if request.deadline and request.deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if request.edition_id:
        try:
            check_can_invite(request.edition, None)
        except InvitationError as error:
            errors["edition"] = error.message
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_delegation_request(*, request: DelegationRequest, saved_by) -> DelegationRequest:
    """Create or change a delegation request; invariant: check_delegation_request holds."""
    check_delegation_request(request)
    created = request.pk is None
    if created:
        request.created_by = saved_by
    request.save()
    log_admin_action(
        user=saved_by,
        obj=request,
        action_flag=ADDITION if created else CHANGE,
        message=_("Delegation request created.") if created else _("Delegation request changed."),
    )
    return request


@transaction.atomic
def send_delegation_request(*, request: DelegationRequest, sent_by) -> str:
    """Issue a new link (the previous one stops working) and queue the email to the contact.

    Returns the raw token (stored nowhere; the email holds a marker filled in when sent)."""
    locked = DelegationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status == DelegationRequest.Status.CANCELLED:
        raise DelegationError(_("This delegation request is cancelled."))
    locked.edition = request.edition
    locked.institution = request.institution
    check_delegation_request(locked)
    first_time = locked.sent_at is None
    raw = _issue_token(locked)
    locked.status = DelegationRequest.Status.SENT
    locked.sent_at = timezone.now()
    locked.save()
    _queue_request_email(locked)
    log_admin_action(
        user=sent_by,
        obj=locked,
        action_flag=CHANGE,
        message=_("Delegation request sent.")
        if first_time
        else _("Delegation request sent again."),
    )
    request.refresh_from_db()
    return raw


def _queue_request_email(request: DelegationRequest) -> None:
    edition = request.edition
    with translation.override(request.language):
        context = {
            "contact_name": neutralize_markers(request.contact_name),
            "institution": neutralize_markers(str(request.institution)),
            "edition_title": edition.text_in("title"),
            "dates": format_date_range(edition.start_date, edition.end_date),
            "city": edition.city,
            "max_delegates": request.max_delegates,
            "deadline": format_date(request.deadline),
            "message": neutralize_markers(request.message),
            "link": link_marker(DELEGATION_LINK),
            "contact_email": edition.contact_email or settings.ACADEMY_CONTACT_EMAIL,
            "academy_name": academy_name(),
        }
        subject = " ".join(
            render_to_string("partners/emails/delegation_request_subject.txt", context).split()
        )
        text_body = render_to_string("partners/emails/delegation_request.txt", context)
        html_body = render_to_string(
            "emails/layout.html",
            {
                "subject": subject,
                "content": text_to_html(text_body),
                "language": request.language,
                "edition": edition,
                "contact_email": context["contact_email"],
                "academy_name": context["academy_name"],
            },
        )
    queue_email(
        to_email=request.contact_email,
        to_name=request.contact_name,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        language=request.language,
        kind=DELEGATION_KIND,
        dedup_key=f"delegation:{request.pk}:{request.token_hash[:16]}",
        related=request,
    )


# --- the contact: nominate and replace ----------------------------------------------------------


def nomination_closed_reason(request: DelegationRequest) -> str:
    """Why the contact can no longer name or replace delegates ("" while they can)."""
    if request.status != DelegationRequest.Status.SENT:
        return str(_("This delegation request is no longer open."))
    if request.deadline_passed:
        return str(
            _("The deadline for naming delegates (%(date)s) has passed.")
            % {"date": format_date(request.deadline)}
        )
    if request.edition.end_date < timezone.localdate():
        return str(_("The forum has already taken place."))
    return ""


def _lock_open(request: DelegationRequest) -> DelegationRequest:
    locked = (
        DelegationRequest.objects.select_for_update(of=("self",))
        .select_related("edition__forum", "institution")
        .get(pk=request.pk)
    )
    reason = nomination_closed_reason(locked)
    if reason:
        raise DelegationError(reason)
    return locked


def _clean_nominee(nominee: Nominee) -> Nominee:
    name = " ".join(nominee.name.split())
    email = nominee.email.strip()
    if not name:
        raise DelegationError(_("Please give each delegate's name."))
    try:
        validate_email(email)
    except ValidationError as error:
        raise DelegationError(
            _("“%(email)s” is not a valid email address.") % {"email": email}
        ) from error
    language = nominee.language if nominee.language in dict(settings.LANGUAGES) else "en"
    return Nominee(name=name, email=email, title=nominee.title.strip()[:40], language=language)


def _check_new_emails(locked: DelegationRequest, nominees: list[Nominee], *, keep=()) -> None:
    """DelegationError when an address is given twice or is already a named delegate."""
    seen = set()
    for nominee in nominees:
        key = nominee.email.lower()
        if key in seen:
            raise DelegationError(
                _("%(email)s is given twice: each delegate needs their own address.")
                % {"email": nominee.email}
            )
        seen.add(key)
    taken = locked.nominations.active().exclude(pk__in=keep)
    for nomination in taken:  # at most max_delegates rows
        if nomination.email.lower() in seen:
            raise DelegationError(
                _("%(email)s is already named as a delegate (%(name)s).")
                % {"email": nomination.email, "name": nomination.name}
            )


@transaction.atomic
def nominate_delegates(*, request: DelegationRequest, nominees: list[Nominee]) -> list[Nomination]:
    """Name delegates, all or none; invariant: at most `max_delegates` named at once, each
    address once, only before the deadline; each delegate is invited and sent at once."""
    locked = _lock_open(request)
    nominees = [_clean_nominee(nominee) for nominee in nominees]
    if not nominees:
        raise DelegationError(_("Please name at least one delegate."))
    active = list(locked.nominations.active())
    if {n.email.lower() for n in nominees} <= {n.email.lower() for n in active}:
        raise AlreadyNamed(_("These delegates are already named; nothing was changed."))
    named = len(active)
    free = locked.max_delegates - named
    if len(nominees) > free:
        raise DelegationError(
            _(
                "Delegates allowed: %(max)d; already named: %(named)d; places left: %(free)d. "
                "Please name no more than %(free)d (you sent %(asked)d)."
            )
            % {
                "max": locked.max_delegates,
                "named": named,
                "free": max(free, 0),
                "asked": len(nominees),
            }
        )
    _check_new_emails(locked, nominees)
    return [_nominate(locked, nominee) for nominee in nominees]


def _nominate(locked: DelegationRequest, nominee: Nominee, *, replaces=None) -> Nomination:
    expert = find_expert_by_email(nominee.email)
    if expert is None:
        expert = Expert(
            given_name=nominee.name,
            name_order=Expert.NameOrder.GIVEN_FIRST,
            honorific=nominee.title,
            email=nominee.email,
            preferred_language=nominee.language,
            affiliation=locked.institution,
            country=locked.institution.country,
        )
        expert.save()
    elif expert.affiliation_id is None and not expert.affiliation_text:
        expert.affiliation = locked.institution
        expert.save(update_fields=["affiliation", "updated_at"])
    staff = locked.created_by
    try:
        invitation, _created = invite_expert(locked.edition, expert=expert, invited_by=staff)
    except InvitationError as error:
        raise DelegationError(error.message) from error
    if invitation.status in REOPENED:
        _sent, problems = send_invitations([invitation], sent_by=staff, drafts_only=False)
        if problems:
            raise DelegationError(problems[0])
    nomination = Nomination.objects.create(
        request=locked,
        name=nominee.name,
        title=nominee.title,
        email=nominee.email,
        language=nominee.language,
        invitation=invitation,
    )
    record_event(
        invitation,
        InvitationEvent.Kind.NOTE,
        nominated_by=f"{locked.contact_name} ({locked.institution})",
        delegation=locked.pk,
        **({"replaces": replaces.name} if replaces else {}),
    )
    return nomination


@transaction.atomic
def replace_delegate(
    *, request: DelegationRequest, nomination_id: int, nominee: Nominee, reason: str = ""
) -> Nomination:
    """Replace a named delegate before the deadline; invariant: the old delegate's invitation
    is withdrawn (the reason in its history, the expert told by email) and the new one invited,
    both or neither."""
    locked = _lock_open(request)
    nominee = _clean_nominee(nominee)
    old = locked.nominations.active().select_related("invitation").filter(pk=nomination_id).first()
    if old is None:
        raise DelegationError(_("This delegate has already been replaced; see the list below."))
    if old.email.lower() == nominee.email.lower():
        raise DelegationError(_("The new delegate has the same address as the one replaced."))
    _check_new_emails(locked, [nominee], keep=[old.pk])
    reason = " ".join(reason.split())[:300]
    old.withdrawn_at = timezone.now()
    old.reason = reason
    old.save(update_fields=["withdrawn_at", "reason"])
    if old.invitation is not None:
        with translation.override(settings.LANGUAGE_CODE):  # the history's language, as the log
            why = str(
                _("Replaced as delegate of %(institution)s by %(name)s. %(reason)s")
                % {"institution": locked.institution, "name": nominee.name, "reason": reason}
            ).strip()
        withdraw_invitation(old.invitation, withdrawn_by=None, notify=True, reason=why)
    new = _nominate(locked, nominee, replaces=old)
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return new
