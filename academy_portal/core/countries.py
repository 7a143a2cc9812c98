"""Country names as the academy writes them in Vietnamese, and Vietnamese order for country lists.

django-countries' Vietnamese names have duplicates (Iceland and Ireland both "Ai-len", Jersey as
"Áo"), mistranslations ("Đoàn tụ" for Réunion) and forms the Ministry does not use. Its
COUNTRIES_OVERRIDE has one name per code for every language, so each override here is a lazy name
that gives the Vietnamese form when Vietnamese is active and django-countries' own (translated)
name otherwise.
"""

from django.utils.functional import lazy
from django.utils.translation import get_language
from django_countries.data import COUNTRIES

from .collation import vietnamese_sort_key

VIETNAMESE_NAMES = {
    "IS": "Ai-xơ-len",
    "JE": "Jersey",
    "NE": "Niger",
    "SZ": "Eswatini",
    "RE": "Réunion",
    "LY": "Libya",
    "PS": "Nhà nước Palestine",
    "KP": "Triều Tiên",
    "TW": "Đài Loan (Trung Quốc)",
    "HK": "Hồng Kông (Trung Quốc)",
    "MO": "Ma Cao (Trung Quốc)",
    "LC": "Saint Lucia",
    "BL": "Saint Barthélemy",
    "SH": "Saint Helena, Ascension và Tristan da Cunha",
    "NC": "New Caledonia",
    "SO": "Somalia",
    "BY": "Belarus",
    "US": "Hoa Kỳ",
    "CG": "Cộng hòa Congo",
    "AO": "Angola",
    "MW": "Malawi",
    "MD": "Moldova",
    "OM": "Oman",
}


def is_vietnamese() -> bool:
    return (get_language() or "").split("-")[0] == "vi"


def _name(code: str) -> str:
    if is_vietnamese():
        return VIETNAMESE_NAMES[code]
    return str(COUNTRIES[code])


_lazy_name = lazy(_name, str)

# For settings.COUNTRIES_OVERRIDE.
COUNTRIES_OVERRIDE = {code: _lazy_name(code) for code in VIETNAMESE_NAMES}


def country_sort_key(original):
    """django-countries' sort key, in Vietnamese order when Vietnamese is active."""

    def sort_key(item):
        if is_vietnamese():
            return vietnamese_sort_key(item[1])
        return original(item)

    sort_key.wrapped = original
    return sort_key
