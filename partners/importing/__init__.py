"""Import MOU partners from CSV/.xlsx: all rows or none. See docs/import.md."""

from .errors import ImportFileError, RowError
from .service import (
    ImportOutcome,
    PreviewNotAvailable,
    RowResult,
    confirm_partner_import,
    import_partner_file,
)

__all__ = [
    "ImportFileError",
    "ImportOutcome",
    "PreviewNotAvailable",
    "RowError",
    "RowResult",
    "confirm_partner_import",
    "import_partner_file",
]
