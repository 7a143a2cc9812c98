"""The short cuts that make the partner import fast give exactly the slow path's answers."""

import datetime as dt
import gc
import io

import pytest
from openpyxl import Workbook

from academy_portal.core.text import fold_for_search
from partners.importing import import_partner_file
from partners.importing.columns import export_headers
from partners.importing.planning import Plan
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
