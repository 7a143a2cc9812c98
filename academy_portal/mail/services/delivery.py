"""Delivery: claim rows (compare-and-set), send them over one SMTP connection, record outcomes."""

import logging
import smtplib
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import tasks
from ..models import OutboxMessage
from ..placeholders import (
    UnavailableAttachment,
    UnresolvedPlaceholders,
    UnwritableEmail,
    resolve_messages,
)
from .building import build_email, write_pending_email
from .common import CLOCK_SKEW, Status, outbox_setting
from .queueing import FLUSH_PENDING_KEY

logger = logging.getLogger(__name__)


def flush_outbox() -> int:
    """Send one batch of due rows; while batches come full, ask another worker to go on."""
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
    messages = _write_pending(messages)
    try:
        # Personal links and details, for the whole batch at once (one query per related
        # type): filled into each email in memory, never written back to the row.
        values = resolve_messages(messages)
    except Exception as exc:  # the database, not the rows: every row waits for its next attempt
        logger.warning("Outbox: cannot resolve personal placeholders: %r", exc)
        for message in messages:
            _record_failure(message, exc, transient=True)
        return sent
    try:
        _set_synchronous_commit(False)
        for index, message in enumerate(messages):
            if not _claim_still_held(message):
                continue
            try:
                email = build_email(message, connection=smtp, values=values.get(message.pk, {}))
            except UnresolvedPlaceholders as exc:
                # Never send a placeholder or an email that asks for an answer without a way to
                # give it: the row fails, first in the admin, with what to do (then Retry).
                logger.warning(
                    "Outbox message %s not sent: cannot fill in %s", message.pk, exc.names
                )
                _record_failure(message, unresolved_error(message, exc), transient=False)
                continue
            except UnavailableAttachment as exc:
                # A document made when sent (a visa letter) whose data is gone: never an email
                # without the file it announces.
                logger.warning("Outbox message %s not sent: no %s", message.pk, exc.filename)
                _record_failure(message, unavailable_error(message, exc), transient=False)
                continue
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


def _write_pending(messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """Write the emails queued to be written when sent (before their markers are resolved);
    the rows that cannot be written fail, with the reason, and are left out."""
    ready = []
    for message in messages:
        if message.writer:
            try:
                write_pending_email(message)
            except UnwritableEmail as exc:
                logger.warning("Outbox message %s not sent: %s cannot write it", message.pk, exc)
                _record_failure(message, unwritable_error(message), transient=False)
                continue
            except Exception as exc:
                logger.exception("Outbox message %s cannot be written", message.pk)
                _record_failure(message, exc, transient=True)
                continue
        ready.append(message)
    return ready


def _claim_still_held(message: OutboxMessage) -> bool:
    """A slow batch (mail server crawling) re-checks each claim before sending, renewing it.

    The sweep takes back rows claimed longer than OUTBOX_SENDING_TIMEOUT ago; without this a
    worker that is slow, not dead, would send a row that another worker sends again."""
    age = (timezone.now() - message.claimed_at).total_seconds()
    if age <= outbox_setting("OUTBOX_SENDING_TIMEOUT") / 3:
        return True
    now = timezone.now()
    renewed = OutboxMessage.objects.filter(
        pk=message.pk, claim_token=message.claim_token, status=Status.SENDING
    ).update(claimed_at=now)
    if not renewed:
        logger.warning("Outbox message %s was taken back from this slow batch", message.pk)
        return False
    message.claimed_at = now
    return True


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


class NotSendable(Exception):
    """A row that must not go out as it is; its message is the whole error shown to staff."""


def unresolved_error(message: OutboxMessage, exc: UnresolvedPlaceholders) -> NotSendable:
    return NotSendable(
        _(
            "Not sent: %(names)s could not be filled in for %(object)s: the personal link was "
            "revoked (invitation withdrawn), the object was deleted, or SECRET_KEY changed. "
            "No email went out. Cancel this message; or, if the expert should still get it, "
            "give a new link from the invitation and retry it."
        )
        % {
            "names": ", ".join(exc.names),
            "object": (
                f"{message.related_content_type.name} #{message.related_object_id}"
                if message.related_content_type_id
                else _("a message without a related object")
            ),
        }
    )


def unavailable_error(message: OutboxMessage, exc: UnavailableAttachment) -> NotSendable:
    return NotSendable(
        _(
            "Not sent: the attachment %(filename)s could not be made for %(object)s: the data "
            "it is made from was erased, or the object was deleted. No email went out. Cancel "
            "this message."
        )
        % {
            "filename": exc.filename,
            "object": (
                f"{message.related_content_type.name} #{message.related_object_id}"
                if message.related_content_type_id
                else _("a message without a related object")
            ),
        }
    )


def unwritable_error(message: OutboxMessage) -> NotSendable:
    return NotSendable(
        _(
            "Not sent: this email is written when it is sent, from %(object)s, which no longer "
            "exists. No email went out. Cancel this message."
        )
        % {
            "object": (
                f"{message.related_content_type.name} #{message.related_object_id}"
                if message.related_content_type_id
                else _("a message without a related object")
            ),
        }
    )


def _record_failure(message: OutboxMessage, exc: BaseException, *, transient: bool) -> None:
    now = timezone.now()
    error = str(exc) if isinstance(exc, NotSendable) else f"{type(exc).__name__}: {exc}"
    error = error[:2000]
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
