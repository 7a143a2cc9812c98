"""Parse one cell into a model value, or raise CellError with a plain-language reason."""

import datetime as dt
import re
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.data import COUNTRIES

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


# Short and common forms officers write, English and Vietnamese (folded: case and diacritics
# are ignored). django-countries' own names in both languages (with COUNTRIES_OVERRIDE applied)
# are accepted as well; these only add to them.
COUNTRY_ALIASES = {
    "viet nam": "VN", "socialist republic of viet nam": "VN",
    "cong hoa xa hoi chu nghia viet nam": "VN",
    "usa": "US", "us": "US", "united states": "US", "united states of america": "US",
    "america": "US",
    "hoa ky": "US", "nuoc my": "US",
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "anh": "GB",
    "vuong quoc anh": "GB", "anh quoc": "GB",
    "korea": "KR", "republic of korea": "KR", "korea, republic of": "KR", "rok": "KR",
    "han quoc": "KR", "dai han dan quoc": "KR", "nam trieu tien": "KR",
    "dprk": "KP", "trieu tien": "KP", "bac trieu tien": "KP",
    "dai loan": "TW", "trung quoc dai loan": "TW",
    "russian federation": "RU", "nga": "RU", "lien bang nga": "RU",
    "lao pdr": "LA", "lao": "LA", "cong hoa dan chu nhan dan lao": "LA",
    "campuchia": "KH", "cam pu chia": "KH", "kampuchea": "KH",
    "trung quoc": "CN", "prc": "CN", "nhat": "JP", "nhat ban": "JP",
    "uc": "AU", "o xtray li a": "AU", "an do": "IN", "thai lan": "TH",
    "xin ga po": "SG", "singapo": "SG", "ma lai xi a": "MY", "in do ne xi a": "ID",
    "phi lip pin": "PH", "mi an ma": "MM", "bru nay": "BN", "dong timor": "TL", "dong ti mo": "TL",
    "the netherlands": "NL", "holland": "NL", "ha lan": "NL", "czech republic": "CZ", "sec": "CZ",
    "cong hoa sec": "CZ", "duc": "DE", "phap": "FR", "y": "IT", "italia": "IT",
    "tay ban nha": "ES", "bo dao nha": "PT", "thuy si": "CH", "thuy dien": "SE", "bi": "BE",
    "ba lan": "PL", "ca na da": "CA", "niu di lan": "NZ", "tan tay lan": "NZ",
    # django-countries' Vietnamese gives one name to two countries (Ai-len for Iceland and
    # Ireland, Áo for Austria and Jersey): the ambiguous name means the country people mean.
    "ai len": "IE", "ireland": "IE", "aixolen": "IS", "bang dao": "IS",
    "niger": "NE", "nigeria": "NG",
}  # fmt: skip
# Vietnamese short names that, folded, are also ISO codes (MY Malaysia, BI Burundi, AO Angola,
# NGA Nigeria): matched with their diacritics (and "Nga" unless written as the code NGA).
COUNTRY_EXACT = {"mỹ": "US", "mĩ": "US", "bỉ": "BE", "áo": "AT", "nga": "RU"}


def _country_key(value: str) -> str:
    return " ".join(fold_for_search(value).replace("-", " ").split())


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for lang in ("en", "vi"):
        seen: dict[str, str] = {}
        with translation.override(lang):
            # The names shown (COUNTRIES_OVERRIDE applied) and django-countries' own, which
            # officers' older files use ("Hợp chủng quốc Hoa Kỳ").
            names = [*countries, *((code, COUNTRIES[code]) for code in COUNTRIES)]
            for code, name in names:
                key = _country_key(str(name))
                if seen.setdefault(key, code) != code:
                    ambiguous.add(key)  # one name for two countries: never guess
        for key, code in seen.items():
            index.setdefault(key, code)
    for key in ambiguous:
        index.pop(key, None)
    for code, _name in countries:
        index[code.lower()] = code
        alpha3 = countries.alpha3(code)
        if alpha3:
            index.setdefault(alpha3.lower(), code)
    index.update(COUNTRY_ALIASES)
    return index


@cache
def _codes() -> dict[str, str]:
    return {code.lower(): code for code, _name in countries} | {
        countries.alpha3(code).lower(): code for code, _name in countries if countries.alpha3(code)
    }


def country(value) -> str:
    if isinstance(value, str):
        return _country_cached(value)
    return _country_cached(text(value))


@lru_cache(maxsize=4096)
def _country_cached(value: str) -> str:
    raw = text(value)
    if not raw:
        raise CellError(_("is required"), "required")
    code = None
    if raw.isascii() and raw.isupper() and len(raw) in (2, 3):
        code = _codes().get(raw.lower())  # "NGA", "MY": a code written as a code
    code = code or COUNTRY_EXACT.get(raw.lower()) or _country_index().get(_country_key(raw))
    if not code:
        raise CellError(
            _(
                "%(value)s is not a known country (English or Vietnamese name such as Hoa Kỳ, "
                "or ISO code such as US)"
            ),
            "country",
            {"value": clip(raw)},
        )
    return code


@cache
def _choice_index(kind: str) -> dict[str, str]:
    choices = _choices(kind)
    index = {}
    for lang in ("en", "vi"):
        with translation.override(lang):
            for stored, label in choices:
                index[fold_for_search(str(label))] = stored
                index[fold_for_search(stored.replace("_", " "))] = stored
                index[fold_for_search(stored)] = stored
    index.update(_CHOICE_ALIASES[kind])
    return index


# Synonyms officers write, English and Vietnamese, folded (case and diacritics ignored). The
# codes and the labels the admin shows in both languages are accepted as well.
_CHOICE_ALIASES = {
    "kind": {
        "think-tank": "think_tank", "thinktank": "think_tank", "policy institute": "think_tank",
        "research institute": "think_tank", "vien nghien cuu": "think_tank",
        "vien chinh sach": "think_tank", "trung tam nghien cuu": "think_tank",
        "truong dai hoc": "university", "dai hoc": "university", "truong": "university",
        "government research institute": "gov_research", "government agency": "gov_research",
        "co quan nghien cuu chinh phu": "gov_research", "co quan chinh phu": "gov_research",
        "co quan nha nuoc": "gov_research",
        "non-governmental organisation": "ngo", "non-governmental organization": "ngo",
        "to chuc phi chinh phu": "ngo", "phi chinh phu": "ngo",
        "international organization": "intl_org", "intergovernmental organisation": "intl_org",
        "to chuc quoc te": "intl_org", "to chuc lien chinh phu": "intl_org",
    },
    "academy_unit": {
        "iss": "iss", "strategic studies": "iss", "vien nghien cuu chien luoc": "iss",
        "east sea": "east_sea", "esi": "east_sea", "vien bien dong": "east_sea",
        "bien dong": "east_sea",
        "ifp": "foreign_policy", "foreign policy": "foreign_policy",
        "vien chinh sach doi ngoai": "foreign_policy",
        "vien nghien cuu chinh sach doi ngoai": "foreign_policy",
        "international cooperation": "intl_cooperation", "dic": "intl_cooperation",
        "vu hop tac quoc te": "intl_cooperation", "ban hop tac quoc te": "intl_cooperation",
        "hop tac quoc te": "intl_cooperation",
        "training": "training", "diplomatic training": "training", "khoa dao tao": "training",
        "dao tao": "training",
    },
    "status": {
        "expiring": MOU.EXPIRING, "expiring soon": MOU.EXPIRING, "sap het han": MOU.EXPIRING,
        "sap het hieu luc": MOU.EXPIRING,
        "ban nhap": "draft", "nhap": "draft", "du thao": "draft", "dang du thao": "draft",
        "in force": "active", "valid": "active", "current": "active", "effective": "active",
        "signed": "active",
        "dang co hieu luc": "active", "dang hieu luc": "active", "co hieu luc": "active",
        "con hieu luc": "active", "hieu luc": "active", "dang thuc hien": "active",
        "lapsed": "expired", "het han": "expired", "da het han": "expired",
        "het hieu luc": "expired", "da het hieu luc": "expired",
        "ended": "terminated", "cancelled": "terminated", "canceled": "terminated",
        "cham dut": "terminated", "da cham dut": "terminated", "huy bo": "terminated",
        "da huy": "terminated", "da huy bo": "terminated",
    },
}  # fmt: skip


def _choices(kind: str) -> list:
    return {
        "kind": Institution.Kind.choices,
        "academy_unit": AcademyUnit.choices,
        "status": [*MOU.Status.choices, (MOU.EXPIRING, MOU.EXPIRING_LABEL)],
    }[kind]


def accepted_values(kind: str) -> list[tuple[str, str, str, list[str]]]:
    """(code, English label, Vietnamese label, synonyms) of each value a column accepts, for
    error messages and the template's sheet of allowed values."""
    rows = []
    for stored, label in _choices(kind):
        with translation.override("en"):
            en = str(label)
        with translation.override("vi"):
            vi = str(label)
        synonyms = sorted(k for k, v in _CHOICE_ALIASES[kind].items() if v == stored)
        rows.append((stored, en, vi, synonyms))
    return rows


def choice(kind: str, value) -> str:
    """A stored choice value from a code or an English/Vietnamese label; "" when empty."""
    if isinstance(value, str):
        return _choice_cached(kind, value)
    return _choice_cached(kind, text(value))


@cache
def _accepted(kind: str) -> str:
    return "; ".join(f"{en} / {vi}" if en != vi else en for _c, en, vi, _s in accepted_values(kind))


@lru_cache(maxsize=4096)
def _choice_cached(kind: str, value: str) -> str:
    raw = text(value)
    if not raw:
        return ""
    stored = _choice_index(kind).get(fold_for_search(raw))
    if stored is None:
        raise CellError(
            _(
                "%(value)s is not one of: %(accepted)s (or a synonym listed in the template's "
                "sheet Allowed values)"
            ),
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
