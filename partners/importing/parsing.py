"""Step 1 of the import: header mapping, and every row's cells to clean values, with every
error collected and no database access."""

from dataclasses import dataclass
from operator import itemgetter

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from partners.models import MOU

from . import values
from .columns import COLUMN_BY_KEY, INSTITUTION_KEYS, REQUIRED_KEYS, column_for_header
from .errors import ErrorList, ImportFileError, clip
from .reading import Sheet


@dataclass(slots=True)
class ParsedRow:
    row: int
    inst_key: tuple[str, str]
    name: str
    country: str
    inst: dict
    contact: dict | None
    mou: dict  # MOU field -> value; the planner adds what a new MOU needs


_MAX_LENGTHS = {
    "institution_name": 255,
    "native_name": 255,
    "acronym": 40,
    "city": 120,
    "website": 200,
    "contact_name": 200,
    "contact_position": 200,
    "contact_email": 254,
    "mou_title": 300,
}

_PARSERS = {
    "institution_name": values.text,
    "native_name": values.text,
    "acronym": values.text,
    "kind": lambda v: values.choice("kind", v),
    "country": values.country,
    "city": values.text,
    "website": values.website,
    "contact_name": values.text,
    "contact_position": values.text,
    "contact_email": values.email,
    "mou_title": values.text,
    "academy_unit": lambda v: values.choice("academy_unit", v),
    "signed_on": values.date,
    "effective_from": values.date,
    "expires_on": values.date,
    "status": lambda v: values.choice("status", v),
    "areas": values.areas,
    "notes": values.multiline_text,
    "institution_notes": values.multiline_text,
}


def map_headers(header: list) -> dict[str, int]:
    """column key -> index in the row; ImportFileError for unknown, repeated or missing ones."""
    positions: dict[str, int] = {}
    unknown, repeated = [], []
    for index, raw in enumerate(header):
        name = str(raw or "").strip().lstrip("\ufeff")
        if not name:
            continue
        key = column_for_header(name)
        if key is None:
            unknown.append(name)
        elif key in positions:
            repeated.append(name)
        else:
            positions[key] = index
    problems = []
    if unknown:
        problems.append(
            _g("unknown column(s): %(names)s") % {"names": ", ".join(f'"{u}"' for u in unknown)}
        )
    if repeated:
        problems.append(
            _g("column(s) given twice: %(names)s")
            % {"names": ", ".join(f'"{r}"' for r in repeated)}
        )
    missing = [str(COLUMN_BY_KEY[k].label) for k in REQUIRED_KEYS if k not in positions]
    if missing:
        problems.append(_g("missing column(s): %(names)s") % {"names": ", ".join(missing)})
    if problems:
        raise ImportFileError(
            _g("The header row is not right: %(problems)s. See the template for accepted headers.")
            % {"problems": "; ".join(problems)}
        )
    return positions


def parse_rows(sheet: Sheet) -> tuple[list[ParsedRow], ErrorList, dict[str, str]]:
    """Clean values for every row and every error (counted, the first ones kept: see
    ErrorList), with no database access."""
    positions = map_headers(sheet.header)
    # A header only has to match a known one once folded, so it may still be long.
    written = {key: clip(str(sheet.header[i]).strip(), 60) for key, i in positions.items()}
    keys = list(positions)
    errors = ErrorList()
    if not sheet.rows:
        return [], errors, written
    # Column by column: each distinct text of a column is parsed once (see _parse_column).
    width = max(positions.values()) + 1
    pick, padding = itemgetter(*positions.values()), [None] * width
    picked = [
        pick(cells if len(cells) >= width else [*cells, *padding[len(cells) :]])
        for _, cells in sheet.rows
    ]
    columns, bad_rows = [], set()
    for key, raw_column in zip(keys, zip(*picked, strict=True), strict=True):
        column, bad = _parse_column(key, raw_column)
        columns.append(column)
        bad_rows.update(bad)
    shape = _RowShape(positions)
    parsed = []
    for index, ((row_number, _cells), row_values) in enumerate(
        zip(sheet.rows, zip(*columns, strict=True), strict=True)
    ):
        clean, errors_before = dict(zip(keys, row_values, strict=True)), errors.total
        if index in bad_rows:
            for key, value in zip(keys, row_values, strict=True):
                if type(value) is values.CellError:
                    errors.add(row_number, written[key], value, value.kind)
                    del clean[key]
        for key in REQUIRED_KEYS:
            if key in clean and not clean[key]:
                errors.add(row_number, written[key], _("is required"), "required")
        _check_row(row_number, clean, written, errors)
        if errors.total > errors_before:
            continue
        parsed.append(shape.parsed_row(row_number, clean))
    return parsed, errors, written


def _parse_column(key: str, raw_column: tuple) -> tuple[list, list[int]]:
    """The clean values of one column, with a CellError in place of each bad cell, and the
    indexes of the bad cells. A file repeats its countries, kinds, units, statuses, dates and
    areas on thousands of rows and the parsers are pure, so each distinct text is parsed once."""
    parse, limit = _PARSERS[key], _MAX_LENGTHS.get(key)

    def checked(raw):
        try:
            value = parse(raw)
        except values.CellError as exc:
            # Kept once per distinct bad text (200,000 in a hostile file): without the traceback
            # and the exception it replaced, which hold the parsers' frames alive.
            exc.__traceback__ = exc.__context__ = None
            return exc
        if limit and len(value) > limit:
            return values.CellError(
                _("is %(count)s characters long; the limit is %(limit)s"),
                "too_long",
                {"count": len(value), "limit": limit},
            )
        return value

    if set(map(type, raw_column)) == {str}:  # every CSV cell; a dict key per distinct text
        distinct = dict.fromkeys(raw_column)
        for raw in distinct:
            distinct[raw] = checked(raw)
        column = list(map(distinct.__getitem__, raw_column))
        failed = any(type(v) is values.CellError for v in distinct.values())
    else:  # typed .xlsx cells and empty ones: 1 == 1.0 == True as dict keys, so one by one
        column = [checked(raw) for raw in raw_column]
        failed = True
    if not failed:
        return column, []
    return column, [i for i, v in enumerate(column) if type(v) is values.CellError]


def _check_row(row_number: int, clean: dict, written: dict, errors: ErrorList) -> None:
    expires = clean.get("expires_on")
    for start_key in ("signed_on", "effective_from"):
        start = clean.get(start_key)
        if expires and start and expires < start:
            errors.add(
                row_number,
                written["expires_on"],
                _("%(expires)s is before the %(start)s date %(date)s"),
                "expiry_before_start",
                {
                    "expires": expires.strftime("%d/%m/%Y"),
                    "start": written[start_key],
                    "date": start.strftime("%d/%m/%Y"),
                },
            )
    if clean.get("status") == MOU.EXPIRING and not expires:
        errors.add(
            row_number,
            written["status"],
            _("an expiring MOU needs an expiry date"),
            "expiring_without_expiry",
        )
    if not clean.get("contact_name") and (
        clean.get("contact_email") or clean.get("contact_position")
    ):
        column = written.get("contact_name") or str(COLUMN_BY_KEY["contact_name"].label)
        errors.add(
            row_number,
            column,
            _("is required when a contact email or position is given"),
            "contact_without_name",
        )


class _RowShape:
    """Which optional columns the file has, worked out once: a row then becomes the institution,
    contact and MOU values the planner needs with no per-row membership tests."""

    def __init__(self, positions: dict):
        self.inst_keys = tuple(k for k in INSTITUTION_KEYS if k in positions)
        self.has_position = "contact_position" in positions
        self.has_email = "contact_email" in positions
        self.date_keys = tuple(
            k for k in ("signed_on", "effective_from", "expires_on") if k in positions
        )
        self.has_areas = "areas" in positions
        self.has_notes = "notes" in positions

    def parsed_row(self, row_number: int, clean: dict) -> ParsedRow:
        name, country = clean["institution_name"], clean["country"]
        contact = None
        if clean.get("contact_name"):
            contact = {"name": clean["contact_name"]}
            if self.has_position:
                contact["position"] = clean["contact_position"]
            if self.has_email:
                contact["email"] = clean["contact_email"]
        status = clean.get("status", "")
        mou = {
            "title": clean["mou_title"],
            "academy_unit": clean.get("academy_unit", ""),
            "status": MOU.Status.ACTIVE if status == MOU.EXPIRING else status,
        }
        for key in self.date_keys:
            mou[key] = clean[key]
        if self.has_areas:
            mou["areas_of_cooperation"] = clean["areas"]
        if self.has_notes:
            mou["notes"] = clean["notes"]
        return ParsedRow(
            row_number,
            (name.lower(), country),
            name,
            country,
            {k: clean[k] for k in self.inst_keys},
            contact,
            mou,
        )
