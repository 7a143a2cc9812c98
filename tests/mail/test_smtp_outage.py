"""The mail server is down (or refuses for a while): the outbox keeps every email and, once
the server is back, the sweep delivers each exactly once. A real local SMTP server
(aiosmtpd) is stopped and started; the portal talks to it with Django's real SMTP backend."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import send_outbox_message, sweep_outbox
from forums.services import invite_expert, send_invitation
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.support.smtp import RecordingSMTPServer

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


@pytest.fixture
def smtp(settings):
    """A recording SMTP server on a free port, NOT started: the portal's SMTP is down."""
    server = RecordingSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def invite_and_send(django_capture_on_commit_callbacks):
    """Invite and send n experts as staff would; the on-commit delivery really runs."""

    def run(n: int, *, prefix: str = "expert"):
        staff = UserFactory()
        edition = EditionFactory()
        invitations = []
        for i in range(n):
            expert = ExpertFactory(
                email=f"{prefix}-{i}@experts.test", preferred_language="vi" if i % 2 else "en"
            )
            invitation, _ = invite_expert(edition, expert=expert, invited_by=staff)
            with django_capture_on_commit_callbacks(execute=True):
                send_invitation(invitation, sent_by=staff)
            invitations.append(invitation)
        return invitations

    return run


def make_due(rows) -> None:
    """Time passes: the retry the outbox scheduled is due now."""
    rows.update(send_after=timezone.now() - dt.timedelta(seconds=1))


def assert_delivered_exactly_once(server, rows) -> None:
    received = [m.outbox_id for m in server.messages]
    assert sorted(received) == sorted(str(pk) for pk in rows.values_list("pk", flat=True))
    by_id = {m.outbox_id: m for m in server.messages}
    for row in rows:
        message = by_id[str(row.pk)]
        assert message.rcpt_tos == (row.to_email,)
        assert message.message_id == row.message_id  # a retry keeps the Message-ID
        assert row.status == Status.SENT and row.sent_at is not None


def test_emails_queued_while_smtp_is_down_wait_and_go_out_exactly_once(smtp, invite_and_send):
    invite_and_send(6)
    rows = OutboxMessage.objects.filter(kind="invitation").order_by("pk")
    assert rows.count() == 6

    # Down: each on-commit delivery failed, and every row is kept for a later attempt.
    before = timezone.now()
    for row in rows:
        assert row.status == Status.QUEUED
        assert row.attempts == 1
        assert "refused" in row.last_error.lower(), row.last_error
        assert row.send_after > before + dt.timedelta(seconds=50)  # backoff, not a hot loop
        assert row.claim_token is None
    assert smtp.count() == 0

    # The sweep leaves rows that are not due yet alone (no attempt is burnt).
    assert sweep_outbox(time_budget=10)["sent"] == 0
    assert set(rows.values_list("attempts", flat=True)) == {1}

    # Still down when the retry is due: another attempt, a longer wait, nothing lost.
    make_due(rows)
    result = sweep_outbox(time_budget=10)
    assert result["sent"] == 0
    now = timezone.now()
    for row in rows.all():
        assert (row.status, row.attempts) == (Status.QUEUED, 2)
        assert row.send_after > now + dt.timedelta(minutes=3)  # 4 x the base delay
        assert row.last_error

    # Back up: the next sweep delivers every email once.
    smtp.start()
    make_due(rows)
    result = sweep_outbox(time_budget=30)
    assert result["sent"] == 6
    assert_delivered_exactly_once(smtp, rows.all())
    assert set(rows.values_list("attempts", flat=True)) == {3}
    assert set(rows.values_list("last_error", flat=True)) == {""}

    # A late task from the broker and another sweep change nothing: exactly once.
    for pk in rows.values_list("pk", flat=True):
        assert send_outbox_message(message_id=pk) is False
    assert sweep_outbox(time_budget=10)["sent"] == 0
    assert smtp.count() == 6

    # What arrived is the invitation itself, with the expert's personal link.
    body = smtp.messages[0].message
    text = next(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in body.walk()
        if part.get_content_type() == "text/plain"
    )
    assert re.search(r"/rsvp/[\w-]{20,}/", text), text


def test_server_refusing_mid_batch_with_421_loses_nothing(smtp):
    smtp.start()
    # The first three go through, then the server is overloaded for a while (421).
    accepted = []

    def overloaded_after_three(envelope):
        if len(accepted) >= 3:
            return "421 4.3.2 Service not available, try again later"
        accepted.append(envelope)
        return None

    smtp.reply = overloaded_after_three
    # Queue while the worker is "away" (no on-commit delivery), then one sweep batch.
    staff = UserFactory()
    edition = EditionFactory()
    for i in range(8):
        invitation, _ = invite_expert(
            edition, expert=ExpertFactory(email=f"busy-{i}@experts.test"), invited_by=staff
        )
        send_invitation(invitation, sent_by=staff)  # `db` fixture: on-commit never runs
    rows = OutboxMessage.objects.filter(kind="invitation").order_by("pk")
    assert set(rows.values_list("status", flat=True)) == {Status.QUEUED}

    result = sweep_outbox(time_budget=30)
    assert result["sent"] == 3
    assert smtp.count() == 3
    refused = rows.filter(status=Status.QUEUED)
    assert refused.count() == 5
    for row in refused:
        assert row.attempts == 1 and "421" in row.last_error  # each one really tried
        assert row.send_after > timezone.now()

    smtp.reply = None  # recovered
    make_due(refused)
    assert sweep_outbox(time_budget=30)["sent"] == 5
    assert_delivered_exactly_once(smtp, rows.all())


def test_permanent_refusal_fails_that_email_only(smtp, invite_and_send):
    smtp.start()
    smtp.reply = lambda envelope: (
        "550 5.1.1 No such user" if "gone-1@" in envelope.rcpt_tos[0] else None
    )
    invite_and_send(3, prefix="gone")
    rows = OutboxMessage.objects.filter(kind="invitation").order_by("pk")
    failed = rows.get(to_email="gone-1@experts.test")
    assert failed.status == Status.FAILED
    assert "550" in failed.last_error
    assert failed.attempts == 1  # a permanent error is not retried
    assert {m.rcpt_tos[0] for m in smtp.messages} == {
        "gone-0@experts.test",
        "gone-2@experts.test",
    }
    make_due(rows)
    assert sweep_outbox(time_budget=10)["sent"] == 0  # a failed row waits for staff's "retry"
    assert smtp.count() == 2


def test_after_a_421_the_next_email_is_really_tried(smtp):
    # smtplib closes the connection on a 421; the next email must not fail on the dead one
    # ("please run connect() first") without ever reaching the server.
    smtp.start()
    replies = iter(["421 4.3.2 Try again later"])
    smtp.reply = lambda envelope: next(replies, None)  # only the first email is refused
    staff = UserFactory()
    edition = EditionFactory()
    for i in range(2):
        invitation, _ = invite_expert(
            edition, expert=ExpertFactory(email=f"next-{i}@experts.test"), invited_by=staff
        )
        send_invitation(invitation, sent_by=staff)
    assert sweep_outbox(time_budget=10)["sent"] == 1
    assert smtp.count() == 1
