"""The official document layout of Decree 30/2020/NĐ-CP (Annex I), in ReportLab.

A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; the issuing unit top left, the national
title and motto top right, place and date in italics, the document type and subject, a body in
13 pt justified, the signature block and "Nơi nhận:", page numbers top centre from page 2.
Nothing here knows what a report says; `monthly.py`, `sheets.py` fill it in.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from db.core.textfold import fold
from reports.typeface import FontSet

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOTS = "……………"
NBSP = "\xa0"  # kept by Paragraph where plain spaces would collapse
PROGRAM = "Sổ theo dõi"


@dataclass(frozen=True)
class Page:
    """Paper and margins (Decree 30: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm)."""

    size: tuple[float, float] = A4
    top: float = 20 * mm
    bottom: float = 20 * mm
    left: float = 30 * mm
    right: float = 15 * mm

    @property
    def width(self) -> float:
        """The width text may use."""
        return float(self.size[0] - self.left - self.right)


PORTRAIT = Page()
# Landscape sheets are filled in by hand: the binding edge is still the wider margin.
LANDSCAPE = Page(size=landscape(A4), top=20 * mm, bottom=15 * mm, left=25 * mm, right=15 * mm)


def text(value: object) -> str:
    """A value as printed: NFC (a decomposed letter would print as two glyphs), None → ""."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value))


def esc(value: object) -> str:
    """A value for Paragraph markup: NFC and XML-escaped (a name may hold "&" or "<")."""
    return escape(text(value))


def number(value: float | int | None, decimals: int = 1) -> str:
    """A number as Vietnamese write it: 1.234 and 87,5; None (nobody to count) as "—"."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        whole = f"{value:,.{decimals}f}"
    else:
        whole = f"{int(value):,}"
    return whole.replace(",", " ").replace(".", ",").replace(" ", ".")


def long_date(place: str, day: date) -> str:
    """Place and date: Decree 30 pads days below 10 and months 1–2 ("ngày 05 tháng 02")."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place or DOTS}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _unit(value: str, default_prefix: str) -> str:
    name = text(value).strip()
    if not name:
        return f"{default_prefix} {DOTS}"
    folded = fold(name)
    if folded.startswith("cong an"):
        return name.upper()
    if folded.startswith(("tinh ", "thanh pho ", "xa ", "phuong ", "dac khu ", "thi tran ")):
        return f"CÔNG AN {name.upper()}"
    return f"{default_prefix} {name.upper()}"


def _sentence_case(upper: str) -> str:
    """A unit for use inside a sentence: "CÔNG AN XÃ CHIỀNG MUNG" → "Công an xã Chiềng Mung"."""
    words = upper.split(" ")
    lead = {"công": "Công", "an": "an", "xã": "xã", "phường": "phường", "tỉnh": "tỉnh"}
    out = []
    head = True
    for word in words:
        low = word.lower()
        if head and low in lead:
            out.append(lead[low])
            head = low in ("công", "an")
            continue
        head = False
        out.append(word.capitalize())
    return " ".join(out)


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document, its number, place and date, and who signs it."""

    parent: str
    unit: str
    number: str
    place: str
    issued: date
    signer_title: str
    signer_name: str

    @property
    def unit_in_text(self) -> str:
        """The unit as written inside a sentence ("Công an xã Chiềng Mung")."""
        return _sentence_case(self.unit)


def letterhead(settings: dict[str, Any], issued: date, prefix: str | None = None) -> Letterhead:
    """The letterhead from the register's settings; empty settings print as dotted blanks."""
    symbol = text(prefix if prefix is not None else settings.get("report_prefix")) or "BC-CAX"
    return Letterhead(
        parent=_unit(settings.get("province_name", ""), "CÔNG AN TỈNH"),
        unit=_unit(settings.get("unit_name", ""), "CÔNG AN XÃ"),
        number=f"Số:{NBSP * 10}/{symbol}",
        place=text(settings.get("place_name") or settings.get("commune_name") or ""),
        issued=issued,
        signer_title=text(settings.get("chief_title") or "TRƯỞNG CÔNG AN XÃ").upper(),
        signer_name=text(settings.get("chief_name") or ""),
    )


def make_styles(fonts: FontSet) -> dict[str, ParagraphStyle]:
    """The paragraph styles of an official document in the given fonts."""

    def style(name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = {"fontName": fonts.regular, "fontSize": 13, "leading": 16}
        base.update(kw)
        if "leading" not in kw:
            base["leading"] = round(base["fontSize"] * 1.22, 1)
        return ParagraphStyle(name, **base)

    return {
        "unit_parent": style("unit_parent", fontSize=12, alignment=TA_CENTER),
        "unit": style("unit", fontName=fonts.bold, fontSize=12, alignment=TA_CENTER),
        "number": style("number", fontSize=13, alignment=TA_CENTER, spaceBefore=4),
        "nation": style("nation", fontName=fonts.bold, fontSize=12, alignment=TA_CENTER),
        "motto": style("motto", fontName=fonts.bold, fontSize=13, alignment=TA_CENTER),
        "date": style("date", fontName=fonts.italic, fontSize=13, alignment=TA_CENTER),
        "doctype": style("doctype", fontName=fonts.bold, fontSize=14, alignment=TA_CENTER),
        "subject": style("subject", fontName=fonts.bold, fontSize=14, alignment=TA_CENTER),
        "period": style("period", fontName=fonts.italic, fontSize=13, alignment=TA_CENTER),
        "body": style("body", alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceBefore=3,
                      spaceAfter=3, leading=17),
        "heading": style("heading", fontName=fonts.bold, alignment=TA_JUSTIFY, spaceBefore=8,
                         spaceAfter=3, firstLineIndent=10 * mm, leading=17),
        "subheading": style("subheading", fontName=fonts.bold, alignment=TA_JUSTIFY,
                            spaceBefore=5, spaceAfter=3, firstLineIndent=10 * mm),
        "caption": style("caption", fontName=fonts.italic, fontSize=12, alignment=TA_CENTER,
                         spaceBefore=2, spaceAfter=6),
        "note": style("note", fontName=fonts.italic, fontSize=12, alignment=TA_JUSTIFY,
                      spaceBefore=2, spaceAfter=4),
        "cell": style("cell", fontSize=12, leading=14, alignment=TA_LEFT),
        "cell_c": style("cell_c", fontSize=12, leading=14, alignment=TA_CENTER),
        "cell_r": style("cell_r", fontSize=12, leading=14, alignment=TA_RIGHT),
        "cell_b": style("cell_b", fontName=fonts.bold, fontSize=12, leading=14),
        "head": style("head", fontName=fonts.bold, fontSize=12, leading=14,
                      alignment=TA_CENTER),
        "small_head": style("small_head", fontName=fonts.bold, fontSize=10, leading=12,
                            alignment=TA_CENTER),
        "small": style("small", fontSize=10.5, leading=12.5),
        "recipients_title": style("recipients_title", fontName=fonts.bold_italic, fontSize=12,
                                  leading=14),
        "recipients": style("recipients", fontSize=11, leading=13),
        "signer_title": style("signer_title", fontName=fonts.bold, fontSize=13,
                              alignment=TA_CENTER),
        "signer": style("signer", fontName=fonts.bold, fontSize=14, alignment=TA_CENTER),
        "annex_title": style("annex_title", fontName=fonts.bold, fontSize=13,
                             alignment=TA_CENTER, spaceBefore=6),
        # The change log's anchor under the signature: small, out of the signer's way.
        "anchor": style("anchor", fontSize=9, leading=11, alignment=TA_RIGHT, spaceBefore=6),
    }  # fmt: skip


def _font(st: dict[str, ParagraphStyle]) -> tuple[Any, ...]:
    """A table's own font: without it ReportLab sets Helvetica (not embedded) in every cell."""
    return ("FONT", (0, 0), (-1, -1), st["body"].fontName, 12)


def _rule(width: float, before: float = 1, after: float = 2) -> HRFlowable:
    return HRFlowable(
        width=width,
        thickness=0.6,
        color=colors.black,
        spaceBefore=before,
        spaceAfter=after,
        hAlign="CENTER",
    )


def header(lh: Letterhead, st: dict[str, ParagraphStyle], page: Page = PORTRAIT) -> Table:
    """The two-column heading: the issuing unit at left, the national title at right."""
    left_width = 72 * mm
    right_width = page.width - left_width
    unit = st["unit"]
    unit_width = min(stringWidth(lh.unit, unit.fontName, unit.fontSize), left_width)
    motto = st["motto"]
    motto_width = stringWidth(MOTTO, motto.fontName, motto.fontSize)
    left = [
        Paragraph(esc(lh.parent), st["unit_parent"]),
        Paragraph(esc(lh.unit), unit),
        _rule(max(unit_width / 3, 20 * mm), before=3.5, after=1),
    ]
    if lh.number:
        left.append(Paragraph(esc(lh.number), st["number"]))
    right = [
        Paragraph(esc(NATION), st["nation"]),
        Paragraph(esc(MOTTO), motto),
        _rule(motto_width, before=3, after=6),
        Paragraph(esc(long_date(lh.place, lh.issued)), st["date"]),
    ]
    table = Table([[left, right]], colWidths=[left_width, right_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                _font(st),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def title(
    doc_type: str, subject: str, st: dict[str, ParagraphStyle], note: str = ""
) -> list[Flowable]:
    """The document type in bold capitals, its subject in bold, a short rule under them."""
    parts: list[Flowable] = [
        Spacer(1, 9 * mm),
        Paragraph(esc(doc_type.upper()), st["doctype"]),
        Paragraph(esc(subject), st["subject"]),
    ]
    if note:
        parts.append(Paragraph(esc(note), st["period"]))
    parts += [_rule(30 * mm, before=3, after=8)]
    return parts


def signature(
    lh: Letterhead,
    recipients: Sequence[str],
    st: dict[str, ParagraphStyle],
    page: Page = PORTRAIT,
    closing: Sequence[Flowable] = (),
    anchor: str = "",
) -> Flowable:
    """Recipients ("Nơi nhận:") at left; the signer's title, room to sign, the name at right;
    `anchor` (the change log's code, db.store.anchor) in small type under them."""
    left: list[Flowable] = []
    if recipients:
        left.append(Paragraph("Nơi nhận:", st["recipients_title"]))
        left += [Paragraph(esc(line), st["recipients"]) for line in recipients]
    name = lh.signer_name or DOTS * 2
    right: list[Flowable] = [
        Paragraph(esc(lh.signer_title), st["signer_title"]),
        Spacer(1, 26 * mm),
        Paragraph(esc(name), st["signer"]),
    ]
    width = page.width
    table = Table([[left, right]], colWidths=[width * 0.48, width * 0.52], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                _font(st),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (0, 0), 3),
            ]
        )
    )
    under = [Paragraph(esc(anchor), st["anchor"])] if anchor else []
    # The signature never stands alone on a page: it keeps the closing sentence with it.
    return KeepTogether([*closing, Spacer(1, 6 * mm), table, *under])


def signers(
    people: Sequence[tuple[str, str]], st: dict[str, ParagraphStyle], page: Page = PORTRAIT
) -> Flowable:
    """Several signatures side by side: each a title in capitals, room to sign, a name."""
    columns = [
        [
            Paragraph(esc(role.upper()), st["signer_title"]),
            Paragraph("(Ký, ghi rõ họ tên)", st["caption"]),
            Spacer(1, 18 * mm),
            Paragraph(esc(name), st["signer"]) if name else Spacer(1, 1),
        ]
        for role, name in people
    ]
    width = page.width / len(people)
    table = Table([columns], colWidths=[width] * len(people), hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), _font(st)]))
    return KeepTogether([Spacer(1, 5 * mm), table])


@dataclass(frozen=True)
class Meta:
    """The PDF's document information."""

    title: str
    subject: str
    author: str


def render(
    story: Sequence[Flowable],
    fonts: FontSet,
    meta: Meta,
    page: Page = PORTRAIT,
) -> bytes:
    """The PDF bytes of a story, page numbers top centre from page 2."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=page.size,
        leftMargin=page.left,
        rightMargin=page.right,
        topMargin=page.top,
        bottomMargin=page.bottom,
        title=text(meta.title),
        subject=text(meta.subject),
        author=text(meta.author),
        creator=PROGRAM,
        producer=PROGRAM,
        lang="vi-VN",
        # Otherwise the canvas starts every page in Helvetica, a font that is not embedded.
        initialFontName=fonts.regular,
        initialFontSize=13,
    )

    def number_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 13)
        x = page.left + page.width / 2
        canvas.drawCentredString(x, page.size[1] - page.top / 2 - 4, str(doc.page))
        canvas.restoreState()

    doc.build(list(story), onFirstPage=lambda c, d: None, onLaterPages=number_page)
    return out.getvalue()
