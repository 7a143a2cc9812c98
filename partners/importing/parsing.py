"""Step 1 of the import: header mapping, and every row's cells to clean values, with every
error collected and no database access."""

from dataclasses import dataclass

from django.utils.translation import gettext as _g

from partners.models import MOU

from . import values
from .columns import COLUMN_BY_KEY, INSTITUTION_KEYS, REQUIRED_KEYS, column_for_header
from .errors import ImportFileError, RowError
from .reading import Sheet


@dataclass
class ParsedRow:
    row: int
    inst_key: tuple[str, str]
    name: str
    country: str
    inst: dict
    contact: dict | None
    mou: dict
    status_given: bool


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


def parse_rows(sheet: Sheet) -> tuple[list[ParsedRow], list[RowError], dict[str, str]]:
    """Clean values for every row and every error, with no database access."""
    positions = map_headers(sheet.header)
    written = {key: str(sheet.header[i]).strip() for key, i in positions.items()}
    parsed, errors = [], []
    for row_number, cells in sheet.rows:
        clean, row_errors = {}, []
        for key, index in positions.items():
            raw = cells[index] if index < len(cells) else None
            try:
                value = _PARSERS[key](raw)
            except values.CellError as exc:
                row_errors.append(RowError(row_number, written[key], str(exc)))
                continue
            limit = _MAX_LENGTHS.get(key)
            if limit and len(value) > limit:
                row_errors.append(
                    RowError(
                        row_number,
                        written[key],
                        _g("is %(count)s characters long; the limit is %(limit)s")
                        % {"count": len(value), "limit": limit},
                    )
                )
                continue
            clean[key] = value
        for key in REQUIRED_KEYS:
            if key in clean and not clean[key]:
                row_errors.append(RowError(row_number, written[key], _g("is required")))
        row_errors += _check_row(row_number, clean, written)
        if row_errors:
            errors += row_errors
            continue
        parsed.append(_to_parsed_row(row_number, clean, positions))
    return parsed, errors, written


def _check_row(row_number: int, clean: dict, written: dict) -> list[RowError]:
    errors = []
    expires = clean.get("expires_on")
    for start_key in ("signed_on", "effective_from"):
        start = clean.get(start_key)
        if expires and start and expires < start:
            errors.append(
                RowError(
                    row_number,
                    written["expires_on"],
                    _g("%(expires)s is before the %(start)s date %(date)s")
                    % {
                        "expires": expires.strftime("%d/%m/%Y"),
                        "start": written[start_key],
                        "date": start.strftime("%d/%m/%Y"),
                    },
                )
            )
    if clean.get("status") == MOU.EXPIRING and not expires:
        errors.append(
            RowError(row_number, written["status"], _g("an expiring MOU needs an expiry date"))
        )
    if not clean.get("contact_name") and (
        clean.get("contact_email") or clean.get("contact_position")
    ):
        column = written.get("contact_name") or str(COLUMN_BY_KEY["contact_name"].label)
        errors.append(
            RowError(
                row_number, column, _g("is required when a contact email or position is given")
            )
        )
    return errors


def _to_parsed_row(row_number: int, clean: dict, positions: dict) -> ParsedRow:
    name = clean["institution_name"]
    inst = {k: clean[k] for k in INSTITUTION_KEYS if k in positions}
    contact = None
    if clean.get("contact_name"):
        contact = {
            "name": clean["contact_name"],
            **({"position": clean["contact_position"]} if "contact_position" in positions else {}),
            **({"email": clean["contact_email"]} if "contact_email" in positions else {}),
        }
    status = clean.get("status", "")
    mou = {
        "title": clean["mou_title"],
        "academy_unit": clean.get("academy_unit", ""),
        "status": MOU.Status.ACTIVE if status == MOU.EXPIRING else status,
    }
    for key in ("signed_on", "effective_from", "expires_on"):
        if key in positions:
            mou[key] = clean[key]
    if "areas" in positions:
        mou["areas_of_cooperation"] = clean["areas"]
    return ParsedRow(
        row=row_number,
        inst_key=(name.lower(), clean["country"]),
        name=name,
        country=clean["country"],
        inst=inst,
        contact=contact,
        mou=mou,
        status_given=bool(status),
    )
