"""Outbox export: every selected message once over several chunks, no bodies, logged."""

import pytest
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from tests.factories import UserFactory
from tests.mail.factories import OutboxMessageFactory
from tests.support.exports import action_post, body, column, read_rows

pytestmark = pytest.mark.django_db
URL = reverse("admin:mail_outboxmessage_changelist")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_messages_sharing_every_sort_key_are_each_exported_once_and_logged(
    client, settings, file_format
):
    settings.EXPORT_CHUNK_SIZE = 3
    messages = [
        OutboxMessageFactory(to_name="Trần Thị Thu", text_body="Mật khẩu bí mật") for _ in range(10)
    ]
    # Every message the same creation time: only the id orders them.
    type(messages[0]).objects.update(created_at=messages[0].created_at)
    client.force_login(UserFactory(groups=[roles.VIEWERS]))

    response = action_post(
        client, URL, f"export_{file_format}", [messages[0].pk], select_across=True
    )

    content = body(response)
    rows = read_rows(content, file_format)
    by_email = {m.to_email: m.pk for m in messages}
    ids = [by_email[email] for email in column(rows, "Recipient email")]
    assert ids == sorted(by_email.values(), reverse=True)  # newest first, then by id
    assert column(rows, "Recipient name") == ["Trần Thị Thu"] * 10
    assert "Mật khẩu".encode() not in content  # bodies stay in the database
    log = AccessLog.objects.get()
    assert (log.model_label, log.object_ids) == ("mail.outboxmessage", ids)
