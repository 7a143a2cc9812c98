# ruff: noqa: RUF001, RUF002 -- the multiplication sign in "120,000 x ..." is meant
"""What can go wrong with an import file, in words a partnerships officer understands."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, encoding, format, headers); nothing imported."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# The kinds of row error, for the counts shown when a file has more errors than are listed.
# A kind never contains a value from the file, so a file has at most columns x kinds counts.
KINDS = {
    "invalid": _("not valid"),
    "formula": _("a formula instead of a value"),
    "date": _("not a valid date"),
    "country": _("unknown country"),
    "choice": _("not one of the accepted values"),
    "email": _("not a valid email address"),
    "website": _("not a valid web address"),
    "too_long": _("too long"),
    "required": _("empty, but required"),
    "expiry_before_start": _("expiry date before the start date"),
    "expiring_without_expiry": _("expiring MOU without an expiry date"),
    "contact_without_name": _("contact details without a contact name"),
    "institution_conflict": _("different values for the same institution"),
    "repeated_mou": _("the same MOU twice"),
    "required_new_institution": _("empty, but required for a new institution"),
    "required_new_mou": _("empty, but required for a new MOU"),
}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # spreadsheet row number as staff see it: the header is row 1
    column: str  # the column header as written in the file ("" for the whole row)
    message: str
    kind: str = "invalid"  # a key of KINDS

    def __str__(self):
        if self.column:
            return f"row {self.row}, {self.column}: {self.message}"
        return f"row {self.row}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


@dataclass(frozen=True, slots=True)
class ErrorCount:
    column: str
    kind: str
    count: int

    @property
    def problem(self) -> str:
        return str(KINDS.get(self.kind, KINDS["invalid"]))


def clip(value, limit: int = 80) -> str:
    """A value from the file quoted in a message: a 10,000-character cell must not make every
    error message (and the preview page listing them) that long."""
    text = str(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def grouped(number: int) -> str:
    """225000 -> "225,000" (in the active language's format)."""
    return number_format(number, force_grouping=True)


class ErrorList:
    """Every row error of one import, in bounded memory whatever the file holds: the first
    `limit` errors by (row, column) are kept as RowErrors (in the order the checks found them
    when row and column are equal), every error is counted by (column, kind), and the rows
    with an error are marked in a bytearray. Beyond the limit no RowError (or message) is
    built, so 200,000 bad rows cost counters, not 200,000 objects."""

    def __init__(self, limit: int | None = None):
        self.limit = max(1, settings.IMPORT_ERRORS_SHOWN if limit is None else limit)
        self.total = 0
        self.counts: Counter = Counter()  # (column, kind) -> number of errors
        self._kept: list[RowError] = []
        self._cutoff: tuple[int, str] | None = None  # set once `limit` errors are kept
        self._rows = bytearray()

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def add(
        self, row: int, column: str, message, kind: str = "invalid", params: dict | None = None
    ) -> None:
        """Count an error; keep it if it is among the first `limit`. The message (a CellError,
        a lazy translation, with `params` to fill in) is only worded for an error kept."""
        self.total += 1
        self.counts[(column, kind)] += 1
        if row >= len(self._rows):
            self._rows.extend(bytes(row + 1 - len(self._rows) + 4096))
        self._rows[row] = 1
        if self._cutoff is not None and (row, column) >= self._cutoff:
            return  # sorts after `limit` errors already kept
        text = str(message) % params if params else str(message)
        self._kept.append(RowError(row, column, text, kind))
        if len(self._kept) >= 2 * self.limit:
            self._trim()

    def _trim(self) -> None:
        self._kept.sort(key=_position)  # stable: equal positions keep the order found
        del self._kept[self.limit :]
        if len(self._kept) == self.limit:
            last = self._kept[-1]
            self._cutoff = (last.row, last.column)

    @property
    def shown(self) -> list[RowError]:
        """The first `limit` errors by row and column."""
        self._trim()
        return list(self._kept)

    def has_error(self, row: int) -> bool:
        return row < len(self._rows) and self._rows[row] == 1

    @property
    def rows(self) -> int:
        """How many rows have at least one error."""
        return len(self._rows) - self._rows.count(0)

    def by_kind(self) -> list[ErrorCount]:
        """Every error counted per column and kind, the most frequent first."""
        return [
            ErrorCount(column, kind, count)
            for (column, kind), count in sorted(
                self.counts.items(), key=lambda item: (-item[1], item[0])
            )
        ]


def _position(error: RowError) -> tuple[int, str]:
    return (error.row, error.column)


def count_line(count: ErrorCount) -> str:
    """'120,000 × unknown country in column Country'."""
    if not count.column:
        return _g("%(count)s × %(problem)s") % {
            "count": grouped(count.count),
            "problem": count.problem,
        }
    return _g("%(count)s × %(problem)s in column %(column)s") % {
        "count": grouped(count.count),
        "problem": count.problem,
        "column": count.column,
    }


def more_errors_summary(*, more: int, counts: list[ErrorCount]) -> str:
    """One sentence for the errors beyond those listed, with every error counted by kind."""
    return _g("… and %(more)s more errors not listed. All errors by column: %(counts)s.") % {
        "more": grouped(more),
        "counts": "; ".join(count_line(c) for c in counts),
    }
