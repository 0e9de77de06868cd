"""One commune of the provincial overview, read-only: its figures for the month, its drug-free
criteria and its due list, all through `db.province.scope.scoped` — the same db functions the
commune's own screens call, on a register that sees that commune only.

Double-clicking a person of the due list opens that person (the register holds them).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import show
from db.duties.due import DueItem, due_items
from db.figures.stats import figures
from db.law.categories import SHORT_LABELS, Category
from db.province.overview import CommuneRow, month_period
from db.province.scope import scoped
from db.store.register import Register
from gui.kit.common import ID_ROLE, Column, ListModel, make_table, number
from gui.kit.models import DueModel
from gui.kit.worker import BackgroundTask, Progress, run_in_background
from reports.commune_monthly import save_commune_monthly
from reports.provincial import commune_name


def _tr(text: str) -> str:
    return QCoreApplication.translate("CommuneDialog", text)


def commune_view(reg: Register, commune_id: str, month: date, progress: Progress
                 ) -> dict[str, Any]:  # fmt: skip
    """A commune's figures for the month's report period and its due list at the period's end
    (runs in the background, on the worker's connection)."""
    progress(_tr("Đang tính số liệu của xã…"), 0, 2)
    with scoped(reg, commune_id) as one:
        start, end = month_period(one, month)
        data = figures(one, on=end, start=start)
        progress(_tr("Đang lập danh sách việc đến hạn…"), 1, 2)
        due = due_items(one, end)
    progress(_tr("Xong"), 2, 2)
    return {"figures": data, "due": due, "start": start, "end": end}


def _verdict(met: bool | None) -> str:
    return {True: _tr("Đạt"), False: _tr("Chưa đạt"), None: "—"}[met]


class CommuneDialog(QDialog):
    """A commune's own figures, criteria and due list (read-only)."""

    loaded = Signal()
    person_chosen = Signal(str)

    def __init__(self, reg: Register, row: CommuneRow, month: date,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("communeDialog")
        self.row = row
        self.result_data: dict[str, Any] | None = None
        self.setWindowTitle(
            self.tr("%1 — tháng %2").replace("%1", commune_name(row))
            .replace("%2", f"{month.month:02d}/{month.year}")
        )  # fmt: skip
        self.heading = QLabel(self.tr("Đang tính…"))
        self.heading.setObjectName("communeHeading")
        self.heading.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("communeSummary")
        self.summary.setWordWrap(True)
        self.criteria = ListModel(
            [
                Column(self.tr("Tiêu chí"), lambda r: r["label"]),
                Column(self.tr("Hiện nay"), lambda r: number(r["value"]), align_right=True),
                Column(self.tr("Yêu cầu"), lambda r: r["target"] or "—", align_right=True),
                Column(self.tr("Kết quả"), lambda r: _verdict(r["met"])),
            ],
            red=lambda r: r["met"] is False,
            parent=self,
        )
        self.criteria_view = make_table("communeCriteria", stretch_last=False)
        self.criteria_view.setModel(self.criteria)
        header = self.criteria_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.due = DueModel(parent=self)
        self.due_view = make_table("communeDue")
        self.due_view.setModel(self.due)
        self.due_view.doubleClicked.connect(self._open_person)
        self.due_view.activated.connect(self._open_person)
        self.due_box = QGroupBox(self.tr("Việc đến hạn"))
        self.due_box.setObjectName("communeDueBox")
        QVBoxLayout(self.due_box).addWidget(self.due_view)
        criteria_box = QGroupBox(self.tr("Tiêu chí xã không ma túy"))
        QVBoxLayout(criteria_box).addWidget(self.criteria_view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Đóng"))
        buttons.rejected.connect(self.reject)
        # The commune's own monthly report, made here to read (never put in an outbox).
        self.report_button = QPushButton(self.tr("Lưu báo cáo tháng của xã…"))
        self.report_button.setObjectName("communeReport")
        self.report_button.clicked.connect(self.save_report)
        buttons.addButton(self.report_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.reg, self.month = reg, month
        self.saved: Path | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(criteria_box, 3)
        layout.addWidget(self.due_box, 2)
        layout.addWidget(buttons)
        self.resize(900, 700)
        self.task: BackgroundTask | None = run_in_background(
            self, self.tr("Đang tính số liệu của xã…"), reg,
            lambda worker, progress: commune_view(worker, row.commune_id, month, progress),
            self._show, self._failed,
        )  # fmt: skip

    def _failed(self, message: str) -> None:
        self.task = None
        self.heading.setText(self.tr("Không tính được số liệu của xã: %1").replace("%1", message))

    def _show(self, result: dict[str, Any]) -> None:
        self.task = None
        self.result_data = result
        data = result["figures"]
        self.heading.setText(
            self.tr("<b>%1</b> — số liệu từ ngày %2 đến ngày %3")
            .replace("%1", commune_name(self.row))
            .replace("%2", show(result["start"]))
            .replace("%3", show(result["end"]))
        )  # fmt: skip
        cats = data["categories"]
        split = ", ".join(
            f"{self.tr(SHORT_LABELS[c])} {cats[c.value]}" for c in Category if cats[c.value]
        )
        tests = data["tests"]
        self.summary.setText(
            self.tr("Số người trong sổ: %1 (%2). Xét nghiệm trong kỳ: %3 lượt, dương tính %4; "
                    "quá hạn xét nghiệm: %5 người.")
            .replace("%1", str(data["people_total"])).replace("%2", split or "—")
            .replace("%3", str(tests["total"])).replace("%4", str(tests["positive"]))
            .replace("%5", str(tests["overdue"]))
        )  # fmt: skip
        self.criteria.set_rows(data["criteria"])
        items: list[DueItem] = result["due"]
        self.due.set_items(items)
        overdue = sum(1 for i in items if i.overdue)
        self.due_box.setTitle(
            self.tr("Việc đến hạn đến ngày %1: %2 việc, %3 quá hạn")
            .replace("%1", show(result["end"])).replace("%2", str(len(items)))
            .replace("%3", str(overdue))
        )  # fmt: skip
        for column, width in enumerate((150, 200, 180, 130)):
            self.due_view.setColumnWidth(column, width)
        self.loaded.emit()

    def save_report(self) -> None:
        """Save the commune's monthly report for the month where the officer chooses."""
        month = self.month
        target, _ = QFileDialog.getSaveFileName(
            self, self.tr("Lưu báo cáo tháng của xã thành"),
            f"bao-cao-thang-{month.month:02d}-{month.year}-{self.row.commune_id[:8]}.pdf",
            self.tr("Tệp PDF (*.pdf)"),
        )  # fmt: skip
        if not target:
            return
        self.report_button.setEnabled(False)
        commune_id = self.row.commune_id
        self.report_task = run_in_background(
            self, self.tr("Đang lập báo cáo tháng của xã…"), self.reg,
            lambda worker, progress: save_commune_monthly(
                worker, commune_id, month.year, month.month, Path(target)
            )[0],
            self._saved, self._not_saved,
        )  # fmt: skip

    def _saved(self, path: Path) -> None:
        self.report_button.setEnabled(True)
        self.saved = path
        self.heading.setText(self.tr("Đã lưu báo cáo tháng của xã: %1").replace("%1", str(path)))

    def _not_saved(self, message: str) -> None:
        self.report_button.setEnabled(True)
        self.heading.setText(self.tr("Không lưu được báo cáo: %1").replace("%1", message))

    def _open_person(self, index: QModelIndex) -> None:
        person_id = index.data(ID_ROLE)
        if person_id:
            self.person_chosen.emit(str(person_id))
            self.accept()

    def wait(self) -> None:
        """Block until the figures are in (tests)."""
        if self.task is not None:
            self.task.wait()

    def done(self, code: int) -> None:
        if self.task is not None:
            self.task.wait()  # only reads; a second at most
        super().done(code)
