"""Text helpers shared by the apps: Unicode normalisation and diacritic-insensitive folding."""

import unicodedata

from unidecode import unidecode


def normalize_text(value: str | None) -> str:
    """NFC-normalise and collapse surrounding/inner runs of white space."""
    if not value:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def fold_for_search(value: str | None) -> str:
    """Lower-case ASCII form used for searching: "Nguyễn Hùng Sơn" -> "nguyen hung son"."""
    return " ".join(unidecode(normalize_text(value)).lower().split())
