"""The Vietnamese translation follows docs/glossary.md: one word per concept, the register."""

import re
from pathlib import Path

import polib
import pytest

from forums.services.default_templates import DEFAULT_EMAIL_TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
PO = polib.pofile(str(ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
ENTRIES = [e for e in PO if not e.obsolete and e.msgid]


def glossary() -> dict[str, str]:
    """The key rows of docs/glossary.md: English term -> Vietnamese term."""
    rows = {}
    for line in (ROOT / "docs" / "glossary.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and "**key**" in cells[2]:
            rows[cells[0]] = cells[1]
    return rows


GLOSSARY = glossary()


def translations(entry) -> list[str]:
    return [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())


def without_placeholders(text: str) -> str:
    return re.sub(r"%\(\w+\)[sd]|\{\{[^}]*\}\}", "", text)


def entries_mentioning(pattern: str):
    regex = re.compile(pattern, re.IGNORECASE)
    return [e for e in ENTRIES if regex.search(without_placeholders(e.msgid))]


def test_the_glossary_has_the_key_terms():
    assert GLOSSARY["edition"] == "kỳ"
    assert GLOSSARY["visa support letter"] == "thư hỗ trợ thị thực"
    assert GLOSSARY["answer, RSVP (noun and verb)"] == "phản hồi"
    assert {"moderator", "rapporteur", "roundtable", "name badge"} <= set(GLOSSARY)


def test_every_edition_is_ky_and_only_ky():
    found = entries_mentioning(r"\beditions?\b")
    assert len(found) > 20
    for entry in found:
        for text in translations(entry):
            assert re.search(GLOSSARY["edition"], text, re.IGNORECASE), entry.msgid
            assert not re.search(r"kỳ (hội thảo|diễn đàn)", text, re.IGNORECASE), entry.msgid


@pytest.mark.parametrize(
    ("pattern", "term"),
    [
        (r"\bvisa (support )?letters?\b", "visa support letter"),
        (r"\bmoderator", "moderator"),
        (r"\brapporteur", "rapporteur"),
        (r"\broundtable", "roundtable"),
        (r"\bbadges?\b", "name badge"),
    ],
)
def test_one_word_per_concept(pattern, term):
    found = entries_mentioning(pattern)
    assert found, pattern
    for entry in found:
        for text in translations(entry):
            assert GLOSSARY[term].casefold() in text.casefold(), entry.msgid


def test_answer_is_phan_hoi_never_cau_tra_loi():
    found = entries_mentioning(r"\banswer|\bRSVP\b")
    assert len(found) > 20
    for entry in found:
        for text in translations(entry):
            assert "trả lời" not in text.casefold(), entry.msgid
    for entry in ENTRIES:
        for text in translations(entry):
            # "địa chỉ trả lời" (reply-to) is the only "trả lời" left.
            assert "trả lời" not in text.casefold().replace("địa chỉ trả lời", ""), entry.msgid


def all_vietnamese_texts():
    for entry in ENTRIES:
        for text in translations(entry):
            yield entry.msgid, text
    for (kind, language), (subject, body) in DEFAULT_EMAIL_TEMPLATES.items():
        if language == "vi":
            yield kind, subject + "\n" + body


def test_register_no_orders_no_ban_no_email_as_a_verb():
    for source, text in all_vietnamese_texts():
        folded = text.casefold()
        assert not re.search(r"\bhãy\b", folded), source
        assert not re.search(r"\bbạn\b", folded), source
        assert not re.search(r"\b(sẽ|đã|chúng tôi) email\b", folded), source
        assert "có câu hỏi?" not in folded, source


def test_given_when_reads_as_an_answer_not_as_agreed():
    entry = PO.find("given %(when)s")
    assert "đồng ý" not in entry.msgstr
    assert entry.msgstr == "phản hồi lúc %(when)s"


def test_vietnamese_letters_use_the_vietnamese_form_of_address():
    for (kind, language), (_subject, body) in DEFAULT_EMAIL_TEMPLATES.items():
        if language == "vi":
            assert body.startswith("Kính gửi {{ formal_name }},"), kind
