"""The 12-month charts of the monthly report, drawn with ReportLab's own graphics.

Lines for people per category, bars for tests and positives. Each line has its own marker and
dash as well as its colour: the report is mostly printed in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.validators import Auto

from reports.typeface import FontSet

# Colour, marker, dash: distinct in colour and in grey.
_LOOKS: tuple[tuple[Any, str, Sequence[float] | None], ...] = (
    (colors.HexColor("#1f4e9a"), "FilledCircle", None),
    (colors.HexColor("#b00020"), "FilledSquare", (4, 2)),
    (colors.HexColor("#2e7d32"), "FilledTriangle", None),
    (colors.HexColor("#6a1b9a"), "FilledDiamond", (1, 2)),
    (colors.HexColor("#e65100"), "Circle", (6, 2, 1, 2)),
    (colors.HexColor("#00838f"), "Square", None),
    (colors.HexColor("#5d4037"), "Triangle", (3, 3)),
    (colors.HexColor("#455a64"), "Diamond", (8, 3)),
    (colors.HexColor("#ad1457"), "Cross", None),
)
_SIZE = 9
_ROW = 12  # legend row height


def month_label(end: str) -> str:
    """The month a period closes in: "2026-10-31" → "10/2026"."""
    day = date.fromisoformat(end)
    return f"{day.month:02d}/{day.year}"


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if top / step <= 6:
            return step
    return max(1, top // 5)


def _axis(chart: Any, top: int, fonts: FontSet) -> None:
    step = _nice_step(top)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(step, -(-top // step) * step)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = _SIZE
    chart.valueAxis.labelTextFormat = lambda v: f"{int(v):,}".replace(",", ".")
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#c8c8c8")
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = _SIZE - 0.5
    chart.categoryAxis.labels.angle = 0


def _legend(x: float, y: float, pairs: Any, fonts: FontSet, columns: int, count: int) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = fonts.regular
    legend.fontSize = _SIZE
    legend.alignment = "right"
    legend.columnMaximum = max(1, -(-count // columns))
    legend.deltax = 62 * mm
    legend.dx, legend.dy = 22, 7
    legend.deltay = _ROW
    legend.colorNamePairs = pairs
    legend.boxAnchor = "nw"
    return legend


def people_chart(
    series: Sequence[dict[str, Any]], labels: dict[str, str], width: float, fonts: FontSet
) -> Drawing:
    """People per category at each month's end (categories empty all year are left out)."""
    shown = [c for c in labels if any(m["categories"].get(c, 0) for m in series)]
    height = 62 * mm
    legend_rows = max(1, -(-len(shown) // 3))
    legend_height = legend_rows * _ROW + 4
    drawing = Drawing(width, height + legend_height, initialFontName=fonts.regular)
    chart = HorizontalLineChart()
    chart.x, chart.y = 30, legend_height + 18
    chart.width, chart.height = width - 40, height - 24
    data = [[m["categories"].get(c, 0) for m in series] for c in shown] or [[0] * len(series)]
    chart.data = data
    chart.categoryAxis.categoryNames = [month_label(m["end"]) for m in series]
    top = max((max(row) for row in data), default=0)
    _axis(chart, top, fonts)
    chart.joinedLines = 1
    for i, _ in enumerate(shown):
        colour, marker, dash = _LOOKS[i % len(_LOOKS)]
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.3
        chart.lines[i].symbol = makeMarker(marker, size=4.5, fillColor=colour, strokeColor=colour)
        if dash:
            chart.lines[i].strokeDashArray = dash
    drawing.add(chart)
    if not shown:
        drawing.add(
            String(width / 2, legend_height + height / 2, "Không có người trong sổ",
                   fontName=fonts.italic, fontSize=_SIZE + 1, textAnchor="middle")
        )  # fmt: skip
    for i, c in enumerate(shown):
        chart.lines[i].name = labels[c]
    # Auto: each entry is a sample of its line, with its marker and dash (tells apart in grey).
    pairs = Auto(obj=chart) if shown else []
    drawing.add(_legend(30, legend_height - 2, pairs, fonts, 3, len(shown)))
    return drawing


def tests_chart(series: Sequence[dict[str, Any]], width: float, fonts: FontSet) -> Drawing:
    """Tests and positives per month, as bars with their numbers on top."""
    height = 58 * mm
    legend_height = _ROW + 4
    drawing = Drawing(width, height + legend_height, initialFontName=fonts.regular)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, legend_height + 18
    chart.width, chart.height = width - 40, height - 24
    chart.data = [[m["tests"] for m in series], [m["positives"] for m in series]]
    chart.categoryAxis.categoryNames = [month_label(m["end"]) for m in series]
    _axis(chart, max(max(chart.data[0], default=0), 1), fonts)
    chart.groupSpacing = 6
    chart.barSpacing = 1
    chart.bars[0].fillColor = colors.HexColor("#9bb3d9")
    chart.bars[0].strokeColor = colors.HexColor("#1f4e9a")
    chart.bars[1].fillColor = colors.HexColor("#b00020")
    chart.bars[1].strokeColor = colors.HexColor("#700010")
    chart.barLabelFormat = lambda v: f"{int(v):,}".replace(",", ".") if v else ""
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = _SIZE - 2
    chart.barLabels.nudge = 5
    drawing.add(chart)
    items = [
        (chart.bars[0].fillColor, "Lượt xét nghiệm"),
        (chart.bars[1].fillColor, "Lượt dương tính"),
    ]
    drawing.add(_legend(30, legend_height - 2, items, fonts, 2, 2))
    return drawing
