"""PDF documents (letters, lists, badges) with ReportLab and fonts that carry Vietnamese.

ReportLab's built-in fonts are Latin-1 only: "Nguyễn" would come out as boxes. The DejaVu fonts
are vendored next to this module (their licence is in fonts/LICENSE), so a document renders the
same on a newcomer's machine as in production, with no Debian font package. QR codes are drawn
as vectors from segno's matrix, so they stay sharp at any print size.
"""

from functools import cache
from io import BytesIO
from pathlib import Path

import segno
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(__file__).resolve().parent / "fonts"

SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
SERIF = "DejaVuSerif"
SERIF_BOLD = "DejaVuSerif-Bold"


@cache
def register_fonts() -> None:
    """Register the vendored fonts with ReportLab once per process (idempotent)."""
    for name in (SANS, SANS_BOLD, SERIF, SERIF_BOLD):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD)
    pdfmetrics.registerFontFamily(SERIF, normal=SERIF, bold=SERIF_BOLD)


def stylesheet(*, serif: bool = False) -> StyleSheet1:
    """ReportLab's sample styles, switched to the vendored fonts (Vietnamese-safe)."""
    register_fonts()
    regular, bold = (SERIF, SERIF_BOLD) if serif else (SANS, SANS_BOLD)
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if isinstance(style, ParagraphStyle):
            style.fontName = (
                bold if "Bold" in style.fontName or style.name.startswith("Heading") else regular
            )
    return styles


def draw_qr(canvas: Canvas, data: str, *, x: float, y: float, size: float = 30 * mm) -> None:
    """Draw `data` as a QR code (error correction M, quiet zone included) with its lower-left
    corner at (x, y) and sides of `size` points."""
    qr = segno.make(data, error="m", micro=False)
    matrix = list(qr.matrix_iter(scale=1, border=4))
    module = size / len(matrix)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        for col_index, dark in enumerate(row):
            if dark:
                canvas.rect(x + col_index * module, top, module, module, stroke=0, fill=1)
    canvas.restoreState()


def new_canvas(*, pagesize, title: str, author: str = "") -> tuple[Canvas, BytesIO]:
    """A canvas writing into memory, with the fonts registered and the document's metadata set."""
    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1)
    canvas.setTitle(title)
    if author:
        canvas.setAuthor(author)
    return canvas, buffer
