"""The participants page of an edition: who is listed, the counts logistics need, filters by
country and institution, the role rules for personal details, the CSV/Excel/PDF downloads (each
logged), and a query count that does not grow with the participants."""

import csv
import datetime as dt
import io
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from forums.services.visa_letters import issue_visa_letter
from tests.factories import EditionFactory, ExpertFactory, InstitutionFactory, UserFactory
from tests.forums.invitation_factories import InvitationFactory
from tests.forums.visa_letter_fixtures import answer, visa_applicant
from tests.support.documents import pdf_text

pytestmark = pytest.mark.django_db

VIETNAMESE_NAME = ("Nguyễn", "Thị Ánh Tuyết")  # family, given: "Nguyễn Thị Ánh Tuyết"
DIETARY = "Gluten-free"
ACCESSIBILITY = "Step-free access"


@pytest.fixture
def coordinator():
    return UserFactory(groups=[roles.FORUM_COORDINATORS])


@pytest.fixture
def scene(coordinator):
    """An edition with one participant of each status, one declined (not listed)."""
    edition = EditionFactory()
    hanoi = InstitutionFactory(name="Viện Nghiên cứu Biển", country="VN")
    accepted = visa_applicant(
        edition,
        coordinator,
        expert=ExpertFactory(
            family_name=VIETNAMESE_NAME[0],
            given_name=VIETNAMESE_NAME[1],
            name_order="family_first",
            country="VN",
            affiliation=hanoi,
        ),
        dietary_needs=DIETARY,
        accessibility_needs=ACCESSIBILITY,
        needs_hotel=True,
        arrival_date=edition.start_date - dt.timedelta(days=1),
        departure_date=edition.end_date,
    )
    other = visa_applicant(
        edition,
        coordinator,
        expert=ExpertFactory(given_name="Jane", family_name="Doe", country="AU"),
        dietary_needs="gluten-free ",
        arrival_date=edition.start_date - dt.timedelta(days=1),
        departure_date=edition.end_date,
    )
    tentative = answer(
        InvitationFactory(edition=edition, expert=ExpertFactory(family_name="Tentative")),
        coordinator,
        answer="tentative",
        needs_hotel=True,
    )
    declined = answer(
        InvitationFactory(edition=edition, expert=ExpertFactory(family_name="Declined")),
        coordinator,
        answer="declined",
    )
    issue_visa_letter(invitation=accepted, issued_by=coordinator)
    return {
        "edition": edition,
        "accepted": accepted,
        "other": other,
        "tentative": tentative,
        "declined": declined,
    }


def page(client, edition, **query):
    return client.get(reverse("forums_staff:participants", args=[edition.pk]), query)


def test_the_page_lists_participants_and_counts_their_needs(client, scene, coordinator):
    client.force_login(coordinator)

    response = page(client, scene["edition"])

    summary = response.context["summary"]
    assert [i.pk for i in summary.participants] == [
        scene["other"].pk,
        scene["accepted"].pk,
        scene["tentative"].pk,
    ]
    needs = {str(need.label): need.cells for need in summary.needs}
    # In PARTICIPANT_STATUSES order: accepted, tentative, waitlisted.
    assert needs == {
        "Dietary needs": [2, 0, 0],
        "Accessibility needs": [1, 0, 0],
        "Hotel rooms": [1, 1, 0],
        "Visa support letters asked for": [2, 0, 0],
        "Travel dates given": [2, 0, 0],
    }
    assert summary.letters_issued == 1
    # Grouped without names, ignoring case and spaces.
    assert summary.dietary_groups == [("Gluten-free", 2)]
    assert summary.arrivals == [(scene["edition"].start_date - dt.timedelta(days=1), 2)]
    text = response.text
    assert "Nguyễn Thị Ánh Tuyết" in text and "Declined" not in text
    assert "1/" in text and "HV-HTQT" in text
    assert ACCESSIBILITY in text


def test_filters_by_status_country_and_institution(client, scene, coordinator):
    client.force_login(coordinator)
    edition = scene["edition"]

    by_country = page(client, edition, country="VN").context["summary"]
    by_institution = page(client, edition, institution="Viện Nghiên cứu Biển").context["summary"]
    by_status = page(client, edition, status="tentative").context["summary"]
    unknown = page(client, edition, status="declined").context["summary"]

    assert [i.pk for i in by_country.participants] == [scene["accepted"].pk]
    assert [i.pk for i in by_institution.participants] == [scene["accepted"].pk]
    assert [i.pk for i in by_status.participants] == [scene["tentative"].pk]
    # A status that is not a participant's is ignored, not an error: everyone is listed.
    assert len(unknown.participants) == 3
    assert dict(by_country.countries)["VN"] == 1 and dict(by_country.countries)["AU"] == 2


@pytest.mark.parametrize("role", [roles.VIEWERS, roles.PARTNERSHIPS_OFFICERS])
def test_viewers_and_officers_see_that_needs_exist_not_what_they_are(client, scene, role):
    client.force_login(UserFactory(groups=[role]))

    response = page(client, scene["edition"])

    text = response.text
    assert response.status_code == 200
    assert "Nguyễn Thị Ánh Tuyết" in text
    assert "given (restricted)" in text
    for content in (DIETARY, ACCESSIBILITY, "Gluten-free"):
        assert content not in text
    summary = response.context["summary"]
    assert (summary.dietary_groups, summary.arrivals) == ([], [])
    assert [need.total for need in summary.needs][:3] == [2, 1, 2]  # counts for every role
    assert "missing letter" not in text  # no issuing
    assert not AccessLog.objects.exists()


def test_a_reader_of_details_is_access_logged(client, scene, coordinator):
    client.force_login(coordinator)

    page(client, scene["edition"])

    log = AccessLog.objects.get()
    assert (log.action, log.personal_details, sorted(log.object_ids)) == (
        "view",
        True,
        sorted([scene["accepted"].pk, scene["other"].pk]),
    )


def test_a_staff_member_without_invitation_rights_is_refused(client, scene):
    client.force_login(UserFactory(is_staff=True))

    assert page(client, scene["edition"]).status_code == 403


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_list_downloads_as_shown_and_is_logged(client, scene, coordinator, file_format):
    client.force_login(coordinator)

    response = page(client, scene["edition"], download=file_format, status="accepted")
    content = b"".join(response.streaming_content)

    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet = workbook.worksheets[0]
        assert sheet.title == "Participants"
        assert sheet.auto_filter.ref.startswith("A1:")
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, *body = rows
    assert header[:3] == ["Participant", "Honorific", "Institution"]
    names = [row[0] for row in body]
    assert names == ["Jane Doe", "Nguyễn Thị Ánh Tuyết"]
    arrival = body[1][header.index("Arrival")]
    expected = scene["accepted"].arrival_date
    if file_format == "xlsx":
        assert arrival.date() == expected  # a real date cell
    else:
        assert arrival == expected.isoformat()
    assert body[1][header.index("Dietary needs")] == DIETARY
    log = AccessLog.objects.get()
    assert (log.action, log.personal_details) == ("export", True)
    assert log.object_ids == [scene["other"].pk, scene["accepted"].pk]


def test_a_viewers_download_withholds_the_details(client, scene):
    client.force_login(UserFactory(groups=[roles.VIEWERS]))

    response = page(client, scene["edition"], download="csv")

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert DIETARY not in text and ACCESSIBILITY not in text
    assert "given (restricted)" in text
    assert AccessLog.objects.get().personal_details is False


def test_the_printable_list_is_landscape_with_vietnamese_names_exact(
    client, scene, coordinator, require_pdf_tools, tmp_path
):
    client.force_login(coordinator)

    response = page(client, scene["edition"], download="pdf")

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Nguyễn Thị Ánh Tuyết" in text
    assert "Viện Nghiên cứu Biển" in text
    assert DIETARY in text
    source = tmp_path / "list.pdf"
    source.write_bytes(response.content)

    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, text=True, check=True)
    assert "841.89 x 595.276 pts (A4)" in info.stdout  # landscape
    assert AccessLog.objects.get().what == "Participant list (PDF) (pdf)"


def test_the_edition_page_links_to_the_participants(client, scene, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("admin:forums_edition_change", args=[scene["edition"].pk]))

    assert reverse("forums_staff:participants", args=[scene["edition"].pk]) in response.text


def test_the_page_costs_the_same_for_one_participant_and_many(
    client, coordinator, django_assert_max_num_queries
):
    edition = EditionFactory()
    visa_applicant(edition, coordinator, dietary_needs="Halal")
    client.force_login(coordinator)
    with django_assert_max_num_queries(20) as one:
        assert page(client, edition).status_code == 200
    for index in range(25):
        invitation = visa_applicant(
            edition,
            coordinator,
            expert=ExpertFactory(affiliation=InstitutionFactory()),
            dietary_needs="Halal",
        )
        if index % 2:
            issue_visa_letter(invitation=invitation, issued_by=coordinator)

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = page(client, edition)

    assert len(response.context["summary"].participants) == 26
