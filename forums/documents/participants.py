"""The printable participant list: landscape A4, one table row per participant, the header
repeated on every page, in the reader's language, details masked by the reader's role."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_countries import countries
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from academy_portal.core.pdf import SANS, SANS_BOLD, stylesheet
from academy_portal.core.privacy import shown_value

# Column widths as shares of the page's width (they add up to 1).
WIDTHS = (0.03, 0.15, 0.14, 0.08, 0.065, 0.065, 0.04, 0.09, 0.11, 0.1, 0.065, 0.065)


def _date(value):
    return formats.date_format(value, "d/m/Y") if value else ""


def build_participant_list_pdf(summary) -> bytes:
    """The list of `summary` (forums.services.participants.ParticipantSummary) as a PDF."""
    base = stylesheet()
    cell = ParagraphStyle("ListCell", parent=base["Normal"], fontName=SANS, fontSize=7.5, leading=9)
    head = ParagraphStyle("ListHead", parent=cell, fontName=SANS_BOLD)
    edition = summary.edition
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Participants: %(edition)s") % {"edition": edition.text_in("title")},
        author=settings.ACADEMY_NAME,
        pageCompression=1,
    )
    visible = summary.details_visible
    yes = _("yes")

    def detail(value):
        shown = shown_value(value, visible=visible)
        return _date(shown) if hasattr(shown, "year") else str(shown or "")

    headers = [
        "#",
        _("Participant"),
        _("Institution"),
        _("Country"),
        _("Status"),
        _("Attendance"),
        _("Hotel"),
        _("Visa letter"),
        _("Dietary needs"),
        _("Accessibility needs"),
        _("Arrival"),
        _("Departure"),
    ]
    rows = [[Paragraph(escape(str(h)), head) for h in headers]]
    for index, invitation in enumerate(summary.participants, start=1):
        expert = invitation.expert
        letters = getattr(invitation, "current_letters", None) or []
        visa = ""
        if invitation.needs_visa_letter:
            visa = letters[0].reference if letters else str(yes)
        country = str(expert.country or expert.nationality or "")
        values = [
            str(index),
            expert.full_name,
            expert.affiliation_name,
            str(countries.name(country)) if country else "",
            invitation.get_status_display(),
            invitation.get_attendance_display() if invitation.attendance else "",
            str(yes) if invitation.needs_hotel else "",
            visa,
            detail(invitation.dietary_needs),
            detail(invitation.accessibility_needs),
            detail(invitation.arrival_date),
            detail(invitation.departure_date),
        ]
        rows.append([Paragraph(escape(str(v)), cell) for v in values])
    table = LongTable(rows, colWidths=[document.width * w for w in WIDTHS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
            ]
        )
    )
    heading = ParagraphStyle("ListTitle", parent=base["Heading2"], fontSize=13, leading=16)
    note = ParagraphStyle("ListNote", parent=cell, fontSize=8.5, leading=11)
    counts = ", ".join(
        f"{label}: {summary.by_status[status]}" for status, label in summary.statuses
    )
    story = [
        Paragraph(escape(f"{edition.text_in('title')}: {_('participants')}"), heading),
        Paragraph(
            escape(
                _("%(dates)s. Printed %(printed)s. %(counts)s.")
                % {
                    "dates": f"{_date(edition.start_date)}\u2013{_date(edition.end_date)}",
                    "printed": _date(timezone.localdate()),
                    "counts": counts,
                }
            ),
            note,
        ),
        Spacer(1, 4 * mm),
        table,
    ]
    document.build(story)
    return buffer.getvalue()
