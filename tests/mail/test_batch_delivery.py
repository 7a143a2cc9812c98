"""Batch delivery (claimed rows sent over one SMTP connection, personal placeholders resolved
once per batch) sends exactly the emails that building each row alone gives."""

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import build_email, send_outbox_messages
from forums.services import invite_expert, send_invitation
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.mail.factories import OutboxAttachmentFactory, OutboxMessageFactory

pytestmark = pytest.mark.django_db


class CountingBackend(LocmemBackend):
    """locmem (django.core.mail.outbox) that counts the connections opened: the mail server."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return True


def _as_sent(email) -> tuple:
    return (
        email.subject,
        email.body,
        email.alternatives,
        email.to,
        email.from_email,
        email.reply_to,
        sorted(email.extra_headers.items()),
        # Attachments are MIME parts (mime_attachment): compare their bytes.
        [a.as_bytes() if hasattr(a, "as_bytes") else a for a in email.attachments],
    )


def test_a_batch_sends_over_one_connection_what_each_row_alone_builds(settings, sent_mail):
    settings.EMAIL_BACKEND = "tests.mail.test_batch_delivery.CountingBackend"
    CountingBackend.opened = 0
    staff = UserFactory(groups=["Forum coordinators"])
    edition = EditionFactory()
    for language in ("en", "vi", "en"):
        invitation, _ = invite_expert(
            edition, expert=ExpertFactory(preferred_language=language), invited_by=staff
        )
        send_invitation(invitation, sent_by=staff)  # rows with personal-link markers
    OutboxAttachmentFactory.create_batch(2)  # plain rows with an attachment
    OutboxMessageFactory(language="vi")
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert len(rows) == 6
    alone = {str(row.pk): _as_sent(build_email(row)) for row in rows}

    sent = send_outbox_messages(message_ids=[row.pk for row in rows])

    assert sent == {row.pk for row in rows}
    assert CountingBackend.opened == 1
    batch = {email.extra_headers["X-Outbox-Id"]: _as_sent(email) for email in sent_mail}
    assert batch == alone
    assert all("[[outbox:" not in email.body for email in sent_mail)


def test_a_batch_records_its_outcomes_without_waiting_for_the_wal_then_resets_it(
    require_postgres, settings, sent_mail
):
    """On PostgreSQL a batch's outcome updates skip the WAL flush (synchronous_commit off for
    the batch only): every outcome is still recorded, and the session setting is back after."""

    rows = OutboxMessageFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        before = cursor.fetchone()[0]

    assert send_outbox_messages(message_ids=[row.pk for row in rows]) == {r.pk for r in rows}

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == before
