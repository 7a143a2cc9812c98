import pytest

from academy_portal.mail.models import OutboxMessage
from forums.services import invite_expert, send_invitation, submit_rsvp
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.mail.sent import sent_html, sent_text

pytestmark = pytest.mark.django_db


def answered_invitation(edition):
    staff = UserFactory(groups=["Forum coordinators"])
    expert = ExpertFactory(given_name="Hùng Sơn", family_name="Nguyễn", name_order="family_first")
    invitation, _ = invite_expert(edition, expert=expert, invited_by=staff)
    send_invitation(invitation, sent_by=staff)
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        privacy_consent=True,
        chatham_house_acknowledged=True,
        dietary_needs="Vegetarian",
    )
    return invitation


def test_staff_address_gets_a_note_for_each_answer_and_change():
    edition = EditionFactory(answer_notification_email="forums-team@academy.test")
    invitation = answered_invitation(edition)

    notices = OutboxMessage.objects.filter(kind="rsvp_answer_notice")
    assert notices.count() == 1
    first = notices.get()
    assert first.to_email == "forums-team@academy.test"
    assert "Nguyễn Hùng Sơn" in first.subject
    # The dietary need is filled in when the note is sent, never stored in the outbox.
    assert "Vegetarian" not in first.text_body + first.html_body
    assert "Dietary needs: Vegetarian" in sent_text(first)
    assert "<td>Vegetarian</td>" in sent_html(first)
    assert f"/admin/forums/invitation/{invitation.pk}/change/" in first.text_body

    submit_rsvp(invitation, answer="declined", expected_version=invitation.version)
    assert notices.count() == 2
    change = notices.order_by("-id").first()
    assert "changed their answer" in change.text_body
    assert "was: Accepted" in change.text_body


def test_double_submit_does_not_notify_twice():
    edition = EditionFactory(answer_notification_email="forums-team@academy.test")
    invitation = answered_invitation(edition)
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version - 1,  # the stale form of a double click
        attendance="in_person",
        privacy_consent=True,
        chatham_house_acknowledged=True,
        dietary_needs="Vegetarian",
    )
    assert OutboxMessage.objects.filter(kind="rsvp_answer_notice").count() == 1


def test_no_note_without_a_staff_address():
    answered_invitation(EditionFactory(answer_notification_email=""))
    assert not OutboxMessage.objects.filter(kind="rsvp_answer_notice").exists()
