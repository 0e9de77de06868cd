"""Excel in and out: the template, the import with its preview, and lists back as spreadsheets.

The import reads and checks the whole file in the background and shows every row's fate (to
import, a possible duplicate, or rejected and why) before anything is written; the officer then
imports the valid rows in one go, and saves the rejected ones to correct and import again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.core.errors import UserError
from db.excel.export import export_people, export_tests
from db.excel.importer import (
    DUPLICATE,
    FATE_LABELS,
    IMPORT,
    KIND_LABELS,
    REJECTED,
    ImportPlan,
    ImportResult,
    PlanRow,
    apply_import,
    plan_import,
    rejected_path,
    write_rejected,
)
from db.excel.template import write_template
from db.persons.listing import PersonFilter
from db.store.register import Register
from gui.kit.common import (
    ID_ROLE,
    RED,
    Index,
    date_edit,
    from_qdate,
    make_table,
    named_button,
    tr,
)
from gui.kit.page import Page
from gui.kit.worker import BackgroundTask, run_in_background

XLSX_FILTER = "Sổ làm việc Excel (*.xlsx *.xlsm);;Mọi tệp (*)"
# What an import reads (db.excel.book): Excel old and new, LibreOffice, CSV in UTF-8.
LIST_FILTER = (
    "Danh sách (*.xlsx *.xlsm *.xls *.ods *.csv);;Sổ làm việc Excel (*.xlsx *.xlsm *.xls);;"
    "LibreOffice (*.ods);;CSV UTF-8 (*.csv);;Mọi tệp (*)"
)
ROW_ROLE = ID_ROLE + 1  # the PlanRow behind a preview row
AMBER = QColor("#8a5a00")
MAX_COLUMN_PX = 420


def _tr(text: str) -> str:
    return tr("excel", text)


def _fill(text: str, *values: object) -> str:
    """A translated text with %1, %2… replaced by the values."""
    for number, value in enumerate(values, start=1):
        text = text.replace(f"%{number}", str(value))
    return text


class ImportPreviewModel(QAbstractTableModel):
    """Every row of the file with its fate; shows all rows or the rows of one fate."""

    SHEET, ROW, KIND, FATE, NAME, BIRTH, ID_NUMBER, REASON, DETAIL = range(9)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[PlanRow] = []
        self._rows: list[PlanRow] = []
        self._fate: str | None = None
        self._headers = [
            _tr("Sheet"), _tr("Dòng"), _tr("Loại"), _tr("Kết quả xem trước"), _tr("Họ và tên"),
            _tr("Ngày sinh"), _tr("Số CCCD"), _tr("Lý do / người trùng"), _tr("Nội dung nhập"),
        ]  # fmt: skip

    def set_plan(self, plan: ImportPlan | None) -> None:
        """Show the rows of a plan (None: nothing)."""
        self.beginResetModel()
        self._all = list(plan.rows) if plan else []
        self._rows = self._filtered()
        self.endResetModel()

    def set_fate(self, fate: str | None) -> None:
        """Show only the rows of one fate (None: every row)."""
        self.beginResetModel()
        self._fate = fate
        self._rows = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[PlanRow]:
        return [r for r in self._all if self._fate is None or r.fate == self._fate]

    def plan_row(self, row: int) -> PlanRow:
        """The plan row shown at a row."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ID_ROLE:
            return row.match_id
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and row.fate != IMPORT:
            return QBrush(RED if row.fate == REJECTED else AMBER)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (self.REASON, self.DETAIL):
            return (row.reason if index.column() == self.REASON else row.detail) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (
            row.sheet.strip(), str(row.row), _tr(KIND_LABELS[row.kind]),
            _tr(FATE_LABELS[row.fate]), row.name, row.birth, row.id_number, row.reason,
            row.detail,
        )  # fmt: skip
        return values[index.column()]


class ExcelPage(Page):
    """The template, the import with its preview, and the exports."""

    def __init__(
        self,
        reg: Register,
        parent: QWidget | None = None,
        current_filter: Callable[[], PersonFilter | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("excelPage")
        self.reg = reg
        self.current_filter = current_filter
        self.plan: ImportPlan | None = None
        self.applied = False
        self.task: BackgroundTask | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_import())
        layout.addWidget(self._build_export())
        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        self._validate()

    # -- building ------------------------------------------------------------------------------
    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = named_button(name, text)
        button.clicked.connect(lambda *_: slot())
        return button

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _build_import(self) -> QGroupBox:
        box = QGroupBox(self.tr("Nhập danh sách từ Excel"))
        self.template_button = self._button(
            self.tr("Lưu mẫu Excel…"), "templateButton", self.save_template
        )
        self.import_button = self._button(
            self.tr("Nhập từ Excel…"), "importButton", self.choose_import
        )
        self.file_label = self._label("fileLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("excelProgress")
        self.progress.setTextVisible(True)
        self.progress.setValue(0)
        self.summary_label = self._label("summaryLabel")
        self.villages_label = self._label("villagesLabel")
        self.problems_label = self._label("problemsLabel")
        self.fate_combo = QComboBox()
        self.fate_combo.setObjectName("fateFilter")
        self.fate_combo.addItem(self.tr("Tất cả các dòng"), None)
        for fate in (IMPORT, DUPLICATE, REJECTED):
            self.fate_combo.addItem(_tr(FATE_LABELS[fate]), fate)
        self.model = ImportPreviewModel(self)
        self.fate_combo.currentIndexChanged.connect(
            lambda *_: self.model.set_fate(self.fate_combo.currentData())
        )
        self.view = make_table("previewTable")
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.apply_button = self._button("", "applyButton", self.apply)
        self.rejected_button = self._button(
            self.tr("Lưu các dòng bị từ chối…"), "saveRejectedButton", self.save_rejected
        )
        self.reason_label = self._label("applyReason")
        top = QHBoxLayout()
        for widget in (self.template_button, self.import_button):
            top.addWidget(widget)
        top.addWidget(self.file_label, 1)
        bottom = QHBoxLayout()
        for widget in (self.apply_button, self.rejected_button):
            bottom.addWidget(widget)
        bottom.addWidget(self.reason_label, 1)
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        for label in (self.summary_label, self.villages_label, self.problems_label):
            layout.addWidget(label)
        layout.addWidget(self.fate_combo)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        return box

    def _build_export(self) -> QGroupBox:
        box = QGroupBox(self.tr("Xuất ra Excel"))
        self.export_button = self._button(
            self.tr("Xuất danh sách ra Excel…"), "exportButton", self.export_list
        )
        self.only_filtered = QCheckBox(self.tr("Chỉ những người đang lọc ở sổ đối tượng"))
        self.only_filtered.setObjectName("onlyFiltered")
        self.only_filtered.setEnabled(self.current_filter is not None)
        today = self.reg.today()
        self.tests_from = date_edit("testsFrom", today.replace(day=1))
        self.tests_to = date_edit("testsTo", today)
        self.export_tests_button = self._button(
            self.tr("Xuất xét nghiệm ra Excel…"), "exportTestsButton", self.export_tests
        )
        first = QHBoxLayout()
        first.addWidget(self.export_button)
        first.addWidget(self.only_filtered, 1)
        second = QHBoxLayout()
        second.addWidget(QLabel(self.tr("Xét nghiệm từ ngày")))
        second.addWidget(self.tests_from)
        second.addWidget(QLabel(self.tr("đến ngày")))
        second.addWidget(self.tests_to)
        second.addWidget(self.export_tests_button)
        second.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addLayout(first)
        layout.addLayout(second)
        return box

    def set_filter_source(self, source: Callable[[], PersonFilter | None] | None) -> None:
        """Where "only the filtered list" takes its filter from (the register screen)."""
        self.current_filter = source
        self.only_filtered.setEnabled(source is not None)
        if source is None:
            self.only_filtered.setChecked(False)

    # -- state ---------------------------------------------------------------------------------
    def _validate(self) -> None:
        busy = self.task is not None
        plan = self.plan
        count = plan.importable if plan else 0
        self.apply_button.setText(_fill(self.tr("Nhập %1 dòng hợp lệ"), count))
        if busy:
            reason = self.tr("Đang làm, xin chờ…")
        elif plan is None:
            reason = self.tr("Chọn tệp Excel để xem trước.")
        elif self.applied:
            reason = self.tr("Đã nhập tệp này; chọn tệp khác để nhập tiếp.")
        elif count == 0:
            reason = self.tr("Không có dòng nào nhập được.")
        else:
            reason = ""
        self.apply_button.setEnabled(not reason)
        self.apply_button.setToolTip(reason)
        self.reason_label.setText(reason)
        self.rejected_button.setEnabled(not busy and plan is not None and plan.rejected > 0)
        for button in (self.template_button, self.import_button, self.export_button,
                       self.export_tests_button):  # fmt: skip
            button.setEnabled(not busy)

    def _say(self, message: str, failed: bool = False) -> None:
        self.result_label.setText(message)
        self.result_label.setStyleSheet("color: #b00020;" if failed else "")
        if failed and self.isVisible():
            QMessageBox.warning(self, self.tr("Không thực hiện được"), message)

    def _run(
        self, title: str, job: Callable[[Register, Any], Any], done: Callable[[Any], None]
    ) -> None:
        def finished(result: Any) -> None:
            self._finish_task()
            self.progress.setValue(self.progress.maximum())
            done(result)
            self._validate()

        self.progress.setValue(0)
        self.task = run_in_background(self, title, self.reg, job, finished, self._failed)
        self.task.progressed.connect(self._progressed)
        self._validate()

    def _progressed(self, text: str, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.progress.setFormat(f"{text} %p%")

    def _finish_task(self) -> None:
        self.task = None  # the worker keeps the finished task alive until Qt has deleted it

    def _failed(self, message: str) -> None:
        self._finish_task()
        self.progress.setValue(0)
        self.result_label.setText(message)
        self.result_label.setStyleSheet("color: #b00020;")
        self._validate()

    def _save_name(self, title: str, suggested: str) -> Path | None:
        target, _ = QFileDialog.getSaveFileName(self, title, suggested, self.tr(XLSX_FILTER))
        if not target:
            return None
        path = Path(target)
        return path if path.suffix.lower() in (".xlsx", ".xlsm") else path.with_suffix(".xlsx")

    # -- actions -------------------------------------------------------------------------------
    def save_template(self) -> None:
        """Save the empty template where the officer chooses."""
        target = self._save_name(self.tr("Lưu mẫu Excel"), "mau-nhap-danh-sach.xlsx")
        if target is None:
            return
        try:
            write_template(target)
        except UserError as exc:
            self._say(exc.message, failed=True)
            return
        self._say(_fill(self.tr("Đã lưu mẫu: %1"), target))

    def choose_import(self) -> None:
        """Choose a workbook and check it in the background: the preview."""
        source, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Chọn danh sách cần nhập (Excel, LibreOffice, CSV)"),
            "",
            self.tr(LIST_FILTER),
        )
        if not source:
            return
        self.plan, self.applied = None, False
        self.model.set_plan(None)
        for label in (self.summary_label, self.villages_label, self.problems_label):
            label.clear()
        self.file_label.setText(source)
        self._say("")
        self._run(
            self.tr("Đang đọc và kiểm tra tệp…"),
            lambda reg, progress: plan_import(reg, source, progress),
            self._planned,
        )

    def _planned(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.model.set_plan(plan)
        self.view.resizeColumnsToContents()
        for column in range(self.model.columnCount()):  # long reasons read in the tooltip
            self.view.setColumnWidth(column, min(self.view.columnWidth(column), MAX_COLUMN_PX))
        self.summary_label.setText(plan.summary())
        self.villages_label.setText(
            _fill(self.tr("Thôn/bản chưa có, sẽ tạo mới: %1"), ", ".join(plan.villages))
            if plan.villages
            else ""
        )
        self.problems_label.setText("\n".join(p.message for p in plan.problems))

    def apply(self) -> None:
        """Import the valid rows of the previewed file, in one transaction."""
        plan = self.plan
        if plan is None or self.applied or not plan.importable:
            return
        self._run(
            self.tr("Đang nhập vào sổ…"),
            lambda reg, progress: apply_import(reg, plan, progress),
            self._applied,
        )

    def _applied(self, result: ImportResult) -> None:
        self.applied = True
        self._say(result.summary())
        self.register_changed.emit()

    def save_rejected(self) -> None:
        """Save the rejected rows, with why, to correct and import again."""
        plan = self.plan
        if plan is None or not plan.rejected:
            return
        target = self._save_name(
            self.tr("Lưu các dòng bị từ chối"), str(rejected_path(plan.source))
        )
        if target is None:
            return
        said = self.tr(
            "Đã lưu %1 dòng bị từ chối vào %2: sửa theo cột “Lý do không nhập” rồi nhập lại tệp đó."
        )
        self._run(
            self.tr("Đang lưu các dòng bị từ chối…"),
            lambda reg, progress: write_rejected(plan, target),
            lambda count: self._say(_fill(said, count, target)),
        )

    def export_list(self) -> None:
        """The register, or the list filtered on the register screen, to .xlsx."""
        chosen = None
        if self.only_filtered.isChecked() and self.current_filter is not None:
            chosen = self.current_filter()
        target = self._save_name(self.tr("Xuất danh sách ra Excel"), "danh-sach-doi-tuong.xlsx")
        if target is None:
            return
        said = self.tr("Đã xuất ra %1: %2")
        self._run(
            self.tr("Đang xuất danh sách…"),
            lambda reg, progress: export_people(reg, target, chosen, progress=progress),
            lambda done: self._say(_fill(said, target, done.summary())),
        )

    def export_tests(self) -> None:
        """The tests of the chosen period to .xlsx."""
        start, end = from_qdate(self.tests_from.date()), from_qdate(self.tests_to.date())
        if end < start:
            self._say(self.tr("Ngày kết thúc trước ngày bắt đầu."), failed=True)
            return
        target = self._save_name(
            self.tr("Xuất xét nghiệm ra Excel"), f"xet-nghiem-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
        )
        if target is None:
            return
        said = self.tr("Đã xuất %1 lần xét nghiệm (%2 – %3) ra %4")
        period = (f"{start:%d/%m/%Y}", f"{end:%d/%m/%Y}")
        self._run(
            self.tr("Đang xuất xét nghiệm…"),
            lambda reg, progress: export_tests(reg, target, start, end, progress),
            lambda count: self._say(_fill(said, count, *period, target)),
        )
