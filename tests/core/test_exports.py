"""The export engine's own rules: a total order, escaped cells, the field-limit check."""

import datetime as dt
import io

import pytest
from django.contrib import admin
from django.core.checks import run_checks
from openpyxl import load_workbook

from academy_portal.core.exports import Export, cell
from academy_portal.core.models import AccessLog
from academy_portal.core.xlsx import xlsx_pieces


def test_an_export_whose_order_does_not_end_in_the_primary_key_is_refused():
    class ByNameOnly(Export):
        model = AccessLog
        order = ("what",)

    with pytest.raises(ValueError, match="must end in the primary key"):
        ByNameOnly()


def test_cells_are_text_escaped_even_behind_control_characters():
    assert cell(None) == ""
    assert cell(dt.date(2026, 12, 1)) == "2026-12-01"
    assert cell("=1+1") == "'=1+1"
    # A control character (dropped: .xlsx cannot hold it) must not hide a formula.
    assert cell("\x01=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("Nguyễn Văn A\nline two") == "Nguyễn Văn A\nline two"
    assert cell(12) == "12"


def test_a_list_longer_than_the_field_limit_fails_the_system_check(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 150  # the admin's "show all" is 200 rows
    errors = [e for e in run_checks() if e.id == "portal.E002"]
    assert errors
    assert any(e.obj is admin.site._registry[AccessLog] for e in errors)


def test_the_default_field_limit_fits_every_admin_list():
    assert not [e for e in run_checks() if e.id == "portal.E002"]


def test_the_streamed_xlsx_reads_back_cell_for_cell():
    header = ["Tên", "Ghi chú", "Email"]
    rows = [
        ["Nguyễn Thị Hồng Hạnh", "", "hanh@example.vn"],  # an empty cell keeps its column
        ["<b>R&D</b>", "  line one\nline two ", "'=1+1"],
    ] * 3
    pieces = list(xlsx_pieces(header, iter(rows)))

    sheet = load_workbook(io.BytesIO(b"".join(pieces))).active
    read = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert read == [header, *rows]
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
