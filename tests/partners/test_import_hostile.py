# ruff: noqa: RUF001 -- the multiplication sign in "120,000 x ..." is meant
"""A hostile partner file: 9 MB of CSV whose 200,000 rows are all invalid.

Before the error cap every error became an object, a message and a table row: the report's
file made a 220 MB preview page after 30 s and left the web worker at 1.4 GB; this one makes
35 MB of HTML (549 MB peak, bench/import_hostile.py), and the command printed 225,000 lines.
Now the preview and the command show the first IMPORT_ERRORS_SHOWN errors by row, then counts
per column and kind of problem; the totals stay exact. Memory and time are measured by
bench/import_hostile.py, not here.
"""

import io
import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from academy_portal.core import roles
from bench.import_hostile import HOSTILE_ROWS, hostile_csv
from partners.importing import import_partner_file
from partners.importing.errors import ErrorList
from partners.models import MOU, Institution, PartnerImport
from tests.factories import UserFactory
from tests.partners.import_rows import csv_bytes, row

pytestmark = pytest.mark.django_db
UPLOAD = reverse("admin:partners_partnerimport_upload")


def expected_counts(rows: int) -> dict:
    return {
        "country": sum(1 for i in range(rows) if i % 5 < 3),
        "date": sum(1 for i in range(rows) if i % 5 == 3),
        "unit": sum(1 for i in range(rows) if i % 5 == 4),
        "status": sum(1 for i in range(rows) if i % 8 == 0),
    }


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile_200k.csv"
    path.write_bytes(hostile_csv())
    return path


def test_the_hostile_file_is_what_the_report_describes(hostile_file):
    size = hostile_file.stat().st_size
    assert 8_500_000 < size < 10 * 1024 * 1024  # about 9 MB, under the upload limit


def test_preview_of_200000_bad_rows_is_small_and_counts_every_error(client, hostile_file, settings):
    settings.IMPORT_ERRORS_SHOWN = 200
    client.force_login(UserFactory(groups=[roles.PARTNERSHIPS_OFFICERS]))
    data = hostile_file.read_bytes()
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("partners.csv", data)})

    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 1_000_000  # was 220 MB
    assert "Confirm and import" not in html
    # The first 200 errors by row are listed, no more.
    assert html.count('<tr class="partner-import-error">') == 200
    assert "<td>2</td><td>Country</td><td>Atlantis 0 is not a known country" in html
    assert ">P100000<" not in html and "Atlantis 100000" not in html
    # Exact totals, and counts per column and kind of problem.
    expected = expected_counts(HOSTILE_ROWS)
    total = sum(expected.values())
    assert total == 225_000
    assert "The file has 225,000 errors in 200,000 rows, so nothing will be imported." in html
    assert "The first 200 are listed below" in html
    assert "and 224,800 more errors, not listed here" in html
    assert '<td class="count">120,000</td><td>Country</td><td>unknown country</td>' in html
    assert '<td class="count">40,000</td><td>Signed on</td><td>not a valid date</td>' in html
    assert (
        '<td class="count">40,000</td><td>Academy unit</td><td>not one of the accepted values</td>'
        in html
    )
    assert (
        '<td class="count">25,000</td><td>Status</td><td>not one of the accepted values</td>'
        in (html)
    )
    # The record keeps exact counts and a bounded error list (the first 200 and a summary).
    record = PartnerImport.objects.get()
    assert record.status == PartnerImport.Status.FAILED
    assert (record.rows_total, record.rows_errors) == (200_000, 200_000)
    assert len(record.errors) == 201
    assert record.errors[0] == {
        "row": 2,
        "column": "Country",
        "message": "Atlantis 0 is not a known country (English or Vietnamese name such as Hoa Kỳ, "
        "or ISO code such as US)",
    }
    assert record.errors[-1]["row"] == 0
    assert "224,800 more errors" in record.errors[-1]["message"]
    assert "120,000 × unknown country in column Country" in record.errors[-1]["message"]
    assert not record.stored_file
    assert Institution.objects.count() == MOU.objects.count() == 0

    # The read-only log page of that import stays as small.
    log = client.get(reverse("admin:partners_partnerimport_change", args=[record.pk]))
    assert log.status_code == 200
    assert len(log.content) < 1_000_000
    assert "224,800 more errors" in log.text


def test_the_command_prints_the_first_errors_then_counts(hostile_file, settings):
    settings.IMPORT_ERRORS_SHOWN = 200
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_partners", str(hostile_file), stdout=out, stderr=err)
    assert exc.value.returncode == 1  # as before: nothing imported because of errors
    lines = err.getvalue().splitlines()
    assert len(lines) < 220  # was one line per error: 225,000
    assert len(err.getvalue()) < 100_000
    assert lines[0] == (
        "row 2, Country: Atlantis 0 is not a known country (English or Vietnamese name such as "
        "Hoa Kỳ, or ISO code such as US)"
    )
    assert sum(1 for line in lines if line.startswith("row ")) == 200
    text = err.getvalue()
    assert "225,000 error(s) in 200,000 row(s): nothing was imported." in text
    assert "and 224,800 more errors not listed. All errors by column:" in text
    assert "  120,000 × unknown country in column Country" in text
    assert "  40,000 × not a valid date in column Signed on" in text
    assert "  40,000 × not one of the accepted values in column Academy unit" in text
    assert "  25,000 × not one of the accepted values in column Status" in text
    assert out.getvalue() == ""
    assert Institution.objects.count() == 0


def test_the_cap_keeps_the_first_errors_by_row_whichever_check_found_them(settings):
    """Parsing finds rows 3 and 4 bad; planning, later, finds row 2 (a new institution without
    a kind). With room for two errors, rows 2 and 3 are listed and all three counted."""

    settings.IMPORT_ERRORS_SHOWN = 2
    data = csv_bytes(
        [
            row(Kind=""),
            row(**{"MOU title": "B", "Signed on": "31/02/2025"}),
            row(**{"MOU title": "C", "Signed on": "32/01/2025"}),
        ]
    )
    outcome = import_partner_file(data, file_name="a.csv", dry_run=True)
    assert [str(e) for e in outcome.errors] == [
        "row 2, Kind: is required for a new institution",
        "row 3, Signed on: 31/02/2025 is not a date",
    ]
    assert (outcome.error_count, outcome.more_errors, outcome.record.rows_errors) == (3, 1, 3)
    assert [(c.column, c.problem, c.count) for c in outcome.error_counts] == [
        ("Signed on", "not a valid date", 2),
        ("Kind", "empty, but required for a new institution", 1),
    ]


def test_error_list_matches_sorting_everything(settings):

    rnd = random.Random(7)
    found = [(rnd.randrange(2, 500), rnd.choice("ABC"), f"e{n}") for n in range(3000)]
    errors = ErrorList(limit=50)
    for row_number, column, message in found:
        errors.add(row_number, column, message)
    expected = sorted(found, key=lambda e: (e[0], e[1]))[:50]  # stable, like the old sort
    assert [(e.row, e.column, e.message) for e in errors.shown] == expected
    assert errors.total == 3000
    assert errors.rows == len({e[0] for e in found})
    assert sum(errors.counts.values()) == 3000


def test_a_long_bad_value_is_quoted_short():

    outcome = import_partner_file(
        csv_bytes([row(Country="Atlantis" * 1000)]), file_name="a.csv", dry_run=True
    )
    (error,) = outcome.errors
    assert error.message.startswith("AtlantisAtlantis") and "…" in error.message
    assert len(error.message) < 200
