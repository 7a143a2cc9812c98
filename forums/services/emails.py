"""Rendering of the editable invitation emails: text from `EmailTemplate`, HTML from a layout.

Templates are written by staff, so they are rendered by a bare template engine that cannot load
files, with a context of plain strings only (no model objects whose methods a template could
reach), and only a short list of placeholders and tags is accepted when a template is saved.
"""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import linebreaks_filter
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from academy_portal.core.academy import academy_name
from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.placeholders import detail_marker, link_marker, neutralize_markers
from forums import template_safety
from forums.models import AttributionRule, EmailTemplate, Invitation
from forums.models.forums import ATTRIBUTION_EXPLANATIONS

from .checkin_codes import checkin_url
from .default_templates import DEFAULT_EMAIL_TEMPLATES
from .tokens import current_raw_token

logger = logging.getLogger(__name__)
# A rendered subject must fit the outbox's column, or queueing the email (and the answer that
# causes it) would fail; a longer one is treated like an unsafe template.
SUBJECT_MAX_LENGTH = OutboxMessage._meta.get_field("subject").max_length

EN_DASH = "\u2013"


def rsvp_url(raw_token: str) -> str:
    try:
        path = reverse("forums:rsvp", args=[raw_token])
    except NoReverseMatch:  # the RSVP pages are not mounted (e.g. a partial deployment)
        path = f"/rsvp/{raw_token}/"
    return f"{settings.SITE_URL}{path}"


def format_date(value) -> str:
    if not value:
        return ""
    if translation.get_language() == "vi":
        return value.strftime("%d/%m/%Y")
    return formats.date_format(value, "j F Y")


def format_date_range(start, end) -> str:
    """E.g. "3-4 December 2026" or "03/12/2026 - 04/12/2026" (en dashes), in the active language."""
    if start == end:
        return format_date(start)
    if translation.get_language() != "vi" and (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{EN_DASH}{format_date(end)}"
    return f"{format_date(start)} {EN_DASH} {format_date(end)}"


def format_datetime(value) -> str:

    local = timezone.localtime(value)
    return f"{format_date(local.date())} {local:%H:%M}"


@dataclass(frozen=True)
class AnswerState:
    """What an email about an answer says as it was at the answer, when it is written later
    (at sending) from an invitation whose status and answer fields were set back to the
    answer's: the sessions chosen (in order), the personal details given (their names: the
    values are outbox markers anyway), and whether the expert had a personal link."""

    sessions: tuple
    details_given: frozenset
    has_link: bool


def build_context(
    invitation: Invitation,
    *,
    raw_token: str | None = None,
    for_outbox: bool = False,
    answer: AnswerState | None = None,
) -> dict[str, str]:
    """Placeholder values for one invitation, in the active language (strings only); titles
    and other texts of the edition in that language where given, else in English.

    `for_outbox`: the personal link and personal details become outbox markers, filled in
    only when the email is sent (`outbox_values`), so the stored email holds neither.
    `answer` (outbox only): the answer's sessions, details and link as they were at the
    answer (AnswerState), instead of reading them now."""
    edition = invitation.edition
    expert = invitation.expert
    session = invitation.offered_session
    attribution_rule = session.effective_attribution if session else edition.default_attribution
    explanation = ATTRIBUTION_EXPLANATIONS.get(attribution_rule, "")
    session_text = ""
    if session:
        session_text = f"{session.text_in('title')} ({format_datetime(session.starts_at)})"
    context = {
        "honorific": expert.honorific_for(translation.get_language()),
        "name": expert.full_name,
        "formal_name": expert.formal_name_for(translation.get_language()),
        "edition_title": edition.text_in("title"),
        "forum": edition.forum.text_in("name"),
        "theme": edition.text_in("theme"),
        "dates": format_date_range(edition.start_date, edition.end_date),
        "venue": ", ".join(part for part in (edition.text_in("venue"), edition.city) if part),
        "deadline": format_date(edition.rsvp_deadline),
        "rsvp_link": (
            _rsvp_link(raw_token, for_outbox=for_outbox)
            if answer is None
            else (link_marker(RSVP_LINK) if answer.has_link else "")
        ),
        "personal_message": invitation.personal_message,
        "session": session_text,
        "role": str(invitation.get_offered_role_display()) if invitation.offered_role else "",
        "attribution": f"{AttributionRule(attribution_rule).label}: {explanation}".strip(": "),
        "practical_information": edition.text_in("practical_information"),
        "contact_email": edition.contact_email or settings.ACADEMY_CONTACT_EMAIL,
        "academy_name": academy_name(),
        "status": str(invitation.get_status_display()),
        "answer_summary": answer_summary(invitation, for_outbox=for_outbox, answer=answer),
        **attendance_links(invitation, for_outbox=for_outbox),
    }
    if for_outbox:
        # Typed text never poses as a marker (it would be filled in with the link).
        own = {"rsvp_link", "answer_summary", CHECKIN_LINK, MATERIALS_LINK}
        context = {k: v if k in own else neutralize_markers(v) for k, v in context.items()}
    return context


def _rsvp_link(raw_token: str | None, *, for_outbox: bool) -> str:
    if not raw_token:
        return ""
    return link_marker(RSVP_LINK) if for_outbox else rsvp_url(raw_token)


def attendance_links(invitation: Invitation, *, for_outbox: bool) -> dict[str, str]:
    """The check-in link (confirmed participants only) and the materials page link, as
    outbox markers or, outside the outbox (a preview), as addresses."""
    accepted = invitation.pk is not None and invitation.status == Invitation.Status.ACCEPTED
    if for_outbox:
        return {
            CHECKIN_LINK: link_marker(CHECKIN_LINK) if accepted else "",
            MATERIALS_LINK: link_marker(MATERIALS_LINK) if invitation.pk else "",
        }
    return {
        CHECKIN_LINK: (checkin_url(invitation) or "") if accepted else "",
        MATERIALS_LINK: materials_url(invitation) if invitation.pk else "",
    }


def materials_url(invitation: Invitation, raw_token: str | None = None) -> str:
    """The edition's materials page for this expert: by their personal link when it can be
    rebuilt, else the signed-in page (they sign in with a code sent to their address)."""
    raw_token = raw_token or current_raw_token(invitation)
    if raw_token:
        return f"{settings.SITE_URL}{reverse('forums:materials', args=[raw_token])}"
    return f"{settings.SITE_URL}{reverse('forums:my_materials', args=[invitation.pk])}"


# The outbox markers of the check-in link and of the materials page.
CHECKIN_LINK = "checkin_link"
MATERIALS_LINK = "materials_link"

# The outbox marker of the personal link; the names of personal details (core.privacy's
# fields, passport name and nationality as one line) as answer_summary shows them.
RSVP_LINK = "rsvp_link"
PERSONAL_DETAILS = (
    "arrival_date",
    "departure_date",
    "passport",
    "dietary_needs",
    "accessibility_needs",
    "accompanying_person",
)


def personal_detail_values(invitation: Invitation) -> dict[str, str]:
    """Each personal detail as text, in the active language ("" when not given)."""
    return {
        "arrival_date": format_date(invitation.arrival_date),
        "departure_date": format_date(invitation.departure_date),
        "passport": ", ".join(
            part
            for part in (invitation.passport_name, invitation.passport_nationality.name or "")
            if part
        ),
        "dietary_needs": invitation.dietary_needs,
        "accessibility_needs": invitation.accessibility_needs,
        "accompanying_person": invitation.accompanying_person,
    }


def details_given(invitation: Invitation) -> frozenset[str]:
    """The names of the personal details the expert gave (PERSONAL_DETAILS)."""
    return frozenset(name for name, value in personal_detail_values(invitation).items() if value)


def outbox_detail_markers(invitation: Invitation, given=None) -> dict[str, str]:
    """A marker for each personal detail given ("" for the others), for an outbox email;
    `given`: the names given, if not those the invitation holds now."""
    given = details_given(invitation) if given is None else given
    return {name: detail_marker(name) if name in given else "" for name in PERSONAL_DETAILS}


def answer_summary(
    invitation: Invitation, *, for_outbox: bool = False, answer: AnswerState | None = None
) -> str:
    """The details the expert gave, one "label: value" a line, in the active language.

    `for_outbox`: personal details are markers (see build_context); `answer`: the sessions and
    details as at the answer (see build_context)."""
    if invitation.pk is None or invitation.answer != Invitation.Status.ACCEPTED:
        return ""
    yes, no = str(_("yes")), str(_("no"))
    chosen = (
        invitation.sessions_attending.order_by("starts_at") if answer is None else answer.sessions
    )
    sessions = ", ".join(s.text_in("title") for s in chosen)
    if not for_outbox:
        details = personal_detail_values(invitation)
    else:
        details = outbox_detail_markers(
            invitation, given=None if answer is None else answer.details_given
        )
    lines = [
        (_("Attendance"), invitation.get_attendance_display() if invitation.attendance else ""),
        (_("Sessions"), sessions),
        (_("Arrival"), details["arrival_date"]),
        (_("Departure"), details["departure_date"]),
        (_("Hotel room needed"), yes if invitation.needs_hotel else no),
        (_("Visa support letter needed"), yes if invitation.needs_visa_letter else no),
        (_("Passport"), details["passport"]),
        (_("Dietary needs"), details["dietary_needs"]),
        (_("Accessibility needs"), details["accessibility_needs"]),
        (_("Accompanying person"), details["accompanying_person"]),
    ]
    return "\n".join(f"- {label}: {value}" for label, value in lines if value)


def outbox_values(
    *, object_ids: list[int], names: set[str], language: str
) -> dict[int, dict[str, str]]:
    """The outbox resolver of invitations (registered in ForumsConfig.ready): the current
    personal link and details of each, for the markers of emails being sent.

    The link is the one the expert already has (`current_raw_token`); a revoked link
    (withdrawn invitation), a SECRET_KEY changed since, or a deleted invitation gives none,
    and the outbox then does not send that email."""
    wanted = set(PERSONAL_DETAILS) & names
    invitations = Invitation.objects.filter(pk__in=object_ids)
    if not wanted:  # the common case (invitations, reminders): only what the links need
        invitations = invitations.only(
            "pk", "status", "token_seed", "token_hash", "token_revoked_at", "checkin_seed"
        )
    values = {}
    with translation.override(language):
        for invitation in invitations:
            own = {}
            if RSVP_LINK in names:
                raw = current_raw_token(invitation)
                if raw:
                    own[RSVP_LINK] = rsvp_url(raw)
            if CHECKIN_LINK in names and invitation.status == Invitation.Status.ACCEPTED:
                url = checkin_url(invitation)
                if url:  # else revoked since: the email says so rather than carry a dead code
                    own[CHECKIN_LINK] = url
            if MATERIALS_LINK in names:
                own[MATERIALS_LINK] = materials_url(invitation)
            if wanted:
                details = personal_detail_values(invitation)
                # A detail removed since the email was queued: say so rather than fail.
                own.update((name, details[name] or "-") for name in wanted)
            values[invitation.pk] = own
    return values


def find_template(kind: str, *, language: str, edition=None) -> EmailTemplate:
    """In the expert's language first (edition's own, then default); English as a last resort."""
    candidates = EmailTemplate.objects.filter(kind=kind, language__in=[language, "en"])
    if edition is not None:
        candidates = candidates.filter(edition__in=[edition]) | candidates.filter(
            edition__isnull=True
        )
    else:
        candidates = candidates.filter(edition__isnull=True)
    best = None
    for template in candidates:
        rank = (template.language == language, template.edition_id is not None)
        if best is None or rank > best[0]:
            best = (rank, template)
    if best is None:
        return built_in_template(kind, language=language)
    return best[1]


def built_in_template(kind: str, *, language: str) -> EmailTemplate:
    """The shipped default as an unsaved template: an email never fails for a missing row."""

    key = (kind, language) if (kind, language) in DEFAULT_EMAIL_TEMPLATES else (kind, "en")
    if key not in DEFAULT_EMAIL_TEMPLATES:
        raise EmailTemplate.DoesNotExist(f"No email template of kind {kind!r}")
    subject, body = DEFAULT_EMAIL_TEMPLATES[key]
    return EmailTemplate(kind=kind, language=key[1], subject=subject, body=body)


@dataclass
class RenderedEmail:
    subject: str
    text_body: str
    html_body: str
    language: str


def render_text(text: str, context: dict[str, str], *, limit: int | None = None) -> str:
    """Rendered in the sandbox (forums.template_safety); UnsafeTemplate if it may not be."""
    return template_safety.render_template(text, context, limit=limit)


def text_to_html(text: str) -> str:
    """Escaped paragraphs with links made clickable."""
    return linebreaks_filter(mark_safe(urlize(escape(text), nofollow=True)), autoescape=False)


def render_email(
    kind: str,
    invitation: Invitation,
    *,
    raw_token: str | None = None,
    template: EmailTemplate | None = None,
    for_outbox: bool = False,
    language: str | None = None,
    answer: AnswerState | None = None,
) -> RenderedEmail:
    """Subject, text and HTML of one email, in the expert's preferred language (or
    `language`, e.g. the one the email was queued in).

    `for_outbox`: the personal link and details are outbox markers (see build_context);
    `answer`: the answer as it was (see build_context)."""
    language = language or invitation.expert.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        if template is None:
            template = find_template(kind, language=language, edition=invitation.edition)
        context = build_context(
            invitation, raw_token=raw_token, for_outbox=for_outbox, answer=answer
        )
        try:
            subject = " ".join(
                render_text(template.subject, context, limit=SUBJECT_MAX_LENGTH).split()
            )
            text_body = render_text(template.body, context).strip() + "\n"
        except template_safety.UnsafeTemplate as error:
            # Stored before the sandbox's rules, or grown too large: the email goes out with
            # the shipped wording rather than not at all (or as a huge body).
            logger.error(
                "Email template %s (%s, %s) cannot be used, sending the built-in one: %s",
                template.pk or "built-in",
                kind,
                language,
                error,
            )
            template = built_in_template(kind, language=language)
            subject = " ".join(render_text(template.subject, context).split())
            text_body = render_text(template.body, context).strip() + "\n"
        # Collapse the empty lines left by {% if %} blocks that were not shown.
        text_body = re.sub(r"\n{3,}", "\n\n", text_body)
        html_body = render_to_string(
            "emails/layout.html",
            {
                "subject": subject,
                "content": mark_safe(text_to_html(text_body)),
                "language": language,
                "edition": invitation.edition,
                "contact_email": context["contact_email"],
                "academy_name": context["academy_name"],
            },
        )
    return RenderedEmail(
        subject=subject, text_body=text_body, html_body=html_body, language=language
    )
