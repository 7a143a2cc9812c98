"""Putting an invitation's emails in the outbox: rendered from its template, deduplicated.

The stored email carries markers, not the personal link or details: the outbox fills them in
when it sends (forums' resolver, `emails.outbox_values`).
"""

from django.conf import settings

from academy_portal.mail.placeholders import GeneratedAttachment
from academy_portal.mail.services import queue_email
from forums.ics import build_expert_calendar, build_invitation_ics, event_span
from forums.models import EmailTemplate, Invitation

from .checkin_codes import QR_ATTACHMENT_GENERATOR, QR_FILE_NAME
from .emails import find_template, render_email
from .tokens import current_raw_token

# Answers after which the emailed calendar is the expert's own (forums.ics.build_expert_calendar).
ANSWERED_ATTENDING = (
    Invitation.Status.ACCEPTED,
    Invitation.Status.TENTATIVE,
    Invitation.Status.WAITLISTED,
)


class BatchCache:
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
    cache: BatchCache | None = None,
):
    """Render one email of `kind` for the invitation and put it in the outbox (deduplicated:
    a second call with the same `dedup_key` queues nothing). Returns (message, created)."""
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
    if ics_method == "PUBLISH" and invitation.status in ANSWERED_ATTENDING:
        # After an answer: the same calendar as the expert's download (their sessions), so the
        # two never disagree about an entry with the same SEQUENCE.
        data, method = build_expert_calendar(invitation)
        attachments.append(("invitation.ics", data, f"text/calendar; method={method}"))
    elif ics_method:
        attachments.append(
            (
                "invitation.ics" if ics_method != "CANCEL" else "cancellation.ics",
                build_invitation_ics(
                    invitation, method=ics_method, span=cache.span(invitation) if cache else None
                ),
                f"text/calendar; method={ics_method}",
            )
        )
    if kind == EmailTemplate.Kind.CONFIRMATION and invitation.status == Invitation.Status.ACCEPTED:
        # The QR code the registration desk scans (as on the badge), made at send time.
        attachments.append(
            GeneratedAttachment(
                filename=QR_FILE_NAME, mimetype="image/png", generator=QR_ATTACHMENT_GENERATOR
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
