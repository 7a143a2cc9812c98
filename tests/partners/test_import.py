"""The all-or-nothing partner import, driven with the real files in tests/partners/files/."""

import csv as csv_module
import datetime as dt
import io
import math
import unicodedata
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from academy_portal.core import roles
from partners.importing import import_partner_file, service
from partners.importing.columns import export_headers
from partners.models import MOU, Contact, Institution, PartnerImport
from tests.factories import ContactFactory, InstitutionFactory, MOUFactory, UserFactory
from tests.partners.import_rows import csv_bytes, row

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
VALID_FILES = [
    "valid_utf8.csv",
    "valid_utf8_bom_semicolon_vi.csv",
    "valid_utf16_tab.txt",
    "valid.xlsx",
]


def run(name_or_bytes, *, dry_run=False, file_name=None, **kwargs):
    if isinstance(name_or_bytes, bytes):
        data, file_name = name_or_bytes, file_name or "upload.csv"
    else:
        data, file_name = (FILES / name_or_bytes).read_bytes(), name_or_bytes
    return import_partner_file(data, file_name=file_name, dry_run=dry_run, **kwargs)


def snapshot():
    return (
        sorted(Institution.objects.values_list("name", "country", "kind", "city", "notes")),
        sorted(
            MOU.objects.values_list(
                "institution__name", "title", "signed_on", "expires_on", "status", "academy_unit"
            )
        ),
        sorted(Contact.objects.values_list("institution__name", "name", "email", "position")),
    )


# -- reading every kind of file ----------------------------------------------------------


@pytest.mark.parametrize("name", VALID_FILES)
def test_every_valid_file_imports_the_same_partners(name):
    outcome = run(name)
    assert outcome.ok, (outcome.file_error, outcome.errors)
    assert outcome.record.rows_new == 5
    assert Institution.objects.count() == 4  # ISEAS has two MOUs
    assert MOU.objects.count() == 5
    assert Contact.objects.count() == 4
    hcma = Institution.objects.get(acronym="HCMA")
    assert hcma.name == "Học viện Chính trị Quốc gia Hồ Chí Minh"
    assert hcma.country == "VN"
    assert hcma.contacts.get().name == "Nguyễn Thị Hương"
    mou = MOU.objects.get(title="MOU on training cooperation")
    assert (mou.signed_on, mou.effective_from, mou.expires_on) == (
        dt.date(2023, 3, 15),
        dt.date(2023, 4, 1),
        dt.date(2028, 3, 14),
    )
    assert mou.areas_list == ["Training", "Research exchange"]
    assert MOU.objects.get(title="MOU on South China Sea studies").expires_on is None
    assert MOU.objects.get(title="MOU on Track 2 dialogue").status == MOU.Status.TERMINATED
    assert Institution.objects.get(acronym="KNDA").native_name == "국립외교원"


def test_all_valid_files_describe_identical_data():
    snapshots = []
    for name in VALID_FILES:
        run(name)
        snapshots.append(snapshot())
        MOU.objects.all().delete()
        Contact.objects.all().delete()
        Institution.objects.all().delete()
    assert all(s == snapshots[0] for s in snapshots)


def test_reimporting_the_same_file_changes_nothing_and_says_so():
    run("valid_utf8.csv")
    before = snapshot()
    stamps = list(MOU.objects.order_by("pk").values_list("updated_at", flat=True))
    outcome = run("valid_utf8.csv")
    assert outcome.ok
    assert outcome.nothing_to_do
    assert (outcome.record.rows_new, outcome.record.rows_updated) == (0, 0)
    assert outcome.record.rows_unchanged == 5
    assert snapshot() == before
    assert list(MOU.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_cp1258_file_keeps_vietnamese_diacritics_exactly():
    outcome = run("valid_cp1258.csv")
    assert outcome.ok, outcome.errors
    assert outcome.record.encoding == "cp1258"
    institution = Institution.objects.get()
    assert institution.name == "Viện Nghiên cứu Đông Nam Á"
    assert unicodedata.is_normalized("NFC", institution.name)
    assert institution.city == "Thành phố Hồ Chí Minh"
    assert MOU.objects.get().notes == "Ghi chú: đối tác lâu năm"  # a row's notes: its MOU's
    mou = MOU.objects.get()
    assert mou.title == "Biên bản ghi nhớ về hợp tác nghiên cứu"
    assert mou.academy_unit == "east_sea"
    assert mou.status == MOU.Status.ACTIVE
    assert mou.areas_list == ["Nghiên cứu biển", "Đào tạo"]
    assert institution.contacts.get().name == "Trần Văn Đức"


def test_cp1252_file_is_detected_with_semicolons_and_dotted_dates():
    outcome = run("valid_cp1252.csv")
    assert outcome.ok, outcome.errors
    assert outcome.record.encoding == "cp1252"
    paris = Institution.objects.get(acronym="UPC")
    assert paris.name == "Université Paris Cité"
    assert paris.mous.get().notes == "Naïve café"
    assert paris.contacts.get().name == "Hélène Dubois"
    swp = MOU.objects.get(title="Kooperationsvereinbarung")
    assert swp.signed_on == dt.date(2024, 6, 5)  # 05/06/2024 is 5 June
    assert swp.expires_on is None
    assert Contact.objects.get(name="Jürgen Groß").email == ""


def test_one_institution_whatever_the_case_spaces_or_unicode_form():
    outcome = run("duplicates_one_institution.csv")
    assert outcome.ok, outcome.errors
    institution = Institution.objects.get()
    assert institution.name == "Đại học Quốc gia Hà Nội"
    assert institution.mous.count() == 3
    # And an existing institution is matched the same way on the next import.
    again = run("duplicates_one_institution.csv")
    assert again.record.rows_unchanged == 3
    assert Institution.objects.count() == 1


def test_existing_institution_is_matched_ignoring_case():
    InstitutionFactory(name="ISEAS Yusof Ishak Institute", country="SG")
    outcome = run(csv_bytes([row(**{"Institution name": "iseas yusof ishak institute"})]))
    assert outcome.ok, outcome.errors
    assert Institution.objects.count() == 1
    assert outcome.record.rows_new == 1  # the MOU is new, the institution is not


# -- updates show field-level changes ---------------------------------------------------


def test_update_lists_field_changes_and_dry_run_writes_nothing():
    run(csv_bytes([row(**{"Expires on": "31/05/2027", "City": "Singapore"})]))
    changed = csv_bytes([row(**{"Expires on": "31/05/2028", "City": "Singapura"})])
    before = snapshot()
    preview = run(changed, dry_run=True)
    assert preview.ok
    assert preview.record.status == PartnerImport.Status.PREVIEWED
    assert snapshot() == before  # a dry run writes nothing
    (result,) = preview.rows
    assert result.outcome == "updated"
    assert ("expires on", "31/05/2027", "31/05/2028") in result.changes
    assert ("city", "Singapore", "Singapura") in result.changes
    outcome = run(changed)
    assert outcome.record.rows_updated == 1
    assert MOU.objects.get().expires_on == dt.date(2028, 5, 31)
    assert Institution.objects.get().city == "Singapura"


def test_expiring_in_the_sheet_is_an_active_mou():
    outcome = run(csv_bytes([row(Status="Sắp hết hạn", **{"Expires on": "01/01/2030"})]))
    assert outcome.ok, outcome.errors
    assert MOU.objects.get().status == MOU.Status.ACTIVE


def test_contacts_are_matched_on_email_or_name():
    institution = InstitutionFactory(name="ISEAS Yusof Ishak Institute", country="SG")
    ContactFactory(institution=institution, name="Tan Wei Ling", email="", position="Fellow")
    MOUFactory(institution=institution, title="Old MOU")
    rows = [
        row(**{"Contact name": "Tan Wei Ling", "Contact email": "tan@iseas.edu.sg"}),
        row(
            **{
                "MOU title": "Second MOU",
                "Contact name": "Dr Tan Wei Ling",
                "Contact email": "TAN@iseas.edu.sg",
                "Contact position": "Senior Fellow",
            }
        ),
    ]
    outcome = run(csv_bytes(rows))
    assert outcome.ok, outcome.errors
    contact = Contact.objects.get()
    assert (contact.name, contact.email, contact.position) == (
        "Dr Tan Wei Ling",
        "tan@iseas.edu.sg",
        "Senior Fellow",
    )


# -- errors: every one listed, nothing imported ------------------------------------------


def test_a_file_with_errors_imports_nothing_and_lists_every_error():
    outcome = run("errors.csv")
    assert not outcome.ok
    assert Institution.objects.count() == MOU.objects.count() == 0
    errors = [str(e) for e in outcome.errors]
    assert errors == [
        "row 3, Expires on: 31/02/2025 is not a date",
        "row 4, Signed on: 05/17/2024 is not a date (expected day/month/year)",
        "row 5, Country: Atlantis is not a known country (English or Vietnamese name such as "
        "Hoa Kỳ, or ISO code such as US)",
        "row 6, Status: Pending is not one of: Draft / Dự thảo; Active / Đang có hiệu lực; "
        "Expired / Hết hạn; Terminated / Đã chấm dứt; Expiring / Sắp hết hạn (or a synonym "
        "listed in the template's sheet Allowed values)",
        "row 7, MOU title: is required",
        "row 8, Expires on: 01/04/2024 is before the Signed on date 01/05/2024",
        "row 9, MOU title: the same MOU (institution, title and signing date) is already on row 2",
        "row 10, Contact email: not-an-email is not an email address",
        "row 11, Academy unit: Ministry of Fun is not one of: Institute for Strategic Studies / "
        "Viện Nghiên cứu Chiến lược; East Sea Institute / Viện Biển Đông; Institute for Foreign "
        "Policy / Viện Chính sách Đối ngoại; Department of International Cooperation / Ban Hợp "
        "tác Quốc tế; Faculty of Diplomatic Training / Khoa Đào tạo Ngoại giao (or a synonym "
        "listed in the template's sheet Allowed values)",
        "row 13, Effective from: 01/02/24: write the year with four digits (day/month/year)",
        "row 14, Status: an expiring MOU needs an expiry date",
    ]
    record = PartnerImport.objects.get()
    assert record.status == PartnerImport.Status.FAILED
    assert record.rows_errors == 11
    assert record.errors[0] == {
        "row": 3,
        "column": "Expires on",
        "message": "31/02/2025 is not a date",
    }


def test_conflicting_values_for_one_institution_are_an_error():
    rows = [row(City="Singapore"), row(**{"MOU title": "Another", "City": "Johor Bahru"})]
    outcome = run(csv_bytes(rows))
    assert [str(e) for e in outcome.errors] == [
        'row 3, City: "Johor Bahru" differs from "Singapore" given on row 2 for the same '
        "institution"
    ]
    assert Institution.objects.count() == 0


def test_new_institution_needs_a_kind_and_new_mou_an_academy_unit():
    outcome = run(csv_bytes([row(Kind="", **{"Academy unit": ""})]))
    assert [str(e) for e in outcome.errors] == [
        "row 2, Academy unit: is required for a new MOU",
        "row 2, Kind: is required for a new institution",
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["Institution name", "Country"], "missing column(s): MOU title"),
        (["Institution name", "Country", "MOU title", "Budget"], 'unknown column(s): "Budget"'),
        (
            ["Institution name", "Country", "MOU title", "Tên cơ quan"],
            'column(s) given twice: "Tên cơ quan"',
        ),
    ],
)
def test_header_problems_are_explained(header, message):
    outcome = run(csv_bytes([["X"] * len(header)], header=header))
    assert message in outcome.file_error
    assert PartnerImport.objects.get().status == PartnerImport.Status.FAILED


def test_headers_match_case_and_accents_insensitively():
    header = ["TEN CO QUAN", "loai hinh", "Quốc Gia", "tên_mou", "ĐƠN VỊ PHỤ TRÁCH", "ngay ky"]
    data = csv_bytes(
        [["ISEAS", "Think tank", "SG", "MOU X", "East Sea Institute", "01/02/2024"]],
        header=header,
    )
    outcome = run(data)
    assert outcome.ok, (outcome.file_error, outcome.errors)
    assert MOU.objects.get().signed_on == dt.date(2024, 2, 1)


# -- hostile files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("hostile_binary.csv", "not a text file"),
        ("hostile_unknown_encoding.csv", "encoding could not be recognised"),
        ("hostile_wide.csv", "Row 2 has 100000 columns"),
        ("hostile_zipbomb.xlsx", "expands to 300 MB"),
        ("hostile_fake.xlsx", "not a valid .xlsx file"),
    ],
)
def test_hostile_files_get_a_clear_error(name, message):
    outcome = run(name)
    assert message in outcome.file_error
    assert Institution.objects.count() == 0
    assert PartnerImport.objects.get().status == PartnerImport.Status.FAILED


def test_formula_cells_are_refused_with_their_row():
    outcome = run("hostile_formula.xlsx")
    assert [str(e) for e in outcome.errors] == [
        'row 3, Institution name: contains a formula (=HYPERLINK("http://evil.example","click"); '
        "paste the values instead of formulas"
    ]
    assert Institution.objects.count() == 0


def test_files_over_the_size_limit_are_refused_before_parsing(settings):
    settings.IMPORT_MAX_FILE_SIZE = 1000
    data = (FILES / "valid_utf8.csv").read_bytes()
    assert len(data) > 1000
    outcome = run(data)
    assert "the limit is" in outcome.file_error
    assert Institution.objects.count() == 0


def test_a_real_eleven_megabyte_file_is_refused():
    data = b"x" * (11 * 1024 * 1024)
    outcome = run(data, file_name="big.csv")
    assert "The file is 11.0\xa0MB; the limit is 10.0\xa0MB" in outcome.file_error


def test_xlsx_with_only_a_header_or_old_xls_is_explained():
    workbook = Workbook()
    workbook.active.append(export_headers())
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "no rows to import" in run(buffer.getvalue(), file_name="t.xlsx").file_error
    assert ".xls) are not supported" in run(b"\xd0\xcf\x11\xe0junk", file_name="a.xls").file_error


# -- all or nothing, even when the database fails half-way --------------------------------


def _install_failing_trigger(title):
    """A real database error on a later batch: the database itself rejects one MOU."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION h6_reject() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.title = '{title}' THEN RAISE EXCEPTION 'rejected by trigger'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER h6_reject BEFORE INSERT ON partners_mou "
                "FOR EACH ROW EXECUTE FUNCTION h6_reject()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER h6_reject BEFORE INSERT ON partners_mou "
                f"WHEN NEW.title = '{title}' BEGIN SELECT RAISE(ABORT, 'rejected by trigger'); END"
            )


def test_database_error_on_a_later_batch_rolls_back_everything(settings):

    rows = [
        row(**{"Institution name": f"Institute {n}", "MOU title": f"MOU {n}"}) for n in range(2500)
    ]
    _install_failing_trigger("MOU 2400")  # in the third batch of MOUs
    assert service.BATCH_SIZE == 1000
    outcome = run(csv_bytes(rows))
    assert not outcome.ok
    assert "nothing was imported" in outcome.database_error
    assert "rejected by trigger" in outcome.database_error
    assert Institution.objects.count() == 0
    assert MOU.objects.count() == 0
    record = PartnerImport.objects.get()
    assert record.status == PartnerImport.Status.FAILED
    assert "rejected by trigger" in record.errors[0]["message"]


def test_an_import_is_recorded_with_its_counts():
    user = UserFactory()
    run("valid_utf8.csv", user=user)
    record = PartnerImport.objects.get()
    assert record.created_by == user
    assert (record.file_name, record.file_format, record.encoding) == (
        "valid_utf8.csv",
        "csv",
        "utf-8",
    )
    assert record.file_size == (FILES / "valid_utf8.csv").stat().st_size
    assert (record.rows_total, record.rows_new, record.rows_errors) == (5, 5, 0)
    assert record.status == PartnerImport.Status.IMPORTED and not record.dry_run
    assert len(record.file_sha256) == 64


# -- speed: queries grow with batches, not rows --------------------------------------------


def _queries_for(n, *, existing=False):
    rows = [
        row(
            **{
                "Institution name": f"Institute {i}",
                "MOU title": f"MOU {i}",
                "Contact name": f"Person {i}",
                "Contact email": f"p{i}@example.org",
            }
        )
        for i in range(n)
    ]
    data = csv_bytes(rows)
    if existing:
        run(data)
    with CaptureQueriesContext(connection) as ctx:
        outcome = run(data)
    assert outcome.ok
    return len(ctx.captured_queries)


def _insert_statements(n):
    """INSERTs the database needs for n rows of each model: 1 on PostgreSQL, more on SQLite,
    whose cap on query parameters splits a bulk_create."""
    total = 0
    for model in (Institution, MOU, Contact):
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        per_query = min(1000, connection.ops.bulk_batch_size(fields, [None] * n) or n)
        total += math.ceil(n / per_query)
    return total


def test_query_count_grows_with_batches_not_rows():
    small = _queries_for(10)
    large = _queries_for(500)  # one import batch
    assert small <= 15
    assert large - small <= _insert_statements(500) - _insert_statements(10) + 2


def test_query_count_of_an_unchanged_reimport_is_constant():
    small = _queries_for(10, existing=True)
    large = _queries_for(500, existing=True)
    assert large <= small + 2


def test_import_permission_goes_to_partnerships_officers_and_administrators():
    permission = Permission.objects.get(codename="import_partners")
    assert permission.content_type.app_label == "partners"
    holders = set(Group.objects.filter(permissions=permission).values_list("name", flat=True))
    assert holders == {roles.ADMINISTRATORS, roles.PARTNERSHIPS_OFFICERS}
    officer = UserFactory(groups=[roles.PARTNERSHIPS_OFFICERS])
    viewer = UserFactory(groups=[roles.VIEWERS])
    coordinator = UserFactory(groups=[roles.FORUM_COORDINATORS])
    assert officer.has_perm("partners.import_partners")
    assert not viewer.has_perm("partners.import_partners")
    assert not coordinator.has_perm("partners.import_partners")


def test_awkward_text_is_written_exactly():
    """Quotes, commas, backslashes, line breaks and empty values survive the bulk insert
    (COPY on PostgreSQL, bulk_create elsewhere); an empty date is NULL, empty text is ""."""

    notes = 'He said "yes", then\\no; C:\\temp\\new\nsecond line, with "quotes"'
    out = io.StringIO()
    writer = csv_module.writer(out, lineterminator="\r\n")
    writer.writerow(export_headers())
    writer.writerow(row(Notes=notes, City="", **{"Expires on": "", "Native name": "Đại học"}))
    outcome = run(out.getvalue().encode("utf-8"))
    assert outcome.ok, outcome.errors
    institution = Institution.objects.get()
    assert institution.mous.get().notes == notes
    assert (institution.city, institution.native_name) == ("", "Đại học")
    assert institution.search_text == "iseas yusof ishak institute dai hoc"
    mou = MOU.objects.get()
    assert mou.expires_on is None
    assert mou.signatories == "" and mou.document.name == ""
    assert mou.created_at is not None and mou.updated_at is not None
    assert mou.institution_id == institution.pk
    assert run(out.getvalue().encode("utf-8")).nothing_to_do


def test_database_error_while_updating_rolls_back_every_change():
    rows = [
        row(**{"Institution name": f"Institute {n}", "MOU title": f"MOU {n}", "City": "Hanoi"})
        for n in range(1500)
    ]
    run(csv_bytes(rows))
    before = snapshot()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION h6_reject_update() RETURNS trigger AS $$ BEGIN "
                "IF NEW.title = 'MOU 1400' THEN RAISE EXCEPTION 'update refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER h6_reject_update BEFORE UPDATE ON partners_mou "
                "FOR EACH ROW EXECUTE FUNCTION h6_reject_update()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER h6_reject_update BEFORE UPDATE ON partners_mou "
                "WHEN NEW.title = 'MOU 1400' BEGIN SELECT RAISE(ABORT, 'update refused'); END"
            )
    changed = [r[:] for r in rows]
    for r in changed:
        r[export_headers().index("City")] = "Hà Nội"
        r[export_headers().index("Status")] = "Expired"
    outcome = run(csv_bytes(changed))
    assert "update refused" in outcome.database_error
    assert snapshot() == before  # institutions updated before the failing batch rolled back too


def test_notes_are_the_mous_and_institution_notes_have_their_own_column():
    """A row is one MOU: two MOUs of one institution with different notes is not a conflict
    (it was "differs from ... given on row 2"); "Institution notes" / "Ghi chú về cơ quan"
    fill the institution's notes."""
    rows = [
        row(**{"MOU title": "MOU A", "Notes": "renew in 2026", "Institution notes": "old friend"}),
        row(**{"MOU title": "MOU B", "Notes": "signed in Hanoi", "Institution notes": ""}),
    ]
    outcome = run(csv_bytes(rows))
    assert outcome.ok, outcome.errors
    institution = Institution.objects.get()
    assert institution.notes == "old friend"
    assert dict(institution.mous.values_list("title", "notes")) == {
        "MOU A": "renew in 2026",
        "MOU B": "signed in Hanoi",
    }
    vi = csv_bytes(
        [["Viện ABC", "VN", "Đại học", "MOU C", "Viện Biển Đông", "ghi chú MOU", "bạn lâu năm"]],
        header=[
            "Tên cơ quan",
            "Quốc gia",
            "Loại",
            "Tên MOU",
            "Đơn vị",
            "Ghi chú",
            "Ghi chú về cơ quan",
        ],
    )
    outcome = run(vi)
    assert outcome.ok, outcome.errors
    viet = Institution.objects.get(name="Viện ABC")
    assert (viet.notes, viet.mous.get().notes) == ("bạn lâu năm", "ghi chú MOU")


def test_two_different_institution_notes_are_still_a_conflict():
    rows = [
        row(**{"MOU title": "MOU A", "Institution notes": "one"}),
        row(**{"MOU title": "MOU B", "Institution notes": "two"}),
    ]
    outcome = run(csv_bytes(rows))
    assert [str(e) for e in outcome.errors] == [
        'row 3, Institution notes: "two" differs from "one" given on row 2 for the same institution'
    ]
