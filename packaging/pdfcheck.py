"""A report as a reader sees it: every font embedded, Vietnamese letters in the text, no boxes.

Used by packaging/smoke.py on the monthly report the frozen program prints. Needs pypdf.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặếềểễệốồổỗộớờởỡợứừửữựíìỉĩịýỳỷỹỵ")


class PdfProblem(Exception):
    """The PDF would not read right on another computer or on paper."""


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def pdf_fonts(reader: Any) -> dict[str, bool]:
    """Every font the pages use, and whether its glyphs are embedded in the file."""
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources = _resolve(page.get("/Resources")) or {}
        for ref in (_resolve(resources.get("/Font")) or {}).values():
            font = _resolve(ref)
            descendants = _resolve(font.get("/DescendantFonts"))
            described = _resolve(descendants[0]) if descendants else font
            descriptor = _resolve(described.get("/FontDescriptor")) or {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font.get("/BaseFont"))] = embedded
    return fonts


def check_pdf(pdf: Path) -> str:
    """The report as a reader sees it: fonts embedded, Vietnamese letters, no empty boxes."""
    from pypdf import PdfReader

    if not pdf.is_file():
        raise PdfProblem(f"no PDF at {pdf}")
    reader = PdfReader(pdf)
    fonts = pdf_fonts(reader)
    if not fonts:
        raise PdfProblem("the report uses no font at all")
    missing = sorted(name for name, embedded in fonts.items() if not embedded)
    if missing:
        raise PdfProblem(f"fonts not embedded: {', '.join(missing)}")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    letters = VIETNAMESE_LETTERS & set(text)
    if len(letters) < 10 or "\u25a0" in text:
        raise PdfProblem(f"the report's text lacks Vietnamese letters: {text[:300]!r}")
    families = sorted({re.sub(r"^[A-Z]{6}\+", "", name.lstrip("/")) for name in fonts})
    return f"{len(reader.pages)} pages, {len(letters)} Vietnamese letters, fonts {families}"
