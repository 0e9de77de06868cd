"""Xã không ma túy: the drug-free commune criteria, the baseline, the hotspot thresholds of
Decision 28/2025 and a 12-month chart, all from db.figures.stats.figures and
db.figures.series.monthly_series (the monthly report prints the same, so screen and paper agree).

Figures take about a second on a big register: they are computed in the background.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QMargins, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.commune.settings import get_settings
from db.core.dates import show
from db.figures.series import last_months, monthly_series
from db.figures.stats import figures
from db.law.categories import SHORT_LABELS, Category
from db.store.register import Register
from gui.kit.common import RED, Column, Index, ListModel, make_table, number
from gui.kit.page import Page
from gui.kit.worker import BackgroundTask, Progress, run_in_background

GREEN = QColor("#1b5e20")
# The monthly report's palette (reports/chart.py), so a line has the same colour on both.
LINE_COLORS = ("#1f4e9a", "#b00020", "#2e7d32", "#6a1b9a", "#e65100", "#00838f", "#5d4037",
               "#455a64", "#ad1457")  # fmt: skip
TESTS_COLOR, POSITIVES_COLOR = "#9bb3d9", "#b00020"
MONTHS = 12


def _tr(text: str) -> str:
    return QCoreApplication.translate("DrugFreePage", text)


def month_label(end: str) -> str:
    """The month a reporting period closes in: "2026-10-31" → "10/2026"."""
    day = date.fromisoformat(end)
    return f"{day.month:02d}/{day.year}"


def nice_top(top: int) -> tuple[int, int]:
    """A round maximum for a count axis and its number of ticks."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if top / step <= 6:
            break
    else:
        step = max(1, top // 5)
    ceiling = max(step, -(-top // step) * step)
    return ceiling, ceiling // step + 1


class VerdictModel(ListModel):
    """A ListModel whose verdict column is green when good, red when not."""

    def __init__(
        self,
        columns: Sequence[Column],
        verdict_column: int,
        good: Callable[[dict[str, Any]], bool | None],
        parent: Any = None,
    ) -> None:
        super().__init__(columns, parent=parent)
        self._verdict_column = verdict_column
        self._good = good

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == self._verdict_column:
            good = self._good(self.row(index.row()))
            if role == Qt.ItemDataRole.ForegroundRole and good is not None:
                return QBrush(GREEN if good else RED)
            if role == Qt.ItemDataRole.FontRole and good is not None:
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)


def fill(text: str, *values: object) -> str:
    """A translated text with %1, %2… replaced by `values` in turn."""
    for i, value in enumerate(values, start=1):
        text = text.replace(f"%{i}", str(value))
    return text


def verdict_text(met: bool | None) -> str:
    """Đạt / Chưa đạt / — for a criterion."""
    return {True: _tr("Đạt"), False: _tr("Chưa đạt"), None: "—"}[met]


def compute(reg: Register, progress: Progress) -> dict[str, Any]:
    """The page's figures (runs in the background with its own connection)."""
    progress(_tr("Đang tính các tiêu chí…"), 0, 2)
    today = reg.today()
    current = figures(reg)
    progress(_tr("Đang tính số liệu 12 tháng…"), 1, 2)
    cutoff = int(get_settings(reg)["report_cutoff_day"])
    series = monthly_series(reg, last_months(today.year, today.month, MONTHS, cutoff))
    progress(_tr("Xong"), 2, 2)
    return {"figures": current, "series": series}


class DrugFreePage(Page):
    """Xã không ma túy: where the commune stands against the criteria, and the last 12 months."""

    computed = Signal()

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName("drugFreePage")
        self.task: BackgroundTask | None = None
        self._again = False
        self.result: dict[str, Any] | None = None

        self.heading = QLabel()
        self.heading.setObjectName("drugFreeHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setStyleSheet("color: #5f6368;")

        self.criteria_model = VerdictModel(
            [
                Column(self.tr("Tiêu chí"), lambda r: r["label"]),
                Column(self.tr("Hiện nay"), lambda r: number(r["value"]), align_right=True),
                Column(self.tr("Yêu cầu"), lambda r: r["target"] or "—", align_right=True),
                Column(self.tr("Kết quả"), lambda r: verdict_text(r["met"])),
            ],
            verdict_column=3,
            good=lambda r: r["met"],
            parent=self,
        )
        self.criteria_view = self._table("criteriaTable", self.criteria_model)
        self.baseline_label = QLabel()
        self.baseline_label.setObjectName("baselineLabel")
        self.baseline_label.setWordWrap(True)
        criteria_box = QGroupBox(self.tr("Tiêu chí xã không ma túy"))
        criteria_box.setObjectName("criteriaBox")
        box = QVBoxLayout(criteria_box)
        box.addWidget(self.criteria_view, 1)
        box.addWidget(self.baseline_label)

        self.hotspot_model = VerdictModel(
            [
                Column(self.tr("Tiêu chí"), lambda r: r["label"]),
                # As the monthly report prints them (db.figures.stats): a share with its
                # count, the plants by count and area, and the threshold.
                Column(self.tr("Hiện nay"), lambda r: r["shown"], align_right=True),
                Column(self.tr("Ngưỡng"), lambda r: r["target"], align_right=True),
                Column(self.tr("Đến ngưỡng"), lambda r: _tr("Có") if r["met"] else _tr("Không")),
            ],
            verdict_column=3,
            good=lambda r: not r["met"],
            parent=self,
        )
        self.hotspot_view = self._table("hotspotTable", self.hotspot_model)
        self.hotspot_view.setWordWrap(True)
        self.hotspot_verdict = QLabel()
        self.hotspot_verdict.setObjectName("hotspotVerdict")
        self.hotspot_verdict.setWordWrap(True)
        hotspot_box = QGroupBox(self.tr("Xã trọng điểm về ma túy (QĐ 28/2025/QĐ-TTg)"))
        hotspot_box.setObjectName("hotspotBox")
        box = QVBoxLayout(hotspot_box)
        box.addWidget(self.hotspot_view, 1)
        box.addWidget(self.hotspot_verdict)

        self.people_chart = self._chart_view(
            "peopleChart", self.tr("Số người theo diện, cuối tháng")
        )
        self.tests_chart = self._chart_view("testsChart", self.tr("Xét nghiệm trong tháng"))

        # Each chart gets the page's whole width: twelve "mm/yyyy" labels fit unrotated.
        self.chart_tabs = QTabWidget()
        self.chart_tabs.setObjectName("chartTabs")
        self.chart_tabs.addTab(self.people_chart, self.tr("Số người theo diện"))
        self.chart_tabs.addTab(self.tests_chart, self.tr("Xét nghiệm, dương tính"))

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.status_label)
        tables = QHBoxLayout()
        tables.addWidget(criteria_box, 11)
        tables.addWidget(hotspot_box, 9)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(tables)
        layout.addWidget(self.chart_tabs, 1)
        self.refresh()

    @staticmethod
    def _table(name: str, model: ListModel) -> QTableView:
        view = make_table(name, stretch_last=False)
        view.setModel(model)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        view.setSelectionMode(QTableView.SelectionMode.NoSelection)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return view

    @staticmethod
    def _chart_view(name: str, title: str) -> QChartView:
        chart = QChart()
        chart.setTitle(title)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        view = QChartView(chart)
        view.setObjectName(name)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(240)
        return view

    @staticmethod
    def _fit_rows(view: QTableView) -> None:
        """As tall as its rows (a handful): the charts get the rest of the page."""
        view.resizeRowsToContents()
        rows = sum(view.rowHeight(r) for r in range(view.model().rowCount()))
        header = view.horizontalHeader().sizeHint().height()
        view.setFixedHeight(rows + header + 2 * view.frameWidth() + 2)

    def busy(self) -> bool:
        """Whether figures are being computed."""
        return self.task is not None

    def wait_for_figures(self) -> None:
        """Block until a running computation ends (it only reads; about a second at most)."""
        if self.task is not None:
            self.task.wait()

    def refresh(self) -> None:
        """Compute the figures again, in the background."""
        if self.task is not None:
            self._again = True  # the register changed while computing: once more after
            return
        self.status_label.setText(self.tr("Đang tính…"))
        self.task = run_in_background(
            self, self.tr("Đang tính số liệu xã không ma túy…"), self.reg, compute,
            self._computed, self._failed,
        )  # fmt: skip

    def _finished(self) -> None:
        self.task = None  # the worker keeps the finished task alive until Qt has deleted it
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, message: str) -> None:
        self.status_label.setText(self.tr("Không tính được số liệu: %1").replace("%1", message))
        self._finished()

    def _computed(self, result: dict[str, Any]) -> None:
        self.result = result
        self.show_figures(result["figures"])
        self.show_series(result["series"])
        self.status_label.clear()
        self._finished()
        self.computed.emit()

    def show_figures(self, figs: dict[str, Any]) -> None:
        """Fill the criteria, the baseline and the hotspot thresholds."""
        self.heading.setText(
            self.tr("Số liệu đến ngày %1").replace("%1", show(date.fromisoformat(figs["on"])))
        )
        self.criteria_model.set_rows(figs["criteria"])
        self._fit_rows(self.criteria_view)
        self._show_baseline(figs["baseline"])
        hotspot = figs["hotspot"]
        self.hotspot_model.set_rows(hotspot["thresholds"])
        self._fit_rows(self.hotspot_view)
        verdict = fill(
            self.tr("Đến ngưỡng %1/%2 tiêu chí (từ %3 tiêu chí là xã trọng điểm loại I): %4"),
            hotspot["met"], len(hotspot["thresholds"]), hotspot["needed"],
            self.tr("thuộc diện xã trọng điểm loại I") if hotspot["type_one"]
            else self.tr("không thuộc diện xã trọng điểm"),
        )  # fmt: skip
        self.hotspot_verdict.setText(verdict)
        color = RED if hotspot["type_one"] else GREEN
        self.hotspot_verdict.setStyleSheet(f"color: {color.name()}; font-weight: bold;")

    def _show_baseline(self, base: dict[str, Any]) -> None:
        if not base["date"]:
            self.baseline_label.setText(
                self.tr(
                    "Chưa nhập số người sử dụng, người nghiện tại ngày đăng ký xây dựng xã "
                    "không ma túy (nhập trong Cài đặt)."
                )
            )
            self.baseline_label.setStyleSheet("color: #5f6368;")
            return
        change = int(base["change"])
        trend = (
            fill(self.tr("giảm %1 người"), -change) if change < 0
            else fill(self.tr("tăng %1 người"), change) if change > 0
            else self.tr("không giảm")
        )  # fmt: skip
        text = fill(
            self.tr(
                "Khi đăng ký (%1): %2 người sử dụng, %3 người nghiện, tổng %4. "
                "Hiện nay: %5 người sử dụng, %6 người nghiện, tổng %7 — %8."
            ),
            show(date.fromisoformat(base["date"])), base["users"], base["addicts"], base["total"],
            base["now_users"], base["now_addicts"], base["now_total"], trend,
        )  # fmt: skip
        self.baseline_label.setText(text)
        color = GREEN if base["fell"] else RED
        self.baseline_label.setStyleSheet(f"color: {color.name()};")

    def show_series(self, series: list[dict[str, Any]]) -> None:
        """Draw the 12 months: people per category (lines), tests and positives (bars)."""
        months = [month_label(m["end"]) for m in series]
        chart = self.people_chart.chart()
        chart.removeAllSeries()
        shown = [c for c in Category if any(m["categories"].get(c.value, 0) for m in series)]
        top = 0
        for i, category in enumerate(shown):
            line = QLineSeries()
            line.setName(self.tr(SHORT_LABELS[category]))
            pen = QPen(QColor(LINE_COLORS[i % len(LINE_COLORS)]), 2)
            if i % 2:
                pen.setStyle(Qt.PenStyle.DashLine)  # tells lines apart in grey too
            line.setPen(pen)
            line.setPointsVisible(True)
            for x, month in enumerate(series):
                value = month["categories"].get(category.value, 0)
                line.append(x, value)
                top = max(top, value)
            chart.addSeries(line)
        empty = self.tr("Số người theo diện, cuối tháng — không có người trong sổ")
        chart.setTitle(self.tr("Số người theo diện, cuối tháng") if shown else empty)
        self._axes(chart, months, top)

        chart = self.tests_chart.chart()
        chart.removeAllSeries()
        bars = QBarSeries()
        tests = QBarSet(self.tr("Lượt xét nghiệm"))
        tests.setColor(QColor(TESTS_COLOR))
        positives = QBarSet(self.tr("Lượt dương tính"))
        positives.setColor(QColor(POSITIVES_COLOR))
        tests.append([float(m["tests"]) for m in series])
        positives.append([float(m["positives"]) for m in series])
        bars.append(tests)
        bars.append(positives)
        bars.setBarWidth(0.8)
        chart.addSeries(bars)
        self._axes(chart, months, max((m["tests"] for m in series), default=0))

    @staticmethod
    def _axes(chart: QChart, months: list[str], top: int) -> None:
        for axis in chart.axes():
            chart.removeAxis(axis)
        x = QBarCategoryAxis()
        x.append(months)
        y = QValueAxis()
        ceiling, ticks = nice_top(max(top, 1))
        y.setRange(0, ceiling)
        y.setTickCount(ticks)
        y.setLabelFormat("%d")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for series in chart.series():
            series.attachAxis(x)
            series.attachAxis(y)
