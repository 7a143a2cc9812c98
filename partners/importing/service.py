"""The all-or-nothing MOU partner import: the public entry points, and the write.

1. read the whole file and check every cell in Python, counting every error and keeping the
   first IMPORT_ERRORS_SHOWN of them (parsing.py, errors.ErrorList);
2. compare with the database, prefetching existing institutions, MOUs and contacts by natural
   key one batch at a time, so queries grow with batches, not rows (planning.py);
3. only if there is no error at all, write everything in ONE transaction (COPY on PostgreSQL,
   bulk_create / bulk_update elsewhere). A database error half-way rolls the whole file back.
Every run, dry or real, successful or not, leaves a PartnerImport record.
"""

import gc
import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import ADDITION
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy

from academy_portal.core.services import log_admin_action
from partners.models import MOU, Contact, Institution, PartnerImport

from .errors import ErrorCount, ErrorList, ImportFileError, RowError, more_errors_summary
from .parsing import map_headers, parse_rows
from .pgcopy import can_copy, copy_insert, copy_update
from .planning import BATCH_SIZE, Plan, RowResult, chunks, plan_import
from .reading import detect_format, read_sheet

__all__ = [
    "BATCH_SIZE",
    "ImportOutcome",
    "PreviewNotAvailable",
    "RowResult",
    "apply_plan",
    "confirm_partner_import",
    "import_partner_file",
    "map_headers",
    "parse_rows",
    "plan_import",
]

ProgressCallback = Callable[[int, int], None]


class PreviewNotAvailable(Exception):
    """The preview was already confirmed, belongs to someone else or its file changed."""


@dataclass
class ImportOutcome:
    """`errors` holds the first IMPORT_ERRORS_SHOWN row errors by row; `error_count` counts
    them all, `error_counts` per column and kind (for the rest of them)."""

    record: PartnerImport
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    error_counts: list[ErrorCount] = field(default_factory=list)
    file_error: str = ""
    database_error: str = ""
    # Rows without an error by outcome: what the file would import once its errors are fixed
    # (the record's counts stay 0 for a file that imported nothing).
    counts: dict = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0})

    @property
    def ok(self) -> bool:
        return not (self.error_count or self.errors or self.file_error or self.database_error)

    @property
    def more_errors(self) -> int:
        """How many errors are counted but not in `errors`."""
        return max(0, self.error_count - len(self.errors))

    @property
    def nothing_to_do(self) -> bool:
        return self.ok and not (self.record.rows_new or self.record.rows_updated)


# -- 3. write ---------------------------------------------------------------------------


def apply_plan(plan: Plan, *, progress=None, total=0) -> None:
    """Write the plan; must run inside the caller's transaction (all or nothing)."""
    insert, update = (copy_insert, copy_update) if can_copy() else (_bulk_create, _bulk_update)
    for chunk in chunks(plan.new_institutions, BATCH_SIZE):
        insert(Institution, chunk, assign_ids=True)
    for chunk in chunks(plan.changed_institutions, BATCH_SIZE):
        update(
            Institution,
            chunk,
            [*sorted(plan.institution_fields), "search_text", "name_sort_key", "updated_at"],
        )
    for mou in plan.new_mous:
        mou["institution_id"] = mou.pop("institution")["id"]  # new institutions have one now
    written = 0
    for chunk in chunks(plan.new_mous, BATCH_SIZE):
        insert(MOU, chunk, assign_ids=False)
        written += len(chunk)
        if progress:
            progress(total + min(written, total), total * 2)
    for chunk in chunks(plan.changed_mous, BATCH_SIZE):
        update(MOU, chunk, [*sorted(plan.mou_fields), "updated_at"])
    for contact in plan.new_contacts:
        contact["institution_id"] = contact.pop("institution")["id"]
    for chunk in chunks(plan.new_contacts, BATCH_SIZE):
        insert(Contact, chunk, assign_ids=False)
    for chunk in chunks(plan.changed_contacts, BATCH_SIZE):
        update(Contact, chunk, sorted(plan.contact_fields))
    if progress:
        progress(total * 2, total * 2)


def _bulk_create(model, rows, *, assign_ids):
    build = InstanceBuilder(model)
    objs = [build(row) for row in rows]
    model.objects.bulk_create(objs)
    if assign_ids:
        for row, obj in zip(rows, objs, strict=True):
            row["id"] = obj.pk


def _bulk_update(model, rows, field_names):
    objs = [model(pk=row["id"], **{name: row[name] for name in field_names}) for row in rows]
    model.objects.bulk_update(objs, field_names)


class InstanceBuilder:
    """New unsaved instances from dicts of field values, through Model.__init__'s positional
    fast path (the keyword path costs about three times as much)."""

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

    def __call__(self, values: dict):
        args = list(self.defaults)
        for i in self.per_instance:
            args[i] = self.fields[i].get_default()
        for name, value in values.items():
            args[self.position[name]] = value
        return self.model(*args)


# -- the service ------------------------------------------------------------------------


@contextmanager
def _cyclic_gc_paused():
    """No cyclic garbage collection while a file is imported. A 100,000-row file creates
    millions of objects, which makes the collector run thousands of times over an ever larger
    heap: about a third of the import's time, for nothing, as the import creates no reference
    cycles and reference counting frees everything. Nested or concurrent imports leave it to
    whichever paused it first."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


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
        with _cyclic_gc_paused():
            record.file_format = file_format or detect_format(file_name, data)
            sheet = read_sheet(data, file_name=file_name, file_format=file_format)
            record.file_format, record.encoding = sheet.file_format, sheet.encoding
            record.rows_total = len(sheet.rows)
            rows, errors, written = parse_rows(sheet)
            # Plan the valid rows even when others failed, so the preview counts every problem.
            _plan_and_write(
                outcome, rows, written, errors=errors, dry_run=dry_run, progress=progress
            )
    except ImportFileError as exc:
        outcome.file_error = str(exc.message)
    _finish(outcome, data=data, keep_file=keep_file and dry_run and outcome.ok)
    return outcome


def _plan_and_write(outcome, rows, written, *, errors: ErrorList, dry_run, progress):
    try:
        with transaction.atomic():
            plan = plan_import(rows, written, progress=progress, errors=errors)
            outcome.rows = plan.rows
            if not errors and not dry_run:
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
    finally:
        if errors:
            outcome.rows = [r for r in outcome.rows if not errors.has_error(r.row)]
        for row in outcome.rows:
            outcome.counts[row.outcome] += 1
        outcome.errors, outcome.error_count = errors.shown, errors.total
        outcome.error_counts = errors.by_kind()
        outcome.record.rows_errors = errors.rows


def _finish(outcome: ImportOutcome, *, data: bytes, keep_file: bool) -> None:
    record = outcome.record
    counts = outcome.counts
    if outcome.ok:
        record.rows_new, record.rows_updated = counts["new"], counts["updated"]
        record.rows_unchanged = counts["unchanged"]
        record.status = (
            PartnerImport.Status.PREVIEWED if record.dry_run else PartnerImport.Status.IMPORTED
        )
    else:
        record.status = PartnerImport.Status.FAILED
    # Bounded like the preview: the errors shown, then one line counting the rest by kind.
    stored = [e.as_dict() for e in outcome.errors[: settings.IMPORT_ERRORS_SHOWN]]
    if outcome.error_count > len(stored):
        more = more_errors_summary(
            more=outcome.error_count - len(stored), counts=outcome.error_counts
        )
        stored.append({"row": 0, "column": "", "message": more})
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
            log_admin_action(
                user=user,
                obj=preview,
                action_flag=ADDITION,
                message=gettext_lazy("Partner file imported."),
            )
    return outcome
