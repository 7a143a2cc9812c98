"""Name badges read back by real clients: pdftotext for the text (Vietnamese exact, the role),
zbarimg for the QR codes (each decodes to that person's check-in address)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from forums.documents.badges import edition_badges_pdf
from forums.models import SessionRole
from forums.services.checkin_codes import checkin_url, find_invitation_by_checkin_code
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    SessionFactory,
    SessionRoleFactory,
    UserFactory,
)
from tests.forums.attendance_helpers import accepted_invitation
from tests.forums.invitation_factories import sent_invitation
from tests.support.documents import pdf_page_count, pdf_qr_codes, pdf_text
from tests.support.exports import action_post

pytestmark = pytest.mark.django_db


def people(edition):
    staff = UserFactory()
    son, _ = accepted_invitation(
        edition=edition,
        staff=staff,
        expert=ExpertFactory(
            honorific="Prof.",
            given_name="Hùng Sơn",
            family_name="Nguyễn",
            name_order="family_first",
            affiliation=None,
            affiliation_text="Học viện Ngoại giao Việt Nam",
            country="VN",
        ),
    )
    jane, _ = accepted_invitation(
        edition=edition,
        staff=staff,
        expert=ExpertFactory(honorific="Dr.", given_name="Jane", family_name="Doe", country="AU"),
        offered_role="moderator",
    )
    thuy, _ = accepted_invitation(
        edition=edition,
        staff=staff,
        expert=ExpertFactory(
            honorific="",
            given_name="Thị Thu Thủy",
            family_name="Đặng",
            name_order="family_first",
            country="VN",
        ),
    )
    session = SessionFactory(edition=edition, title="Opening Session")
    SessionRoleFactory(session=session, expert=son.expert, role=SessionRole.Role.SPEAKER)
    # Not on the badges: invited, never accepted.
    sent_invitation(staff, edition=edition, expert=ExpertFactory(family_name="Unanswered"))
    return son, jane, thuy


def test_badges_name_each_confirmed_participant_with_role_and_their_checkin_qr(
    require_pdf_tools, tmp_path
):
    edition = EditionFactory(capacity=None)
    son, jane, thuy = people(edition)
    for _ in range(3):  # seven badges: two A4 pages
        accepted_invitation(edition=edition)
    pdf, count = edition_badges_pdf(edition)
    assert count == 6
    assert pdf_page_count(pdf, tmp_path) == 2

    text = pdf_text(pdf, tmp_path)
    assert "Nguyễn Hùng Sơn" in text and "Prof." in text
    assert "Học viện Ngoại giao Việt Nam" in text
    assert "Đặng Thị Thu Thủy" in text
    assert "Jane Doe" in text and "Australia" in text and "Vietnam" in text
    assert "SPEAKER" in text and "Diễn giả" in text  # from the programme
    assert "MODERATOR" in text and "Người điều phối" in text  # the offered role
    assert "PARTICIPANT" in text
    assert "Unanswered" not in text

    codes = pdf_qr_codes(pdf, tmp_path)
    assert len(codes) == 6
    for invitation in (son, jane, thuy):
        assert checkin_url(invitation) in codes
    for code in codes:
        assert "/checkin/" in code and "/rsvp/" not in code
        token = code.rstrip("/").rsplit("/", 1)[1]
        assert find_invitation_by_checkin_code(token) is not None


def test_badges_command_and_admin_action(require_pdf_tools, tmp_path, client):
    edition = EditionFactory(capacity=None)
    son, _jane, _thuy = people(edition)
    out = tmp_path / "badges.pdf"
    call_command("badges", "--edition", str(edition.pk), "--out", str(out))
    assert "Nguyễn Hùng Sơn" in pdf_text(out.read_bytes(), tmp_path)

    coordinator = UserFactory(groups=[roles.FORUM_COORDINATORS])
    client.force_login(coordinator)
    url = reverse("admin:forums_edition_changelist")
    response = action_post(client, url, "print_badges", [edition.pk])
    assert response["Content-Type"] == "application/pdf"
    assert checkin_url(son) in pdf_qr_codes(response.content, tmp_path)
    log = AccessLog.objects.get(user=coordinator)
    assert log.action == "export" and log.record_count == 3

    two = action_post(client, url, "print_badges", [edition.pk, EditionFactory().pk], follow=True)
    assert "Select exactly one edition" in two.text

    client.force_login(UserFactory(groups=[roles.VIEWERS]))
    refused = action_post(client, url, "print_badges", [edition.pk])
    assert refused.get("Content-Type") != "application/pdf"
