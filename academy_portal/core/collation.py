"""Vietnamese alphabetical order, for lists of countries and names shown in Vietnamese.

PyICU has no wheel on PyPI and Python's locale collation depends on the host's locales, so this is a
small, tested key instead: the Vietnamese alphabet a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t
u ư v x y (foreign f j w z in their Latin places), letters first, tones only to break ties, in the
dictionary order none, huyền, hỏi, ngã, sắc, nặng. So "Đức" sorts after "Dominica", not after
"Zimbabwe", and "Anh" before "Ấn Độ".
"""

import functools
import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET, start=20)}
# Marks that make a letter of their own (ă â ê ô ơ ư) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tones in dictionary order: none (0), huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SEPARATORS = {" ", "-", "\u2013", "\u2014", "/"}


def _letters(text: str) -> list[tuple[str, int]]:
    """(base letter, tone) pairs; other combining marks (ç, ü, ...) are ignored."""
    pairs: list[list] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if unicodedata.combining(char):
            if not pairs:
                continue
            if char in _LETTER_MARKS:
                pairs[-1][0] = unicodedata.normalize("NFC", pairs[-1][0] + char)
            elif char in _TONE_RANK:
                pairs[-1][1] = _TONE_RANK[char]
            continue
        pairs.append([char, 0])
    return [(letter, tone) for letter, tone in pairs]


@functools.lru_cache(maxsize=4096)
def _primary(letter: str) -> int | None:
    if letter in _LETTER_RANK:
        return _LETTER_RANK[letter]
    if letter in _SEPARATORS:
        return 1
    if letter.isdigit():
        return 2 + int(letter) if letter in "0123456789" else 12
    if letter.isalpha():
        return 1000 + ord(letter)
    return None  # other punctuation does not count


def vietnamese_sort_key(text: str) -> tuple:
    """Sort key for `text` in Vietnamese order: letters, then tones, then the text itself."""
    pairs = [(_primary(letter), tone) for letter, tone in _letters(str(text))]
    pairs = [(rank, tone) for rank, tone in pairs if rank is not None]
    return (
        tuple(rank for rank, _ in pairs),
        tuple(tone for _, tone in pairs),
        str(text),
    )


# A stored sort key (vietnamese_sort_column) is made of [0-9a-z] only: strings of these sort the
# same under every database collation (C, en_US, ICU), so ORDER BY on the column gives the
# Vietnamese order on SQLite and PostgreSQL alike, and an index serves it.
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_SHORT = 36 * 35  # ranks below this take two characters, the first "1".."y"
_PART_END = "0"  # ends a part's letters: below every letter's code, so "Anh" < "Anha"


def _base36(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        chars.append(_DIGITS[digit])
    return "".join(reversed(chars))


@functools.lru_cache(maxsize=4096)  # a few dozen distinct ranks; ~34 calls per name
def _rank_code(rank: int) -> str:
    """An order-keeping, prefix-free code of a letter's rank: "10".."yz" for the alphabet and
    the usual marks, "z" and four characters for the rare letters of other scripts."""
    if rank + 36 < _SHORT:
        return _base36(rank + 36, 2)
    return "z" + _base36(rank, 4)


def vietnamese_sort_column(*parts: str) -> str:
    """A text that sorts, compared as plain text, in the Vietnamese order of `parts` (family name,
    then given name, for instance): each part's letters as vietnamese_sort_key ranks them, then
    its tones. Case and punctuation are ignored; rows equal here are ordered by their key."""
    pieces = []
    for part in parts:
        ranks, tones, _text = vietnamese_sort_key(part or "")
        pieces.append("".join(map(_rank_code, ranks)) + _PART_END + "".join(map(str, tones)))
    return "".join(pieces)
