"""Exports: CSV and .xlsx, escaped against formula injection, and a lossless round trip."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from academy_portal.core import roles
from partners.importing import import_partner_file
from partners.models import MOU, Contact, Institution
from partners.resources import export_partners
from tests.factories import ContactFactory, InstitutionFactory, MOUFactory, UserFactory

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
DANGEROUS = ['=HYPERLINK("http://evil")', "+1 555", "-5 years", "@SUM(A1)", "'=looks escaped"]


def rows_of(content, file_format):
    if file_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).active
    return [["" if c is None else c for c in r] for r in sheet.iter_rows(values_only=True)]


def snapshot():
    return (
        sorted(
            Institution.objects.values_list(
                "name", "native_name", "acronym", "kind", "country", "city", "website", "notes"
            )
        ),
        sorted(
            MOU.objects.values_list(
                "institution__name",
                "title",
                "academy_unit",
                "signed_on",
                "effective_from",
                "expires_on",
                "status",
                "areas_of_cooperation",
                "notes",
            )
        ),
        sorted(Contact.objects.values_list("institution__name", "name", "position", "email")),
    )


@pytest.fixture
def hostile_partner():
    institution = InstitutionFactory(
        name="=cmd|' /C calc'!A0", acronym="-", city="@Home", notes="+ notes\nline two"
    )
    ContactFactory(institution=institution, name="-Nguyễn Văn A", position="=2+3")
    MOUFactory(
        institution=institution,
        title="-5 years of cooperation",
        areas_of_cooperation="=x",
        notes="=MOU notes\nsecond line",
    )
    return institution


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_cell_that_could_run_as_a_formula_is_escaped(hostile_partner, file_format):
    for what in ("mous", "institutions", "contacts"):
        content, _, name = export_partners(what, file_format=file_format)
        assert name.endswith(file_format)
        cells = [str(c) for r in rows_of(content, file_format)[1:] for c in r]
        assert cells
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (what, cell)
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(export_partners("mous", file_format="xlsx")[0])).active
        assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_mou_export_reimports_with_no_changes(hostile_partner, file_format):
    import_partner_file(
        (FILES / "valid_utf8.csv").read_bytes(), file_name="valid_utf8.csv", dry_run=False
    )
    institution = Institution.objects.get(acronym="ISEAS")
    MOUFactory(institution=institution, title="'=looks escaped", status=MOU.Status.ACTIVE)
    before = snapshot()
    content, _, name = export_partners("mous", file_format=file_format)
    outcome = import_partner_file(content, file_name=name, dry_run=False)
    assert outcome.ok, (outcome.file_error, [str(e) for e in outcome.errors])
    assert outcome.nothing_to_do, [r.changes for r in outcome.rows if r.changes]
    assert outcome.record.rows_unchanged == MOU.objects.count() == 7
    assert snapshot() == before


def test_round_trip_into_an_empty_database_recreates_the_same_partners():
    import_partner_file(
        (FILES / "valid_utf8.csv").read_bytes(), file_name="valid_utf8.csv", dry_run=False
    )
    before = snapshot()
    content, _, name = export_partners("mous", file_format="xlsx")
    MOU.objects.all().delete()
    Contact.objects.all().delete()
    Institution.objects.all().delete()
    outcome = import_partner_file(content, file_name=name, dry_run=False)
    assert outcome.ok and outcome.record.rows_new == 5
    assert snapshot() == before


def test_export_columns_are_the_import_headers():
    MOUFactory()
    content, _, _ = export_partners("mous", file_format="csv")
    header = rows_of(content, "csv")[0]
    assert header[:3] == ["Institution name", "Native name", "Acronym"]
    assert "Areas of cooperation" in header and "Expires on" in header


@pytest.mark.parametrize("rows", [1, 30])
def test_mou_export_queries_do_not_grow(rows, django_assert_max_num_queries):
    for _ in range(rows):
        ContactFactory(institution=MOUFactory().institution)
    with django_assert_max_num_queries(3):
        content, _, _ = export_partners("mous", file_format="csv")
    assert len(rows_of(content, "csv")) == rows + 1


def test_admin_export_links_and_actions(client):
    MOUFactory(title="MOU on the Ocean Dialogue")
    client.force_login(UserFactory(groups=[roles.VIEWERS]))
    url = reverse("admin:partners_partnerimport_export", args=["mous", "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    cells = [c for r in rows_of(response.getvalue(), "xlsx") for c in r]
    assert "MOU on the Ocean Dialogue" in cells
    action = client.post(
        reverse("admin:partners_mou_changelist"),
        {"action": "export_selected_csv", "_selected_action": [MOU.objects.get().pk]},
    )
    assert action.status_code == 200
    assert action["Content-Type"].startswith("text/csv")
    assert "MOU on the Ocean Dialogue" in action.getvalue().decode("utf-8-sig")
    bad = client.get(reverse("admin:partners_partnerimport_export", args=["users", "csv"]))
    assert bad.status_code == 403


def test_xlsx_export_writes_real_day_first_dates_in_a_named_filtered_sheet():
    """Dates were ISO text in .xlsx; now date cells (sortable in Excel) shown day first, in a
    named sheet with an autofilter, a frozen header and widths from the headers."""
    MOUFactory(signed_on=dt.date(2024, 1, 8), effective_from=None, expires_on=None)
    content, _, _ = export_partners("mous", file_format="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    signed = sheet.cell(row=2, column=header.index("Signed on") + 1)
    assert signed.is_date and signed.value == dt.datetime(2024, 1, 8)
    assert signed.number_format == "dd/mm/yyyy"
    assert sheet.cell(row=2, column=header.index("Expires on") + 1).value is None
    assert sheet.title == "MOU export"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=2, column=len(header)).coordinate}"
    assert sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert all(12 <= w <= 51 for w in widths)
