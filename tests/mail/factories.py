import factory

from academy_portal.mail.models import OutboxAttachment, OutboxMessage


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    to_email = factory.Sequence(lambda n: f"expert{n}@example.org")
    to_name = factory.Faker("name")
    language = "en"
    subject = factory.Sequence(lambda n: f"Invitation to the 16th conference #{n}")
    text_body = "Dear colleague,\n\nYou are invited.\n"
    html_body = "<p>Dear colleague,</p><p>You are invited.</p>"
    kind = "invitation"
    dedup_key = factory.Sequence(lambda n: f"test:{n}")
    message_id = factory.Sequence(lambda n: f"<outbox-test-{n}@academy.test>")


class OutboxAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxAttachment

    message = factory.SubFactory(OutboxMessageFactory)
    filename = "invite.ics"
    mimetype = "text/calendar; method=REQUEST"
    content = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
