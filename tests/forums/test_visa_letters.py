"""Visa support letters: who gets one, the register's numbers (sequential, per year, never
shared), the PDF read back by pdftotext, the command, the register surviving the purge, the
outbox email whose PDF is made when sent, and who may do what."""

import datetime as dt
import threading
import zipfile
from io import BytesIO, StringIO

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError
from django.urls import reverse
from PIL import Image as PILImage

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from academy_portal.mail.models import OutboxAttachment, OutboxMessage
from academy_portal.mail.services import send_outbox_message
from forums.models import Edition, Invitation, LetterSettings, VisaLetter
from forums.services.retention import purge_personal_data
from forums.services.visa_letters import (
    email_visa_letter,
    issue_visa_letter,
    issue_visa_letters,
    plan_visa_letters,
    render_visa_letter,
)
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.invitation_factories import InvitationFactory
from tests.forums.visa_letter_fixtures import PASSPORT_NAME, answer, visa_applicant
from tests.support.documents import pdf_page_count, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(groups=[roles.FORUM_COORDINATORS])


@pytest.fixture
def edition():
    return EditionFactory(
        title="The 16th East Sea Conference",
        title_vi="Hội thảo Biển Đông lần thứ 16",
        venue="Diplomatic Academy, 69 Chùa Láng",
        city="Hà Nội",
        start_date=dt.date(2027, 11, 3),
        end_date=dt.date(2027, 11, 5),
        rsvp_deadline=dt.date(2027, 10, 1),
    )


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2027, 9, 1, 10, tzinfo=dt.UTC), tick=False):
        yield


# --- who gets a letter -------------------------------------------------------------------


def test_only_accepted_experts_who_asked_and_gave_a_passport_name_get_a_letter(edition, staff):
    eligible = visa_applicant(edition, staff)
    no_name = visa_applicant(edition, staff, passport_name="")
    not_asked = visa_applicant(edition, staff, needs_visa_letter=False)
    tentative = answer(
        InvitationFactory(edition=edition), staff, answer="tentative", needs_visa_letter=True
    )

    plan = plan_visa_letters([eligible, no_name, not_asked, tentative])

    assert plan.eligible == [eligible]
    reasons = {skipped.invitation: skipped.reason for skipped in plan.skipped}
    assert reasons == {
        no_name: "no passport name (not given, or erased after the edition)",
        not_asked: "did not ask for a visa support letter",
        tentative: "has not accepted (tentative)",
    }


def test_issuing_refuses_an_invitation_that_may_not_have_a_letter(edition, staff):
    invitation = visa_applicant(edition, staff, passport_name="")

    with pytest.raises(ValueError, match="no passport name"):
        issue_visa_letter(invitation=invitation, issued_by=staff)
    assert not VisaLetter.objects.exists()


# --- numbers -----------------------------------------------------------------------------


def test_numbers_are_sequential_within_a_year_and_restart_the_next(edition, staff):
    first, second = visa_applicant(edition, staff), visa_applicant(edition, staff)
    later_edition = EditionFactory(start_date=dt.date(2028, 3, 1), end_date=dt.date(2028, 3, 2))
    third = visa_applicant(later_edition, staff)

    a, _ = issue_visa_letter(invitation=first, issued_by=staff)
    b, _ = issue_visa_letter(invitation=second, issued_by=staff)
    with time_machine.travel(dt.datetime(2028, 1, 2, 10, tzinfo=dt.UTC), tick=False):
        c, _ = issue_visa_letter(invitation=third, issued_by=staff)

    assert [a.reference, b.reference, c.reference] == [
        "1/2027/HV-HTQT",
        "2/2027/HV-HTQT",
        "1/2028/HV-HTQT",
    ]
    assert (a.issued_by, a.edition, a.expert) == (staff, edition, first.expert)


def test_issuing_again_reuses_the_number_unless_a_new_one_is_asked_for(edition, staff):
    invitation = visa_applicant(edition, staff)
    letter, created = issue_visa_letter(invitation=invitation, issued_by=staff)

    again, created_again = issue_visa_letter(invitation=invitation, issued_by=staff)
    new, created_new = issue_visa_letter(invitation=invitation, issued_by=staff, new_number=True)

    assert (created, created_again, created_new) == (True, False, True)
    assert again == letter
    assert new.reference == "2/2027/HV-HTQT"
    letter.refresh_from_db()
    assert letter.replaced_by == new
    assert list(VisaLetter.objects.current()) == [new]


@pytest.mark.django_db(transaction=True)
def test_two_staff_issuing_at_once_never_share_a_number(require_postgres):
    """Two threads, two PostgreSQL connections, each issuing letters for its own experts at
    the same moment: every number is given once and the year's numbers have no gap."""
    staff = UserFactory(groups=[roles.FORUM_COORDINATORS])
    edition = EditionFactory()
    invitations = [visa_applicant(edition, staff) for _ in range(12)]
    halves = [invitations[0::2], invitations[1::2]]
    barrier = threading.Barrier(2)
    errors = []

    def issue(batch):
        try:
            barrier.wait(timeout=10)
            issue_visa_letters(batch, issued_by=staff)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    numbers = sorted(VisaLetter.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 13))
    assert VisaLetter.objects.values("invitation").distinct().count() == 12


# --- the PDF -----------------------------------------------------------------------------


def test_the_letter_reads_back_with_the_passport_name_number_nationality_and_dates(
    edition, staff, require_pdf_tools, tmp_path
):
    invitation = visa_applicant(
        edition,
        staff,
        nationality="AU",
        arrival_date=dt.date(2027, 11, 1),
        departure_date=dt.date(2027, 11, 7),
    )
    letter, _ = issue_visa_letter(invitation=invitation, issued_by=staff)

    pdf = render_visa_letter(letter)
    text = pdf_text(pdf, tmp_path)
    flat = " ".join(text.split())

    assert pdf_page_count(pdf, tmp_path) == 2
    assert text.count(PASSPORT_NAME) == 2  # exactly as typed, on both pages
    assert flat.count("1/2027/HV-HTQT") == 2
    assert "THƯ HỖ TRỢ THỊ THỰC" in flat and "VISA SUPPORT LETTER" in flat
    assert "Quốc tịch: Úc" in flat and "Nationality: Australia" in flat
    assert "Hội thảo Biển Đông lần thứ 16" in flat
    assert "The 16th East Sea Conference" in flat
    # The stay the expert gave; the edition's own dates in the purpose.
    assert "từ ngày 1 tháng 11 năm 2027 đến ngày 7 tháng 11 năm 2027" in flat
    assert "from 1 November 2027 to 7 November 2027" in flat
    assert "from 3 November 2027 to 5 November 2027" in flat
    assert "Hà Nội, ngày 1 tháng 9 năm 2027" in flat


def test_without_travel_dates_the_stay_is_the_editions(edition, staff, require_pdf_tools, tmp_path):
    invitation = visa_applicant(edition, staff, arrival_date=None, departure_date=None)
    letter, _ = issue_visa_letter(invitation=invitation, issued_by=staff)

    flat = " ".join(pdf_text(render_visa_letter(letter), tmp_path).split())

    assert "Dates of stay: from 3 November 2027 to 5 November 2027" in flat


def test_the_letterhead_and_signatory_from_the_admin_are_on_the_letter(
    edition, staff, require_pdf_tools, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    image = BytesIO()
    PILImage.new("RGB", (600, 120), "navy").save(image, "PNG")
    LetterSettings.objects.create(
        pk=1,
        letterhead=SimpleUploadedFile("head.png", image.getvalue(), content_type="image/png"),
        signatory_name="Phạm Lan Dung",
        signatory_title="Acting President",
        signatory_title_vi="Quyền Giám đốc",
    )
    letter, _ = issue_visa_letter(invitation=visa_applicant(edition, staff), issued_by=staff)

    pdf = render_visa_letter(letter)
    flat = " ".join(pdf_text(pdf, tmp_path).split())

    assert flat.count("Phạm Lan Dung") == 2
    assert "QUYỀN GIÁM ĐỐC" in flat and "ACTING PRESIDENT" in flat
    assert b"/Subtype /Image" in pdf


# --- the register outlives the purge -----------------------------------------------------


def test_the_purge_erases_the_passport_name_and_keeps_the_register(edition, staff, tmp_path):
    invitation = visa_applicant(edition, staff)
    letter, _ = issue_visa_letter(invitation=invitation, issued_by=staff)
    email_visa_letter(letter=letter, sent_by=staff)

    with time_machine.travel(dt.datetime(2028, 1, 1, 10, tzinfo=dt.UTC), tick=False):
        result = purge_personal_data()

    assert result.total == 1
    invitation.refresh_from_db()
    assert invitation.passport_name == ""
    kept = VisaLetter.objects.get()
    assert (kept.reference, kept.expert_id, kept.edition_id, kept.issued_by) == (
        "1/2027/HV-HTQT",
        invitation.expert_id,
        edition.pk,
        staff,
    )
    # No copy of the passport name anywhere: the register, the outbox row and its attachment.
    row = VisaLetter.objects.filter(pk=letter.pk).values()[0]
    assert PASSPORT_NAME not in str(row)
    message = OutboxMessage.objects.get(kind="visa_letter")
    assert PASSPORT_NAME not in f"{message.subject} {message.text_body} {message.html_body}"
    assert bytes(OutboxAttachment.objects.get(message=message).content) == b""
    # The letter can no longer be made; the queued email fails with a reason, sends nothing.
    assert render_visa_letter(kept) is None
    with time_machine.travel(dt.datetime(2028, 1, 1, 10, tzinfo=dt.UTC), tick=False):
        send_outbox_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "visa-letter-1-2027.pdf could not be made" in message.last_error
    assert mail.outbox == []


# --- the email ---------------------------------------------------------------------------


def test_the_emailed_letter_is_a_pdf_made_when_sent(edition, staff, require_pdf_tools, tmp_path):
    expert = ExpertFactory(given_name="Jane", family_name="Doe", honorific="Dr.")
    letter, _ = issue_visa_letter(
        invitation=visa_applicant(edition, staff, expert=expert), issued_by=staff
    )

    message, created = email_visa_letter(letter=letter, sent_by=staff)
    again, created_again = email_visa_letter(letter=letter, sent_by=staff)
    assert send_outbox_message(message_id=message.pk)

    assert (created, created_again, again) == (True, False, message)
    letter.refresh_from_db()
    assert letter.emailed_at is not None
    (sent,) = mail.outbox
    assert sent.to == [f"Jane Doe <{expert.email}>"]
    assert "Dear Dr. Jane Doe" in sent.body and "1/2027/HV-HTQT" in sent.body
    assert PASSPORT_NAME not in sent.body
    (filename, content, mimetype) = next(
        (a.get_filename(), a.get_payload(decode=True), a.get_content_type())
        for a in sent.attachments
    )
    assert (filename, mimetype) == ("visa-letter-1-2027.pdf", "application/pdf")
    assert PASSPORT_NAME in pdf_text(content, tmp_path)
    # The outbox row itself holds the file's name only.
    stored = OutboxAttachment.objects.get(message=message)
    assert (stored.generator, bytes(stored.content)) == ("visa_letter", b"")


# --- the command -------------------------------------------------------------------------


def test_the_command_writes_one_pdf_per_letter_and_says_who_was_skipped(edition, staff, tmp_path):
    visa_applicant(edition, staff, expert=ExpertFactory(given_name="Anna", family_name="Berg"))
    visa_applicant(
        edition, staff, passport_name="", expert=ExpertFactory(given_name="Carl", family_name="Li")
    )
    out = StringIO()

    call_command("visa_letters", edition=edition.pk, out=str(tmp_path / "letters"), stdout=out)
    call_command("visa_letters", edition=edition.pk, out=str(tmp_path / "again"), stdout=StringIO())

    lines = out.getvalue().splitlines()
    assert lines[0] == f"Visa support letters for {edition}:"
    assert lines[1] == (
        f"  wrote {tmp_path / 'letters' / 'visa-letter-1-2027.pdf'}  1/2027/HV-HTQT  Anna Berg"
    )
    assert lines[2] == (
        "  skipped Carl Li: no passport name (not given, or erased after the edition)"
    )
    assert lines[3] == "1 written (1 newly numbered), 1 skipped."
    assert sorted(p.name for p in (tmp_path / "letters").iterdir()) == ["visa-letter-1-2027.pdf"]
    # A second run reuses the number.
    assert [p.name for p in (tmp_path / "again").iterdir()] == ["visa-letter-1-2027.pdf"]
    assert VisaLetter.objects.count() == 1


def test_the_command_refuses_an_unknown_edition(tmp_path):
    with pytest.raises(CommandError, match="No edition with id 999999"):
        call_command("visa_letters", edition=999999, out=str(tmp_path))


# --- who may do what ---------------------------------------------------------------------


@pytest.fixture
def issued(edition, staff):
    invitation = visa_applicant(edition, staff)
    letter, _ = issue_visa_letter(invitation=invitation, issued_by=staff)
    return letter


@pytest.mark.parametrize("role", [roles.VIEWERS, roles.PARTNERSHIPS_OFFICERS])
def test_viewers_and_officers_see_the_register_but_no_letter(client, issued, role):
    client.force_login(UserFactory(groups=[role]))

    register = client.get(reverse("admin:forums_visaletter_changelist"))
    pdf = client.get(reverse("forums_staff:visa_letter_pdf", args=[issued.pk]))
    issue = client.post(reverse("forums_staff:issue_visa_letters", args=[issued.edition_id]))
    actions = client.post(
        reverse("admin:forums_visaletter_changelist"),
        {"action": "download_selected", "_selected_action": [issued.pk]},
    )

    assert register.status_code == 200
    assert "1/2027/HV-HTQT" in register.text
    assert PASSPORT_NAME not in register.text
    assert "download_selected" not in register.text and "email_selected" not in register.text
    assert (pdf.status_code, issue.status_code) == (403, 403)
    assert actions.status_code == 302 or "application/zip" not in actions.get("Content-Type", "")
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("role", [roles.FORUM_COORDINATORS, roles.ADMINISTRATORS])
def test_coordinators_and_administrators_download_letters_access_logged(
    client, issued, role, require_pdf_tools, tmp_path
):
    user = UserFactory(groups=[role])
    client.force_login(user)

    pdf = client.get(reverse("forums_staff:visa_letter_pdf", args=[issued.pk]))
    archive = client.post(
        reverse("admin:forums_visaletter_changelist"),
        {"action": "download_selected", "_selected_action": [issued.pk]},
    )

    assert pdf["Content-Type"] == "application/pdf"
    assert PASSPORT_NAME in pdf_text(pdf.content, tmp_path)
    with zipfile.ZipFile(BytesIO(archive.content)) as opened:
        assert opened.namelist() == ["visa-letter-1-2027.pdf"]
    logged = list(
        AccessLog.objects.order_by("pk").values_list("user", "object_ids", "personal_details")
    )
    assert logged == [(user.pk, [issued.invitation_id], True)] * 2


def test_the_invitation_action_issues_and_downloads_with_the_skipped_listed(client, edition, staff):
    eligible = visa_applicant(edition, staff)
    declined = answer(InvitationFactory(edition=edition), staff, answer="declined")
    client.force_login(staff)

    response = client.post(
        reverse("admin:forums_invitation_changelist"),
        {"action": "issue_letters_action", "_selected_action": [eligible.pk, declined.pk]},
    )

    with zipfile.ZipFile(BytesIO(response.content)) as opened:
        assert opened.namelist() == ["visa-letter-1-2027.pdf", "skipped.txt"]
        assert opened.read("skipped.txt").decode() == (
            f"{declined.expert}: has not accepted (declined)\n"
        )
    assert VisaLetter.objects.get().invitation == eligible


def test_the_edition_button_issues_the_missing_letters_and_opens_the_register(
    client, edition, staff
):
    visa_applicant(edition, staff)
    visa_applicant(edition, staff, passport_name="")
    client.force_login(staff)

    response = client.post(
        reverse("forums_staff:issue_visa_letters", args=[edition.pk]), follow=True
    )

    assert response.redirect_chain[-1][0].endswith(f"?edition__id__exact={edition.pk}")
    text = response.text
    assert "1 visa support letter ready (1 newly numbered)." in text
    assert "no passport name" in text
    assert VisaLetter.objects.count() == 1


def test_the_register_list_costs_the_same_for_one_letter_and_many(
    client, edition, staff, django_assert_max_num_queries
):
    client.force_login(UserFactory(groups=[roles.VIEWERS]))
    url = reverse("admin:forums_visaletter_changelist")
    issue_visa_letter(invitation=visa_applicant(edition, staff), issued_by=staff)
    with django_assert_max_num_queries(12) as one:
        assert client.get(url).status_code == 200
    for _ in range(15):
        issue_visa_letter(invitation=visa_applicant(edition, staff), issued_by=staff)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_letter_settings_page_opens_the_one_row(client, staff):
    admin_user = UserFactory(groups=[roles.ADMINISTRATORS])
    client.force_login(admin_user)

    first = client.get(reverse("admin:forums_lettersettings_changelist"))
    assert first.url == reverse("admin:forums_lettersettings_add")
    LetterSettings.objects.create(
        pk=1, signatory_name="A", signatory_title="B", signatory_title_vi="C"
    )
    second = client.get(reverse("admin:forums_lettersettings_changelist"))

    assert second.url == reverse("admin:forums_lettersettings_change", args=[1])


def test_a_letterhead_that_is_not_an_image_is_refused_with_a_message(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(UserFactory(groups=[roles.ADMINISTRATORS]))

    response = client.post(
        reverse("admin:forums_lettersettings_add"),
        {
            "letterhead": SimpleUploadedFile("head.png", b"not an image", content_type="image/png"),
            "signatory_name": "Phạm Lan Dung",
            "signatory_title": "Acting President",
            "signatory_title_vi": "Quyền Giám đốc",
            "city": "Hà Nội",
        },
    )

    assert response.status_code == 200
    assert "Upload a valid image" in response.text
    assert 'value="Phạm Lan Dung"' in response.text  # nothing typed is lost
    assert not LetterSettings.objects.exists()


def test_letter_rows_are_not_deleted_with_their_invitation(edition, staff):
    letter, _ = issue_visa_letter(invitation=visa_applicant(edition, staff), issued_by=staff)

    with pytest.raises(ProtectedError):
        Invitation.objects.filter(pk=letter.invitation_id).delete()
    with pytest.raises(ProtectedError):
        Edition.objects.filter(pk=edition.pk).delete()
