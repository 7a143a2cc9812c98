"""Putting an invitation's emails in the outbox: rendered from its template, deduplicated.

The stored email carries markers, not the personal link or details: the outbox fills them in
when it sends (forums' resolver, `emails.outbox_values`).

The emails an expert's answer causes (the confirmation) are not even rendered when the answer
is saved: the row is queued in the answer's transaction with what the email must say as of the
answer (`queue_answer_email`), and the worker writes it just before sending
(`write_answer_email`, registered in ForumsConfig.ready).
"""

from django.conf import settings
from django.utils import translation

from academy_portal.mail.placeholders import GeneratedAttachment, WrittenEmail
from academy_portal.mail.services import queue_email
from forums.ics import build_expert_calendar, build_invitation_ics, event_span
from forums.models import EmailTemplate, Invitation, Session

from .checkin_codes import QR_ATTACHMENT_GENERATOR, QR_FILE_NAME
from .emails import AnswerState, details_given, find_template, render_email
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
        attachments.append(_expert_calendar(invitation))
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
    attachments += _checkin_qr(kind, invitation)
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


def _expert_calendar(invitation: Invitation, *, chosen=None):
    # After an answer: the same calendar as the expert's download (their sessions), so the
    # two never disagree about an entry with the same SEQUENCE.
    data, method = build_expert_calendar(invitation, chosen=chosen)
    return ("invitation.ics", data, f"text/calendar; method={method}")


def _checkin_qr(kind: str, invitation: Invitation) -> list:
    if kind == EmailTemplate.Kind.CONFIRMATION and invitation.status == Invitation.Status.ACCEPTED:
        # The QR code the registration desk scans (as on the badge), made at send time.
        return [
            GeneratedAttachment(
                filename=QR_FILE_NAME, mimetype="image/png", generator=QR_ATTACHMENT_GENERATOR
            )
        ]
    return []


# The outbox's name for the writer of answer emails (ForumsConfig.ready registers it).
ANSWER_EMAIL_WRITER = "forums.answer_email"
# The invitation's fields an answer sets that its email shows (besides sessions and personal
# details): written into `writer_args` at the answer, set back when the email is written.
ANSWER_FIELDS = ("status", "version", "attendance", "needs_hotel", "needs_visa_letter")


def queue_answer_email(
    invitation: Invitation, kind: str, *, dedup_key: str, sessions, ics_method: str | None
):
    """Queue the email of `kind` an answer causes (in the answer's transaction), to be written
    when it is sent, as `queue_invitation_email` would write it now.

    The row holds the answer as it must appear (ANSWER_FIELDS, the session ids, the names of
    the personal details given, whether the expert has a link): never a link or a personal
    detail (those are markers filled in at sending, as for every invitation email). So a later
    answer, saved before this email goes out, changes nothing in it (the later answer's own
    email says what changed); staff-side texts (edition, template, the expert's name) are
    those at sending. `sessions`: the ids the answer chose. Returns (message, created)."""
    if ics_method not in (None, "PUBLISH"):
        raise ValueError(f"An answer email carries the expert's calendar or none: {ics_method!r}")
    expert = invitation.expert
    language = expert.preferred_language or settings.LANGUAGE_CODE
    args = {name: getattr(invitation, name) for name in ANSWER_FIELDS}
    args.update(
        kind=kind,
        sessions=sorted(sessions),
        details=sorted(details_given(invitation)),
        link=bool(current_raw_token(invitation)),
        ics=ics_method or "",
    )
    with translation.override(language):
        subject = str(EmailTemplate.Kind(kind).label)  # what staff see until it is sent
    edition = invitation.edition
    return queue_email(
        to_email=expert.email,
        to_name=expert.full_name,
        subject=subject,
        text_body="",
        language=language,
        kind=kind,
        dedup_key=dedup_key,
        related=invitation,
        reply_to=edition.contact_email or settings.ACADEMY_CONTACT_EMAIL,
        writer=ANSWER_EMAIL_WRITER,
        writer_args=args,
    )


def write_answer_email(*, object_id: int, language: str, args) -> WrittenEmail | None:
    """The content writer of `queue_answer_email`'s rows: the email as `queue_invitation_email`
    would have rendered it at the answer, from the invitation set back to the answer's state
    (`args`). None when the invitation is gone (the outbox then does not send it)."""
    invitation = (
        Invitation.objects.select_related("edition__forum", "expert", "offered_session")
        .filter(pk=object_id)
        .first()
    )
    if invitation is None:
        return None
    for name in ANSWER_FIELDS:
        setattr(invitation, name, args[name])
    chosen = args["sessions"]
    sessions = tuple(
        Session.objects.filter(edition_id=invitation.edition_id, pk__in=chosen).order_by(
            "starts_at"
        )
        if chosen
        else ()
    )
    kind = args["kind"]
    answer = AnswerState(
        sessions=sessions, details_given=frozenset(args["details"]), has_link=args["link"]
    )
    rendered = render_email(kind, invitation, for_outbox=True, language=language, answer=answer)
    attachments = []
    if args["ics"] == "PUBLISH" and invitation.status in ANSWERED_ATTENDING:
        attachments.append(_expert_calendar(invitation, chosen=chosen))
    attachments += _checkin_qr(kind, invitation)
    return WrittenEmail(
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        attachments=tuple(attachments),
    )
