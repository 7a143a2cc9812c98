"""Parse one cell into a model value, or raise CellError with a plain-language reason."""

import datetime as dt
import re
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from academy_portal.core.text import fold_for_search, normalize_text
from partners.models import MOU, AcademyUnit, Institution

from .errors import clip
from .escaping import unescape_formula
from .reading import FormulaCell


class CellError(ValueError):
    """A bad cell: the message for the officer, its kind (a key of errors.KINDS) and the values
    the message quotes. The message is translated and worded only when shown: a hostile file
    can have 200,000 distinct bad values, of which the preview shows a few hundred."""

    def __init__(self, message, kind: str = "invalid", params: dict | None = None):
        super().__init__(message, kind, params)  # in args: no per-instance __dict__

    @property
    def kind(self) -> str:
        return self.args[1]

    def __str__(self):
        message, _kind, params = self.args
        return str(message) % params if params else str(message)


EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 date system, leap-year bug included
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])
# Strict subsets of what those validators accept, checked first because they are ~20x cheaper;
# anything they do not match still goes through Django's validators.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_SIMPLE_EMAIL = re.compile(rf"^[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:{_LABEL}\.)+[a-z]{{2,24}}$")
_SIMPLE_URL = re.compile(rf"^https?://(?:{_LABEL}\.)+[a-z]{{2,24}}(?:/[^\s<>\"]*)?$", re.I)


def text(value) -> str:
    """A cell as clean text: NFC, single spaces, our own formula escape removed."""
    if value is None:
        return ""
    if (
        type(value) is str
        and value.isascii()
        and value.isprintable()
        and "  " not in value
        and value == value.strip()
    ):
        # Fast path for the common plain cell: nothing to normalise or collapse.
        return unescape_formula(value) if value[:1] == "'" else value
    if isinstance(value, FormulaCell):
        raise CellError(
            _("contains a formula (%(formula)s); paste the values instead of formulas"),
            "formula",
            {"formula": str(value)[:40]},
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    return normalize_text(unescape_formula(str(value)))


def multiline_text(value) -> str:
    """Like `text` but keeps line breaks (notes)."""
    if isinstance(value, str):
        value = unescape_formula(value)
        lines = [normalize_text(line) for line in value.replace("\r\n", "\n").split("\n")]
        return "\n".join(lines).strip()
    return text(value)


def date(value):
    """ISO, day/month/year (/ . or -) or an Excel date; None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, FormulaCell):
        text(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not (1 <= value < 2958466) or value != int(value):
            raise CellError(_("%(value)s is not a date"), "date", {"value": clip(value)})
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    return _date_from_text(text(value))


@lru_cache(maxsize=8192)
def _date_from_text(raw: str):
    if not raw:
        return None
    match = _ISO.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _make_date(raw, year, month, day)
    match = _DAY_FIRST.match(raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) != 4:
            raise CellError(
                _("%(value)s: write the year with four digits (day/month/year)"),
                "date",
                {"value": raw},
            )
        if month > 12 and day <= 12:
            raise CellError(
                _("%(value)s is not a date (expected day/month/year)"), "date", {"value": raw}
            )
        return _make_date(raw, year, month, day)
    raise CellError(
        _("%(value)s is not a date (expected day/month/year or year-month-day)"),
        "date",
        {"value": clip(raw)},
    )


def _make_date(raw, year, month, day):
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("%(value)s is not a date"), "date", {"value": raw}) from None


@cache
def _country_index() -> dict[str, str]:
    index = {}
    for lang in ("en", "vi"):
        with translation.override(lang):
            for code, name in countries:
                index.setdefault(fold_for_search(str(name)), code)
    for code, _name in countries:
        index[code.lower()] = code
        alpha3 = countries.alpha3(code)
        if alpha3:
            index.setdefault(alpha3.lower(), code)
    index.update(
        {
            "viet nam": "VN",
            "socialist republic of viet nam": "VN",
            "usa": "US",
            "united states": "US",
            "united states of america": "US",
            "uk": "GB",
            "great britain": "GB",
            "republic of korea": "KR",
            "korea, republic of": "KR",
            "lao pdr": "LA",
            "russian federation": "RU",
            "the netherlands": "NL",
        }
    )
    return index


def country(value) -> str:
    if isinstance(value, str):
        return _country_cached(value)
    return _country_cached(text(value))


@lru_cache(maxsize=4096)
def _country_cached(value: str) -> str:
    raw = text(value)
    if not raw:
        raise CellError(_("is required"), "required")
    code = _country_index().get(fold_for_search(raw))
    if not code:
        raise CellError(
            _(
                "%(value)s is not a country we know (use an ISO code such as VN or the English "
                "name)"
            ),
            "country",
            {"value": clip(raw)},
        )
    return code


@cache
def _choice_index(kind: str) -> dict[str, str]:
    choices = {
        "kind": Institution.Kind.choices,
        "academy_unit": AcademyUnit.choices,
        "status": MOU.Status.choices,
    }[kind]
    index = {}
    for lang in ("en", "vi"):
        with translation.override(lang):
            for stored, label in choices:
                index[fold_for_search(str(label))] = stored
                index[fold_for_search(stored.replace("_", " "))] = stored
                index[fold_for_search(stored)] = stored
    index.update(_CHOICE_ALIASES[kind])
    return index


_CHOICE_ALIASES = {
    "kind": {
        "vien nghien cuu": "think_tank",
        "think-tank": "think_tank",
        "truong dai hoc": "university",
        "dai hoc": "university",
        "co quan nghien cuu chinh phu": "gov_research",
        "to chuc phi chinh phu": "ngo",
        "to chuc quoc te": "intl_org",
        "international organization": "intl_org",
    },
    "academy_unit": {
        "iss": "iss",
        "vien nghien cuu chien luoc": "iss",
        "east sea": "east_sea",
        "vien bien dong": "east_sea",
        "vien chinh sach doi ngoai": "foreign_policy",
        "vien nghien cuu chinh sach doi ngoai": "foreign_policy",
        "international cooperation": "intl_cooperation",
        "vu hop tac quoc te": "intl_cooperation",
        "training": "training",
        "khoa dao tao": "training",
    },
    "status": {
        "expiring": MOU.EXPIRING,
        "sap het han": MOU.EXPIRING,
        "ban nhap": "draft",
        "du thao": "draft",
        "dang co hieu luc": "active",
        "co hieu luc": "active",
        "con hieu luc": "active",
        "hieu luc": "active",
        "het han": "expired",
        "da het han": "expired",
        "cham dut": "terminated",
        "da cham dut": "terminated",
    },
}


def choice(kind: str, value) -> str:
    """A stored choice value from a code or an English/Vietnamese label; "" when empty."""
    if isinstance(value, str):
        return _choice_cached(kind, value)
    return _choice_cached(kind, text(value))


@cache
def _accepted(kind: str) -> str:
    with translation.override("en"):
        accepted = {
            "kind": Institution.Kind.labels,
            "academy_unit": AcademyUnit.labels,
            "status": [*MOU.Status.labels, str(MOU.EXPIRING_LABEL)],
        }[kind]
        return ", ".join(str(a) for a in accepted)


@lru_cache(maxsize=4096)
def _choice_cached(kind: str, value: str) -> str:
    raw = text(value)
    if not raw:
        return ""
    stored = _choice_index(kind).get(fold_for_search(raw))
    if stored is None:
        raise CellError(
            _("%(value)s is not one of: %(accepted)s"),
            "choice",
            {"value": clip(raw), "accepted": _accepted(kind)},
        )
    return stored


def email(value) -> str:
    raw = text(value).lower()
    if raw and not _SIMPLE_EMAIL.match(raw):
        try:
            _email(raw)
        except ValidationError:
            raise CellError(
                _("%(value)s is not an email address"), "email", {"value": clip(raw)}
            ) from None
    return raw


def website(value) -> str:
    return _website_cached(text(value))


@lru_cache(maxsize=4096)
def _website_cached(raw: str) -> str:
    if not raw:
        return ""
    if "://" not in raw:
        raw = f"https://{raw}"  # "www.iseas.edu.sg" is how people write it
    if _SIMPLE_URL.match(raw):
        return raw
    try:
        _url(raw)
    except ValidationError:
        raise CellError(
            _("%(value)s is not a web address"), "website", {"value": clip(raw)}
        ) from None
    return raw


def areas(value) -> str:
    """`;`-separated areas (or one per line) stored one per line."""
    raw = (
        ""
        if value is None
        else str(unescape_formula(text(value) if not isinstance(value, str) else value))
    )
    parts = [normalize_text(p) for p in raw.replace("\n", ";").split(";")]
    return "\n".join(p for p in parts if p)
