"""One export engine for every list the staff download (invitations, experts, partners, outbox).

Invariants, whatever the size of the selection:
- every selected row is written exactly once: the selection is read once, as primary keys in a
  total order that ends in the primary key (ties on name or date can never overlap or skip
  pages), duplicates dropped; rows are then fetched by those keys, a chunk at a time;
- rows are written as they are read: CSV is streamed, .xlsx written row by row to a temporary
  file in constant memory (academy_portal.core.xlsx), so the process holds one chunk of rows
  (and the list of keys, which the access log stores anyway), never the whole file;
- the queries do not re-sort the selection per chunk: one ordered query for the keys, then per
  chunk one indexed `pk IN (...)` query plus one per prefetch;
- an export of personal data writes the access log, with exactly the keys exported, before the
  first byte leaves the server;
- every cell is escaped against formula injection (academy_portal.core.escaping).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django_countries import countries

from academy_portal.core.escaping import escape_formula
from academy_portal.core.models import AccessLog
from academy_portal.core.services import record_access
from academy_portal.core.xlsx import xlsx_pieces

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
# A BOM so Excel opens UTF-8 (Vietnamese) CSV correctly.
BOM = "\ufeff"
# CSV bytes gathered before a piece of the response is sent.
CSV_FLUSH_BYTES = 64 * 1024
# Characters XML 1.0 (so .xlsx) cannot hold; dropped from every cell, CSV too, for one file.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Column:
    header: str  # usually a lazy translation
    value: Callable[[object], object]  # reads a record as `Export.fetch` returns it


def field_label(model: type[models.Model], name: str):
    """A model field's (translated) verbose name as a column header: "Email", "Given name"."""
    return capfirst(model._meta.get_field(name).verbose_name)


def country_name(read: Callable[[object], object]) -> Callable[[object], str]:
    """The (translated) name of the country `read` returns (a code or a Country).

    Each name is translated once per export: per-row translations (country names,
    get_FOO_display, lazy strings) cost more than the rest of an export together.
    """
    names: dict[str, str] = {}

    def name(obj):
        country = read(obj)
        code = getattr(country, "code", country)
        if not code:
            return ""
        if code not in names:
            names[code] = str(countries.name(code))
        return names[code]

    return name


def cell(value, *, keep_dates: bool = False):
    """The text written for one value: "" for None, ISO dates, local minutes, formula-escaped.
    With `keep_dates` (.xlsx), dates and local naive datetimes stay dates: the workbook writes
    them as date cells, which sort, filter and compute in Excel."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if keep_dates:
            return value.replace(tzinfo=None, second=0, microsecond=0)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value if keep_dates else value.isoformat()
    # Control characters first (.xlsx cannot hold them), so none can hide a leading "=".
    return escape_formula(UNWRITABLE.sub("", str(value)))


class Export:
    """What one export writes. Subclasses set the model, columns, order and related rows.

    `order` must end in "pk" (or "-pk"): the tie-breaker that makes it a total order.
    `logged` marks exports with names or emails of people: they write the access log.
    """

    model: type[models.Model]
    file_stem = "export"
    what = ""
    order: Sequence[str] = ("pk",)
    select_related: Sequence[str] = ()
    prefetch_related: Sequence = ()
    logged = False

    def __init__(self, *, user=None):
        self.user = user
        if not self.order or self.order[-1].lstrip("-") not in ("pk", "id"):
            raise ValueError(f"{type(self).__name__}.order must end in the primary key")

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def includes_personal_details(self) -> bool:
        """True when the file carries passport or other restricted details (for the log)."""
        return False

    def rows_queryset(self) -> models.QuerySet:
        """The queryset a chunk of rows is read from (by primary key)."""
        return (
            self.model._default_manager.select_related(*self.select_related)
            .prefetch_related(*self.prefetch_related)
            .order_by()
        )

    # --- the engine -------------------------------------------------------------------------

    def selected_ids(self, queryset: models.QuerySet) -> list[int]:
        """Primary keys of the selection in export order, each once (a join could repeat one)."""
        ids = queryset.order_by(*self.order).values_list("pk", flat=True)
        return list(dict.fromkeys(ids))

    def header(self) -> list[str]:
        return [str(column.header) for column in self.columns()]

    def fetch(self, chunk: Sequence[int]) -> dict[int, object]:
        """The records of one chunk by primary key, as the columns read them (model instances;
        an export may read plain values instead, for speed)."""
        return {obj.pk: obj for obj in self.rows_queryset().filter(pk__in=chunk)}

    def rows(
        self, ids: Sequence[int], *, chunk_size: int | None = None, keep_dates: bool = False
    ) -> Iterator[list]:
        """The rows of `ids`, in that order, read `chunk_size` at a time (text cells; dates stay
        dates with `keep_dates`)."""
        # Columns now, while the request's language is active, not when streaming starts.
        return self._rows(ids, chunk_size or settings.EXPORT_CHUNK_SIZE, self.columns(), keep_dates)

    def _rows(self, ids, size, columns, keep_dates=False):
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            by_pk = self.fetch(chunk)
            for pk in chunk:
                obj = by_pk.get(pk)
                if obj is not None:  # deleted since the selection was read
                    yield [cell(column.value(obj), keep_dates=keep_dates) for column in columns]

    def file_name(self, file_format: str) -> str:
        extension = EXPORT_FORMATS[file_format][1]
        return f"{self.file_stem}-{timezone.localdate():%Y-%m-%d}.{extension}"

    def record(self, ids: Sequence[int], file_format: str) -> None:
        if self.logged:
            record_access(
                user=self.user,
                action=AccessLog.Action.EXPORT,
                model=self.model,
                what=f"{self.what} ({file_format})",
                object_ids=ids,
                personal_details=self.includes_personal_details(),
            )

    def pieces(self, ids: Sequence[int], file_format: str, *, chunk_size=None) -> Iterator[bytes]:
        """The file of `ids`, in pieces, produced as the rows are read."""
        if file_format == "csv":
            return csv_pieces(self.header(), self.rows(ids, chunk_size=chunk_size))
        rows = self.rows(ids, chunk_size=chunk_size, keep_dates=True)
        return xlsx_pieces(self.header(), rows, sheet_name=str(self.what or self.file_stem))

    def response(self, queryset: models.QuerySet, *, file_format: str, chunk_size=None):
        """The download of `queryset`, streamed; the access log is written before it starts."""
        ids = self.selected_ids(queryset)
        self.record(ids, file_format)
        response = StreamingHttpResponse(
            self.pieces(ids, file_format, chunk_size=chunk_size),
            content_type=EXPORT_FORMATS[file_format][0],
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=self.file_name(file_format)
        )
        return response

    def content(self, queryset: models.QuerySet, *, file_format: str, chunk_size=None) -> bytes:
        """The whole file in memory, for tests and small in-process uses (not logged)."""
        ids = self.selected_ids(queryset)
        return b"".join(self.pieces(ids, file_format, chunk_size=chunk_size))


def csv_pieces(header: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM) in pieces of about CSV_FLUSH_BYTES, as the rows come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= CSV_FLUSH_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
