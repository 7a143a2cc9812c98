"""Name badges (thẻ đại biểu) of an edition's confirmed participants, as a PDF.

Format: A4 pages, each cut into four A6 badges (2 x 2, with cut marks). A6 is the size of the
usual badge holders, and A4 is what every office printer takes: the desk prints on ordinary or
perforated A4 sheets, no label stock or badge printer needed, and four badges a page keep the
file short. Each badge: the forum and edition, the honorific and name in the expert's own
name order (Expert.formal_name), affiliation, country, the role in English and Vietnamese
(from the programme's session roles, else the offered role, else "participant") and the QR
code of the check-in link (forums.services.checkin_codes), which is not the RSVP link.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from academy_portal.core.academy import academy_name
from academy_portal.core.pdf import SANS, SANS_BOLD, draw_qr, new_canvas
from forums.models import Edition, Invitation, SessionRole
from forums.services.checkin_codes import checkin_url

PARTICIPANT = _("Participant")
ROLE_ORDER = list(SessionRole.Role.values)


@dataclass
class Badge:
    invitation_id: int
    honorific: str
    name: str
    affiliation: str
    country: str
    roles: list[str]  # SessionRole.Role values, programme order; empty: a participant
    checkin_url: str


def role_labels(roles: list[str], language: str) -> str:
    """ "Speaker · Moderator" (or "Participant") in `language`."""
    with translation.override(language):
        if not roles:
            return str(PARTICIPANT)
        return " · ".join(str(SessionRole.Role(role).label) for role in roles)


def roles_by_expert(edition: Edition) -> dict[int, list[str]]:
    """{expert id: distinct roles on the edition's programme, in the Role enum's order}."""
    found = defaultdict(set)
    for expert_id, role in SessionRole.objects.filter(session__edition=edition).values_list(
        "expert_id", "role"
    ):
        found[expert_id].add(role)
    return {k: sorted(v, key=ROLE_ORDER.index) for k, v in found.items()}


def badge_roles(invitation: Invitation, programme_roles: dict[int, list[str]]) -> list[str]:
    roles = programme_roles.get(invitation.expert_id)
    if roles:
        return roles
    return [invitation.offered_role] if invitation.offered_role else []


def badges_for_edition(edition: Edition) -> list[Badge]:
    """A badge per accepted invitation, by family then given name (two queries)."""
    invitations = (
        Invitation.objects.filter(edition=edition, status=Invitation.Status.ACCEPTED)
        .select_related("expert__affiliation")
        .order_by("expert__family_name", "expert__given_name", "pk")
    )
    programme_roles = roles_by_expert(edition)
    badges = []
    for invitation in invitations:
        expert = invitation.expert
        country = expert.country or (expert.affiliation.country if expert.affiliation_id else "")
        badges.append(
            Badge(
                invitation_id=invitation.pk,
                honorific=expert.honorific,
                name=expert.full_name,
                affiliation=expert.affiliation_name,
                country=country.name if country else "",
                roles=badge_roles(invitation, programme_roles),
                checkin_url=checkin_url(invitation) or "",
            )
        )
    return badges


WIDTH, HEIGHT = A6
MARGIN = 8 * mm
BAND = 24 * mm
ROLE_BAND = 16 * mm
QR_SIZE = 34 * mm
ACCENT = (0.09, 0.31, 0.55)


def _fit(text: str, font: str, *, largest: float, smallest: float, width: float) -> float:
    size = largest
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_badge(canvas, badge: Badge, edition: Edition, *, x: float, y: float) -> None:
    """One A6 badge with its lower-left corner at (x, y)."""
    inner = WIDTH - 2 * MARGIN
    # Edition band
    canvas.setFillColorRGB(*ACCENT)
    canvas.rect(x, y + HEIGHT - BAND, WIDTH, BAND, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    forum = f"{edition.forum.short_name} {edition.number}"
    canvas.setFont(SANS_BOLD, 13)
    canvas.drawString(x + MARGIN, y + HEIGHT - 10 * mm, forum)
    canvas.setFont(SANS, 8)
    title = simpleSplit(edition.title, SANS, 8, inner)[:1]
    if title:
        canvas.drawString(x + MARGIN, y + HEIGHT - 15 * mm, title[0])
    place = " · ".join(
        p for p in (academy_name("en"), edition.city, f"{edition.start_date:%d.%m.%Y}") if p
    )
    canvas.drawString(x + MARGIN, y + HEIGHT - 19.5 * mm, place)

    canvas.setFillColorRGB(0, 0, 0)
    top = y + HEIGHT - BAND - 12 * mm
    if badge.honorific:
        canvas.setFont(SANS, 11)
        canvas.drawString(x + MARGIN, top, badge.honorific)
        top -= 9 * mm
    size = _fit(badge.name, SANS_BOLD, largest=22, smallest=11, width=inner)
    lines = simpleSplit(badge.name, SANS_BOLD, size, inner)
    canvas.setFont(SANS_BOLD, size)
    for line in lines[:2]:
        canvas.drawString(x + MARGIN, top, line)
        top -= size * 1.2
    top -= 2 * mm
    canvas.setFont(SANS, 10.5)
    for line in simpleSplit(badge.affiliation, SANS, 10.5, inner)[:3]:
        canvas.drawString(x + MARGIN, top, line)
        top -= 13
    if badge.country:
        canvas.setFillColorRGB(0.3, 0.3, 0.3)
        canvas.setFont(SANS, 10)
        canvas.drawString(x + MARGIN, top, badge.country)
        canvas.setFillColorRGB(0, 0, 0)

    # QR code of the check-in link, above the role band
    if badge.checkin_url:
        draw_qr(
            canvas,
            badge.checkin_url,
            x=x + WIDTH - MARGIN - QR_SIZE + 4 * mm,
            y=y + ROLE_BAND + 1 * mm,
            size=QR_SIZE,
        )

    # Role band: English, then Vietnamese
    canvas.setFillColorRGB(*(ACCENT if badge.roles else (0.35, 0.38, 0.42)))
    canvas.rect(x, y, WIDTH, ROLE_BAND, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    english = role_labels(badge.roles, "en").upper()
    vietnamese = role_labels(badge.roles, "vi")
    canvas.setFont(SANS_BOLD, _fit(english, SANS_BOLD, largest=13, smallest=8, width=inner))
    canvas.drawCentredString(x + WIDTH / 2, y + 8.5 * mm, english)
    canvas.setFont(SANS, _fit(vietnamese, SANS, largest=10, smallest=7, width=inner))
    canvas.drawCentredString(x + WIDTH / 2, y + 3.5 * mm, vietnamese)


def _draw_cut_marks(canvas) -> None:
    page_width, page_height = A4
    canvas.saveState()
    canvas.setStrokeColorRGB(0.75, 0.75, 0.75)
    canvas.setLineWidth(0.3)
    canvas.setDash(2, 3)
    canvas.line(page_width / 2, 0, page_width / 2, page_height)
    canvas.line(0, page_height / 2, page_width, page_height / 2)
    canvas.restoreState()


def render_badges(edition: Edition, badges: list[Badge]) -> bytes:
    """The PDF: four A6 badges per A4 page, in reading order (left to right, top down)."""
    canvas, buffer = new_canvas(
        pagesize=A4,
        title=f"{gettext('Name badges')}: {edition}",
        author=academy_name("en"),
    )
    positions = [(0, HEIGHT), (WIDTH, HEIGHT), (0, 0), (WIDTH, 0)]
    for index, badge in enumerate(badges):
        if index and index % 4 == 0:
            canvas.showPage()
        if index % 4 == 0:
            _draw_cut_marks(canvas)
        x, y = positions[index % 4]
        _draw_badge(canvas, badge, edition, x=x, y=y)
    if not badges:
        canvas.setFont(SANS, 12)
        canvas.drawString(20 * mm, A4[1] - 30 * mm, gettext("No confirmed participants yet."))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def edition_badges_pdf(edition: Edition) -> tuple[bytes, int]:
    """(PDF, number of badges) for the edition's confirmed participants."""
    badges = badges_for_edition(edition)
    return render_badges(edition, badges), len(badges)
