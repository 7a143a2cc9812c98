"""Reading exports back as a spreadsheet user would: csv module for CSV, openpyxl for .xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from openpyxl import load_workbook


def body(response) -> bytes:
    """The whole body of a plain, streaming or file response."""
    return response.getvalue()


def read_rows(content: bytes, file_format: str) -> list[list[str]]:
    """Header and rows, every cell as text ("" for empty; a date cell as its ISO date, a
    date-time cell as "YYYY-MM-DD HH:MM", the text the CSV export writes)."""
    if file_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf"), "CSV without a BOM: Excel garbles Vietnamese"
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [[_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()  # openpyxl reads every date cell as a datetime
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def column(rows: list[list[str]], header: str) -> list[str]:
    """The values under `header`, in row order."""
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def action_post(client, url, action, ids=(), *, select_across=False, query="", **headers):
    """What the admin's changelist form posts for an action.

    For "Select all N" the admin posts the ids ticked on the page shown (at most a page) and
    select_across=1; the action must then get the whole filtered list.
    """
    data = {
        "action": action,
        ACTION_CHECKBOX_NAME: [str(pk) for pk in ids],
        "index": 0,
        "select_across": "1" if select_across else "0",
    }
    return client.post(f"{url}{query}", data, **headers)
