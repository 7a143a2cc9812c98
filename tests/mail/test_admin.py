"""The outbox in the admin: failed messages first, read-only bodies, Retry and Cancel."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from academy_portal.core.roles import FORUM_COORDINATORS, PARTNERSHIPS_OFFICERS, VIEWERS
from academy_portal.mail.models import OutboxMessage
from tests.factories import InstitutionFactory, UserFactory
from tests.mail.factories import OutboxAttachmentFactory, OutboxMessageFactory

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
CHANGELIST = reverse("admin:mail_outboxmessage_changelist")


@pytest.fixture
def coordinator_client(client):
    client.force_login(UserFactory(groups=[FORUM_COORDINATORS]))
    return client


def test_coordinator_sees_failed_messages_first(coordinator_client):
    OutboxMessageFactory(status=Status.SENT, sent_at=timezone.now(), subject="Old news")
    failed = OutboxMessageFactory(status=Status.FAILED, last_error="550 5.1.1 No such user")
    OutboxMessageFactory(subject="Newest, still queued")
    response = coordinator_client.get(CHANGELIST)
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows[0] == failed
    assert b"550 5.1.1 No such user" in response.content


@pytest.mark.parametrize("rows", [1, 30])
def test_changelist_query_count_does_not_grow(
    coordinator_client, django_assert_max_num_queries, rows
):
    institution = InstitutionFactory()
    for message in OutboxMessageFactory.create_batch(rows, related=institution):
        OutboxAttachmentFactory(message=message)
    with django_assert_max_num_queries(10):
        response = coordinator_client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


def test_filters_and_search(coordinator_client):
    OutboxMessageFactory(status=Status.FAILED, kind="reminder", to_email="le.thi@vnu.edu.vn")
    OutboxMessageFactory(status=Status.QUEUED, kind="invitation", subject="Ocean Dialogue")
    by_status = coordinator_client.get(CHANGELIST, {"status__exact": "failed"})
    assert [m.to_email for m in by_status.context["cl"].result_list] == ["le.thi@vnu.edu.vn"]
    by_kind = coordinator_client.get(CHANGELIST, {"kind": "invitation"})
    assert [m.subject for m in by_kind.context["cl"].result_list] == ["Ocean Dialogue"]
    searched = coordinator_client.get(CHANGELIST, {"q": "vnu.edu"})
    assert [m.to_email for m in searched.context["cl"].result_list] == ["le.thi@vnu.edu.vn"]
    searched = coordinator_client.get(CHANGELIST, {"q": "ocean dialogue"})
    assert [m.subject for m in searched.context["cl"].result_list] == ["Ocean Dialogue"]


def test_change_view_is_read_only_and_escapes_the_html_body(coordinator_client):
    message = OutboxMessageFactory(
        html_body='<p onclick="steal()">Dear colleague</p><script>alert(1)</script>',
        related=InstitutionFactory(name="Lowy Institute"),
    )
    attachment = OutboxAttachmentFactory(message=message)
    url = reverse("admin:mail_outboxmessage_change", args=[message.pk])
    response = coordinator_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content
    assert "Lowy Institute" in content
    assert 'name="subject"' not in content  # no editable field
    assert attachment.filename in content

    # Posting changes cannot alter the message.
    coordinator_client.post(url, {"subject": "Changed", "to_email": "evil@example.org"})
    message.refresh_from_db()
    assert message.to_email != "evil@example.org"


def test_attachment_download(coordinator_client, client):
    attachment = OutboxAttachmentFactory()
    url = reverse(
        "admin:mail_outboxmessage_attachment", args=[attachment.message_id, attachment.pk]
    )
    response = coordinator_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="invite.ics"'
    assert response.content == bytes(attachment.content)
    # Another message's id in the URL does not reach this attachment.
    other = OutboxMessageFactory()
    wrong = reverse("admin:mail_outboxmessage_attachment", args=[other.pk, attachment.pk])
    assert coordinator_client.get(wrong).status_code == 404


def test_add_is_not_offered(coordinator_client):
    response = coordinator_client.get(reverse("admin:mail_outboxmessage_add"))
    assert response.status_code == 403


def test_retry_action_requeues_and_sends_failed_messages(
    coordinator_client, django_capture_on_commit_callbacks
):
    mail.outbox = []
    failed = OutboxMessageFactory(status=Status.FAILED, attempts=6, last_error="timeout")
    sent = OutboxMessageFactory(status=Status.SENT, sent_at=timezone.now(), attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            CHANGELIST,
            {"action": "retry_selected", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    shown = [str(m) for m in response.context["messages"]]
    assert "1 message is queued again and will be sent shortly." in shown
    assert any("was not retried" in m for m in shown)
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert [m.extra_headers["X-Outbox-Id"] for m in mail.outbox] == [str(failed.pk)]


def test_cancel_action(coordinator_client):
    queued = OutboxMessageFactory(send_after=timezone.now() + timezone.timedelta(hours=2))
    response = coordinator_client.post(
        CHANGELIST, {"action": "cancel_selected", "_selected_action": [queued.pk]}, follow=True
    )
    assert "1 message is cancelled and will not be sent." in [
        str(m) for m in response.context["messages"]
    ]
    queued.refresh_from_db()
    assert queued.status == Status.CANCELLED


@pytest.mark.parametrize("role", [VIEWERS, PARTNERSHIPS_OFFICERS])
def test_view_only_roles_see_but_cannot_retry(client, role):
    client.force_login(UserFactory(groups=[role]))
    failed = OutboxMessageFactory(status=Status.FAILED)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert b"retry_selected" not in response.content
    client.post(CHANGELIST, {"action": "retry_selected", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_staff_without_a_role_cannot_see_the_outbox(client):
    client.force_login(UserFactory())
    assert client.get(CHANGELIST).status_code == 403
