"""Queueing: an email becomes a row in the caller's transaction and reaches a worker on commit."""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.utils import make_msgid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy_portal.core.prepared import PreparedQuery

from .. import tasks
from ..models import OutboxAttachment, OutboxMessage
from ..placeholders import GeneratedAttachment
from .common import CLOCK_SKEW, message_id_domain, outbox_setting

logger = logging.getLogger(__name__)


# The row a dedup key names, read after every queueing (compiled once per process).
_BY_DEDUP_KEY = PreparedQuery(
    lambda dedup_key: OutboxMessage.objects.filter(dedup_key=dedup_key),
    sentinel="prepared:outbox-dedup-key",
)


def queue_email(
    *,
    to_email: str,
    to_name: str = "",
    subject: str,
    text_body: str,
    html_body: str = "",
    language: str = "en",
    kind: str,
    dedup_key: str,
    related: models.Model | None = None,
    attachments: Sequence[tuple[str, bytes | str, str] | GeneratedAttachment] = (),
    reply_to: str = "",
    send_after: datetime | None = None,
    writer: str = "",
    writer_args: Mapping | None = None,
) -> tuple[OutboxMessage, bool]:
    """Queue one email in the caller's transaction; a known dedup_key returns (existing, False).

    An attachment is (file name, content, MIME type), stored with the row, or a
    GeneratedAttachment, made from `related` when the email is sent and never stored.

    `writer`: the email is written when it is sent, by the content writer of that name
    (placeholders.register_content_writer), from `related` and `writer_args`; the row is
    stored now all the same (an outage delays the email, never loses it). `subject` is then
    what staff see until it is sent, and `text_body` may be empty."""
    to_email = (to_email or "").strip()
    subject = " ".join((subject or "").split())  # a newline in a header is an injection
    _validate(
        to_email=to_email,
        subject=subject,
        text_body=text_body,
        language=language,
        kind=kind,
        dedup_key=dedup_key,
        reply_to=reply_to,
        attachments=attachments,
        related=related,
        writer=writer,
    )
    now = timezone.now()
    fields = {
        "to_email": to_email,
        "to_name": " ".join((to_name or "").split()),
        "language": language,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body or "",
        "reply_to": (reply_to or "").strip(),
        "kind": kind,
        "dedup_key": dedup_key,
        "send_after": send_after or now,
        "max_attempts": outbox_setting("OUTBOX_MAX_ATTEMPTS"),
        "message_id": make_msgid(domain=message_id_domain()),
        "writer": writer,
        "writer_args": dict(writer_args or {}),
    }
    if related is not None:
        fields["related_content_type"] = ContentType.objects.get_for_model(related)
        fields["related_object_id"] = related.pk
    # INSERT ... ON CONFLICT DO NOTHING: a key queued before (or by a concurrent request,
    # which this waits for) leaves the caller's transaction intact, without a savepoint.
    draft = OutboxMessage(**fields)
    OutboxMessage.objects.bulk_create([draft], ignore_conflicts=True)
    message = _BY_DEDUP_KEY.first(dedup_key)
    if message is None:  # SQLite's INSERT OR IGNORE swallows other violations
        raise IntegrityError(f"Outbox message {dedup_key!r} could not be stored.")
    if message.message_id != draft.message_id:  # someone else's row: queue nothing
        return message, False
    if attachments:
        OutboxAttachment.objects.bulk_create(_attachment_row(message, item) for item in attachments)

    if message.send_after <= now + CLOCK_SKEW:
        schedule_delivery_on_commit([message.pk])
    return message, True


def _attachment_row(message: OutboxMessage, item) -> OutboxAttachment:
    if isinstance(item, GeneratedAttachment):
        return OutboxAttachment(
            message=message,
            filename=item.filename,
            mimetype=item.mimetype,
            content=b"",
            generator=item.generator,
        )
    filename, content, mimetype = item
    return OutboxAttachment(
        message=message,
        filename=filename,
        mimetype=mimetype,
        content=content.encode() if isinstance(content, str) else bytes(content),
    )


def _validate(
    *,
    to_email,
    subject,
    text_body,
    language,
    kind,
    dedup_key,
    reply_to,
    attachments,
    related,
    writer="",
):
    errors = {}
    try:
        validate_email(to_email)
    except ValidationError:
        errors["to_email"] = _("“%(email)s” is not a valid email address.") % {"email": to_email}
    if not subject:
        errors["subject"] = _("An email needs a subject.")
    elif len(subject) > OutboxMessage._meta.get_field("subject").max_length:
        errors["subject"] = _("The subject is too long.")
    if writer:
        if related is None:
            errors["writer"] = _("An email written when sent needs the email's related object.")
        elif len(writer) > OutboxMessage._meta.get_field("writer").max_length:
            errors["writer"] = _("The name of the email's writer is too long.")
    elif not (text_body or "").strip():
        errors["text_body"] = _("An email needs a plain-text body.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Unknown language “%(language)s”.") % {"language": language}
    if not kind or len(kind) > OutboxMessage._meta.get_field("kind").max_length:
        errors["kind"] = _("An email needs a kind of at most 50 characters.")
    if not dedup_key or len(dedup_key) > 255:
        errors["dedup_key"] = _("An email needs a deduplication key of at most 255 characters.")
    if reply_to:
        try:
            validate_email(reply_to.strip())
        except ValidationError:
            errors["reply_to"] = _("“%(email)s” is not a valid reply-to address.") % {
                "email": reply_to
            }
    for item in attachments:
        if isinstance(item, GeneratedAttachment):
            filename, mimetype = item.filename, item.mimetype
            if related is None:
                errors["attachments"] = _(
                    "An attachment made when sent needs the email's related object."
                )
        else:
            filename, _content, mimetype = item
        if not filename or "/" not in (mimetype or ""):
            errors["attachments"] = _("Each attachment needs a file name and a MIME type.")
    if errors:
        raise ValidationError(errors)


class _DeliveryBatch:
    """The rows queued in one transaction, handed to workers together when it commits.

    One on-commit callback per transaction instead of one per row: 5,000 invitations queued
    in one transaction become 100 tasks of 50 rows, not 5,000 broker round trips.

    Savepoints: the callback is registered with the savepoints open at its first row, and
    every later row is queued inside those that are still open (they nest), so a rollback
    that discards the callback also discards all of its rows. A savepoint rolled back inside
    leaves ids of rows that no longer exist; the worker's claim skips them."""

    def __init__(self, position: int):
        # Django names a failing robust callback by its __qualname__ in the log.
        self.__qualname__ = "enqueue_delivery"
        self.position = position  # our index in connection.run_on_commit
        self.ids: list[int] = []
        self.fired = False

    def __call__(self):
        self.fired = True
        enqueue_delivery(self.ids)


def schedule_delivery_on_commit(ids: Sequence[int]) -> None:
    """After the caller's transaction commits, hand these rows to workers (nothing on rollback)."""
    db = transaction.get_connection()
    hooks = getattr(db, "run_on_commit", None)
    if not db.in_atomic_block or not isinstance(hooks, list):
        ids = list(ids)
        transaction.on_commit(lambda: enqueue_delivery(ids), robust=True)
        return
    pending = getattr(db, "_outbox_delivery_batch", None)
    live = (
        pending is not None
        and not pending.fired
        and pending.position < len(hooks)
        and hooks[pending.position][1] is pending
    )
    if not live:
        # First row of this transaction, or the previous batch was rolled back or already
        # ran (tests run callbacks by hand inside their transaction).
        pending = _DeliveryBatch(position=len(hooks))
        transaction.on_commit(pending, robust=True)
        db._outbox_delivery_batch = pending
    pending.ids.extend(ids)


# Set while a flush task is queued and not yet started; see enqueue_delivery.
FLUSH_PENDING_KEY = "mail:outbox:flush-pending"
FLUSH_PENDING_TIMEOUT = 15  # a lost flush task delays emails this long at worst (then the sweep)


def enqueue_delivery(ids: Sequence[int]) -> None:
    """Hand rows to workers; if the broker is down the sweep delivers them later.

    A transaction's rows go in tasks of OUTBOX_TASK_BATCH_SIZE. A transaction of one email
    (invitations sent one by one, 5,000 commits in a burst) asks for a flush instead, unless
    one is already queued: that flush starts after this commit, so it sees this row."""
    ids = list(ids)
    chunk = max(outbox_setting("OUTBOX_TASK_BATCH_SIZE"), 1)
    try:
        if len(ids) == 1 and chunk > 1:
            if _ask_for_flush():
                tasks.flush_outbox.delay()
            return
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            if len(part) == 1:
                tasks.send_outbox_message.delay(part[0])
            else:
                tasks.send_outbox_messages.delay(part)
    except Exception:  # the broker is the outside world; the rows are safe in the DB
        # Never re-raise: this runs after the commit, and the caller's answer is already saved.
        # The publish fails fast (CELERY_TASK_PUBLISH_RETRY_POLICY, broker timeouts).
        logger.warning(
            "Could not enqueue outbox messages %s; the sweep will send them", ids, exc_info=True
        )


def _ask_for_flush() -> bool:
    try:
        return cache.add(FLUSH_PENDING_KEY, True, timeout=FLUSH_PENDING_TIMEOUT)
    except Exception:  # no cache: one flush per email is slower, never wrong
        logger.warning("Outbox: cache unavailable, enqueueing a flush anyway", exc_info=True)
        return True
