"""The downloadable template: the import's headers with an example row and, in .xlsx, a second
sheet "Allowed values" listing every value the kind, academy unit, status and country columns
accept, in English and Vietnamese. Built from the importer's own tables (and django-countries'
names with COUNTRIES_OVERRIDE), so the template never disagrees with what is accepted."""

import datetime as dt
import io

import xlsxwriter
from django.utils import translation
from django_countries import countries

from academy_portal.core.exports import csv_pieces
from academy_portal.core.xlsx import DATE_FORMAT

from .columns import COLUMNS, export_headers
from .values import COUNTRY_ALIASES, COUNTRY_EXACT, accepted_values

ALLOWED_SHEET = "Allowed values - Giá trị hợp lệ"  # both languages: the file is shared
EXAMPLE = {
    "institution_name": "ISEAS - Yusof Ishak Institute",
    "native_name": "",
    "acronym": "ISEAS",
    "kind": "Think tank",
    "country": "Singapore",
    "city": "Singapore",
    "website": "www.iseas.edu.sg",
    "contact_name": "Dr Tan Wei Ling",
    "contact_position": "Senior Fellow",
    "contact_email": "tan@iseas.edu.sg",
    "mou_title": "MOU on Southeast Asian studies",
    "academy_unit": "Institute for Strategic Studies",
    "signed_on": dt.date(2024, 1, 8),
    "effective_from": dt.date(2024, 1, 8),
    "expires_on": dt.date(2029, 1, 7),
    "status": "Active",
    "areas": "Maritime security; ASEAN",
    "notes": "Renew before October 2028",
    "institution_notes": "Partner since 2010",
}


def example_row(*, dates_as_text: bool) -> list:
    values = [EXAMPLE[c.key] for c in COLUMNS]
    if dates_as_text:
        return [f"{v:%d/%m/%Y}" if isinstance(v, dt.date) else v for v in values]
    return values


def template_csv() -> bytes:
    """Header and the example row, UTF-8 with BOM (what Excel opens with Vietnamese intact)."""
    return b"".join(csv_pieces(export_headers(), [example_row(dates_as_text=True)]))


def allowed_values() -> list[list[str]]:
    """The rows of the "Allowed values" sheet: what each choice column and Country accept."""
    rows = [
        ["Column / Cột", "Code / Mã", "English", "Tiếng Việt", "Also accepted / Cũng chấp nhận"]
    ]
    for key in ("kind", "academy_unit", "status"):
        label = next(c.headers[0] for c in COLUMNS if c.key == key)
        for code, en, vi, synonyms in accepted_values(key):
            rows.append([label, code, en, vi, "; ".join(synonyms)])
    with translation.override("en"):
        english = dict(countries)
    with translation.override("vi"):
        vietnamese = dict(countries)
    short: dict[str, list[str]] = {}
    for written, code in [*COUNTRY_ALIASES.items(), *COUNTRY_EXACT.items()]:
        short.setdefault(code, []).append(written)
    country = "Country"
    for code in sorted(english, key=lambda c: str(english[c])):
        also = [countries.alpha3(code) or "", *sorted(short.get(code, []))]
        rows.append(
            [
                country,
                code,
                str(english[code]),
                str(vietnamese[code]),
                "; ".join(a for a in also if a),
            ]
        )
    return rows


def template_xlsx() -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": DATE_FORMAT})
    sheet = workbook.add_worksheet("MOUs")
    sheet.write_row(0, 0, export_headers(), bold)
    for column, value in enumerate(example_row(dates_as_text=False)):
        if isinstance(value, dt.date):
            sheet.write_datetime(1, column, value, date)
        else:
            sheet.write_string(1, column, value)
    for column, title in enumerate(export_headers()):
        sheet.set_column(column, column, max(len(title) + 4, 14))
    sheet.freeze_panes(1, 0)
    allowed = workbook.add_worksheet(ALLOWED_SHEET)
    rows = allowed_values()
    allowed.write_row(0, 0, rows[0], bold)
    for number, row in enumerate(rows[1:], start=1):
        allowed.write_row(number, 0, row)
    allowed.autofilter(0, 0, len(rows) - 1, len(rows[0]) - 1)
    allowed.freeze_panes(1, 0)
    for column, width in enumerate((18, 18, 40, 40, 60)):
        allowed.set_column(column, column, width)
    workbook.close()
    return out.getvalue()
