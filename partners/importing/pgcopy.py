"""Insert new rows with PostgreSQL's COPY: the same rows bulk_create would write, a few times
faster. Runs inside the caller's transaction, so constraints, triggers and the all-or-nothing
rollback behave exactly as with bulk_create. Other databases use bulk_create."""

import csv
import datetime as dt
import io

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
    now = timezone.now()
    convert = [_converter(f) for f in fields]
    template, per_row = [], []
    for i, field in enumerate(fields):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        elif field.has_default() and callable(field.default):
            default = None
            per_row.append(i)  # uuid4 and the like: a new value for every row
        else:
            default = None if field.primary_key else field.get_default()
        template.append(default if type(default) is str else convert[i](default))
    position = {f.attname: i for i, f in enumerate(fields)}
    lines = []
    for row in rows:
        line = template.copy()
        for name, value in row.items():
            i = position.get(name)
            if i is not None:
                line[i] = value if type(value) is str else convert[i](value)
        for i in per_row:
            if fields[i].attname not in row:
                line[i] = convert[i](fields[i].get_default())
        lines.append(line)
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
    convert = [_converter(f) for f in fields]
    lines = [
        [
            v if type(v) is str else c(v)
            for v, c in zip([row[a] for a in attnames], convert, strict=True)
        ]
        for row in rows
    ]
    _copy(f"import_update_{meta.db_table}", fields, lines)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {temp} AS u "
            f"WHERE t.{quote(meta.pk.column)} = u.{quote(meta.pk.column)}"
        )
        cursor.execute(f"DROP TABLE {temp}")


def _copy(db_table: str, fields: list, lines: list[list]) -> None:
    """COPY lines of already converted values (one per field) into the table."""
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


def _converter(field):
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
