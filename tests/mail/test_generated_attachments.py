"""Attachments made when sent: the row stores a name and a MIME type only, the registered
builder makes the bytes from the row's related object at sending time, and when it cannot the
email is not sent, with a reason staff can act on. The admin offers nothing to download."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.mail.models import OutboxAttachment, OutboxMessage
from academy_portal.mail.placeholders import GeneratedAttachment, register_attachment_builder
from academy_portal.mail.services import queue_email, send_outbox_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A builder of our own for these tests: the related user's name as a text file, none for
# an inactive user (its "data erased").
GENERATOR = "test_user_card"


def user_card(*, object_id, language):
    user = UserFactory._meta.model.objects.filter(pk=object_id, is_active=True).first()
    return f"{user.username} ({language})".encode() if user else None


register_attachment_builder(GENERATOR, user_card)


def queue(related, **kwargs):
    message, _ = queue_email(
        to_email="expert@example.org",
        subject="Your card",
        text_body="Attached.",
        kind="card",
        dedup_key=f"card:{related.pk if related else 0}",
        related=related,
        attachments=[GeneratedAttachment("card.txt", "text/plain", GENERATOR)],
        **kwargs,
    )
    return message


def test_the_file_is_made_when_sent_and_never_stored():
    user = UserFactory(username="card-holder")

    message = queue(user, language="vi")
    stored = OutboxAttachment.objects.get(message=message)
    assert send_outbox_message(message_id=message.pk)

    assert (bytes(stored.content), stored.generator) == (b"", GENERATOR)
    (sent,) = mail.outbox
    assert sent.attachments[0].get_payload(decode=True) == b"card-holder (vi)"
    assert sent.attachments[0].get_filename() == "card.txt"


def test_a_file_that_cannot_be_made_stops_the_email_with_a_reason():
    user = UserFactory(is_active=False)

    message = queue(user)
    assert not send_outbox_message(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.last_error.startswith("Not sent: the attachment card.txt could not be made")
    assert mail.outbox == []


def test_a_generated_attachment_needs_a_related_object():
    with pytest.raises(ValidationError) as error:
        queue(None)

    assert error.value.message_dict == {
        "attachments": ["An attachment made when sent needs the email's related object."]
    }
    assert not OutboxMessage.objects.exists()


def test_the_admin_shows_the_file_as_made_when_sent_with_nothing_to_download(client):
    message = queue(UserFactory())
    attachment = OutboxAttachment.objects.get(message=message)
    client.force_login(UserFactory(groups=[roles.ADMINISTRATORS]))

    page = client.get(reverse("admin:mail_outboxmessage_change", args=[message.pk]))
    download = client.get(
        reverse("admin:mail_outboxmessage_attachment", args=[message.pk, attachment.pk])
    )

    assert "card.txt" in page.text and "(made when sent)" in page.text
    assert download.status_code == 404
