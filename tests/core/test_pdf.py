"""The PDF foundation: Vietnamese text survives a round trip through pdftotext, and a drawn QR
code is decoded by zbarimg."""

from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm

from academy_portal.core.pdf import SANS, draw_qr, new_canvas, stylesheet
from tests.support.documents import pdf_qr_codes, pdf_text


def test_vietnamese_text_comes_back_exactly(require_pdf_tools, tmp_path):
    canvas, buffer = new_canvas(pagesize=A6, title="Thử nghiệm")
    canvas.setFont(SANS, 12)
    canvas.drawString(10 * mm, 100 * mm, "Nguyễn Thị Ánh Tuyết — Đặng Hữu Phước")
    canvas.save()

    text = pdf_text(buffer.getvalue(), tmp_path)

    assert "Nguyễn Thị Ánh Tuyết — Đặng Hữu Phước" in text


def test_a_drawn_qr_code_is_decoded(require_pdf_tools, tmp_path):
    data = "https://portal.example.org/checkin/abc123:XyZ"
    canvas, buffer = new_canvas(pagesize=A6, title="QR")
    draw_qr(canvas, data, x=20 * mm, y=40 * mm, size=35 * mm)
    canvas.save()

    assert pdf_qr_codes(buffer.getvalue(), tmp_path) == [data]


def test_the_stylesheet_uses_the_vendored_fonts():
    styles = stylesheet()

    assert styles["Normal"].fontName == "DejaVuSans"
    assert styles["Heading1"].fontName == "DejaVuSans-Bold"
    assert stylesheet(serif=True)["Normal"].fontName == "DejaVuSerif"
