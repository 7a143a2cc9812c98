"""Outbox services: queue an email in the caller's transaction, then claim and deliver it.

Delivery is at-least-once with a strong bias to exactly-once: a row is claimed by a
compare-and-set UPDATE (status queued -> sending, with a fresh claim token), so two workers
never send the same row; only a worker killed between the SMTP "250 OK" and the database
update can cause a resend, after OUTBOX_SENDING_TIMEOUT, with the same Message-ID.

Under test (settings.TESTING) Celery runs tasks eagerly, so the on-commit enqueue of
`queue_email` sends at once when on-commit callbacks run (transactional tests or
`django_capture_on_commit_callbacks(execute=True)`); with the plain `db` fixture they never
run and the row stays queued until a test calls `send_outbox_message` or `sweep_outbox`.
"""

import logging
import smtplib
import socket
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from email import message_from_string
from email.headerregistry import Address
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import OutboxAttachment, OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# A worker's clock may lag the web server's by a little; a fresh row is still "due".
CLOCK_SKEW = timedelta(seconds=5)


def outbox_setting(name: str):
    defaults = {
        "OUTBOX_SENDING_TIMEOUT": 300,
        "OUTBOX_MAX_ATTEMPTS": 6,
        "OUTBOX_RETRY_BASE_DELAY": 60,
        "OUTBOX_RETRY_MAX_DELAY": 6 * 3600,
        "OUTBOX_BATCH_SIZE": 100,
        "OUTBOX_TASK_BATCH_SIZE": 50,
        "OUTBOX_SWEEP_TIME_BUDGET": 50,
    }
    return getattr(settings, name, defaults[name])


# ---------------------------------------------------------------------------- queueing


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
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    reply_to: str = "",
    send_after: datetime | None = None,
) -> tuple[OutboxMessage, bool]:
    """Queue one email in the caller's transaction; a known dedup_key returns (existing, False)."""
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
        "message_id": make_msgid(domain=_message_id_domain()),
    }
    if related is not None:
        fields["related_content_type"] = ContentType.objects.get_for_model(related)
        fields["related_object_id"] = related.pk
    # INSERT ... ON CONFLICT DO NOTHING: a key queued before (or by a concurrent request,
    # which this waits for) leaves the caller's transaction intact, without a savepoint.
    draft = OutboxMessage(**fields)
    OutboxMessage.objects.bulk_create([draft], ignore_conflicts=True)
    try:
        message = OutboxMessage.objects.get(dedup_key=dedup_key)
    except OutboxMessage.DoesNotExist:  # SQLite's INSERT OR IGNORE swallows other violations
        raise IntegrityError(f"Outbox message {dedup_key!r} could not be stored.") from None
    if message.message_id != draft.message_id:  # someone else's row: queue nothing
        return message, False
    OutboxAttachment.objects.bulk_create(
        OutboxAttachment(
            message=message,
            filename=filename,
            mimetype=mimetype,
            content=content.encode() if isinstance(content, str) else bytes(content),
        )
        for filename, content, mimetype in attachments
    )

    if message.send_after <= now + CLOCK_SKEW:
        schedule_delivery_on_commit([message.pk])
    return message, True


def _validate(*, to_email, subject, text_body, language, kind, dedup_key, reply_to, attachments):
    errors = {}
    try:
        validate_email(to_email)
    except ValidationError:
        errors["to_email"] = _("“%(email)s” is not a valid email address.") % {"email": to_email}
    if not subject:
        errors["subject"] = _("An email needs a subject.")
    elif len(subject) > OutboxMessage._meta.get_field("subject").max_length:
        errors["subject"] = _("The subject is too long.")
    if not (text_body or "").strip():
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
    for filename, _content, mimetype in attachments:
        if not filename or "/" not in (mimetype or ""):
            errors["attachments"] = _("Each attachment needs a file name and a MIME type.")
    if errors:
        raise ValidationError(errors)


def _message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


class _DeliveryBatch:
    """The rows queued in one transaction, handed to workers together when it commits.

    One on-commit callback per transaction instead of one per row: 5,000 invitations queued
    in one transaction become 100 tasks of 50 rows, not 5,000 broker round trips.

    Savepoints: the callback is registered with the savepoints open at its first row, and
    every later row is queued inside those that are still open (they nest), so a rollback
    that discards the callback also discards all of its rows. A savepoint rolled back inside
    leaves ids of rows that no longer exist; the worker's claim skips them."""

    __qualname__ = "enqueue_delivery"  # Django names a failing robust callback in its log

    def __init__(self, position: int):
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
    from . import tasks

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
        logger.warning("Could not enqueue outbox messages %s; the sweep will send them", ids)


def _ask_for_flush() -> bool:
    try:
        return cache.add(FLUSH_PENDING_KEY, True, timeout=FLUSH_PENDING_TIMEOUT)
    except Exception:  # no cache: one flush per email is slower, never wrong
        logger.warning("Outbox: cache unavailable, enqueueing a flush anyway", exc_info=True)
        return True


def flush_outbox() -> int:
    """Send one batch of due rows; while batches come full, ask another worker to go on."""
    from . import tasks

    # From here on a commit asks for a new flush: rows committed before are seen below.
    try:
        cache.delete(FLUSH_PENDING_KEY)
    except Exception:
        logger.warning("Outbox: cache unavailable", exc_info=True)
    batch = max(outbox_setting("OUTBOX_TASK_BATCH_SIZE"), 1)
    claimed = _claim(OutboxMessage.objects.due(), limit=batch)
    if len(claimed) == batch:
        # Probably more waiting: the next batch starts on a free worker while this one sends.
        try:
            tasks.flush_outbox.delay()
        except Exception:
            logger.warning("Outbox: could not enqueue the next flush; the sweep will go on")
    return len(deliver_messages(claimed)) if claimed else 0


# ---------------------------------------------------------------------------- claiming


def _claim(queryset, *, limit: int) -> list[OutboxMessage]:
    """Move up to `limit` rows of `queryset` from queued to sending under a fresh token."""
    token = uuid.uuid4()
    now = timezone.now()
    queryset = queryset.order_by("send_after", "id")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: lock what we take (in id order, so no deadlock) and skip what another
        # worker holds; the UPDATE below still re-checks the status.
        with transaction.atomic():
            ids = list(
                queryset.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit]
            )
            claimed = _mark_claimed(ids, token=token, now=now)
    else:
        # SQLite: no row locks; the compare-and-set UPDATE alone decides who wins a row.
        ids = list(queryset.values_list("pk", flat=True)[:limit])
        claimed = _mark_claimed(ids, token=token, now=now)
    if not claimed:
        return []
    return list(
        OutboxMessage.objects.filter(claim_token=token, status=Status.SENDING)
        .prefetch_related("attachments")
        .order_by("send_after", "id")
    )


def _mark_claimed(ids, *, token, now) -> int:
    if not ids:
        return 0
    return OutboxMessage.objects.filter(pk__in=ids, status=Status.QUEUED).update(
        status=Status.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )


# ---------------------------------------------------------------------------- sending


def send_outbox_message(*, message_id: int, with_due: int = 0) -> bool:
    """Send one queued, due row at most once; returns whether this call delivered it.

    With `with_due`, up to that many other due rows ride along on the same SMTP connection:
    a burst of emails committed one by one is then sent in batches, and the tasks of rows
    already taken cost one query each (the task passes OUTBOX_TASK_BATCH_SIZE - 1)."""
    own = OutboxMessage.objects.filter(
        pk=message_id, status=Status.QUEUED, send_after__lte=timezone.now() + CLOCK_SKEW
    )
    if not own.exists():  # already sent, or taken by another batch: the cheap common case
        return False
    claimed = _claim(own, limit=1)
    if not claimed:
        return False
    if with_due > 0:
        claimed += _claim(OutboxMessage.objects.due().exclude(pk=message_id), limit=with_due)
    return message_id in deliver_messages(claimed)


def send_outbox_messages(*, message_ids: Sequence[int]) -> set[int]:
    """Send those of these rows that are queued and due, at most once each, over one connection."""
    rows = OutboxMessage.objects.filter(
        pk__in=list(message_ids),
        status=Status.QUEUED,
        send_after__lte=timezone.now() + CLOCK_SKEW,
    )
    claimed = _claim(rows, limit=len(message_ids))
    return deliver_messages(claimed) if claimed else set()


def send_due_messages(*, limit: int | None = None) -> int:
    """Claim one batch of due rows and send it over one SMTP connection; returns the sent count."""
    claimed = _claim(
        OutboxMessage.objects.due(), limit=limit or outbox_setting("OUTBOX_BATCH_SIZE")
    )
    if not claimed:
        return 0
    return len(deliver_messages(claimed))


def requeue_stuck_messages(*, now: datetime | None = None) -> int:
    """Rows "sending" past OUTBOX_SENDING_TIMEOUT are requeued, or failed when out of attempts."""
    now = now or timezone.now()
    older_than = now - timedelta(seconds=outbox_setting("OUTBOX_SENDING_TIMEOUT"))
    error = _("The worker stopped while sending (no result after %(seconds)s seconds).") % {
        "seconds": outbox_setting("OUTBOX_SENDING_TIMEOUT")
    }
    stuck = OutboxMessage.objects.stuck(older_than=older_than)
    failed = stuck.filter(attempts__gte=F("max_attempts")).update(
        status=Status.FAILED, claim_token=None, last_error=error, updated_at=now
    )
    requeued = stuck.update(
        status=Status.QUEUED, claim_token=None, last_error=error, send_after=now, updated_at=now
    )
    if failed or requeued:
        logger.warning("Outbox: requeued %s stuck messages, failed %s", requeued, failed)
    return failed + requeued


def sweep_outbox(*, time_budget: float | None = None) -> dict[str, int]:
    """Requeue stuck rows, then send due rows batch by batch until none is left or time is up."""
    budget = time_budget if time_budget is not None else outbox_setting("OUTBOX_SWEEP_TIME_BUDGET")
    started = timezone.now()
    requeued = requeue_stuck_messages(now=started)
    sent = batches = 0
    while (timezone.now() - started).total_seconds() < budget:
        claimed = _claim(OutboxMessage.objects.due(), limit=outbox_setting("OUTBOX_BATCH_SIZE"))
        if not claimed:
            break
        batches += 1
        sent += len(deliver_messages(claimed))
    return {"requeued": requeued, "sent": sent, "batches": batches}


def deliver_messages(messages: Sequence[OutboxMessage]) -> set[int]:
    """Send claimed rows over one SMTP connection, recording each outcome; returns the sent ids."""
    smtp = get_connection()
    is_open = False
    sent: set[int] = set()
    try:
        _set_synchronous_commit(False)
        for index, message in enumerate(messages):
            try:
                email = build_email(message, connection=smtp)
            except Exception as exc:  # bad data in the row: no retry will fix it
                logger.exception("Outbox message %s cannot be built", message.pk)
                _record_failure(message, exc, transient=False)
                continue
            if not is_open:
                try:
                    # Opened here, send_messages() keeps the connection for the whole batch.
                    smtp.open()
                    is_open = True
                except Exception as exc:
                    # Server unreachable or misconfigured: not the messages' fault, so every
                    # row left in the batch waits for its next attempt.
                    logger.warning("Outbox: cannot connect to the mail server: %r", exc)
                    for waiting in messages[index:]:
                        _record_failure(waiting, exc, transient=True)
                    break
            try:
                delivered = smtp.send_messages([email])
            except Exception as exc:
                transient = is_transient(exc)
                logger.warning(
                    "Outbox message %s: %s error: %r",
                    message.pk,
                    "transient" if transient else "permanent",
                    exc,
                )
                _record_failure(message, exc, transient=transient)
                # smtplib itself closes the socket on some replies (421), and a broken
                # connection fails every later send: the next message gets a fresh one.
                _reset_connection(smtp)
                is_open = False
                continue
            if not delivered:
                # Some backends return 0 instead of raising (e.g. fail_silently).
                _record_failure(
                    message, RuntimeError("the mail backend accepted nothing"), transient=True
                )
                continue
            _record_sent(message)
            sent.add(message.pk)
    finally:
        _reset_connection(smtp)
        _set_synchronous_commit(True)
    return sent


def _set_synchronous_commit(on: bool) -> None:
    """PostgreSQL: outcome updates of a batch need not wait, each, for the WAL flush.

    Only a crash of the database server itself could lose the last few hundred milliseconds
    of "sent" marks (those emails would go out again); a killed worker cannot."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit" if on else "SET synchronous_commit TO OFF")
    except Exception:  # an optimisation only: never let it stop a delivery
        logger.warning("Could not set synchronous_commit", exc_info=True)


def _reset_connection(smtp) -> None:
    try:
        smtp.close()
    except Exception:  # closing a dead socket may fail; a fresh one opens on the next send
        logger.debug("Closing the SMTP connection failed", exc_info=True)
    if hasattr(smtp, "connection"):
        smtp.connection = None


def _record_sent(message: OutboxMessage) -> None:
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
        status=Status.SENT, sent_at=now, claim_token=None, last_error="", updated_at=now
    )


def _record_failure(message: OutboxMessage, exc: BaseException, *, transient: bool) -> None:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    mine = OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token)
    if transient and message.attempts < message.max_attempts:
        mine.update(
            status=Status.QUEUED,
            claim_token=None,
            last_error=error,
            send_after=now + retry_delay(message.attempts),
            updated_at=now,
        )
    else:
        mine.update(status=Status.FAILED, claim_token=None, last_error=error, updated_at=now)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 4 x base, 16 x base ... capped at OUTBOX_RETRY_MAX_DELAY."""
    base = outbox_setting("OUTBOX_RETRY_BASE_DELAY")
    seconds = min(base * 4 ** max(attempts - 1, 0), outbox_setting("OUTBOX_RETRY_MAX_DELAY"))
    return timedelta(seconds=seconds)


def is_transient(exc: BaseException) -> bool:
    """Connection trouble and 4xx replies are worth retrying; 5xx replies are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(
        exc,
        smtplib.SMTPServerDisconnected
        | smtplib.SMTPConnectError
        | smtplib.SMTPHeloError
        | smtplib.SMTPAuthenticationError,
    ):
        # Authentication failing is a configuration problem, not the message's fault.
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError | socket.timeout | TimeoutError)


# ---------------------------------------------------------------------------- building


def build_email(message: OutboxMessage, *, connection=None) -> EmailMultiAlternatives:
    """The MIME email for one row: plain text, HTML alternative, attachments, our headers."""
    headers = {
        "Message-ID": message.message_id or make_msgid(domain=_message_id_domain()),
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
        subject=message.subject,
        body=message.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
        connection=connection,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for attachment in message.attachments.all():
        email.attach(
            mime_attachment(attachment.filename, bytes(attachment.content), attachment.mimetype)
        )
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
        from email import encoders

        part = MIMEBase(maintype, subtype)
        part.set_payload(content)
        encoders.encode_base64(part)
    for key, value in params:
        if key.lower() != "charset":
            part.set_param(key, value)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


# ---------------------------------------------------------------------------- staff actions


def retry_messages(*, messages: Iterable[OutboxMessage] | models.QuerySet) -> int:
    """Failed rows go back to the queue with fresh attempts, due now; returns how many."""
    ids = [m.pk for m in messages]
    now = timezone.now()
    with transaction.atomic():
        retried = list(
            OutboxMessage.objects.retryable()
            .filter(pk__in=ids)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=retried).update(
            status=Status.QUEUED, attempts=0, send_after=now, claim_token=None, updated_at=now
        )
        schedule_delivery_on_commit(retried)
    return len(retried)


def retry_message(*, message: OutboxMessage) -> bool:
    """One failed row goes back to the queue; returns False when it was not failed."""
    return retry_messages(messages=[message]) == 1


def cancel_messages(*, messages: Iterable[OutboxMessage] | models.QuerySet) -> int:
    """Queued or failed rows become cancelled and are never sent; returns how many."""
    ids = [m.pk for m in messages]
    now = timezone.now()
    return (
        OutboxMessage.objects.cancellable()
        .filter(pk__in=ids)
        .update(status=Status.CANCELLED, claim_token=None, updated_at=now)
    )
