"""Toàn tỉnh: every commune of the register side by side for a month, the plan's progress, and
the provincial monthly report.

The rows come from reports.provincial.gather — db.province's `commune_rows`, `province_totals`
and the plan's `progress`, the very figures the printed report carries — computed in the
background (a commune's figures take a moment each). Double-clicking a commune opens its own
figures, criteria and due list (gui/pages/province_commune.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import add_months
from db.store.register import Register
from gui.kit.common import named_button
from gui.kit.page import Page
from gui.kit.worker import BackgroundTask, run_in_background
from gui.pages.province_commune import CommuneDialog
from gui.pages.province_model import CommuneModel
from gui.pages.province_table import FrozenNameTable
from reports.provincial import ProvincialData, closest, commune_name, gather, provincial_report

MONTHS = 24  # months back the selector offers (any month prints from the command line)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProvincePage", text)


def fill(text: str, *values: object) -> str:
    """A translated text with %1, %2… replaced by `values` in turn."""
    for i, value in enumerate(values, start=1):
        text = text.replace(f"%{i}", str(value))
    return text


class ProvincePage(Page):
    """The provincial overview: one row per commune, sortable and filtered."""

    computed = Signal()
    printed = Signal(str)

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName("provincePage")
        self.data: ProvincialData | None = None
        self.task: BackgroundTask | None = None
        self.print_task: BackgroundTask | None = None
        self.dialog: CommuneDialog | None = None
        self._generation = 0

        heading = QLabel(self.tr("Toàn tỉnh — số liệu các xã"))
        heading.setObjectName("provinceHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)
        self.month = QComboBox()
        self.month.setObjectName("provinceMonth")
        this = reg.today().replace(day=1)
        for back in range(MONTHS):
            day = add_months(this, -back)
            self.month.addItem(f"{day.month:02d}/{day.year}", day)
        self.search = QLineEdit()
        self.search.setObjectName("provinceSearch")
        self.search.setPlaceholderText(self.tr("Tìm xã, phường…"))
        self.search.setClearButtonEnabled(True)
        self.missing = QCheckBox(self.tr("Chưa gửi báo cáo tháng này"))
        self.missing.setObjectName("provinceMissing")
        self.near = QCheckBox(self.tr("Gần đạt tiêu chí"))
        self.near.setObjectName("provinceNear")
        self.near.setToolTip(self.tr("Chưa đạt đủ, còn thiếu nhiều nhất 2 tiêu chí"))
        self.print_button = named_button("provincePrint", self.tr("In báo cáo tỉnh…"))
        self.print_button.setEnabled(False)
        self.print_button.setToolTip(self.tr("Đang tính số liệu các xã…"))

        self.plan_label = QLabel()
        self.plan_label.setObjectName("planLabel")
        self.plan_label.setWordWrap(True)
        self.plan_label.setStyleSheet("font-weight: bold;")
        self.closest_label = QLabel()
        self.closest_label.setObjectName("closestLabel")
        self.closest_label.setWordWrap(True)
        self.totals_label = QLabel()
        self.totals_label.setObjectName("totalsLabel")
        self.totals_label.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("provinceStatus")
        self.status.setStyleSheet("color: #5f6368;")
        self.status.setWordWrap(True)

        self.model = CommuneModel(self)
        self.view = FrozenNameTable("provinceTable")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.doubleClicked.connect(self.open_commune)
        self.view.activated.connect(self.open_commune)

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(QLabel(self.tr("Tháng:")))
        top.addWidget(self.month)
        top.addWidget(self.print_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.missing)
        filters.addWidget(self.near)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.closest_label)
        layout.addWidget(self.totals_label)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)

        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search.textChanged.connect(lambda _t: self._filter())
        self.missing.toggled.connect(lambda _b: self._filter())
        self.near.toggled.connect(lambda _b: self._filter())
        self.print_button.clicked.connect(self.print_report)
        self.refresh()

    # -- figures -----------------------------------------------------------------------------
    def chosen_month(self) -> date:
        """The first day of the month chosen."""
        value = self.month.currentData()
        return value if isinstance(value, date) else self.reg.today().replace(day=1)

    def refresh(self) -> None:
        """Compute every commune's figures for the chosen month, in the background."""
        month = self.chosen_month()
        self._generation += 1
        generation = self._generation
        self.status.setText(self.tr("Đang tính số liệu các xã…"))
        self.print_button.setEnabled(False)
        self.task = run_in_background(
            self, self.tr("Đang tính số liệu các xã…"), self.reg,
            lambda worker, progress: gather(worker, month.year, month.month, progress),
            lambda data: self._computed(generation, data),
            lambda message: self._failed(generation, message),
        )  # fmt: skip

    def wait(self) -> None:
        """Block until a running computation ends (tests)."""
        if self.task is not None:
            self.task.wait()

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.task = None
        self.status.setText(fill(self.tr("Không tính được số liệu các xã: %1"), message))

    def _computed(self, generation: int, data: ProvincialData) -> None:
        if generation != self._generation:
            return  # another month was chosen meanwhile
        self.task = None
        self.data = data
        self.model.set_rows(data.rows)
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(0, max(self.view.columnWidth(0), 170))
        self._show_plan(data)
        self._show_totals(data)
        self._filter()
        self.print_button.setEnabled(True)
        self.print_button.setToolTip(self.tr("Lập báo cáo tháng của Công an tỉnh (PDF)"))
        self.computed.emit()

    def _show_plan(self, data: ProvincialData) -> None:
        if data.plan:
            line = data.plan
        else:
            met = int(data.totals.get("communes_drug_free", 0))
            line = fill(self.tr("Chưa nhập chỉ tiêu năm %1 của kế hoạch xây dựng xã không ma túy; "
                                "hiện có %2 xã đạt đủ tiêu chí"), data.year, met)  # fmt: skip
        self.plan_label.setText(line + ".")
        near = [commune_name(r) for r in closest(data, 3)]
        self.closest_label.setText(
            fill(self.tr("Gần đạt tiêu chí nhất: %1."), ", ".join(near)) if near else ""
        )
        self.closest_label.setVisible(bool(near))

    def _show_totals(self, data: ProvincialData) -> None:
        t = data.totals
        self.totals_label.setText(
            fill(
                self.tr("Tháng %1: %2 xã, %3 người trong sổ; xét nghiệm %4 lượt, dương tính %5; "
                        "quá hạn xét nghiệm %6 người; thôn, bản không ma túy %7/%8; "
                        "báo cáo tháng đã nhận %9/%2 xã."),
                data.label, len(data.rows), t.get("people", 0), t.get("tests_month", 0),
                t.get("positives_month", 0), t.get("overdue_tests", 0),
                t.get("villages_drug_free", 0), t.get("villages_total", 0),
                t.get("reports_in", 0),
            )
        )  # fmt: skip

    def _filter(self) -> None:
        self.model.set_filter(self.search.text(), missing_only=self.missing.isChecked(),
                              near_only=self.near.isChecked())  # fmt: skip
        total = len(self.data.rows) if self.data is not None else 0
        if self.data is not None and not total:
            self.status.setText(self.tr(
                "Sổ chưa có số liệu của xã nào: nhận gói dữ liệu của các xã ở màn hình "
                "“Bàn giao USB”."
            ))  # fmt: skip
        elif self.data is not None:
            self.status.setText(fill(self.tr("Đang hiện %1/%2 xã. Nhấp đúp một xã để xem số "
                                             "liệu, tiêu chí và việc đến hạn của xã."),
                                     self.model.rowCount(), total))  # fmt: skip

    # -- a commune ---------------------------------------------------------------------------
    def open_commune(self, index: QModelIndex) -> CommuneDialog | None:
        """A commune's own figures, criteria and due list (read-only)."""
        if not index.isValid():
            return None
        row = self.model.commune(index.row())
        dialog = CommuneDialog(self.reg, row, self.chosen_month(), self)
        dialog.person_chosen.connect(self.person_requested.emit)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    # -- the provincial report ---------------------------------------------------------------
    def print_report(self) -> None:
        """Save the provincial report of the chosen month where the officer chooses."""
        month = self.chosen_month()
        target, _ = QFileDialog.getSaveFileName(
            self, self.tr("Lưu báo cáo tỉnh thành"),
            f"bao-cao-tinh-{month.month:02d}-{month.year}.pdf", self.tr("Tệp PDF (*.pdf)"),
        )  # fmt: skip
        if not target:
            return
        self.print_button.setEnabled(False)
        self.status.setText(self.tr("Đang lập báo cáo tỉnh…"))
        self.print_task = run_in_background(
            self, self.tr("Đang lập báo cáo tháng của Công an tỉnh…"), self.reg,
            lambda worker, progress: provincial_report(
                worker, (month.year, month.month), Path(target), progress),
            self._printed, self._print_failed,
        )  # fmt: skip

    def _printed(self, path: Any) -> None:
        self.print_task = None
        self.print_button.setEnabled(True)
        self.status.setText(fill(self.tr("Đã lưu báo cáo tỉnh: %1"), path))
        self.printed.emit(str(path))

    def _print_failed(self, message: str) -> None:
        self.print_task = None
        self.print_button.setEnabled(True)
        self.status.setText(fill(self.tr("Không lập được báo cáo tỉnh: %1"), message))
