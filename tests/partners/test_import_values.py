"""Cell parsing: dates, countries, choices, escaping. Pure functions, no database."""

import datetime as dt

import pytest
from django.utils import translation
from django_countries import countries

from partners.importing import values
from partners.importing.escaping import escape_formula, unescape_formula
from partners.importing.reading import FormulaCell


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-17", dt.date(2024, 5, 17)),
        ("17/05/2024", dt.date(2024, 5, 17)),
        ("17.05.2024", dt.date(2024, 5, 17)),
        ("17-05-2024", dt.date(2024, 5, 17)),
        ("5/6/2024", dt.date(2024, 6, 5)),  # day first is THE convention
        ("05/06/2024", dt.date(2024, 6, 5)),
        (45429, dt.date(2024, 5, 17)),  # Excel serial number
        (45429.0, dt.date(2024, 5, 17)),
        (dt.datetime(2024, 5, 17, 0, 0), dt.date(2024, 5, 17)),
        ("", None),
        (None, None),
    ],
)
def test_dates_accepted(raw, expected):
    assert values.date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31/02/2025", "31/02/2025 is not a date"),
        ("2025-02-30", "2025-02-30 is not a date"),
        ("05/17/2024", "05/17/2024 is not a date (expected day/month/year)"),
        ("17/05/24", "write the year with four digits"),
        ("May 17, 2024", "is not a date"),
        ("13/13/2024", "13/13/2024 is not a date"),
        (0, "0 is not a date"),
        (45429.5, "is not a date"),
    ],
)
def test_impossible_or_ambiguous_dates_are_errors(raw, message):
    with pytest.raises(values.CellError) as exc:
        values.date(raw)
    assert message in str(exc.value)


@pytest.mark.parametrize(
    "raw", ["VN", "vn", "VNM", "Viet Nam", "Vietnam", "VIETNAM", " viet  nam ", "Việt Nam"]
)
def test_vietnam_spellings_are_one_country(raw):
    assert values.country(raw) == "VN"


def test_other_countries_and_unknown_country():
    assert values.country("Singapore") == "SG"
    assert values.country("United Kingdom") == "GB"
    assert values.country("USA") == "US"
    assert values.country("South Korea") == "KR"
    with pytest.raises(values.CellError, match="Atlantis is not a known country"):
        values.country("Atlantis")
    with pytest.raises(values.CellError, match="required"):
        values.country("")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("active", "active"),
        ("Active", "active"),
        ("Có hiệu lực", "active"),
        ("co hieu luc", "active"),
        ("Expired", "expired"),
        ("Hết hạn", "expired"),
        ("Terminated", "terminated"),
        ("Chấm dứt", "terminated"),
        ("Draft", "draft"),
        ("Bản nháp", "draft"),
        ("Expiring", "expiring"),
        ("Sắp hết hạn", "expiring"),
    ],
)
def test_status_in_english_or_vietnamese(raw, stored):
    assert values.choice("status", raw) == stored


def test_kind_and_unit_by_code_or_label():
    assert values.choice("kind", "Think tank") == "think_tank"
    assert values.choice("kind", "think_tank") == "think_tank"
    assert values.choice("kind", "Trường đại học") == "university"
    assert values.choice("academy_unit", "East Sea Institute") == "east_sea"
    assert values.choice("academy_unit", "Viện Biển Đông") == "east_sea"
    with pytest.raises(values.CellError, match="Ministry is not one of: Institute for Strategic"):
        values.choice("academy_unit", "Ministry")


def test_text_is_nfc_and_trimmed_and_formulas_are_refused():
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" written with combining marks
    assert values.text(f"  {decomposed}   Văn ") == "Nguyễn Văn"
    assert values.text(12.0) == "12"
    with pytest.raises(values.CellError, match="formula"):
        values.text(FormulaCell("=1+1"))


def test_email_and_website():
    assert values.email(" Tan@ISEAS.edu.sg ") == "tan@iseas.edu.sg"
    with pytest.raises(values.CellError, match="not an email"):
        values.email("tan at iseas")
    assert values.website("www.iseas.edu.sg") == "https://www.iseas.edu.sg"
    with pytest.raises(values.CellError, match="not a web address"):
        values.website("javascript:alert(1)")


def test_areas_split_on_semicolons():
    assert values.areas("Maritime security;  Law of the sea ;;Training") == (
        "Maritime security\nLaw of the sea\nTraining"
    )


@pytest.mark.parametrize(
    "value",
    ["=SUM(A1)", "+1", "-5 years", "@cmd", "\tx", "\rx", "'=already", "''-x", "'quoted", "plain"],
)
def test_escape_round_trips_exactly(value):
    escaped = escape_formula(value)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_formula(escaped) == value


def test_unescape_leaves_foreign_apostrophes_alone():
    assert unescape_formula("'quoted'") == "'quoted'"
    assert unescape_formula("'=x") == "=x"  # that one is our escape


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Hoa Kỳ", "US"),
        ("Mỹ", "US"),
        ("Hợp chủng quốc Hoa Kỳ", "US"),
        ("Anh", "GB"),
        ("Hàn Quốc", "KR"),
        ("Triều Tiên", "KP"),
        ("Đài Loan", "TW"),
        ("Nga", "RU"),
        ("Lào", "LA"),
        ("Campuchia", "KH"),
        ("HOA KY", "US"),
        ("Ô-xtrây-li-a", "AU"),
        ("Áo", "AT"),
        ("MY", "MY"),  # the ISO code of Malaysia, not "Mỹ"
        ("NGA", "NG"),  # the alpha-3 code of Nigeria, not "Nga"
    ],
)
def test_vietnamese_short_country_names_are_accepted(written, code):
    assert values.country(written) == code


def test_every_country_is_known_by_its_english_and_vietnamese_names():
    """Every name django-countries gives (overrides included) maps back to its country, except
    a Vietnamese name it gives to two countries, which is never guessed."""
    with translation.override("en"):
        english = list(countries)
    with translation.override("vi"):
        vietnamese = list(countries)
        shared = {
            n
            for n in {str(n) for _c, n in vietnamese}
            if sum(str(m) == n for _c, m in vietnamese) > 1
        }
    assert all(values.country(str(name)) == code for code, name in english)
    wrong = [
        code
        for code, name in vietnamese
        if str(name) not in shared and values.country(str(name)) != code
    ]
    assert wrong == [] or set(wrong) <= {"NE"}  # django-countries calls Niger "Nigeria"


@pytest.mark.parametrize(
    ("kind", "written", "stored"),
    [
        ("status", "Đang hiệu lực", "active"),
        ("status", "đang có hiệu lực", "active"),
        ("status", "Còn hiệu lực", "active"),
        ("status", "in force", "active"),
        ("status", "Đã hết hạn", "expired"),
        ("status", "Hủy bỏ", "terminated"),
        ("status", "cancelled", "terminated"),
        ("status", "Dự thảo", "draft"),
        ("kind", "Đại học", "university"),
        ("kind", "Tổ chức phi chính phủ", "ngo"),
        ("kind", "research institute", "think_tank"),
        ("academy_unit", "Viện Biển Đông", "east_sea"),
        ("academy_unit", "Ban Hợp tác Quốc tế", "intl_cooperation"),
    ],
)
def test_common_synonyms_in_both_languages(kind, written, stored):
    assert values.choice(kind, written) == stored


def test_a_refused_value_lists_the_accepted_ones_in_english_and_vietnamese():
    with pytest.raises(values.CellError) as exc:
        values.choice("status", "Pending")
    assert "Active / Đang có hiệu lực" in str(exc.value)
    assert "Allowed values" in str(exc.value)
