import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import queue_email, send_outbox_message
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def queue(**overrides):
    kwargs = {
        "to_email": "Nguyen.Van.A@Example.org",
        "to_name": "Nguyễn Văn A",
        "subject": "Invitation: 16th South China Sea conference",
        "text_body": "Dear Dr Nguyễn,\n\nYou are invited.",
        "html_body": "<p>Dear Dr Nguyễn,</p><p>You are invited.</p>",
        "language": "vi",
        "kind": "invitation",
        "dedup_key": "invitation:1",
    }
    kwargs.update(overrides)
    with transaction.atomic():
        return queue_email(**kwargs)


def test_queue_email_writes_a_row_and_sends_on_commit(django_capture_on_commit_callbacks):
    institution = InstitutionFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message, created = queue(
            related=institution,
            attachments=[("invite.ics", ICS, "text/calendar; method=REQUEST")],
            reply_to="forums@academy.test",
        )
    assert created and len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1 and message.sent_at is not None
    assert message.related == institution
    assert message.message_id.endswith(">") and "@" in message.message_id
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["Nguyễn Văn A <Nguyen.Van.A@Example.org>"]
    assert sent.reply_to == ["forums@academy.test"]
    assert sent.extra_headers["X-Outbox-Id"] == str(message.pk)
    assert sent.alternatives[0][1] == "text/html"
    raw = sent.message()
    assert raw["Message-ID"] == message.message_id
    assert raw["Auto-Submitted"] == "auto-generated"
    calendar = [part for part in raw.walk() if part.get_content_type() == "text/calendar"]
    assert len(calendar) == 1
    assert calendar[0].get_param("method") == "REQUEST"
    assert calendar[0].get_filename() == "invite.ics"
    assert "METHOD:REQUEST" in calendar[0].get_payload(decode=True).decode()


def test_same_dedup_key_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created = queue()
        again, created_again = queue(subject="Another subject")
    assert created and not created_again
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_no_row_when_the_caller_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_email(
            to_email="a@example.org",
            subject="Hello",
            text_body="Hi",
            kind="invitation",
            dedup_key="rolled-back",
        )
        raise RuntimeError("the invitation failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_bad_input_is_refused_with_clear_errors():
    with pytest.raises(ValidationError) as info:
        queue(to_email="not an address", subject="  ", text_body="", language="fr", dedup_key="")
    errors = info.value.message_dict
    assert set(errors) >= {"to_email", "subject", "text_body", "language", "dedup_key"}
    assert not OutboxMessage.objects.exists()


def test_newlines_in_subject_cannot_inject_headers():
    message, _ = queue(subject="Hello\r\nBcc: victim@example.org")
    assert message.subject == "Hello Bcc: victim@example.org"


def test_running_the_send_twice_sends_once():
    message, _ = queue()
    assert send_outbox_message(message_id=message.pk) is True
    assert send_outbox_message(message_id=message.pk) is False
    assert len(mail.outbox) == 1


def queue_plain(key: str):
    return queue_email(
        to_email=f"{key}@example.org",
        subject=f"About {key}",
        text_body="Hello",
        kind="invitation",
        dedup_key=key,
    )[0]


def sent_ids() -> list[int]:
    return sorted(int(m.extra_headers["X-Outbox-Id"]) for m in mail.outbox)


def test_a_transaction_of_many_emails_is_one_callback(django_capture_on_commit_callbacks, settings):
    settings.OUTBOX_TASK_BATCH_SIZE = 50
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        messages = [queue_plain(f"bulk-{n}") for n in range(120)]
    assert len(callbacks) == 1
    assert sent_ids() == sorted(m.pk for m in messages)
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()


def test_savepoints_rolled_back_inside_the_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # The first email is queued inside a savepoint that is rolled back: its row and the
        # callback registered with it are gone, yet the later emails are delivered.
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_plain("discarded")
            raise RuntimeError
        kept = queue_plain("kept")
        with transaction.atomic():
            inner = queue_plain("inner-released")
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_plain("inner-discarded")
            raise RuntimeError
        last = queue_plain("last")
    assert sent_ids() == sorted([kept.pk, inner.pk, last.pk])
    assert set(OutboxMessage.objects.values_list("dedup_key", flat=True)) == {
        "kept",
        "inner-released",
        "last",
    }


def test_each_captured_transaction_sends_its_own(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_plain("first")
    with django_capture_on_commit_callbacks(execute=True):
        second = queue_plain("second")
    assert sent_ids() == sorted([first.pk, second.pk])


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_email_goes_at_once():
    message = queue_email(
        to_email="now@example.org", subject="Now", text_body="Hi", kind="k", dedup_key="now"
    )[0]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert sent_ids() == [message.pk]


def test_a_future_send_after_waits_for_the_sweep(django_capture_on_commit_callbacks):

    later = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message, _ = queue(send_after=later)
    assert callbacks == []
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert mail.outbox == []
