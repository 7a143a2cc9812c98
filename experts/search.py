"""Folded text for finding experts by expertise: an area's name and its aliases, word-bounded.

Pure text (no models), so the model, its migration and the selectors share one formula.
"""

import re

from academy_portal.core.text import fold_for_search

# Punctuation separates words: "Law of the sea (UNCLOS)" is the words "law of the sea unclos".
_NON_WORD = re.compile(r"[^0-9a-z]+")
ALIAS_SEPARATOR = " | "


def fold_phrase(value: str | None) -> str:
    """Folded words only: "Luật Biển (UNCLOS)" -> "luat bien unclos"."""
    return " ".join(_NON_WORD.split(fold_for_search(value))).strip()


def split_aliases(aliases: str | None) -> list[str]:
    """Aliases are written one a line (or separated by semicolons)."""
    return [a.strip() for a in re.split(r"[\n;]+", aliases or "") if a.strip()]


def area_search_text(*, name: str, aliases: str) -> str:
    """ExpertiseArea.search_text: name and each alias folded, each padded with spaces and
    separated, so a phrase is found only as whole words within one of them."""
    phrases = [fold_phrase(name), *(fold_phrase(a) for a in split_aliases(aliases))]
    return ALIAS_SEPARATOR.join(f" {p} " for p in phrases if p)


def phrase_pattern(term: str | None) -> str:
    """What area_search_text must contain for `term` to name the area ("" for no term)."""
    phrase = fold_phrase(term)
    return f" {phrase} " if phrase else ""
