"""The short cuts that make the partner import fast give exactly the slow path's answers."""

import datetime as dt
import gc
import io

import pytest
from openpyxl import Workbook

from academy_portal.core.text import fold_for_search
from academy_portal.mail.models import OutboxMessage
from partners.importing import import_partner_file
from partners.importing.columns import export_headers
from partners.importing.pgcopy import copy_insert, copy_update
from partners.importing.planning import Plan
from partners.importing.service import InstanceBuilder, _bulk_create, _bulk_update
from partners.models import MOU, Institution, PartnerImport, institution_search_text
from tests.factories import InstitutionFactory
from tests.partners.import_rows import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "native_name", "acronym"),
    [
        ("Viện Nghiên cứu Biển Đông", "", "VBĐ"),
        ("VIỆN  Chiến lược\tsố 12", "Học viện Ngoại giao", ""),
        ("Vie\u0302\u0323n decomposed marks", "", ""),  # NFD: folded like its NFC form
        ("中国南海研究院", "National Institute for South China Sea Studies", "NISCSS"),
        ("Café\u00a0Olé \u2013 Zürich", "Ελληνικό Ίδρυμα", "ÉLI"),
        ("Emoji 🌊 institute", "", "🌊"),
        ("  Plain ASCII Name  ", "", "PAN"),
    ],
)
def test_search_text_is_fold_for_search(name, native_name, acronym):
    expected = fold_for_search(f"{name} {native_name} {acronym}")
    assert institution_search_text(name, native_name, acronym) == expected  # the plain path
    plan = Plan()
    values = {"name": name, "native_name": native_name, "acronym": acronym}
    assert plan.search_text(values) == expected
    assert plan.search_text(values) == expected  # and again, from the word cache
    saved = InstitutionFactory(name=name, native_name=native_name, acronym=acronym)
    assert saved.search_text == fold_for_search(f"{saved.name} {native_name} {acronym}")


def test_a_search_text_from_an_import_finds_the_institution_by_its_unaccented_name():
    data = csv_bytes([row(**{"Institution name": "Viện Nghiên cứu Biển Đông", "Country": "VN"})])
    assert import_partner_file(data, file_name="a.csv", dry_run=False).ok
    institution = Institution.objects.get()
    assert institution.search_text == fold_for_search("Viện Nghiên cứu Biển Đông")
    assert Institution.objects.filter(search_text__contains="vien nghien cuu bien dong").exists()


def test_the_same_bad_value_on_many_rows_is_an_error_on_every_one_of_them():
    rows = [
        row(**{"MOU title": f"MOU {n}", "Signed on": "31/02/2025", "Acronym": "X" * 41})
        for n in range(3)
    ]
    outcome = import_partner_file(csv_bytes(rows), file_name="a.csv", dry_run=True)
    assert not outcome.ok
    assert [(e.row, e.column) for e in outcome.errors] == [
        (2, "Acronym"),
        (2, "Signed on"),
        (3, "Acronym"),
        (3, "Signed on"),
        (4, "Acronym"),
        (4, "Signed on"),
    ]
    assert {e.message for e in outcome.errors if e.column == "Signed on"} == {
        "31/02/2025 is not a date"
    }
    assert {e.message for e in outcome.errors if e.column == "Acronym"} == {
        "is 41 characters long; the limit is 40"
    }
    assert PartnerImport.objects.get().rows_errors == 3


def test_typed_excel_cells_that_compare_equal_are_still_read_apart():
    """1, 1.0 and True are one dict key in Python; each must keep its own meaning."""
    workbook = Workbook()
    sheet = workbook.active
    headers = export_headers()
    sheet.append(headers)
    cells = [(1, 45000), (True, 45000.0), (1.0, dt.date(2023, 3, 1))]
    for n, (acronym, signed) in enumerate(cells):
        values = dict(zip(headers, row(**{"MOU title": f"MOU {n}"}), strict=True))
        values.update({"Institution name": f"Institute {n}", "Acronym": acronym})
        values["Signed on"] = signed
        sheet.append([values[h] or None for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = import_partner_file(buffer.getvalue(), file_name="typed.xlsx", dry_run=False)
    assert outcome.ok, outcome.errors
    assert dict(Institution.objects.values_list("name", "acronym")) == {
        "Institute 0": "1",
        "Institute 1": "True",
        "Institute 2": "1",
    }
    assert sorted(MOU.objects.values_list("signed_on", flat=True)) == [
        dt.date(2023, 3, 1),
        dt.date(2023, 3, 15),
        dt.date(2023, 3, 15),
    ]


def test_an_existing_institution_is_found_by_name_and_country_together():
    """The lookup pairs each name with its own country, not any name with any country."""
    InstitutionFactory(name="Centre for Maritime Studies", country="SG", kind="think_tank")
    InstitutionFactory(name="Institute of Oceans", country="AU", kind="think_tank")
    rows = [
        row(**{"Institution name": "Centre for Maritime Studies", "Country": "AU"}),
        row(**{"Institution name": "Institute of Oceans", "Country": "SG", "MOU title": "B"}),
    ]
    outcome = import_partner_file(csv_bytes(rows), file_name="a.csv", dry_run=False)
    assert outcome.ok, outcome.errors
    assert outcome.record.rows_new == 2
    assert Institution.objects.count() == 4


@pytest.mark.parametrize("data", [csv_bytes([row()]), b"not,a,partner\r\nfile,,\r\n"])
def test_an_import_leaves_garbage_collection_as_it_found_it(data):
    assert gc.isenabled()
    import_partner_file(data, file_name="a.csv", dry_run=False)
    assert gc.isenabled()
    gc.disable()
    try:
        import_partner_file(data, file_name="a.csv", dry_run=True)
        assert not gc.isenabled()
    finally:
        gc.enable()


AWKWARD = 'He said "yes", then\\no; C:\\temp\\new\nsecond line, with "quotes", tab\there'


def _institution_rows(prefix: str) -> list[dict]:
    return [
        {
            "name": f"{prefix} Viện Nghiên cứu {n}",
            "native_name": "Học viện Ngoại giao" if n % 2 else "",
            "acronym": "",
            "kind": "think_tank",
            "country": "VN",
            "city": "" if n % 3 else "Hà Nội",
            "website": "https://example.org/a?b=c&d=e",
            "notes": AWKWARD if n % 2 else "",
            "search_text": f"x {n}",
        }
        for n in range(5)
    ]


def _mou_rows(institutions: list[dict]) -> list[dict]:
    return [
        {
            "institution_id": inst["id"],
            "title": f"MOU {n}\twith a tab",
            "academy_unit": "east_sea",
            "signed_on": dt.date(2024, 1, n + 1),
            "expires_on": None if n % 2 else dt.date(2030, 12, 31),
            "status": "active",
            "signatories": AWKWARD,
        }
        for n, inst in enumerate(institutions)
    ]


def _stored(model, ids, *, skip=("id", "name", "institution", "created_at", "updated_at")):
    fields = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
    return [
        tuple(getattr(obj, name) for name in fields)
        for obj in model.objects.filter(pk__in=ids).order_by("pk")
    ]


def test_the_copy_writer_writes_what_bulk_create_and_bulk_update_write(require_postgres):
    """PostgreSQL's COPY path against the plain path every other database takes, on the same
    rows: inserts (with ids assigned, NULL dates, quotes, tabs, backslashes, line breaks) and
    updates give the same stored values."""

    copied, plain = _institution_rows("A"), _institution_rows("B")
    copy_insert(Institution, copied, assign_ids=True)
    _bulk_create(Institution, plain, assign_ids=True)
    copied_ids, plain_ids = [r["id"] for r in copied], [r["id"] for r in plain]
    assert _stored(Institution, copied_ids) == _stored(Institution, plain_ids)

    copied_mous, plain_mous = _mou_rows(copied), _mou_rows(plain)
    copy_insert(MOU, copied_mous, assign_ids=False)
    _bulk_create(MOU, plain_mous, assign_ids=False)
    copied_mou_ids = MOU.objects.filter(institution_id__in=copied_ids).values_list("pk", flat=True)
    plain_mou_ids = MOU.objects.filter(institution_id__in=plain_ids).values_list("pk", flat=True)
    assert len(copied_mou_ids) == len(plain_mou_ids) == 5
    assert _stored(MOU, copied_mou_ids) == _stored(MOU, plain_mou_ids)

    for rows in (copied, plain):
        for values in rows:
            values.update(city="Đà Nẵng\\n", notes="", website="")
    fields = ["city", "notes", "website"]
    copy_update(Institution, copied, fields)
    _bulk_update(Institution, plain, fields)
    assert _stored(Institution, copied_ids) == _stored(Institution, plain_ids)
    assert Institution.objects.get(pk=copied_ids[0]).city == "Đà Nẵng\\n"


def test_the_positional_instance_builder_builds_what_the_keyword_constructor_builds():
    """bulk_create's instances come from Model.__init__'s positional fast path."""

    values = _institution_rows("C")[1]
    built, plain = InstanceBuilder(Institution)(dict(values)), Institution(**values)
    for field in Institution._meta.concrete_fields:
        if field.name not in ("created_at", "updated_at"):
            assert getattr(built, field.attname) == getattr(plain, field.attname), field.name


@pytest.mark.postgres
def test_the_copy_writer_writes_json_as_bulk_create_does(require_postgres):
    """A JSON column (the outbox's `writer_args`, which the scale generator COPYs): the JSON
    text itself, whatever the value's type, and the field's default when a row lacks it."""
    values = [{"status": "accepted", "sessions": [1, 2]}, {}, "a string", [1, "two"], 0]
    rows = [
        {"to_email": f"x{i}@example.org", "subject": "s", "text_body": "b", "writer_args": v}
        for i, v in enumerate(values)
    ]
    rows.append({"to_email": "default@example.org", "subject": "s", "text_body": "b"})
    for i, values_of_row in enumerate(rows):
        values_of_row["dedup_key"] = f"copy-json-{i}"  # unique where given
    copy_insert(OutboxMessage, rows, assign_ids=True)
    written = dict(OutboxMessage.objects.values_list("to_email", "writer_args"))
    expected = {f"x{i}@example.org": v for i, v in enumerate(values)}
    expected["default@example.org"] = {}
    assert written == expected
