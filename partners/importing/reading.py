"""Turn uploaded bytes into a header and rows, refusing anything we cannot read faithfully.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text", tab-separated),
Windows-1258 (Vietnamese, with combining tone marks, NFC-normalised after decoding) and
Windows-1252; delimiter comma, semicolon or tab. Excel: .xlsx through openpyxl, with formula
cells refused and zip bombs refused before anything is decompressed.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .errors import ImportFileError

MAX_COLUMNS = 60
MAX_ROWS = 200_000
MAX_CELL_CHARS = 10_000
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 150
FORMATS = ("csv", "xlsx")

# Bytes whose meaning differs between Windows-1252 and Windows-1258. In 1258, five of them are
# combining tone marks; real Vietnamese text uses them constantly, Western text almost never.
_CP1258_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@dataclass
class Sheet:
    file_format: str
    encoding: str
    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)


def detect_format(file_name: str, data: bytes) -> str:
    """csv or xlsx from the content first (an .xlsx is a zip), then the file name."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    lower = (file_name or "").lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lower.endswith(".xls"):
        raise ImportFileError(
            _("Old Excel files (.xls) are not supported: save the sheet as .xlsx or CSV.")
        )
    return "csv"


def read_sheet(data: bytes, *, file_name: str = "", file_format: str | None = None) -> Sheet:
    """Header + non-blank rows of the file; ImportFileError if it is not a readable sheet."""
    limit = settings.IMPORT_MAX_FILE_SIZE
    if len(data) > limit:
        raise ImportFileError(
            _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    file_format = file_format or detect_format(file_name, data)
    if file_format not in FORMATS:
        raise ImportFileError(
            _("Unknown format %(format)s: use csv or xlsx.") % {"format": file_format}
        )
    sheet = _read_xlsx(data) if file_format == "xlsx" else _read_csv(data)
    if not any(h.strip() for h in sheet.header):
        raise ImportFileError(_("The first row must hold the column headers; it is empty."))
    if not sheet.rows:
        raise ImportFileError(_("The file has column headers but no rows to import."))
    return sheet


# -- CSV ----------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name); Vietnamese diacritics come back exactly, NFC-normalised."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return unicodedata.normalize("NFC", data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError(_("The file says it is UTF-16 but is damaged.")) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return unicodedata.normalize("NFC", data[3:].decode("utf-8")), "utf-8-sig"
        except UnicodeDecodeError:
            raise ImportFileError(_("The file says it is UTF-8 but is damaged.")) from None
    if b"\x00" in data:
        raise ImportFileError(
            _("This is not a text file (it contains binary data). Upload a CSV or .xlsx file.")
        )
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_windows(data)


def _decode_windows(data: bytes) -> tuple[str, str]:
    unreadable = ImportFileError(
        _(
            'The file\'s text encoding could not be recognised. Save it as "CSV UTF-8" '
            "(in Excel: File > Save As > CSV UTF-8) and upload it again."
        )
    )
    try:
        as_1258 = data.decode("cp1258")
    except UnicodeDecodeError:
        as_1258 = None
    if as_1258 is not None and any(ch in _CP1258_TONE_MARKS for ch in as_1258):
        text = unicodedata.normalize("NFC", as_1258)
        # Tone marks that NFC cannot attach to a vowel mean this was not Vietnamese text.
        if not any(ch in _CP1258_TONE_MARKS for ch in text):
            return text, "cp1258"
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise unreadable from None
    if _looks_binary(text):
        raise unreadable
    return unicodedata.normalize("NFC", text), "cp1252"


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    # Stops at the first control character over the limit; never scans a junk file twice.
    limit = max(2, len(text) // 100)
    matches = enumerate(_CONTROL_CHARS.finditer(text), start=1)
    return any(found > limit for found, _match in matches)


def _sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(text[:20_000], delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(data: bytes) -> Sheet:
    text, encoding = decode_text(data)
    if _looks_binary(text):
        raise ImportFileError(
            _("This is not a text file (it contains binary data). Upload a CSV or .xlsx file.")
        )
    delimiter = "\t" if encoding == "utf-16" and "\t" in text.split("\n", 1)[0] else None
    delimiter = delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    sheet = Sheet(file_format="csv", encoding=encoding, header=[])
    try:
        for index, cells in enumerate(reader, start=1):
            # The full check only for a row that may break a limit: it runs on every row.
            if (
                len(cells) > MAX_COLUMNS
                or index > MAX_ROWS + 1
                or (cells and max(map(len, cells)) > MAX_CELL_CHARS)
            ):
                _check_shape(index, cells)
            if index == 1:
                sheet.header = cells
            elif "".join(cells).strip():
                sheet.rows.append((index, cells))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file is malformed near row %(row)s: %(error)s")
            % {"row": reader.line_num, "error": exc}
        ) from None
    return sheet


def _check_shape(row_number: int, cells: list) -> None:
    if len(cells) > MAX_COLUMNS and any(str(c).strip() for c in cells[MAX_COLUMNS:]):
        raise ImportFileError(
            _("Row %(row)s has %(count)s columns; a partner file has at most %(max)s.")
            % {"row": row_number, "count": len(cells), "max": MAX_COLUMNS}
        )
    if row_number > MAX_ROWS + 1:
        raise ImportFileError(
            _("The file has more than %(max)s rows; split it into smaller files.")
            % {"max": MAX_ROWS}
        )
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise ImportFileError(
                _("Row %(row)s has a cell of %(count)s characters; the limit is %(max)s.")
                % {"row": row_number, "count": len(cell), "max": MAX_CELL_CHARS}
            )


# -- XLSX ---------------------------------------------------------------------------------


class FormulaCell:
    """Marks a cell that holds a formula: the value check reports it as a row error."""

    def __init__(self, formula):
        self.formula = formula

    def __str__(self):
        return str(self.formula)


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileError(_("This is not a valid .xlsx file (it may be damaged).")) from None
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > XLSX_MAX_UNCOMPRESSED or total / packed > XLSX_MAX_RATIO or len(infos) > 500:
            raise ImportFileError(
                _(
                    "This .xlsx file expands to %(size)s MB when opened, which is not a normal "
                    "partner sheet; it was refused."
                )
                % {"size": f"{total / 1024 / 1024:.0f}"}
            )
        if "xl/workbook.xml" not in archive.namelist():
            raise ImportFileError(_("This is not a valid .xlsx file (it may be damaged)."))


def _read_xlsx(data: bytes) -> Sheet:
    _check_zip(data)
    from openpyxl import load_workbook  # noqa: PLC0415 - openpyxl loads only for .xlsx uploads

    try:
        # data_only=False so formula cells show as formulas and can be refused, not trusted.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise ImportFileError(_("This is not a valid .xlsx file (it may be damaged).")) from None
    sheet = Sheet(file_format="xlsx", encoding="", header=[])
    try:
        worksheet = workbook.worksheets[0]
        for index, row in enumerate(worksheet.iter_rows(), start=1):
            cells = []
            for cell in row:
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    value = FormulaCell(value)
                elif isinstance(value, str):
                    value = unicodedata.normalize("NFC", value)
                cells.append(value)
            while cells and cells[-1] in (None, ""):
                cells.pop()
            _check_shape(index, cells)
            if index == 1:
                sheet.header = ["" if c is None else str(c) for c in cells]
            elif any(c not in (None, "") and str(c).strip() for c in cells):
                sheet.rows.append((index, cells))
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_("This is not a valid .xlsx file (it may be damaged).")) from None
    finally:
        workbook.close()
    return sheet
