import collections

import pytest
from django.utils import translation
from django_countries import countries

from academy_portal.core.countries import VIETNAMESE_NAMES


def names(language):
    with translation.override(language):
        return [name for _code, name in countries]


@pytest.mark.parametrize("language", ["en", "vi"])
def test_country_list_has_no_duplicate_names(language):
    duplicates = [n for n, k in collections.Counter(names(language)).items() if k > 1]
    assert duplicates == []


@pytest.mark.parametrize(
    ("code", "vi", "en"),
    [
        ("IS", "Ai-xơ-len", "Iceland"),
        ("IE", "Ai-len", "Ireland"),
        ("JE", "Jersey", "Jersey"),
        ("AT", "Áo", "Austria"),
        ("NE", "Niger", "Niger"),
        ("NG", "Nigeria", "Nigeria"),
        ("SZ", "Eswatini", "Eswatini"),
        ("RE", "Réunion", "Réunion"),
        ("US", "Hoa Kỳ", "United States of America"),
        ("KP", "Triều Tiên", "Korea (the Democratic People's Republic of)"),
        ("TW", "Đài Loan (Trung Quốc)", "Taiwan (Province of China)"),
        ("PS", "Nhà nước Palestine", "Palestine, State of"),
    ],
)
def test_vietnamese_names_are_the_academys_and_english_ones_unchanged(code, vi, en):
    with translation.override("vi"):
        assert countries.name(code) == vi
    with translation.override("en"):
        assert countries.name(code) == en


def test_every_override_is_used_in_vietnamese():
    listed = dict(countries_in("vi"))
    for code, name in VIETNAMESE_NAMES.items():
        assert listed[code] == name


def countries_in(language):
    with translation.override(language):
        return list(countries)


def test_vietnamese_list_sorts_by_vietnamese_collation():
    listed = names("vi")
    assert listed.index("Dominica") < listed.index("Đan Mạch") < listed.index("Đức")
    assert listed.index("Đức") < listed.index("Estonia")
    assert listed[-1] == "Zimbabwe"
    assert listed.index("Afghanistan") < listed.index("Ai Cập") < listed.index("Ấn Độ")
    # English keeps django-countries' own order.
    assert names("en")[0] == "Afghanistan"
