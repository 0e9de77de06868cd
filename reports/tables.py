"""Ruled tables for reports: plain text cells where they fit (fast at thousands of rows),
wrapping Paragraphs where they do not, bold header rows, group headings across the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table, TableStyle

from reports.layout import esc, text
from reports.typeface import FontSet

_PADDING = 4  # a grid cell's left and right padding


def cell(value: object, width: float, style: ParagraphStyle) -> str | Paragraph:
    """A table cell: plain text when it fits (fast), a wrapping Paragraph when it does not."""
    shown = text(value)
    if "\n" not in shown and (
        stringWidth(shown, style.fontName, style.fontSize) <= width - 2 * _PADDING
    ):
        return shown
    return Paragraph(esc(shown), style)


def grid(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    fonts: FontSet,
    *,
    header_rows: int = 1,
    size: float = 12,
    align: Sequence[str] = (),
    bold_rows: Sequence[int] = (),
    span_rows: Sequence[int] = (),
    heights: float | None = None,
) -> Table:
    """A ruled table; header rows bold and centred, columns aligned as `align` says.

    Text cells wrap when they do not fit their column; `span_rows` are group headings across
    the whole table (bold, left); `heights` gives body rows room to write in by hand.
    """
    leading = round(size * 1.18, 1)
    plain = ParagraphStyle("grid", fontName=fonts.regular, fontSize=size, leading=leading)
    bold = ParagraphStyle("grid_b", parent=plain, fontName=fonts.bold)
    head = ParagraphStyle("grid_h", parent=bold, alignment=TA_CENTER)
    by_align = {"CENTER": TA_CENTER, "RIGHT": TA_RIGHT, "LEFT": TA_LEFT}
    spans, bolds = set(span_rows), set(bold_rows)
    data: list[list[Any]] = []
    for r, row in enumerate(rows):
        if r in spans:
            data.append([cell(row[0], sum(widths), bold), *[""] * (len(widths) - 1)])
            continue
        out = []
        for c, value in enumerate(row):
            if isinstance(value, str):
                if r < header_rows:
                    style = head
                else:
                    how = align[c] if c < len(align) else "LEFT"
                    base = bold if r in bolds else plain
                    style = ParagraphStyle("g", parent=base, alignment=by_align[how])
                value = cell(value, widths[c], style)
            out.append(value)
        data.append(out)
    table = Table(
        data,
        colWidths=list(widths),
        repeatRows=header_rows,
        hAlign="CENTER",
        rowHeights=None
        if heights is None
        else [None] * header_rows + [heights] * (len(rows) - header_rows),
    )
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.regular, size, leading),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands += [
            ("FONT", (0, 0), (-1, header_rows - 1), fonts.bold, size, leading),
            ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ]
    for col, how in enumerate(align):
        commands.append(("ALIGN", (col, header_rows), (col, -1), how))
    for r in sorted(bolds | spans):
        commands.append(("FONT", (0, r), (-1, r), fonts.bold, size, leading))
    for r in sorted(spans):
        commands += [("SPAN", (0, r), (-1, r)), ("ALIGN", (0, r), (-1, r), "LEFT")]
        if r + 1 < len(rows):
            # A group heading is never the last row of a page.
            commands.append(("NOSPLIT", (0, r), (-1, r + 1)))
    table.setStyle(TableStyle(commands))
    return table
