"""Delivery: retries with backoff, permanent failures, a mail server that is down, stuck rows."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import (
    FLUSH_PENDING_KEY,
    cancel_messages,
    deliver_messages,
    enqueue_delivery,
    flush_outbox,
    is_transient,
    queue_email,
    requeue_stuck_messages,
    retry_delay,
    retry_message,
    send_outbox_message,
    sweep_outbox,
)
from academy_portal.mail.services.delivery import _claim
from academy_portal.mail.tasks import send_outbox_message as send_task
from tests.mail.factories import OutboxAttachmentFactory, OutboxMessageFactory

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


def make_due(message):
    """Time passes: the row's next attempt is due now."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        send_after=timezone.now() - dt.timedelta(seconds=1)
    )


def test_transient_errors_back_off_then_deliver_once(flaky_backend, sent_mail):
    flaky_backend.errors = [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPResponseException(421, b"4.3.2 Service not available, try later"),
    ]
    message = OutboxMessageFactory()

    before = timezone.now()
    assert send_outbox_message(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert "SMTPServerDisconnected" in message.last_error
    assert message.send_after >= before + dt.timedelta(seconds=60)
    # Not due yet: the sweep leaves it alone.
    assert sweep_outbox()["sent"] == 0

    make_due(message)
    sweep_outbox()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 2)
    assert "421" in message.last_error
    assert message.send_after >= timezone.now() + dt.timedelta(seconds=200)  # 4 x 60 s

    make_due(message)
    assert sweep_outbox()["sent"] == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 3 and message.last_error == ""
    assert [m.extra_headers["X-Outbox-Id"] for m in sent_mail] == [str(message.pk)]


def test_permanent_refusal_fails_at_once(flaky_backend, sent_mail):
    flaky_backend.errors = [
        smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"5.1.1 No such user")})
    ]
    message = OutboxMessageFactory(to_email="x@example.org")
    send_outbox_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 1
    assert "No such user" in message.last_error
    make_due(message)
    assert sweep_outbox()["sent"] == 0
    assert sent_mail == []


def test_last_attempt_marks_failed(flaky_backend, sent_mail, settings):
    flaky_backend.errors = [ConnectionResetError(104, "Connection reset by peer")] * 3
    message = OutboxMessageFactory(max_attempts=3)
    for _ in range(3):
        make_due(message)
        sweep_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 3
    assert "Connection reset" in message.last_error
    assert sent_mail == []


def test_mail_server_down_keeps_every_message_and_delivers_when_back(settings, sent_mail):
    messages = OutboxMessageFactory.create_batch(5)
    settings.EMAIL_BACKEND = "tests.mail.conftest.UnreachableBackend"
    assert sweep_outbox()["sent"] == 0
    rows = OutboxMessage.objects.order_by("pk")
    assert {(m.status, m.attempts) for m in rows} == {(Status.QUEUED, 1)}
    assert all("Connection refused" in m.last_error for m in rows)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for message in messages:
        make_due(message)
    result = sweep_outbox()
    assert result["sent"] == 5 and result["batches"] == 1
    assert sorted(int(m.extra_headers["X-Outbox-Id"]) for m in sent_mail) == sorted(
        m.pk for m in messages
    )
    assert not OutboxMessage.objects.exclude(status=Status.SENT).exists()


def test_real_smtp_server_permanent_transient_down_and_back(smtp_server):
    OutboxMessageFactory(to_email="gone@example.org")
    greylisted = OutboxMessageFactory(to_email="later@example.org")
    fine = OutboxMessageFactory(
        to_email="fine@example.org", to_name="Trần Thị Bích, PhD", reply_to="forums@academy.test"
    )
    OutboxAttachmentFactory(message=fine)
    smtp_server.refuse = {
        "gone@example.org": "550 5.1.1 No such user here",
        "later@example.org": "451 4.7.1 Greylisted, try again later",
    }
    result = sweep_outbox()
    assert result["sent"] == 1
    statuses = dict(OutboxMessage.objects.values_list("to_email", "status"))
    assert statuses == {
        "gone@example.org": Status.FAILED,
        "later@example.org": Status.QUEUED,
        "fine@example.org": Status.SENT,
    }
    assert smtp_server.outbox_ids() == [str(fine.pk)]
    rcpts, raw = smtp_server.received[0]
    assert rcpts == ["fine@example.org"]
    parsed = __import__("email").message_from_bytes(raw)
    assert parsed.get_content_type() == "multipart/mixed"
    types = [part.get_content_type() for part in parsed.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    assert parsed["Reply-To"] == "forums@academy.test"
    assert parsed["Message-ID"] == fine.message_id

    # The server goes down: the greylisted row stays queued and keeps its email.
    smtp_server.stop()
    smtp_server.refuse = {}
    make_due(greylisted)
    sweep_outbox()
    greylisted.refresh_from_db()
    assert (greylisted.status, greylisted.attempts) == (Status.QUEUED, 2)
    assert "refused" in greylisted.last_error.lower() or "connect" in greylisted.last_error.lower()

    # ... and is delivered when it is back.
    smtp_server.start()
    make_due(greylisted)
    assert sweep_outbox()["sent"] == 1
    assert smtp_server.outbox_ids() == [str(fine.pk), str(greylisted.pk)]


def test_a_broken_row_fails_alone_and_the_batch_goes_on(sent_mail):
    broken = OutboxMessageFactory()
    OutboxAttachmentFactory(message=broken, mimetype="text/plain; charset=no-such-charset")
    fine = OutboxMessageFactory()
    assert sweep_outbox()["sent"] == 1
    broken.refresh_from_db()
    assert broken.status == Status.FAILED and "charset" in broken.last_error.lower()
    assert [m.extra_headers["X-Outbox-Id"] for m in sent_mail] == [str(fine.pk)]


def test_rows_of_a_killed_worker_are_requeued_after_the_timeout(settings, sent_mail):
    settings.OUTBOX_SENDING_TIMEOUT = 300
    long_ago = timezone.now() - dt.timedelta(seconds=301)
    stuck = OutboxMessageFactory(status=Status.SENDING, claimed_at=long_ago, attempts=1)
    recent = OutboxMessageFactory(
        status=Status.SENDING, claimed_at=timezone.now() - dt.timedelta(seconds=10), attempts=1
    )
    exhausted = OutboxMessageFactory(
        status=Status.SENDING, claimed_at=long_ago, attempts=6, max_attempts=6
    )
    result = sweep_outbox()
    assert result["requeued"] == 2 and result["sent"] == 1
    stuck.refresh_from_db()
    recent.refresh_from_db()
    exhausted.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (Status.SENT, 2)
    assert recent.status == Status.SENDING  # its worker may still be at it
    assert exhausted.status == Status.FAILED
    assert "worker stopped" in exhausted.last_error
    assert [m.extra_headers["X-Outbox-Id"] for m in sent_mail] == [str(stuck.pk)]
    assert requeue_stuck_messages() == 0


def test_a_stale_worker_cannot_overwrite_a_newer_claim(sent_mail):
    """A worker that lost its claim (requeued, claimed again) records nothing."""
    message = OutboxMessageFactory()

    first = _claim(OutboxMessage.objects.filter(pk=message.pk), limit=1)[0]
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.QUEUED, claim_token=None)
    second = _claim(OutboxMessage.objects.filter(pk=message.pk), limit=1)[0]
    assert first.claim_token != second.claim_token
    deliver_messages([first])  # the stale worker finishes late
    message.refresh_from_db()
    assert message.status == Status.SENDING and message.claim_token == second.claim_token
    deliver_messages([second])
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_retry_and_cancel(django_capture_on_commit_callbacks, sent_mail):
    failed = OutboxMessageFactory(status=Status.FAILED, attempts=6, last_error="550 gone")
    sent = OutboxMessageFactory(status=Status.SENT, sent_at=timezone.now(), attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_message(message=failed) is True
        assert retry_message(message=sent) is False
    failed.refresh_from_db()
    assert failed.status == Status.SENT and failed.attempts == 1
    assert len(sent_mail) == 1

    queued = OutboxMessageFactory(send_after=timezone.now() + dt.timedelta(hours=1))
    sending = OutboxMessageFactory(status=Status.SENDING, claimed_at=timezone.now())
    assert cancel_messages(messages=[queued, sending, sent]) == 1
    queued.refresh_from_db()
    sending.refresh_from_db()
    assert queued.status == Status.CANCELLED and sending.status == Status.SENDING
    make_due(queued)
    assert sweep_outbox()["sent"] == 0


def test_retry_delay_grows_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_DELAY = 60
    settings.OUTBOX_RETRY_MAX_DELAY = 3600
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [60, 240, 960, 3600, 3600]


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("closed"), True),
        (smtplib.SMTPConnectError(421, b"busy"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPResponseException(451, b"try later"), True),
        (smtplib.SMTPSenderRefused(452, b"too many", "portal@academy.test"), True),
        (smtplib.SMTPDataError(554, b"rejected as spam"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no such user")}), False),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (450, b"mailbox busy")}), True),
        (ValueError("bad header"), False),
    ],
)
def test_is_transient(error, transient):
    assert is_transient(error) is transient


def test_sent_mail_is_multipart_with_our_headers(sent_mail, settings):
    settings.SITE_URL = "https://portal.academy.test"

    message, _ = queue_email(
        to_email="a@example.org",
        subject="Xin chào",
        text_body="Kính gửi",
        html_body="<p>Kính gửi</p>",
        language="vi",
        kind="invitation",
        dedup_key="headers",
        attachments=[("invite.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "application/ics")],
    )
    assert message.message_id.endswith("@portal.academy.test>")
    send_outbox_message(message_id=message.pk)
    raw = sent_mail[0].message()
    assert raw["Content-Language"] == "vi"
    assert raw["X-Outbox-Id"] == str(message.pk)
    ics = [p for p in raw.walk() if p.get_content_type() == "application/ics"]
    assert ics[0].get_filename() == "invite.ics"
    assert mail.outbox is sent_mail


def test_after_a_421_the_next_message_gets_a_fresh_connection(smtp_server):
    """smtplib closes the socket on a 421; the rest of the batch must still really be tried."""
    overloaded = OutboxMessageFactory(to_email="first@example.org")
    following = OutboxMessageFactory(to_email="second@example.org")
    smtp_server.refuse = {"first@example.org": "421 4.3.2 Service not available"}
    assert sweep_outbox()["sent"] == 1
    overloaded.refresh_from_db()
    following.refresh_from_db()
    assert (overloaded.status, overloaded.attempts) == (Status.QUEUED, 1)
    assert "421" in overloaded.last_error
    assert following.status == Status.SENT
    assert smtp_server.outbox_ids() == [str(following.pk)]


def test_a_one_email_task_takes_due_rows_along(settings, sent_mail):
    """Emails committed one by one: the first task sends a batch, the others find it done."""

    settings.OUTBOX_TASK_BATCH_SIZE = 3
    messages = OutboxMessageFactory.create_batch(5)
    later = OutboxMessageFactory(send_after=timezone.now() + dt.timedelta(hours=1))
    assert send_task(messages[2].pk) is True
    # Its own row first, then the two oldest due rows.
    assert [m.extra_headers["X-Outbox-Id"] for m in sent_mail] == [
        str(messages[2].pk),
        str(messages[0].pk),
        str(messages[1].pk),
    ]
    results = [send_task(m.pk) for m in messages]
    assert results == [False, False, False, True, False]  # the 4th takes the 5th along
    assert sorted(int(m.extra_headers["X-Outbox-Id"]) for m in sent_mail) == sorted(
        m.pk for m in messages
    )
    later.refresh_from_db()
    assert later.status == Status.QUEUED  # not due: never taken along


def test_one_email_commits_share_flush_tasks(settings, sent_mail):
    """Emails committed one by one (outside tests: a burst of single-email transactions) ask
    for a flush only when none is pending; a flush sends a batch and, while batches come
    full, hands on to the next one, until every due row is sent once."""

    settings.OUTBOX_TASK_BATCH_SIZE = 3
    cache.delete(FLUSH_PENDING_KEY)
    messages = OutboxMessageFactory.create_batch(7)

    # A flush is already pending: this commit asks for nothing, the pending flush will see it.
    cache.add(FLUSH_PENDING_KEY, True)
    enqueue_delivery([messages[0].pk])
    assert sent_mail == []

    # The flush runs (eagerly here): 3 + 3 + 1 rows, each once.
    assert flush_outbox() == 3
    assert sorted(int(m.extra_headers["X-Outbox-Id"]) for m in sent_mail) == sorted(
        m.pk for m in messages
    )
    assert cache.get(FLUSH_PENDING_KEY) is None
    for message in messages:
        enqueue_delivery([message.pk])  # late commits find nothing left to do
    assert len(sent_mail) == 7
    assert not OutboxMessage.objects.exclude(status=Status.SENT).exists()


def test_a_slow_batch_does_not_send_rows_taken_back_by_the_sweep(settings, sent_mail):
    """A worker that is slow (not dead) past the timeout: the sweep requeues its rows and
    another worker sends them; the slow worker checks its claim and sends nothing twice."""

    settings.OUTBOX_SENDING_TIMEOUT = 300
    messages = OutboxMessageFactory.create_batch(3)
    slow_batch = _claim(OutboxMessage.objects.all(), limit=3)
    # The slow worker sent the first row in time, then stalled for over 300 s.
    deliver_messages(slow_batch[:1])
    long_ago = timezone.now() - dt.timedelta(seconds=301)
    OutboxMessage.objects.filter(status=Status.SENDING).update(claimed_at=long_ago)
    for message in slow_batch:
        message.claimed_at = long_ago
    assert sweep_outbox()["sent"] == 2  # another worker takes the two rows back and sends
    deliver_messages(slow_batch[1:])  # the slow worker wakes up
    ids = sorted(int(m.extra_headers["X-Outbox-Id"]) for m in sent_mail)
    assert ids == sorted(m.pk for m in messages)


def test_a_slow_batch_renews_the_claims_it_still_holds(settings, sent_mail):

    settings.OUTBOX_SENDING_TIMEOUT = 300
    OutboxMessageFactory.create_batch(2)
    batch = _claim(OutboxMessage.objects.all(), limit=2)
    for message in batch:
        message.claimed_at = timezone.now() - dt.timedelta(seconds=150)  # slow, still held
    assert len(deliver_messages(batch)) == 2
    assert len(sent_mail) == 2
