"""The export engine's per-export memo of country names gives the plain translation."""

import pytest
from django.utils import translation
from django_countries import countries
from django_countries.fields import Country

from academy_portal.core.exports import country_name


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_country_name_memo_gives_what_translating_each_row_gives(language):
    with translation.override(language):
        name = country_name(lambda value: value)
        for value in ["VN", "SG", "VN", "", None, Country("FR"), "SG", Country("VN")]:
            code = getattr(value, "code", value)
            assert name(value) == (str(countries.name(code)) if code else "")
    with translation.override("vi"):
        assert country_name(lambda value: value)("VN") == "Việt Nam"
