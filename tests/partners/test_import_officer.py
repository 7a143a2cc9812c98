"""A real officer's file (Vietnamese headers and values) through the admin preview and import."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from academy_portal.core import roles
from partners.importing import import_partner_file
from partners.importing.columns import export_headers
from partners.models import MOU, Institution, PartnerImport
from tests.factories import UserFactory
from tests.partners.officer_file import ROWS, officer_csv, officer_xlsx

pytestmark = pytest.mark.django_db
UPLOAD = reverse("admin:partners_partnerimport_upload")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(client):
    user = UserFactory(groups=[roles.PARTNERSHIPS_OFFICERS])
    client.force_login(user)
    return user


def preview(client, name, data, language="en"):
    return client.post(
        UPLOAD, {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT_LANGUAGE=language
    )


def new_rows(page):
    table = page.text.split('class="partner-import-rows partner-import-new stack-on-phone"')[1]
    return table.split("<tbody>")[1].split("</tbody>")[0]


@pytest.mark.parametrize(
    ("name", "data"), [("doi-tac.csv", officer_csv()), ("doi-tac.xlsx", officer_xlsx())]
)
def test_the_officers_file_previews_every_value_as_read_then_imports(client, officer, name, data):
    page = preview(client, name, data)
    assert page.status_code == 200
    assert "Confirm and import" in page.text
    table = new_rows(page)
    # Every interpreted value, in the page's language, dates day first.
    for shown in (
        "United States of America", "South Korea", "Laos", "United Kingdom",
        "Think tank", "Government research agency", "University",
        "Institute for Strategic Studies", "East Sea Institute", "Faculty of Diplomatic Training",
        "08/01/2024", "07/01/2029", "15/03/2019", "Open-ended",
        "Active", "Expired", "Draft", "Terminated",
        "Gia hạn trước tháng 10/2028", "Đã trao đổi 4 học giả",
    ):  # fmt: skip
        assert shown in table, shown
    assert table.count("<tr>") == len(ROWS)
    assert '<li class="count-new"><strong>5</strong>' in page.text
    if name.endswith(".csv"):
        assert "Unicode (UTF-8 with BOM)" in page.text and "utf-8-sig" not in page.text

    record = PartnerImport.objects.get()
    done = client.post(reverse("admin:partners_partnerimport_confirm", args=[record.pk]))
    assert done.status_code == 302
    csis = Institution.objects.get(acronym="CSIS")
    assert (csis.country.code, csis.kind, csis.notes) == ("US", "think_tank", "Đối tác từ năm 2010")
    research, exchange = csis.mous.order_by("-signed_on")
    assert (research.signed_on, research.expires_on) == (dt.date(2024, 1, 8), dt.date(2029, 1, 7))
    assert research.status == MOU.Status.ACTIVE and exchange.status == MOU.Status.EXPIRED
    assert (research.notes, exchange.notes) == (
        "Gia hạn trước tháng 10/2028",
        "Đã trao đổi 4 học giả",
    )
    assert Institution.objects.get(acronym="KNDA").country.code == "KR"
    assert Institution.objects.get(acronym="NUOL").mous.get().status == MOU.Status.DRAFT
    assert Institution.objects.get(acronym="Chatham House").country.code == "GB"


def test_the_officers_file_previews_in_vietnamese(client, officer):
    page = preview(client, "doi-tac.csv", officer_csv(), language="vi")
    table = new_rows(page)
    for shown in ("Hàn Quốc", "Lào", "Đang có hiệu lực", "Viện Biển Đông", "08/01/2024"):
        assert shown in table, shown
    assert "UTF-8" in page.text and "utf-8-sig" not in page.text


def test_counters_count_the_rows_that_would_be_imported_when_another_row_has_an_error(
    client, officer
):
    """They said "0 new" above a table of the new rows when another row had an error."""
    bad = [*ROWS, ["Viện X", "", "Đại học", "Atlantis", "", "", "", "MOU X", "Viện Biển Đông",
                   "", "", "", "", "", "", ""]]  # fmt: skip
    page = preview(client, "doi-tac.csv", officer_csv(bad))
    assert "Confirm and import" not in page.text
    assert '<li class="count-new"><strong>5</strong>' in page.text
    assert '<li class="count-errors"><strong>1</strong>' in page.text
    assert new_rows(page).count("<tr>") == 5 and "Viện X" not in new_rows(page)
    assert "row 7" in page.text or "<td>7</td>" in page.text
    assert Institution.objects.count() == 0


def test_the_template_has_an_example_row_and_a_sheet_of_allowed_values(client, officer):
    """The .xlsx template: the headers, an example row that imports cleanly, and "Allowed
    values" listing kinds, units, statuses and every country in English and Vietnamese."""
    url = reverse("admin:partners_partnerimport_template", args=["xlsx"])
    assert url in client.get(UPLOAD).text
    response = client.get(url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    mous, allowed = workbook.worksheets
    assert [c.value for c in mous[1]] == export_headers()
    assert mous.cell(row=2, column=1).value.startswith("ISEAS")
    values = [[c.value or "" for c in row] for row in allowed.iter_rows()]
    assert allowed.title.startswith("Allowed values")
    assert ["Status", "active", "Active", "Đang có hiệu lực"] in [r[:4] for r in values]
    status_active = next(r for r in values if r[:2] == ["Status", "active"])
    assert "dang hieu luc" in status_active[4]
    countries_listed = {r[1] for r in values if r[0] == "Country"}
    assert len(countries_listed) > 240
    us = next(r for r in values if r[:2] == ["Country", "US"])
    assert "hoa ky" in us[4] and us[2] == "United States of America"
    # The example row imports as it stands; the CSV template keeps header + example row.
    assert import_partner_file(response.content, file_name="t.xlsx", dry_run=True).ok
    csv_template = client.get(reverse("admin:partners_partnerimport_template", args=["csv"]))
    lines = csv_template.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[0].startswith("Institution name,")
    assert "08/01/2024" in lines[1]
    assert import_partner_file(csv_template.content, file_name="t.csv", dry_run=True).ok


def test_the_template_is_for_importers_only(client):
    client.force_login(UserFactory(groups=[roles.VIEWERS]))
    url = reverse("admin:partners_partnerimport_template", args=["csv"])
    assert client.get(url).status_code == 403
