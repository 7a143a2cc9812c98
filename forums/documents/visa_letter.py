"""The visa support letter as a PDF: a Vietnamese page and an English page on the letterhead.

The wording is the academy's fixed letter in each language (like the default email templates,
it does not follow the reader's language: a consulate reads both pages). The passport name is
printed exactly as the expert typed it; nothing of it is kept once the PDF is returned.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from django_countries import countries
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from academy_portal.core.pdf import SERIF_BOLD, stylesheet
from forums.models import Invitation, LetterSettings, VisaLetter

logger = logging.getLogger(__name__)

MARGIN = 20 * mm
LETTERHEAD_MAX_HEIGHT = 35 * mm
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def letter_file_name(letter: VisaLetter) -> str:
    """ "visa-letter-12-2026.pdf": the register number, never the expert's name."""
    return f"visa-letter-{letter.number}-{letter.year}.pdf"


def vietnamese_date(day: dt.date) -> str:
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def english_date(day: dt.date) -> str:
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def vietnamese_span(start: dt.date, end: dt.date) -> str:
    if start == end:
        return vietnamese_date(start)
    return f"từ {vietnamese_date(start)} đến {vietnamese_date(end)}"


def english_span(start: dt.date, end: dt.date) -> str:
    if start == end:
        return english_date(start)
    return f"from {english_date(start)} to {english_date(end)}"


def country_in(code: str, language: str) -> str:
    if not code:
        return ""
    with translation.override(language):
        return str(countries.name(code)) or code


@dataclass(frozen=True)
class LetterFacts:
    """What a letter states, read from the register row and the invitation."""

    reference: str
    issued_on: dt.date
    passport_name: str
    nationality_code: str
    edition_title_vi: str
    edition_title_en: str
    venue_vi: str
    venue_en: str
    city: str
    edition_start: dt.date
    edition_end: dt.date
    stay_start: dt.date
    stay_end: dt.date

    @classmethod
    def of(cls, *, letter: VisaLetter, invitation: Invitation) -> "LetterFacts":
        edition = invitation.edition
        return cls(
            reference=letter.reference,
            issued_on=timezone.localdate(letter.issued_at),
            passport_name=invitation.passport_name.strip(),
            nationality_code=str(invitation.passport_nationality or ""),
            edition_title_vi=edition.text_in("title", "vi"),
            edition_title_en=edition.title,
            venue_vi=edition.text_in("venue", "vi"),
            venue_en=edition.venue,
            city=edition.city,
            edition_start=edition.start_date,
            edition_end=edition.end_date,
            # The dates the expert gave, else the edition's.
            stay_start=invitation.arrival_date or edition.start_date,
            stay_end=invitation.departure_date or edition.end_date,
        )


def _styles():
    base = stylesheet(serif=True)
    body = ParagraphStyle(
        "LetterBody", parent=base["Normal"], fontSize=11.5, leading=16, alignment=TA_JUSTIFY
    )
    return {
        "body": body,
        "field": ParagraphStyle("LetterField", parent=body, alignment=0),
        "right": ParagraphStyle("LetterRight", parent=body, alignment=TA_RIGHT),
        "title": ParagraphStyle(
            "LetterTitle",
            parent=body,
            fontName=SERIF_BOLD,
            fontSize=14,
            leading=20,
            alignment=TA_CENTER,
            spaceBefore=10,
            spaceAfter=10,
        ),
        "academy": ParagraphStyle(
            "LetterAcademy", parent=body, fontName=SERIF_BOLD, fontSize=13, alignment=TA_CENTER
        ),
        "sign": ParagraphStyle("LetterSign", parent=body, alignment=TA_CENTER, fontName=SERIF_BOLD),
    }


def _letterhead(letter_settings: LetterSettings, width: float, academy_name: str, styles):
    """The uploaded letterhead image across the page, else the academy's name."""
    if letter_settings.letterhead:
        try:
            with letter_settings.letterhead.open("rb") as handle:
                data = BytesIO(handle.read())
            image_width, image_height = ImageReader(data).getSize()
            scale = min(width / image_width, LETTERHEAD_MAX_HEIGHT / image_height)
            data.seek(0)
            return [Image(data, width=image_width * scale, height=image_height * scale)]
        except (OSError, ValueError):  # the file is gone or unreadable: the letter still goes
            logger.warning("Letterhead image %s cannot be read", letter_settings.letterhead.name)
    return [Paragraph(escape(academy_name.upper()), styles["academy"])]


def _field_table(rows, styles, width):
    table = Table(
        [
            [Paragraph(escape(label), styles["field"]), Paragraph(value, styles["field"])]
            for label, value in rows
        ],
        colWidths=[width * 0.36, width * 0.64],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _place(venue: str, city: str) -> str:
    return ", ".join(part for part in (venue, city) if part)


@dataclass(frozen=True)
class Wording:
    """One language's letter: its fixed texts and how it writes dates and countries."""

    language: str
    academy: str
    reference: str
    title: str
    addressee: str
    request: str  # {academy}, {edition}
    name_label: str
    nationality_label: str
    purpose_label: str
    stay_label: str
    purpose: str  # {edition}, {dates}; ", at {place}" added when there is one
    place: str
    closing: str  # {academy}
    date: object
    span: object

    def signatory_title(self, sign: LetterSettings) -> str:
        return sign.signatory_title_vi if self.language == "vi" else sign.signatory_title


def _vietnamese() -> Wording:
    return Wording(
        language="vi",
        academy=settings.ACADEMY_NAME_VI,
        reference="Số: {reference}",
        title="THƯ HỖ TRỢ THỊ THỰC",
        addressee=(
            "Kính gửi: Cơ quan đại diện nước Cộng hòa xã hội chủ nghĩa Việt Nam ở nước ngoài "
            "và các cơ quan có thẩm quyền về xuất nhập cảnh"
        ),
        request=(
            "{academy} trân trọng đề nghị Quý Cơ quan xem xét cấp thị thực nhập cảnh Việt Nam "
            "cho đại biểu dưới đây, được Học viện mời tham dự {edition}:"
        ),
        name_label="Họ và tên (theo hộ chiếu):",
        nationality_label="Quốc tịch:",
        purpose_label="Mục đích nhập cảnh:",
        stay_label="Thời gian lưu trú:",
        purpose="Tham dự {edition}, {dates}",
        place=" tại {place}",
        closing=(
            "{academy} chịu trách nhiệm về chương trình làm việc của đại biểu trong thời gian "
            "tham dự. Trân trọng cảm ơn sự hợp tác của Quý Cơ quan."
        ),
        date=vietnamese_date,
        span=vietnamese_span,
    )


def _english() -> Wording:
    return Wording(
        language="en",
        academy=settings.ACADEMY_NAME,
        reference="Ref. No.: {reference}",
        title="VISA SUPPORT LETTER",
        addressee=(
            "To: The Diplomatic Missions of the Socialist Republic of Viet Nam abroad and the "
            "competent immigration authorities"
        ),
        request=(
            "The {academy} respectfully requests that an entry visa to Viet Nam be granted to "
            "the participant named below, invited by the Academy to attend {edition}:"
        ),
        name_label="Name (as in passport):",
        nationality_label="Nationality:",
        purpose_label="Purpose of visit:",
        stay_label="Dates of stay:",
        purpose="To attend {edition}, {dates}",
        place=", at {place}",
        closing=(
            "The {academy} is responsible for the participant's programme during the visit. "
            "We thank you for your kind cooperation."
        ),
        date=english_date,
        span=english_span,
    )


def _page(facts: LetterFacts, sign: LetterSettings, wording: Wording, styles, width, head):
    """One page of the letter in `wording`'s language; every value escaped for ReportLab."""
    vi = wording.language == "vi"
    edition = escape(facts.edition_title_vi if vi else facts.edition_title_en)
    academy = escape(wording.academy)
    place = _place(facts.venue_vi if vi else facts.venue_en, facts.city)
    purpose = wording.purpose.format(
        edition=edition, dates=wording.span(facts.edition_start, facts.edition_end)
    )
    if place:
        purpose += wording.place.format(place=escape(place))
    bold_name = f'<font name="{SERIF_BOLD}">{escape(facts.passport_name)}</font>'
    fields = [
        (wording.name_label, bold_name),
        (wording.nationality_label, escape(country_in(facts.nationality_code, wording.language))),
        (wording.purpose_label, purpose),
        (wording.stay_label, wording.span(facts.stay_start, facts.stay_end)),
    ]
    return [
        *head,
        Spacer(1, 6 * mm),
        Paragraph(wording.reference.format(reference=escape(facts.reference)), styles["field"]),
        Paragraph(f"{escape(sign.city)}, {wording.date(facts.issued_on)}", styles["right"]),
        Paragraph(wording.title, styles["title"]),
        Paragraph(wording.addressee, styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph(wording.request.format(academy=academy, edition=edition), styles["body"]),
        Spacer(1, 3 * mm),
        _field_table(fields, styles, width),
        Spacer(1, 3 * mm),
        Paragraph(wording.closing.format(academy=academy), styles["body"]),
        Spacer(1, 10 * mm),
        _signature(
            wording.signatory_title(sign), sign.signatory_name, wording.academy, styles, width
        ),
    ]


def _signature(title: str, name: str, academy: str, styles, width):
    lines = [
        Paragraph(escape((title or academy).upper()), styles["sign"]),
        Spacer(1, 22 * mm),
        Paragraph(escape(name), styles["sign"]),
    ]
    # The signature block on the right half, as Vietnamese official letters place it.
    table = Table([[None, lines]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def build_visa_letter_pdf(
    *, letter: VisaLetter, invitation: Invitation, letter_settings: LetterSettings
) -> bytes:
    """The letter's PDF: the Vietnamese page, then the English one (or only the letter's
    language when the register row says so)."""
    facts = LetterFacts.of(letter=letter, invitation=invitation)
    styles = _styles()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=15 * mm,
        bottomMargin=MARGIN,
        title=f"Visa support letter {facts.reference}",
        author=settings.ACADEMY_NAME,
        pageCompression=1,
    )
    width = document.width
    wordings = []
    if letter.language in (VisaLetter.Language.BILINGUAL, VisaLetter.Language.VIETNAMESE):
        wordings.append(_vietnamese())
    if letter.language in (VisaLetter.Language.BILINGUAL, VisaLetter.Language.ENGLISH):
        wordings.append(_english())
    story = []
    for wording in wordings:
        if story:
            story.append(PageBreak())
        head = _letterhead(letter_settings, width, wording.academy, styles)
        story += _page(facts, letter_settings, wording, styles, width, head)
    document.build(story)
    return buffer.getvalue()


__all__ = ["build_visa_letter_pdf", "letter_file_name"]
