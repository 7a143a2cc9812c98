"""The all-or-nothing MOU partner import.

1. read the whole file and check every cell in Python, collecting every error;
2. compare with the database, prefetching existing institutions, MOUs and contacts by natural
   key one batch at a time (queries grow with batches, not rows);
3. only if there is no error at all, write everything in ONE transaction with bulk_create /
   bulk_update. A database error half-way rolls the whole file back.
Every run, dry or real, successful or not, leaves a PartnerImport record.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _g

from academy_portal.core.text import fold_for_search
from partners.models import MOU, Contact, Institution, PartnerImport

from . import values
from .columns import (
    COLUMN_BY_KEY,
    INSTITUTION_KEYS,
    REQUIRED_KEYS,
    column_for_header,
)
from .errors import ImportFileError, RowError
from .pgcopy import can_copy, copy_insert, copy_update
from .reading import Sheet, detect_format, read_sheet

BATCH_SIZE = 1000
MAX_STORED_ERRORS = 2000

ProgressCallback = Callable[[int, int], None]


class PreviewNotAvailable(Exception):
    """The preview was already confirmed, belongs to someone else or its file changed."""


@dataclass
class RowResult:
    row: int
    outcome: str  # new / updated / unchanged / error
    institution: str
    mou_title: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)


@dataclass
class ImportOutcome:
    record: PartnerImport
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    database_error: str = ""

    @property
    def ok(self) -> bool:
        return not (self.errors or self.file_error or self.database_error)

    @property
    def nothing_to_do(self) -> bool:
        return self.ok and not (self.record.rows_new or self.record.rows_updated)


# -- 1. rows to clean values ------------------------------------------------------------


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


# -- 2. merge rows and compare with the database ---------------------------------------


@dataclass
class InstitutionPlan:
    key: tuple[str, str]
    first_row: int
    name: str
    country: str
    fields: dict  # merged non-empty values by field; "" when every row left it empty
    rows_of_field: dict  # field -> the row that set it (to report conflicts)
    obj: Institution | None = None
    is_new: bool = False
    changes: list = field(default_factory=list)
    contact_pool: list | None = None  # its contacts, existing and new, once a row needs them
    spellings: set = field(default_factory=set)


@dataclass
class Plan:
    institutions: dict = field(default_factory=dict)
    new_institutions: list = field(default_factory=list)
    changed_institutions: list = field(default_factory=list)
    institution_fields: set = field(default_factory=set)
    new_mous: list = field(default_factory=list)
    changed_mous: list = field(default_factory=list)
    mou_fields: set = field(default_factory=set)
    new_contacts: list = field(default_factory=list)
    changed_contacts: list = field(default_factory=list)
    contact_fields: set = field(default_factory=set)
    changed_contact_ids: set = field(default_factory=set)
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    contact_label: str = ""  # translated once per import, not once per row
    builders: dict = field(default_factory=dict)

    def build(self, model, **values):
        if model not in self.builders:
            self.builders[model] = InstanceBuilder(model)
        return self.builders[model](**values)


class InstanceBuilder:
    """New unsaved instances through Model.__init__'s positional fast path: the keyword path
    costs about three times as much, and an import builds tens of thousands of instances."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.defaults = [None if f.primary_key else f.get_default() for f in fields]
        self.per_instance = [
            i for i, f in enumerate(fields) if f.has_default() and callable(f.default)
        ]
        self.fields = fields
        self.position = {f.name: i for i, f in enumerate(fields)}
        self.position.update({f.attname: i for i, f in enumerate(fields)})

    def __call__(self, **values):
        args = list(self.defaults)
        for i in self.per_instance:
            args[i] = self.fields[i].get_default()
        for name, value in values.items():
            args[self.position[name]] = value
        return self.model(*args)


_INST_FIELD_OF = {"notes": "notes"}  # column key -> model field when they differ


def _label(key: str) -> str:
    return str(COLUMN_BY_KEY[key].label) if key in COLUMN_BY_KEY else key


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def merge_institutions(rows: list[ParsedRow], written: dict, plan: Plan) -> None:
    """One plan per institution; two rows giving different values for it is an error."""
    for parsed in rows:
        plan_ = plan.institutions.get(parsed.inst_key)
        if plan_ is None:
            plan_ = plan.institutions[parsed.inst_key] = InstitutionPlan(
                key=parsed.inst_key,
                first_row=parsed.row,
                name=parsed.name,
                country=parsed.country,
                fields=dict.fromkeys(parsed.inst, ""),
                rows_of_field={},
            )
        plan_.spellings.add(parsed.name)
        for key, value in parsed.inst.items():
            if not value:
                continue
            current = plan_.fields.get(key, "")
            if not current:
                plan_.fields[key] = value
                plan_.rows_of_field[key] = parsed.row
            elif current != value:
                plan.errors.append(
                    RowError(
                        parsed.row,
                        written[key],
                        _g(
                            '"%(value)s" differs from "%(other)s" given on row %(row)s '
                            "for the same institution"
                        )
                        % {"value": value, "other": current, "row": plan_.rows_of_field[key]},
                    )
                )


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_import(rows: list[ParsedRow], written: dict, *, progress=None) -> Plan:
    """Everything the import would do, computed with a few queries per batch of rows."""
    plan = Plan(contact_label=_g("contact"))
    merge_institutions(rows, written, plan)
    seen_mous: dict = {}
    for parsed in rows:
        mou_key = (parsed.inst_key, parsed.mou["title"].lower(), parsed.mou.get("signed_on"))
        if mou_key in seen_mous:
            plan.errors.append(
                RowError(
                    parsed.row,
                    written["mou_title"],
                    _g(
                        "the same MOU (institution, title and signing date) is already "
                        "on row %(row)s"
                    )
                    % {"row": seen_mous[mou_key]},
                )
            )
        else:
            seen_mous[mou_key] = parsed.row
    if plan.errors:
        return plan

    done = 0
    for batch in _chunks(rows, BATCH_SIZE):
        _plan_batch(batch, written, plan)
        done += len(batch)
        if progress:
            progress(done, len(rows) * 2)
    return plan


def _plan_batch(batch: list[ParsedRow], written: dict, plan: Plan) -> None:
    # Institutions of this batch not planned yet: one query.
    fresh = [
        plan.institutions[k]
        for k in dict.fromkeys(p.inst_key for p in batch)
        if plan.institutions[k].obj is None
    ]
    if fresh:
        # Lower() is what the unique constraint (and its index) uses. SQLite's lower() only
        # folds ASCII, so there the exact spellings from the file are looked up as well.
        match = Q(lname__in={p.key[0] for p in fresh})
        if connection.vendor == "sqlite":
            match |= Q(name__in={s for p in fresh for s in p.spellings})
        existing = {
            (i.name.lower(), i.country.code): i
            for i in Institution.objects.annotate(lname=Lower("name")).filter(
                match, country__in={p.key[1] for p in fresh}
            )
        }
        for inst_plan in fresh:
            _plan_institution(inst_plan, existing.get(inst_plan.key), written, plan)

    existing_ids = {
        plan.institutions[p.inst_key].obj.pk
        for p in batch
        if not plan.institutions[p.inst_key].is_new
    }
    mous, contacts = {}, {}
    if existing_ids:
        for mou in MOU.objects.filter(institution_id__in=existing_ids):
            mous[(mou.institution_id, mou.title.lower(), mou.signed_on)] = mou
        for contact in Contact.objects.filter(institution_id__in=existing_ids):
            contacts.setdefault(contact.institution_id, []).append(contact)
    for parsed in batch:
        _plan_row(parsed, mous, contacts, written, plan)


def _plan_institution(inst_plan, existing, written, plan):
    fields = {_INST_FIELD_OF.get(k, k): v for k, v in inst_plan.fields.items()}
    if existing is None:
        if not fields.get("kind"):
            plan.errors.append(
                RowError(
                    inst_plan.first_row,
                    written.get("kind") or _label("kind"),
                    _g("is required for a new institution"),
                )
            )
        obj = plan.build(Institution, name=inst_plan.name, country=inst_plan.country, **fields)
        obj.search_text = fold_for_search(f"{obj.name} {obj.native_name} {obj.acronym}")
        inst_plan.obj, inst_plan.is_new = obj, True
        plan.new_institutions.append(obj)
        return
    inst_plan.obj = existing
    for name, value in fields.items():
        if name == "kind" and not value:
            continue  # an empty kind keeps the institution's kind
        old = getattr(existing, name)
        if old != value:
            inst_plan.changes.append((_label(name), _show(old), _show(value)))
            setattr(existing, name, value)
            plan.institution_fields.add(name)
    if inst_plan.changes:
        existing.search_text = fold_for_search(
            f"{existing.name} {existing.native_name} {existing.acronym}"
        )
        existing.updated_at = timezone.now()
        plan.changed_institutions.append(existing)


_MOU_LABELS = {
    "title": "mou_title",
    "academy_unit": "academy_unit",
    "status": "status",
    "signed_on": "signed_on",
    "effective_from": "effective_from",
    "expires_on": "expires_on",
    "areas_of_cooperation": "areas",
}


def _plan_row(parsed: ParsedRow, mous: dict, contacts: dict, written: dict, plan: Plan):
    inst_plan = plan.institutions[parsed.inst_key]
    inst = inst_plan.obj
    result = RowResult(parsed.row, "unchanged", inst.name, parsed.mou["title"])
    if inst_plan.first_row == parsed.row:
        result.changes += inst_plan.changes
    mou_fields = dict(parsed.mou)
    key = (
        None if inst_plan.is_new else inst.pk,
        mou_fields["title"].lower(),
        mou_fields.get("signed_on"),
    )
    existing = None if inst_plan.is_new else mous.get(key)
    if existing is None:
        if not mou_fields["academy_unit"]:
            plan.errors.append(
                RowError(
                    parsed.row,
                    written.get("academy_unit") or _label("academy_unit"),
                    _g("is required for a new MOU"),
                )
            )
        mou_fields["status"] = mou_fields["status"] or MOU.Status.DRAFT
        mou = plan.build(MOU, **mou_fields)
        mou.institution = inst
        plan.new_mous.append(mou)
        result.outcome = "new"
    else:
        mou_changed = False
        for name, value in mou_fields.items():
            if name in ("academy_unit", "status") and not value:
                continue  # empty keeps what the MOU has
            if name == "title" and existing.title.lower() == value.lower():
                continue
            old = getattr(existing, name)
            if old != value:
                label = _label(_MOU_LABELS[name])
                if name in ("status", "academy_unit"):
                    choices = dict(MOU._meta.get_field(name).choices)
                    result.changes.append((label, str(choices.get(old, old)), str(choices[value])))
                else:
                    result.changes.append((label, _show(old), _show(value)))
                setattr(existing, name, value)
                plan.mou_fields.add(name)
                mou_changed = True
        if mou_changed:
            existing.updated_at = timezone.now()
            plan.changed_mous.append(existing)
    if parsed.contact:
        result.changes += _plan_contact(parsed, inst_plan, contacts, plan)
    if result.outcome == "unchanged" and result.changes:
        result.outcome = "updated"
    plan.rows.append(result)


def _plan_contact(parsed: ParsedRow, inst_plan, contacts: dict, plan: Plan) -> list:
    wanted = parsed.contact
    if inst_plan.contact_pool is None:
        inst_plan.contact_pool = (
            [] if inst_plan.is_new else list(contacts.get(inst_plan.obj.pk, []))
        )
    pool = inst_plan.contact_pool
    match = None
    email, name_key = wanted.get("email"), wanted["name"].lower()
    if email:
        for candidate in pool:
            if candidate.email and candidate.email.lower() == email:
                match = candidate
                break
    if match is None:
        for candidate in pool:
            if candidate.name.lower() == name_key:
                match = candidate
                break
    if match is None:
        contact = plan.build(Contact, **wanted)
        contact.institution = inst_plan.obj
        pool.append(contact)
        plan.new_contacts.append(contact)
        return [(plan.contact_label, "—", wanted["name"])]
    changes = []
    for name, value in wanted.items():
        if name != "name" and not value:
            continue  # another row of the same institution may leave the contact's email empty
        old = getattr(match, name)
        if (old or "") != value:
            changes.append((str(_label(f"contact_{name}")), _show(old), _show(value)))
            setattr(match, name, value)
            plan.contact_fields.add(name)
    if changes and match.pk and match.pk not in plan.changed_contact_ids:
        plan.changed_contact_ids.add(match.pk)
        plan.changed_contacts.append(match)
    return changes


# -- 3. write ---------------------------------------------------------------------------


def apply_plan(plan: Plan, *, progress=None, total=0) -> None:
    """Write the plan; must run inside the caller's transaction (all or nothing)."""
    insert, update = (copy_insert, copy_update) if can_copy() else (_bulk_create, _bulk_update)
    for chunk in _chunks(plan.new_institutions, BATCH_SIZE):
        insert(Institution, chunk, assign_ids=True)
    for chunk in _chunks(plan.changed_institutions, BATCH_SIZE):
        update(Institution, chunk, [*sorted(plan.institution_fields), "search_text", "updated_at"])
    for mou in plan.new_mous:
        mou.institution = mou.institution  # refresh institution_id now the institution has a pk
    written = 0
    for chunk in _chunks(plan.new_mous, BATCH_SIZE):
        insert(MOU, chunk, assign_ids=False)
        written += len(chunk)
        if progress:
            progress(total + min(written, total), total * 2)
    for chunk in _chunks(plan.changed_mous, BATCH_SIZE):
        update(MOU, chunk, [*sorted(plan.mou_fields), "updated_at"])
    for contact in plan.new_contacts:
        contact.institution = contact.institution
    for chunk in _chunks(plan.new_contacts, BATCH_SIZE):
        insert(Contact, chunk, assign_ids=False)
    for chunk in _chunks(plan.changed_contacts, BATCH_SIZE):
        update(Contact, chunk, sorted(plan.contact_fields))
    if progress:
        progress(total * 2, total * 2)


def _bulk_create(model, objs, *, assign_ids):
    model.objects.bulk_create(objs)


def _bulk_update(model, objs, field_names):
    model.objects.bulk_update(objs, field_names)


# -- the service ------------------------------------------------------------------------


def import_partner_file(
    data: bytes,
    *,
    file_name: str,
    dry_run: bool,
    user=None,
    file_format: str | None = None,
    keep_file: bool = False,
    preview: PartnerImport | None = None,
    progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Import every row of the file or none of them; always record the attempt."""
    record = PartnerImport(
        created_by=user if user is not None and user.is_authenticated else None,
        file_name=(file_name or "upload")[-255:],
        file_size=len(data),
        file_format=file_format or "csv",
        file_sha256=hashlib.sha256(data).hexdigest(),
        dry_run=dry_run,
        preview=preview,
    )
    outcome = ImportOutcome(record=record)
    try:
        record.file_format = file_format or detect_format(file_name, data)
        sheet = read_sheet(data, file_name=file_name, file_format=file_format)
        record.file_format, record.encoding = sheet.file_format, sheet.encoding
        record.rows_total = len(sheet.rows)
        rows, errors, written = parse_rows(sheet)
        # Plan the valid rows even when others failed, so the preview lists every problem.
        outcome = _plan_and_write(
            outcome, rows, written, errors=errors, dry_run=dry_run, progress=progress
        )
    except ImportFileError as exc:
        outcome.file_error = str(exc.message)
    _finish(outcome, data=data, keep_file=keep_file and dry_run and outcome.ok)
    return outcome


def _plan_and_write(outcome, rows, written, *, errors, dry_run, progress):
    outcome.errors = list(errors)
    try:
        with transaction.atomic():
            plan = plan_import(rows, written, progress=progress)
            outcome.errors += plan.errors
            outcome.rows = plan.rows
            if not outcome.errors and not dry_run:
                apply_plan(plan, progress=progress, total=len(rows))
    except DatabaseError as exc:
        # Everything written so far rolled back with the transaction.
        outcome.database_error = _g(
            "The database refused the import, so nothing was imported: %(error)s"
        ) % {
            "error": str(exc).strip().splitlines()[0][:300]
            if str(exc).strip()
            else type(exc).__name__
        }
    return outcome


def _finish(outcome: ImportOutcome, *, data: bytes, keep_file: bool) -> None:
    record = outcome.record
    outcome.errors.sort(key=lambda e: (e.row, e.column))
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    for row in outcome.rows:
        counts[row.outcome] += 1
    error_rows = {e.row for e in outcome.errors}
    record.rows_errors = len(error_rows)
    if outcome.ok:
        record.rows_new, record.rows_updated = counts["new"], counts["updated"]
        record.rows_unchanged = counts["unchanged"]
        record.status = (
            PartnerImport.Status.PREVIEWED if record.dry_run else PartnerImport.Status.IMPORTED
        )
    else:
        record.status = PartnerImport.Status.FAILED
    stored = [e.as_dict() for e in outcome.errors[:MAX_STORED_ERRORS]]
    if outcome.file_error:
        stored.insert(0, {"row": 0, "column": "", "message": outcome.file_error})
    if outcome.database_error:
        stored.insert(0, {"row": 0, "column": "", "message": outcome.database_error})
    record.errors = stored
    record.finished_at = timezone.now()
    if keep_file:
        record.stored_file.save(
            f"{record.file_sha256[:16]}.{record.file_format}", ContentFile(data), save=False
        )
    record.save()


def confirm_partner_import(preview_id: int, *, user) -> ImportOutcome:
    """Import exactly the previewed bytes, once: a second confirmation is refused."""
    with transaction.atomic():
        try:
            preview = PartnerImport.objects.select_for_update().get(
                pk=preview_id, dry_run=True, created_by=user
            )
        except PartnerImport.DoesNotExist:
            raise PreviewNotAvailable(_g("This preview does not exist or is not yours.")) from None
        if preview.status != PartnerImport.Status.PREVIEWED:
            raise PreviewNotAvailable(
                _g("This file was already imported (or its preview failed); upload it again.")
            )
        try:
            with preview.stored_file.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError):
            raise PreviewNotAvailable(
                _g("The previewed file is no longer available; upload it again.")
            ) from None
        if hashlib.sha256(data).hexdigest() != preview.file_sha256:
            raise PreviewNotAvailable(
                _g("The stored file changed since the preview; upload it again.")
            )
        outcome = import_partner_file(
            data,
            file_name=preview.file_name,
            file_format=preview.file_format,
            dry_run=False,
            user=user,
            preview=preview,
        )
        if outcome.ok:
            preview.status = PartnerImport.Status.CONFIRMED
            preview.save(update_fields=["status"])
    return outcome
