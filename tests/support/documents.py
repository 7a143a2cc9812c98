"""Read our documents back with real clients: pdftotext for the text of a PDF, pdftoppm +
zbarimg for the QR codes on its pages. Tests that use these take the `require_pdf_tools`
fixture (tests/conftest.py)."""

import subprocess
from pathlib import Path


def pdf_text(pdf: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    """The text of every page, as pdftotext extracts it (UTF-8)."""
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(source), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_page_count(pdf: bytes, tmp_path: Path) -> int:
    source = tmp_path / "count.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True, text=True)
    pages = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(pages.split()[1])


def pdf_qr_codes(pdf: bytes, tmp_path: Path, *, resolution: int = 150) -> list[str]:
    """Every QR code zbarimg decodes on the PDF's pages, page by page, in reading order."""
    source = tmp_path / "qr.pdf"
    source.write_bytes(pdf)
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), str(source), str(prefix)], check=True
    )
    codes: list[str] = []
    for page in sorted(tmp_path.glob("page-*.png")):
        result = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
            capture_output=True,
            text=True,
        )
        # zbarimg exits 4 when a page has no code: that is an answer, not an error.
        if result.returncode not in (0, 4):
            raise RuntimeError(f"zbarimg failed on {page.name}: {result.stderr.strip()}")
        codes.extend(line for line in result.stdout.splitlines() if line)
    return codes
