"""packaging/pdfcheck.py, which the smoke test runs on the frozen program's monthly report."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests.packaging.scripts import load

pdfcheck = load("pdfcheck")
FONT = Path(__file__).resolve().parents[2] / "reports" / "fonts" / "LiberationSerif-Regular.ttf"
TEXT = "Báo cáo tháng: Nguyễn Thị Hương, Đặng Văn Lưỡng, Trần Quốc Việt — xét nghiệm âm tính"


def write_pdf(path: Path, font: str, text: str = TEXT) -> Path:
    page = canvas.Canvas(str(path), initialFontName=font)
    page.setFont(font, 12)
    page.drawString(72, 720, text)
    page.save()
    return path


def test_a_report_in_an_embedded_vietnamese_font_passes(tmp_path: Path) -> None:
    pdfmetrics.registerFont(TTFont("SmokeLiberation", str(FONT)))
    note = pdfcheck.check_pdf(write_pdf(tmp_path / "ok.pdf", "SmokeLiberation"))
    assert "1 pages" in note and "LiberationSerif" in note


def test_a_font_left_out_of_the_file_fails(tmp_path: Path) -> None:
    """Helvetica is one of PDF's standard fonts: named, not embedded (what a frozen build
    without its fonts would fall back to, with boxes for Vietnamese)."""
    with pytest.raises(pdfcheck.PdfProblem, match="fonts not embedded: /Helvetica"):
        pdfcheck.check_pdf(write_pdf(tmp_path / "bad.pdf", "Helvetica", "Bao cao"))


def test_text_without_vietnamese_letters_fails(tmp_path: Path) -> None:
    pdfmetrics.registerFont(TTFont("SmokeLiberation", str(FONT)))
    with pytest.raises(pdfcheck.PdfProblem, match="lacks Vietnamese letters"):
        pdfcheck.check_pdf(write_pdf(tmp_path / "ascii.pdf", "SmokeLiberation", "Bao cao thang"))
