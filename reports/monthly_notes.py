"""The monthly report's notes beyond the figures: the corrections to past months' figures made
since the report before ("Đính chính số liệu các tháng trước"), and the change log's anchor
printed under the signature ("Mã nhật ký").

Reports already sent are not rewritten: the next report lists each correction once — the month
whose figures it changes, the person (by name only when the report prints names), what was
corrected, old → new, the reason, when and by whom (see db.figures.corrections_note).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from db.core.dates import show
from db.persons.history_view import local_time
from reports.layout import esc, number
from reports.monthly import MonthlyData, month_text, unnamed
from reports.tables import grid
from reports.typeface import FontSet

HEADING = "ĐÍNH CHÍNH SỐ LIỆU CÁC THÁNG TRƯỚC"
ANCHOR_LABEL = "Mã nhật ký"
_WIDTHS = (10, 17, 30, 60, 48)  # mm: 165, the text width


def anchor_line(data: MonthlyData) -> str:
    """The anchor as printed under the signature ("" when the report has none)."""
    return f"{ANCHOR_LABEL}: {data.anchor}" if data.anchor else ""


def _month(iso_month: str) -> str:
    year, month = iso_month.split("-")
    return month_text(int(year), int(month))


def _made(since: dict[str, Any]) -> str:
    """The day the report before was made, local dd/mm/yyyy."""
    return local_time(str(since.get("made_at", "")))[:10]


def lead(data: MonthlyData) -> str:
    """The sentence before the list: since when, and that this report counts them already."""
    since = data.since
    if since.get("report"):
        start = (f"Sau khi lập Báo cáo tháng {esc(since['report'])} (ngày "
                 f"{esc(_made(since))})")  # fmt: skip
    else:
        day = since.get("period_start")
        start = f"Từ ngày {show(day)}" if day else "Trong kỳ"
    count = number(len(data.corrections))
    return (
        f"{start}, đã đính chính <b>{count}</b> nội dung làm thay đổi số liệu của các tháng "
        "trước (các báo cáo đã gửi không lập lại); số liệu của báo cáo này, kể cả diễn biến 12 "
        "tháng, đã tính theo số liệu đã đính chính:"
    )


def corrections_section(
    data: MonthlyData,
    numeral: str,
    styles: dict[str, ParagraphStyle],
    fonts: FontSet,
    names: bool,
) -> list[Flowable]:
    """The section, headed `numeral` ("VI"); nothing when there is no correction to note.
    `names`: whether the report prints people's names (else "một người trong sổ")."""
    if not data.corrections:
        return []
    cell = ParagraphStyle("correction", parent=styles["body"], fontSize=11, leading=13,
                          firstLineIndent=0, spaceBefore=0, spaceAfter=0, alignment=0)  # fmt: skip
    small = ParagraphStyle("correction_by", parent=cell, fontName=fonts.italic)
    heads = ["STT", "Tháng", "Người trong sổ", "Nội dung đính chính (cũ → mới)",
             "Lý do; người sửa, thời gian"]  # fmt: skip
    rows: list[list[Any]] = [[Paragraph(esc(h), styles["small_head"]) for h in heads]]
    for i, raw in enumerate(data.corrections, start=1):
        c = raw if names else unnamed(raw)
        what = f"<b>{esc(c['label'])}</b>" + (f": {esc(c['what'])}" if c["what"] else "")
        rows.append([
            str(i), _month(c["month"]), c["person"],
            Paragraph(f"{what}.<br/>{esc(c['change'])}", cell),
            [Paragraph(esc(c["reason"]), cell), Paragraph(f"{esc(c['by'])}, {esc(c['at'])}",
                                                         small)],
        ])  # fmt: skip
    table = grid(rows, [w * mm for w in _WIDTHS], fonts, size=11,
                 align=("CENTER", "CENTER", "LEFT", "LEFT", "LEFT"))  # fmt: skip
    return [
        CondPageBreak(45 * mm),
        Paragraph(f"{numeral}. {HEADING}", styles["heading"]),
        Paragraph(lead(data), styles["body"]),
        table,
        Spacer(1, 2 * mm),
    ]
