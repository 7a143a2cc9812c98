"""Insert and update rows with PostgreSQL's COPY: the same rows bulk_create / bulk_update would
write, several times faster, from plain dicts of field values rather than model instances. Runs
inside the caller's transaction, so constraints, triggers and the all-or-nothing rollback behave
exactly as with bulk_create. Other databases use bulk_create / bulk_update (service.py);
tests/partners/test_import_fast_paths.py pins the two paths to the same stored values."""

import csv
import datetime as dt
import io
import json

from django.db import connection
from django.utils import timezone

_TEXT_TYPES = {
    "CharField", "TextField", "EmailField", "URLField", "SlugField", "FileField", "ImageField",
    "FilePathField",
}  # fmt: skip


def can_copy() -> bool:
    return connection.vendor == "postgresql"


def copy_insert(model, rows: list[dict], *, assign_ids: bool) -> None:
    """INSERT `rows` (attname -> value; a field a row lacks gets its default, auto_now fields
    the current time) with one COPY; with assign_ids, each row gets its primary key first."""
    if not rows:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key or assign_ids]
    if assign_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            pk = meta.pk.attname
            for row, (value,) in zip(rows, cursor.fetchall(), strict=True):
                row[pk] = value
    now = str(timezone.now())  # as csv would write it, once rather than on every row
    defaults = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append(now)
        elif field.primary_key:
            defaults.append(None)
        elif field.has_default() and callable(field.default):
            # uuid4 and the like: a value of its own for every row that lacks one.
            for row in rows:
                if field.attname not in row:
                    row[field.attname] = field.get_default()
            defaults.append(None)
        else:
            defaults.append(field.get_default())
    attnames = [f.attname for f in fields]
    # A row's values in field order, each the row's own or the field's default.
    lines = (map(row.get, attnames, defaults) for row in rows)
    _copy(meta.db_table, fields, lines)


def copy_update(model, rows: list[dict], field_names: list[str]) -> None:
    """UPDATE `field_names` of the rows with these ids: COPY the new values into a temporary
    table, then one UPDATE ... FROM it (Django's bulk_update builds a CASE per row and field)."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in field_names)]
    quote = connection.ops.quote_name
    table, temp = quote(meta.db_table), quote(f"import_update_{meta.db_table}")
    columns = ", ".join(quote(f.column) for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = u.{quote(f.column)}" for f in fields[1:])
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
    attnames = [f.attname for f in fields]
    lines = ([row[a] for a in attnames] for row in rows)
    _copy(f"import_update_{meta.db_table}", fields, lines)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {temp} AS u "
            f"WHERE t.{quote(meta.pk.column)} = u.{quote(meta.pk.column)}"
        )
        cursor.execute(f"DROP TABLE {temp}")


def _copy(db_table: str, fields: list, lines) -> None:
    """COPY the lines (each an iterable of values in field order) into the table."""
    convert = {i: _converter(f) for i, f in enumerate(fields) if not _csv_writes_it(f)}
    if convert:
        lines = (_converted(line, convert) for line in lines)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    options = "FORMAT csv"
    not_null_text = [
        f.column for f in fields if f.get_internal_type() in _TEXT_TYPES and not f.null
    ]
    if not_null_text:
        # An unquoted empty field is NULL in CSV COPY; text columns want "" instead.
        options += f", FORCE_NOT_NULL ({', '.join(quote(c) for c in not_null_text)})"
    # copy_expert is psycopg's own method: wrap its errors as Django's (IntegrityError, ...).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(
            f"COPY {quote(db_table)} ({columns}) FROM STDIN WITH ({options})", buffer
        )


# Values the csv module already writes the way PostgreSQL reads them: str() of a date is
# 2024-05-17, of an aware datetime 2024-05-17 10:00:00.123456+00:00, None is an empty field.
_CSV_NATIVE = {
    *_TEXT_TYPES, "DateField", "DateTimeField", "ForeignKey", "OneToOneField", "AutoField",
    "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField",
    "PositiveBigIntegerField", "SmallIntegerField", "PositiveSmallIntegerField",
}  # fmt: skip


def _csv_writes_it(field) -> bool:
    return field.get_internal_type() in _CSV_NATIVE


def _converted(line, convert: dict) -> list:
    line = list(line)
    for i, to_text in convert.items():
        value = line[i]
        if type(value) is not str or getattr(to_text, "converts_text", False):
            line[i] = to_text(value)
    return line


def _converter(field):
    if field.get_internal_type() == "JSONField":
        # The JSON text itself (a str value too is a JSON string); psycopg's adapter would
        # write a SQL literal ('{}'::jsonb), which COPY cannot read.
        def to_json(value):
            return "" if value is None else json.dumps(value, cls=field.encoder)

        to_json.converts_text = True
        return to_json

    def convert(value):
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, int):
            return value
        prepared = field.get_db_prep_save(value, connection)
        return "" if prepared is None else prepared

    return convert
