"""After the edition: closing attendance, corrections, where attendance shows (expert page,
partner history, exports), the thank-you email (attendees only, once) and the feedback."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.mail.models import OutboxMessage
from forums import tasks
from forums.models import EditionMaterial, Feedback, InvitationEvent, Presence
from forums.services.attendance import (
    AttendanceError,
    attendance_counts,
    check_in,
    close_attendance,
    correct_attendance,
    save_feedback,
    send_thank_you,
)
from forums.services.emails import materials_url
from tests.factories import EditionFactory, ExpertFactory, InstitutionFactory, UserFactory
from tests.forums.attendance_helpers import accepted_invitation, move_to_past
from tests.mail.sent import sent_text
from tests.support.exports import action_post, body, column, read_rows
from tests.support.fixtures import *  # noqa: F403  (pytest fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return UserFactory(groups=[roles.FORUM_COORDINATORS])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def held_edition(coordinator, *, present=1, absent=1):
    """An edition that ended, with `present` participants checked in and `absent` not."""
    edition = EditionFactory(capacity=None)
    came = [accepted_invitation(edition=edition, staff=coordinator)[0] for _ in range(present)]
    stayed = [accepted_invitation(edition=edition, staff=coordinator)[0] for _ in range(absent)]
    for invitation in came:
        check_in(invitation=invitation, actor=coordinator)
    return move_to_past(edition), came, stayed


def test_close_attendance_makes_the_rest_no_shows_once(coordinator):
    edition, _came, stayed = held_edition(coordinator, present=2, absent=3)
    assert close_attendance(edition=edition, actor=coordinator) == 3
    assert close_attendance(edition=edition, actor=coordinator) == 0  # twice: nothing more
    assert {p.invitation_id for p in Presence.objects.filter(status="absent")} == {
        i.pk for i in stayed
    }
    assert all(
        p.source == Presence.Source.CLOSING for p in Presence.objects.filter(status="absent")
    )
    counts = attendance_counts(edition)
    assert (counts.expected, counts.present, counts.absent) == (5, 2, 3)
    assert stayed[0].events.filter(kind=InvitationEvent.Kind.ATTENDANCE).count() == 1
    assert LogEntry.objects.filter(object_id=str(edition.pk), user=coordinator).exists()


def test_attendance_is_not_closed_before_the_edition_ends(coordinator):
    invitation, _ = accepted_invitation(staff=coordinator)
    with pytest.raises(AttendanceError, match="has not ended yet"):
        close_attendance(edition=invitation.edition, actor=coordinator)
    assert not Presence.objects.exists()


def test_the_daily_chore_closes_only_ended_editions(coordinator):
    edition, _came, _stayed = held_edition(coordinator, present=1, absent=2)
    upcoming, _ = accepted_invitation(staff=coordinator)
    assert tasks.close_attendance.delay().get() == {edition.pk: 2}
    assert tasks.close_attendance.delay().get() == {}
    assert not Presence.objects.filter(invitation=upcoming).exists()


def test_staff_correct_attendance_with_a_reason(coordinator):
    edition, _came, stayed = held_edition(coordinator)
    close_attendance(edition=edition, actor=coordinator)
    with pytest.raises(AttendanceError, match="reason"):
        correct_attendance(invitation=stayed[0], status="present", reason=" ", actor=coordinator)
    correct_attendance(
        invitation=stayed[0], status="present", reason="Signed the paper list", actor=coordinator
    )
    presence = Presence.objects.get(invitation=stayed[0])
    assert (presence.status, presence.source, presence.reason) == (
        "present",
        "correction",
        "Signed the paper list",
    )
    event = stayed[0].events.filter(kind=InvitationEvent.Kind.ATTENDANCE).last()
    assert event.details["previous"] == "absent" and event.actor == coordinator


def test_a_correction_in_the_admin_goes_through_the_service_and_keeps_the_reason(
    client, coordinator
):
    edition, _came, stayed = held_edition(coordinator)
    close_attendance(edition=edition, actor=coordinator)
    presence = Presence.objects.get(invitation=stayed[0])
    client.force_login(coordinator)
    url = reverse("admin:forums_presence_change", args=[presence.pk])
    missing = client.post(url, {"status": "present", "reason": ""})
    assert missing.status_code == 200 and "This field is required" in missing.text
    presence.refresh_from_db()
    assert presence.status == "absent"  # nothing lost, nothing changed
    assert client.post(url, {"status": "present", "reason": "Came late"}).status_code == 302
    presence.refresh_from_db()
    assert (presence.status, presence.reason) == ("present", "Came late")
    assert LogEntry.objects.filter(
        object_id=str(stayed[0].pk), change_message__contains="Came late"
    ).exists()


def test_close_attendance_admin_action(client, coordinator):
    edition, _came, _stayed = held_edition(coordinator, present=1, absent=2)
    client.force_login(coordinator)
    url = reverse("admin:forums_edition_changelist")
    response = action_post(client, url, "close_attendance_action", [edition.pk], follow=True)
    assert "2 participants not checked in recorded as no-shows" in response.text
    viewer = UserFactory(groups=[roles.VIEWERS])
    client.force_login(viewer)
    response = action_post(client, url, "close_attendance_action", [edition.pk])
    assert Presence.objects.filter(status="absent").count() == 2


def test_attendance_shows_on_the_expert_page_and_the_partner_history(client, coordinator):
    institution = InstitutionFactory()
    here, _ = accepted_invitation(
        edition=EditionFactory(), expert=ExpertFactory(affiliation=institution), staff=coordinator
    )
    check_in(invitation=here, actor=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("admin:experts_expert_change", args=[here.expert_id])).text
    assert "presence--present" in page
    history = client.get(reverse("partners:institution_history", args=[institution.pk])).text
    assert 'presence--present">Present' in history


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_invitation_export_has_an_attendance_column(client, coordinator, file_format):
    edition, came, stayed = held_edition(coordinator, present=1, absent=1)
    close_attendance(edition=edition, actor=coordinator)
    not_known, _ = accepted_invitation(staff=coordinator)
    client.force_login(coordinator)
    ids = [came[0].pk, stayed[0].pk, not_known.pk]
    response = action_post(
        client, reverse("admin:forums_invitation_changelist"), f"export_{file_format}", ids
    )
    rows = read_rows(body(response), file_format)
    by_email = dict(zip(column(rows, "Email"), column(rows, "Present"), strict=True))
    assert by_email[came[0].expert.email] == "Present"
    assert by_email[stayed[0].expert.email] == "No-show"
    assert by_email[not_known.expert.email] == ""


def test_thank_you_goes_only_to_those_who_came_and_only_once(
    client, coordinator, default_email_templates
):
    edition, came, _stayed = held_edition(coordinator, present=2, absent=1)
    close_attendance(edition=edition, actor=coordinator)
    client.force_login(coordinator)
    url = reverse("admin:forums_edition_changelist")
    confirm = action_post(client, url, "send_thank_you_action", [edition.pk])
    assert confirm.status_code == 200
    assert "will go to 2 participants" in confirm.text
    assert not OutboxMessage.objects.filter(kind="thank_you").exists()  # nothing yet
    done = client.post(
        url,
        {"action": "send_thank_you_action", ACTION_CHECKBOX_NAME: [edition.pk], "_confirm": "1"},
        follow=True,
    )
    assert "queued for 2 participants" in done.text
    assert send_thank_you(edition=edition, actor=coordinator) == 0  # again: nobody new
    sent = OutboxMessage.objects.filter(kind="thank_you")
    assert sorted(sent.values_list("to_email", flat=True)) == sorted(i.expert.email for i in came)
    again = action_post(client, url, "send_thank_you_action", [edition.pk])
    assert "Nobody is left to thank" in again.text
    message = sent.get(to_email=came[0].expert.email)
    assert "[[outbox:link:materials_link]]" in message.text_body
    assert materials_url(came[0]) in sent_text(message)
    with pytest.raises(AttendanceError, match="already been thanked"):
        correct_attendance(invitation=came[0], status="absent", reason="x", actor=coordinator)


def test_the_materials_page_and_feedback_are_for_those_who_came(client, coordinator, media):
    edition = EditionFactory(capacity=None)
    came, came_token = accepted_invitation(edition=edition, staff=coordinator)
    stayed, stayed_token = accepted_invitation(edition=edition, staff=coordinator)
    check_in(invitation=came, actor=coordinator)
    move_to_past(edition)
    close_attendance(edition=edition, actor=coordinator)
    material = EditionMaterial.objects.create(
        edition=edition, title="Proceedings", title_vi="Kỷ yếu", kind="proceedings"
    )
    material.file.save("proceedings.pdf", ContentFile(b"%PDF-1.4 proceedings"))

    page = client.get(reverse("forums:materials", args=[came_token]))
    assert page.status_code == 200 and "Proceedings" in page.text
    assert page["Referrer-Policy"] == "no-referrer"
    download = client.get(reverse("forums:material_file", args=[came_token, material.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 proceedings"

    refused = client.get(reverse("forums:materials", args=[stayed_token]))
    assert refused.status_code == 404 and "Proceedings" not in refused.text
    no_file = client.get(reverse("forums:material_file", args=[stayed_token, material.pk]))
    assert no_file.status_code == 404

    url = reverse("forums:materials", args=[came_token])
    bad = client.post(url, {"rating": "9", "comment": "Great panels"})
    assert bad.status_code == 200 and "Great panels" in bad.text  # kept, with the error
    assert not Feedback.objects.exists()
    assert client.post(url, {"rating": "4", "comment": "Great panels"}).status_code == 302
    assert client.post(url, {"rating": "5", "comment": "Even better"}).status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.invitation, feedback.rating, feedback.comment) == (came, 5, "Even better")
    assert 'value="5"' in client.get(url).text
    with pytest.raises(AttendanceError):
        save_feedback(invitation=stayed, rating=3)

    client.force_login(coordinator)
    listing = client.get(reverse("admin:forums_feedback_changelist"))
    assert "Even better" in listing.text


def test_the_signed_in_expert_reaches_the_same_materials_page(client, coordinator, media):
    edition = EditionFactory(capacity=None)
    came, _ = accepted_invitation(edition=edition, staff=coordinator)
    check_in(invitation=came, actor=coordinator)
    user = UserFactory(username="expert-me", email=came.expert.email, is_staff=False)
    from allauth.account.models import EmailAddress  # noqa: PLC0415 - only this test needs it

    EmailAddress.objects.create(user=user, email=came.expert.email, verified=True, primary=True)
    client.force_login(user)
    response = client.get(reverse("forums:my_materials", args=[came.pk]))
    assert response.status_code == 200
    other, _ = accepted_invitation(edition=edition, staff=coordinator)
    assert client.get(reverse("forums:my_materials", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_presence_and_feedback_lists_cost_the_same_queries(
    client, coordinator, django_assert_max_num_queries, count
):
    edition = EditionFactory(capacity=None)
    for _ in range(count):
        invitation, _ = accepted_invitation(edition=edition, staff=coordinator)
        check_in(invitation=invitation, actor=coordinator)
        save_feedback(invitation=invitation, rating=4, comment="Useful")
    client.force_login(coordinator)
    for name in ("presence", "feedback"):
        url = reverse(f"admin:forums_{name}_changelist")
        client.get(url)
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_badges_command_refuses_an_unknown_edition():
    from django.core.management.base import CommandError  # noqa: PLC0415 - only here

    with pytest.raises(CommandError, match="No edition"):
        call_command("badges", "--edition", "999999", "--out", "/tmp/none.pdf")


def test_registration_desk_role_has_only_the_checkin_permission():
    user = UserFactory(groups=[roles.REGISTRATION_DESK])
    assert user.has_perm("forums.check_in_participant")
    assert not user.has_perm("forums.view_invitation")
    assert UserFactory(groups=[roles.FORUM_COORDINATORS]).has_perm("forums.check_in_participant")
    for role in (roles.VIEWERS, roles.PARTNERSHIPS_OFFICERS):
        assert not UserFactory(groups=[role]).has_perm("forums.check_in_participant")
