"""Building: the MIME email of one outbox row."""

from collections.abc import Mapping
from email import encoders, message_from_string
from email.headerregistry import Address
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from ..models import OutboxAttachment, OutboxMessage
from ..placeholders import (
    build_generated_attachment,
    fill_markers,
    message_markers,
    resolve_messages,
    write_email,
)
from .common import message_id_domain
from .queueing import _attachment_row

SUBJECT_MAX_LENGTH = OutboxMessage._meta.get_field("subject").max_length


def build_email(
    message: OutboxMessage, *, connection=None, values: Mapping[str, str] | None = None
) -> EmailMultiAlternatives:
    """The MIME email for one row: plain text, HTML alternative, attachments, our headers.

    Markers (a personal link, personal details) are filled in here, from `values` (resolved
    for a whole batch by the caller) or else looked up now; the filled text exists only in
    the returned email, never in the row. Raises UnresolvedPlaceholders when one cannot be.
    A generated attachment is made here too (UnavailableAttachment when it cannot be), and an
    email queued to be written when sent is written first (`write_pending_email`)."""
    write_pending_email(message)
    if values is None and message_markers(message):
        values = resolve_messages([message]).get(message.pk, {})
    values = values or {}
    headers = {
        "Message-ID": message.message_id or make_msgid(domain=message_id_domain()),
        "X-Outbox-Id": str(message.pk),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
        "Content-Language": message.language,
    }
    # Address() quotes a name with commas or quotes; Django encodes non-ASCII names itself.
    recipient = (
        str(Address(display_name=message.to_name, addr_spec=message.to_email))
        if message.to_name
        else message.to_email
    )
    email = EmailMultiAlternatives(
        # A filled-in value never breaks the header onto two lines.
        subject=" ".join(fill_markers(message.subject, values).split()),
        body=fill_markers(message.text_body, values),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
        connection=connection,
    )
    if message.html_body:
        email.attach_alternative(fill_markers(message.html_body, values, html=True), "text/html")
    for attachment in message.attachments.all():
        if attachment.generator:
            content = build_generated_attachment(
                attachment.generator,
                filename=attachment.filename,
                object_id=message.related_object_id,
                language=message.language,
            )
        else:
            content = bytes(attachment.content)
        email.attach(mime_attachment(attachment.filename, content, attachment.mimetype))
    return email


def mime_attachment(filename: str, content: bytes, mimetype: str) -> MIMEBase:
    """A MIME part keeping the type's parameters (e.g. ``text/calendar; method=REQUEST``)."""
    parsed = message_from_string(f"Content-Type: {mimetype}\n\n")
    maintype, subtype = parsed.get_content_maintype(), parsed.get_content_subtype()
    params = [(k, v) for k, v in parsed.get_params()[1:]]
    if maintype == "text":
        charset = parsed.get_content_charset() or "utf-8"
        part = MIMEText(content.decode(charset, errors="replace"), subtype, charset)
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(content)
        encoders.encode_base64(part)
    for key, value in params:
        if key.lower() != "charset":
            part.set_param(key, value)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def write_pending_email(message: OutboxMessage) -> None:
    """An email queued with a `writer`: write its subject, bodies and attachments into the row,
    once (UnwritableEmail when the writer cannot; the row is left as it was).

    Written into the row, not only into the email: a retry sends the same text, and staff see
    what was sent. Only while the row is still unwritten and, if claimed, by the claim holder;
    whoever loses that race reads what the winner wrote."""
    if not message.writer:
        return
    written = write_email(
        message.writer,
        object_id=message.related_object_id,
        language=message.language,
        args=message.writer_args or {},
    )
    fields = {
        # One header line that fits the column, whatever the writer gave.
        "subject": " ".join(written.subject.split())[:SUBJECT_MAX_LENGTH] or message.subject,
        "text_body": written.text_body,
        "html_body": written.html_body or "",
        "writer": "",
        "updated_at": timezone.now(),
    }
    mine = OutboxMessage.objects.filter(pk=message.pk, writer=message.writer)
    if message.claim_token:
        mine = mine.filter(claim_token=message.claim_token)
    with transaction.atomic():
        if mine.update(**fields):
            OutboxAttachment.objects.bulk_create(
                _attachment_row(message, item) for item in written.attachments
            )
            for name, value in fields.items():
                setattr(message, name, value)
        else:
            message.refresh_from_db()
    # The attachments prefetched with the claim are the ones before writing.
    getattr(message, "_prefetched_objects_cache", {}).pop("attachments", None)
