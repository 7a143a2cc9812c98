"""Formula-injection escaping for exports, and its exact inverse for imports.

A cell whose text starts with = + - @ tab or CR would be run as a formula by a spreadsheet, so
exports prefix it with an apostrophe. Values that already look like an escaped cell (apostrophes
followed by such a character) get one more apostrophe, so un-escaping on import removes exactly
the apostrophe we added and an export always re-imports unchanged.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPABLE = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def escape_formula(value):
    """Text that a spreadsheet could evaluate comes back with a leading apostrophe."""
    if isinstance(value, str) and _ESCAPABLE.match(value):
        return "'" + value
    return value


def unescape_formula(value):
    """Remove the one apostrophe `escape_formula` added; leave every other value alone."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return value[1:]
    return value
