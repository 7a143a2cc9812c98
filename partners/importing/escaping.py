"""The import side uses the exports' escaping (academy_portal.core.escaping) to undo it exactly."""

from academy_portal.core.escaping import FORMULA_START, escape_formula, unescape_formula

__all__ = ["FORMULA_START", "escape_formula", "unescape_formula"]
