"""Check-in codes and the registration desk pages: who may see whom, and what a tap changes."""

import re
import subprocess

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.placeholders import UnavailableAttachment, UnresolvedPlaceholders
from academy_portal.mail.services import build_email
from forums.models import Invitation, InvitationEvent, Presence
from forums.services import withdraw_invitation
from forums.services.checkin_codes import (
    checkin_code,
    checkin_qr_attachment,
    checkin_url,
    find_invitation_by_checkin_code,
    reissue_checkin_code,
)
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.attendance_helpers import accepted_invitation
from tests.mail.sent import sent_html, sent_text, written
from tests.support.fixtures import *  # noqa: F403  (pytest fixtures)

pytestmark = pytest.mark.django_db

DESK = roles.REGISTRATION_DESK


def desk_user(role=DESK, **kwargs):
    return UserFactory(groups=[role], **kwargs)


def page_without_path(response, path):
    """The page's HTML without its own address (the language switch posts it back) and the
    CSRF token (masked afresh on every response)."""
    html = response.content.decode().replace(path, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def code_path(invitation):
    return reverse("forums:checkin", args=[checkin_code(invitation)])


def test_the_checkin_code_is_not_the_rsvp_link_and_opens_nothing_for_the_expert(client):
    invitation, rsvp_token = accepted_invitation()
    code = checkin_code(invitation)
    assert code and rsvp_token not in code and code not in rsvp_token
    # The code used as an RSVP link: the polite "does not work" page, nothing of the invitation.
    response = client.get(reverse("forums:rsvp", args=[code]))
    assert response.status_code == 404
    assert invitation.expert.family_name not in response.content.decode()
    # The database keeps a seed, never the code.
    row = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert code not in str(row)
    assert code.split(".", 1)[1] not in str(row)


def test_forged_and_revoked_codes_find_nothing():
    invitation, _ = accepted_invitation()
    code = checkin_code(invitation)
    assert find_invitation_by_checkin_code(code) == invitation
    pk, signature = code.split(".", 1)
    for forged in (
        f"{pk}.{signature[:-1]}A" if signature[-1] != "A" else f"{pk}.{signature[:-1]}B",
        f"{int(pk) + 1}.{signature}",
        signature,
        "",
        "1." + "x" * 200,
        "../admin",
    ):
        assert find_invitation_by_checkin_code(forged) is None, forged
    new_code = reissue_checkin_code(invitation=invitation, actor=UserFactory())
    assert new_code != code
    assert find_invitation_by_checkin_code(code) is None
    assert find_invitation_by_checkin_code(new_code) == invitation
    assert invitation.events.filter(kind=InvitationEvent.Kind.CHECKIN_REISSUED).exists()


@pytest.mark.parametrize("role", [DESK, roles.FORUM_COORDINATORS])
def test_the_desk_and_coordinators_see_the_person_and_mark_them_present_once(client, role):
    invitation, _ = accepted_invitation(
        expert=ExpertFactory(
            honorific="GS.TS.",
            given_name="Hùng Sơn",
            family_name="Nguyễn",
            name_order="family_first",
            affiliation_text="Học viện Ngoại giao",
            affiliation=None,
        )
    )
    staff = desk_user(role)
    client.force_login(staff)
    path = code_path(invitation)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nguyễn Hùng Sơn" in html and "Học viện Ngoại giao" in html
    assert "Mark present" in html
    assert page["Cache-Control"] == "no-store"
    assert not Presence.objects.exists()  # GET changes nothing

    first = client.post(path)
    second = client.post(path)  # a double tap
    assert first.status_code == second.status_code == 302
    presence = Presence.objects.get(invitation=invitation)
    assert presence.status == Presence.Status.PRESENT
    assert presence.source == Presence.Source.CHECK_IN
    assert presence.recorded_by == staff
    assert invitation.events.filter(kind=InvitationEvent.Kind.CHECKED_IN).count() == 1
    assert LogEntry.objects.filter(object_id=str(invitation.pk), user=staff).count() == 1
    again = client.get(path).content.decode()
    assert "Present — checked in at" in again and staff.username in again
    assert "Mark present" not in again


@pytest.mark.parametrize("role", [roles.VIEWERS, roles.PARTNERSHIPS_OFFICERS, "expert"])
def test_everyone_else_gets_the_same_neutral_page_and_changes_nothing(client, role):
    invitation, _ = accepted_invitation(
        expert=ExpertFactory(given_name="Zebulon", family_name="Quigley")
    )
    if role == "expert":
        user = UserFactory(
            username=f"e{invitation.pk}", email=invitation.expert.email, is_staff=False
        )
    else:
        user = desk_user(role)
    client.force_login(user)
    forged_path = reverse("forums:checkin", args=["1.forged"])
    forged = page_without_path(client.get(forged_path), forged_path)
    desk = reverse("forums:checkin_desk", args=[invitation.edition_id])
    for path, response in (
        (code_path(invitation), client.get(code_path(invitation))),
        (code_path(invitation), client.post(code_path(invitation))),
        (desk, client.get(desk)),
        (desk, client.post(desk, {"invitation": invitation.pk})),
    ):
        assert response.status_code == 404
        html = page_without_path(response, path)
        assert "Quigley" not in html and "Zebulon" not in html
        assert html == forged  # the same page whatever the code
    assert not Presence.objects.exists()
    assert not invitation.events.filter(kind=InvitationEvent.Kind.CHECKED_IN).exists()


def test_anonymous_visitors_are_sent_to_sign_in_and_learn_nothing(client):
    invitation, _ = accepted_invitation(expert=ExpertFactory(family_name="Quigley"))
    for response in (client.get(code_path(invitation)), client.post(code_path(invitation))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "Quigley" not in response.content.decode()
    assert not Presence.objects.exists()


def test_a_staff_member_with_a_forged_or_revoked_code_sees_the_neutral_page(client):
    invitation, _ = accepted_invitation()
    old_path = code_path(invitation)
    reissue_checkin_code(invitation=invitation, actor=None)
    client.force_login(desk_user())
    neutral_path = reverse("forums:checkin", args=["42.nope"])
    neutral = client.get(neutral_path)
    revoked = client.get(old_path)
    assert neutral.status_code == revoked.status_code == 404
    assert page_without_path(neutral, neutral_path) == page_without_path(revoked, old_path)
    assert invitation.expert.family_name not in revoked.content.decode()


def test_a_withdrawn_invitation_cannot_be_checked_in(client):
    invitation, _ = accepted_invitation()
    withdraw_invitation(invitation, withdrawn_by=UserFactory(), notify=False)
    client.force_login(desk_user())
    page = client.get(code_path(invitation)).content.decode()
    assert "Not a confirmed participant" in page and "Mark present" not in page
    client.post(code_path(invitation))
    assert not Presence.objects.exists()


def test_the_desk_finds_people_without_diacritics_and_marks_them_from_the_list(client):
    edition = EditionFactory()
    son, _ = accepted_invitation(
        edition=edition,
        expert=ExpertFactory(
            given_name="Hùng Sơn", family_name="Nguyễn", name_order="family_first"
        ),
    )
    accepted_invitation(edition=edition, expert=ExpertFactory(given_name="Jane", family_name="Doe"))
    client.force_login(desk_user())
    desk = reverse("forums:checkin_desk", args=[edition.pk])
    page = client.get(desk, {"q": "nguyen hung son"}).content.decode()
    assert "Nguyễn Hùng Sơn" in page and "Doe" not in page
    assert "0</strong> / 2" in page
    response = client.post(desk, {"invitation": son.pk, "q": "nguyen"})
    assert response.status_code == 302 and response["Location"].endswith("?q=nguyen")
    client.post(desk, {"invitation": son.pk, "q": "nguyen"})  # twice: still one check-in
    assert Presence.objects.get().invitation == son
    assert son.events.filter(kind=InvitationEvent.Kind.CHECKED_IN).count() == 1
    page = client.get(desk).content.decode()
    assert "1</strong> / 2" in page
    # Someone of another edition cannot be checked in from this list.
    other, _ = accepted_invitation()
    client.post(desk, {"invitation": other.pk})
    assert not Presence.objects.filter(invitation=other).exists()


@pytest.mark.parametrize("count", [1, 30])
def test_the_desk_list_costs_the_same_queries_for_one_and_many(
    client, django_assert_max_num_queries, count
):
    edition = EditionFactory(capacity=None)
    staff = UserFactory()
    for _ in range(count):
        accepted_invitation(edition=edition, staff=staff)
    client.force_login(desk_user())
    desk = reverse("forums:checkin_desk", args=[edition.pk])
    client.get(desk)  # warm the session and permission caches
    with django_assert_max_num_queries(8):
        response = client.get(desk, {"q": "a"})
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(desk).content.decode().count('name="invitation"') == count


def test_the_confirmation_email_carries_the_checkin_link_filled_in_when_sent(
    default_email_templates,
):
    invitation, _ = accepted_invitation()
    message = written(
        OutboxMessage.objects.get(kind="confirmation", related_object_id=invitation.pk)
    )
    code = checkin_code(invitation)
    assert code not in message.text_body and code not in message.html_body
    assert "[[outbox:link:checkin_link]]" in message.text_body
    text = sent_text(message)
    assert checkin_url(invitation) in text
    assert "registration desk" in text
    assert f'href="{checkin_url(invitation)}"' in sent_html(message)


def test_the_confirmation_email_carries_the_qr_code_made_when_sent(
    default_email_templates, require_pdf_tools, tmp_path
):
    invitation, _ = accepted_invitation()
    message = written(
        OutboxMessage.objects.get(kind="confirmation", related_object_id=invitation.pk)
    )
    [stored] = message.attachments.filter(filename="check-in-qr.png")
    assert bytes(stored.content) == b""  # the outbox keeps no working code, only its name

    [qr] = [a for a in build_email(message).attachments if a.get_filename() == "check-in-qr.png"]
    assert qr.get_content_type() == "image/png"
    image = tmp_path / "qr.png"
    image.write_bytes(qr.get_payload(decode=True))
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True
    ).stdout.strip()
    # zbarimg, a real decoder, reads the badge's own check-in address from the email.
    assert decoded == checkin_url(invitation)


def test_a_revoked_code_stops_the_queued_qr_instead_of_sending_a_dead_one(
    default_email_templates,
):
    invitation, _ = accepted_invitation()
    message = OutboxMessage.objects.get(kind="confirmation", related_object_id=invitation.pk)
    Invitation.objects.filter(pk=invitation.pk).update(checkin_seed="")

    # Neither the link nor the QR code can be made: the email is not built (the outbox fails
    # the row with the reason) rather than sent with a dead code.
    assert checkin_qr_attachment(object_id=invitation.pk, language="en") is None
    with pytest.raises((UnresolvedPlaceholders, UnavailableAttachment)):
        build_email(message)
