"""The Reports screen: make a report off the UI thread, open or save it, and the outbox.

Choose the report (monthly, a person's sheet, a test-round list) and its month, person or
village; "Lập báo cáo" builds it in the background with a progress bar; "Mở" opens it in the
system's PDF viewer to read and print; "Lưu thành…" saves a copy. The outbox lists every monthly
report with its state; a report can be copied to a USB stick, marked sent, or uploaded when the
unit has an upload address (tried again automatically while the program runs).
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QModelIndex,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import QBrush, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.commune.places import villages
from db.commune.settings import get_settings
from db.core.dates import show
from db.core.errors import UserError
from db.core.textfold import fold
from db.figures.stats import period_for_month
from db.persons.search import find
from db.store.register import Register
from gui.kit.common import ID_ROLE, RED, Index, TableModel, make_table, show_failure
from gui.kit.page import Page
from gui.kit.worker import BackgroundTask, run_in_background
from reports.build import (
    copy_report,
    monthly_report,
    open_report,
    outbox_for,
    person_report,
    round_report,
    save_report,
    send_reports,
)
from reports.outbox import Entry, Outbox, default_folder
from reports.tempfiles import scratch
from reports.upload import check_url

MONTHLY, PERSON, ROUND = "monthly", "person", "round"
RETRY_MS = 10 * 60 * 1000  # pending reports are tried again every 10 minutes
FIRST_TRY_MS = 5 * 1000


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReportsPage", text)


class OutboxModel(TableModel):
    """The outbox's reports, newest first; the entry id under ID_ROLE."""

    TITLE, VERSION, CREATED, STATE, FILE = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[Entry] = []
        self._intact: dict[str, bool] = {}
        self._headers = [_tr("Báo cáo"), _tr("Bản"), _tr("Ngày lập"), _tr("Trạng thái"),
                         _tr("Tệp")]  # fmt: skip

    def set_entries(self, entries: list[Entry], intact: dict[str, bool]) -> None:
        """Show these reports (`intact`: whether each PDF still matches its SHA-256)."""
        self.beginResetModel()
        self._entries = list(entries)
        self._intact = dict(intact)
        self.endResetModel()

    def entry(self, row: int) -> Entry:
        """The report on a row."""
        return self._entries[row]

    def row_of(self, entry_id: str) -> int:
        """The row of a report (-1 if not shown)."""
        return next((i for i, e in enumerate(self._entries) if e.id == entry_id), -1)

    def row_count(self) -> int:
        return len(self._entries)

    def _state(self, e: Entry) -> str:
        if not self._intact.get(e.id, True):
            return _tr("Tệp bị thay đổi hoặc mất")
        if e.sent and e.sent_at:
            day = datetime.fromisoformat(e.sent_at).astimezone().date()
            return _tr("Đã gửi ngày %1").replace("%1", show(day))
        if e.last_error():
            return _tr("Chưa gửi (lần gửi cuối lỗi)")
        return _tr("Chưa gửi")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        e = self._entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                self.TITLE: e.title,
                self.VERSION: str(e.version),
                self.CREATED: show(e.created_day()),
                self.STATE: self._state(e),
                self.FILE: e.pdf,
            }[column]
        if role == ID_ROLE:
            return e.id
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"SHA-256: {e.sha256}"]
            if e.last_error():
                lines.append(e.last_error())
            return "\n".join(lines)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == self.STATE
            and (not self._intact.get(e.id, True) or (not e.sent and e.last_error()))
        ):
            return QBrush(RED)
        return None


def _default_month(reg: Register) -> date:
    """The month whose report is due: this month if its period has closed, else the last."""
    today = reg.today()
    cutoff = int(get_settings(reg)["report_cutoff_day"])
    _, end = period_for_month(today.year, today.month, cutoff)
    if end < today:
        return today.replace(day=1)
    return (today.replace(day=1) - date.resolution).replace(day=1)


def _file_name(text: str) -> str:
    """A safe ASCII file name from Vietnamese words ("Lò Văn Ươn" → "lo-van-uon")."""
    words = "".join(ch if ch.isalnum() else " " for ch in fold(text)).split()
    return "-".join(words)[:60] or "bao-cao"


class ReportsPage(Page):
    """Make, open, save and send reports."""

    def __init__(
        self, reg: Register, parent: QWidget | None = None, outbox_folder: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.reg = reg
        # Sealed under the register's key when it is encrypted (reports/outbox.py).
        self.outbox = outbox_for(reg, outbox_folder or default_folder(reg.path))
        self.task: BackgroundTask | None = None
        self.upload_task: BackgroundTask | None = None
        self.current: Path | None = None
        # The outbox entry shown (its PDF is sealed beside an encrypted register: opened and
        # saved through reports.build, checked and logged), or None for a sheet made just now.
        self.current_entry: str | None = None
        # Person and round sheets are made here until saved elsewhere; removed with the page.
        # This page's own folder inside the program's temp folder (reports/tempfiles.py): removed
        # with the page, or at the next start after a crash.
        self._scratch = Path(tempfile.mkdtemp(prefix="bao-cao-", dir=scratch()))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._scratch, True)
        self._build_form()
        self._build_outbox()
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_box)
        layout.addWidget(self.outbox_box, 1)
        self.retry_timer = QTimer(self)
        self.retry_timer.setObjectName("retryTimer")
        self.retry_timer.timeout.connect(self.auto_upload)
        self.retry_timer.start(RETRY_MS)
        self.first_try = QTimer(self)
        self.first_try.setObjectName("firstTryTimer")
        self.first_try.setSingleShot(True)
        self.first_try.timeout.connect(self.auto_upload)
        self.first_try.start(FIRST_TRY_MS)
        self._kind_changed()
        self.refresh_outbox()

    # -- the form ----------------------------------------------------------------------------
    def _build_form(self) -> None:
        self.form_box = QGroupBox(self.tr("Lập báo cáo"))
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("reportKind")
        self.kind_combo.addItem(self.tr("Báo cáo tháng"), MONTHLY)
        self.kind_combo.addItem(self.tr("Phiếu theo dõi một người"), PERSON)
        self.kind_combo.addItem(self.tr("Danh sách xét nghiệm (ghi tay)"), ROUND)
        self.month_edit = QDateEdit()
        self.month_edit.setObjectName("reportMonth")
        self.month_edit.setDisplayFormat("MM/yyyy")
        month = _default_month(self.reg)
        self.month_edit.setDate(QDate(month.year, month.month, 1))
        self.month_edit.setMaximumDate(QDate(self.reg.today().year, self.reg.today().month, 28))
        self.person_search = QLineEdit()
        self.person_search.setObjectName("personSearch")
        self.person_search.setPlaceholderText(self.tr("Gõ tên, số CCCD (không cần dấu)"))
        self.person_combo = QComboBox()
        self.person_combo.setObjectName("personChoice")
        self.village_combo = QComboBox()
        self.village_combo.setObjectName("reportVillage")
        self.due_check = QCheckBox(self.tr("Chỉ người đến hạn xét nghiệm"))
        self.due_check.setObjectName("roundDueOnly")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("buildReason")
        self.reason_label.setStyleSheet("color: #5f6368;")
        self.build_button = QPushButton(self.tr("Lập báo cáo"))
        self.build_button.setObjectName("buildButton")
        self.progress = QProgressBar()
        self.progress.setObjectName("buildProgress")
        self.progress.setRange(0, 5)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(self.tr("Mở"))
        self.open_button.setObjectName("openButton")
        self.save_button = QPushButton(self.tr("Lưu thành…"))
        self.save_button.setObjectName("saveAsButton")
        form = QFormLayout()
        form.addRow(self.tr("Loại báo cáo:"), self.kind_combo)
        self.month_label = QLabel(self.tr("Tháng:"))
        form.addRow(self.month_label, self.month_edit)
        self.person_label = QLabel(self.tr("Người:"))
        person_row = QHBoxLayout()
        person_row.addWidget(self.person_search, 1)
        person_row.addWidget(self.person_combo, 2)
        form.addRow(self.person_label, person_row)
        self.village_label = QLabel(self.tr("Thôn, bản:"))
        form.addRow(self.village_label, self.village_combo)
        form.addRow("", self.due_check)
        buttons = QHBoxLayout()
        buttons.addWidget(self.build_button)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        box = QVBoxLayout(self.form_box)
        box.addLayout(form)
        box.addWidget(self.reason_label)
        box.addLayout(buttons)
        box.addWidget(self.result_label)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.person_search.textChanged.connect(self._search_person)
        self.person_combo.currentIndexChanged.connect(self._validate)
        self.village_combo.currentIndexChanged.connect(self._validate)
        self.due_check.toggled.connect(self._validate)
        self.build_button.clicked.connect(self.build)
        self.open_button.clicked.connect(self.open_current)
        self.save_button.clicked.connect(self.save_current)
        self._fill_villages()

    def _fill_villages(self) -> None:
        self.village_combo.clear()
        self.village_combo.addItem(self.tr("— Tất cả thôn, bản —"), None)
        for v in villages(self.reg):
            self.village_combo.addItem(v["name"], v["name"])

    def kind(self) -> str:
        """The report chosen."""
        return str(self.kind_combo.currentData())

    def _kind_changed(self) -> None:
        kind = self.kind()
        for widget, shown in (
            (self.month_label, kind == MONTHLY), (self.month_edit, kind == MONTHLY),
            (self.person_label, kind == PERSON), (self.person_search, kind == PERSON),
            (self.person_combo, kind == PERSON), (self.village_label, kind == ROUND),
            (self.village_combo, kind == ROUND), (self.due_check, kind == ROUND),
        ):  # fmt: skip
            widget.setVisible(shown)
        self._validate()

    def _search_person(self, text: str) -> None:
        self.person_combo.clear()
        if text.strip():
            for row in find(self.reg, text, limit=30):
                label = " — ".join(
                    x for x in (row["full_name"], show(row["birth_date"]), row["village"] or "")
                    if x
                )  # fmt: skip
                self.person_combo.addItem(label, row["id"])
        self._validate()

    def _why_not(self) -> str:
        if self.task is not None:
            return self.tr("Đang lập báo cáo…")
        kind = self.kind()
        if kind == PERSON and self.person_combo.currentData() is None:
            return self.tr("Gõ tên rồi chọn một người để lập phiếu.")
        if (
            kind == ROUND
            and not self.village_combo.currentData()
            and not self.due_check.isChecked()
        ):
            return self.tr("Chọn một thôn, bản, hoặc đánh dấu “Chỉ người đến hạn xét nghiệm”.")
        return ""

    def _validate(self) -> None:
        reason = self._why_not()
        self.reason_label.setText(reason)
        self.reason_label.setVisible(bool(reason))
        self.build_button.setEnabled(not reason)
        self.build_button.setToolTip(reason)
        has_file = self.current is not None and self.current.exists()
        self.open_button.setEnabled(has_file)
        self.save_button.setEnabled(has_file)

    # -- building ----------------------------------------------------------------------------
    def build(self) -> None:
        """Make the chosen report in the background."""
        if self._why_not():
            return
        kind = self.kind()
        month = self.month_edit.date()
        year_month = (month.year(), month.month())
        person_id = self.person_combo.currentData()
        person_name = self.person_combo.currentText().split(" — ")[0]
        village = self.village_combo.currentData()
        due = self.due_check.isChecked()
        folder, scratch = self.outbox.folder, self._scratch

        def job(reg: Register, progress: Any) -> Any:
            if kind == MONTHLY:
                box = Outbox(folder, reg.commune_id, reg.key)
                return monthly_report(reg, year_month, outbox=box, progress=progress)
            if kind == PERSON:
                out = scratch / f"phieu-theo-doi-{_file_name(person_name)}.pdf"
                return person_report(reg, person_id, out, progress)
            name = f"danh-sach-xet-nghiem-{_file_name(village or 'den-han')}.pdf"
            return round_report(reg, scratch / name, village=village, due=due, progress=progress)

        self.progress.setValue(0)
        self.result_label.clear()
        self.task = run_in_background(
            self, self.tr("Đang lập báo cáo…"), self.reg, job, self._built, self._failed
        )
        self.task.progressed.connect(self._progressed)
        self._validate()

    def _progressed(self, text: str, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.progress.setFormat(text)

    def _finish_task(self) -> None:
        self.task = None  # the worker keeps the finished task alive until Qt has deleted it

    def _built(self, built: Any) -> None:
        self._finish_task()
        self.progress.setValue(self.progress.maximum())
        self.progress.setFormat(self.tr("Xong"))
        self.current = Path(built.path)
        self.current_entry = built.entry.id if built.entry is not None else None
        if built.entry is not None:
            self.result_label.setText(
                self.tr("Đã lập %1 (bản %2), lưu trong hộp thư đi: %3")
                .replace("%1", built.entry.title)
                .replace("%2", str(built.entry.version))
                .replace("%3", str(self.current))
            )
            self.refresh_outbox(select=built.entry.id)
        else:
            self.result_label.setText(self.tr("Đã lập: %1").replace("%1", str(self.current)))
        self._validate()

    def _failed(self, message: str) -> None:
        self._finish_task()
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("Không lập được"))
        self.result_label.setText(message)
        self._validate()

    def open_current(self) -> None:
        """Open the current report in the system's PDF viewer (to read and print)."""
        if self.current is None:
            return
        shown = self.current
        if self.current_entry is not None:
            try:  # a clear copy in the program's temp folder, checked against its hash, logged
                shown = open_report(self.reg, self.outbox, self.current_entry, self._scratch)
            except UserError as exc:
                show_failure(self, exc)
                return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(shown))):
            QMessageBox.warning(
                self,
                self.tr("Không mở được"),
                self.tr("Máy chưa có chương trình đọc PDF. Tệp ở: %1").replace("%1", str(shown)),
            )

    def save_current(self) -> None:
        """Save a copy of the current report where the officer chooses."""
        if self.current is None:
            return
        name = self.current.name.removesuffix(".sealed")
        target, _ = QFileDialog.getSaveFileName(
            self, self.tr("Lưu báo cáo thành"), name, self.tr("Tệp PDF (*.pdf)")
        )
        if not target:
            return
        try:
            if self.current_entry is not None:
                save_report(self.reg, self.outbox, self.current_entry, Path(target))
            else:
                shutil.copyfile(self.current, target)
        except UserError as exc:
            show_failure(self, exc)
            return
        except OSError as exc:
            message = self.tr("Không lưu được “%1”: %2").replace("%1", target)
            show_failure(self, UserError(message.replace("%2", str(exc))))
            return
        self.result_label.setText(self.tr("Đã lưu bản sao: %1").replace("%1", target))

    # -- the outbox --------------------------------------------------------------------------
    def _build_outbox(self) -> None:
        self.outbox_box = QGroupBox(self.tr("Hộp thư đi (báo cáo tháng đã lập)"))
        self.outbox_model = OutboxModel(self)
        self.outbox_view = make_table("outboxTable")
        self.outbox_view.setModel(self.outbox_model)
        self.outbox_view.selectionModel().currentRowChanged.connect(self._selected)
        self.outbox_view.doubleClicked.connect(lambda *_: self.open_current())
        self.copy_button = QPushButton(self.tr("Chép ra USB…"))
        self.copy_button.setObjectName("copyUsbButton")
        self.mark_button = QPushButton(self.tr("Đánh dấu đã gửi"))
        self.mark_button.setObjectName("markSentButton")
        self.upload_button = QPushButton(self.tr("Gửi lên"))
        self.upload_button.setObjectName("uploadButton")
        self.upload_label = QLabel()
        self.upload_label.setObjectName("uploadStatus")
        self.upload_label.setWordWrap(True)
        self.folder_label = QLabel(self.tr("Thư mục: %1").replace("%1", str(self.outbox.folder)))
        self.folder_label.setObjectName("outboxFolder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        for button in (self.copy_button, self.mark_button, self.upload_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box = QVBoxLayout(self.outbox_box)
        box.addWidget(self.outbox_view, 1)
        box.addLayout(buttons)
        box.addWidget(self.upload_label)
        box.addWidget(self.folder_label)
        self.copy_button.clicked.connect(self.copy_selected)
        self.mark_button.clicked.connect(self.mark_selected)
        self.upload_button.clicked.connect(lambda: self.upload(force=True))

    def upload_url(self) -> str:
        """The unit's upload address ("" when none: nothing is sent anywhere)."""
        return str(get_settings(self.reg)["upload_url"] or "").strip()

    def refresh_outbox(self, select: str | None = None) -> None:
        """Read the outbox folder again and show each report's state."""
        try:
            entries = self.outbox.entries()
        except UserError as exc:
            entries = []
            self.upload_label.setText(exc.message)
        intact = {e.id: self.outbox.verify(e) for e in entries}
        self.outbox_model.set_entries(entries, intact)
        self.outbox_view.resizeColumnsToContents()
        if select:
            row = self.outbox_model.row_of(select)
            if row >= 0:
                self.outbox_view.selectRow(row)
        self._outbox_buttons()

    def selected(self) -> Entry | None:
        """The report selected in the outbox table."""
        index = self.outbox_view.currentIndex()
        return self.outbox_model.entry(index.row()) if index.isValid() else None

    def _selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            entry = self.outbox_model.entry(current.row())
            self.current, self.current_entry = self.outbox.pdf_path(entry), entry.id
        self._outbox_buttons()
        self._validate()

    def _outbox_buttons(self) -> None:
        entry = self.selected()
        self.copy_button.setEnabled(entry is not None)
        self.mark_button.setEnabled(entry is not None and not entry.sent)
        url = self.upload_url()
        pending = bool(self.outbox.pending())
        self.upload_button.setEnabled(bool(url) and pending and self.upload_task is None)
        if not url:
            self.upload_label.setText(
                self.tr("Chưa cài đặt địa chỉ nhận báo cáo: báo cáo không được gửi đi đâu; "
                        "hãy chép ra USB hoặc in và đánh dấu đã gửi.")
            )  # fmt: skip
        elif self.upload_task is None and not self.upload_label.text():
            self.upload_label.setText(self.tr("Gửi lên: %1").replace("%1", url))

    def copy_selected(self) -> None:
        """Copy the selected report to a folder (a USB stick), checking the copy."""
        entry = self.selected()
        if entry is None:
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục (USB) để chép"))
        if not folder:
            return
        try:
            target = copy_report(self.reg, self.outbox, entry.id, Path(folder))
        except UserError as exc:
            show_failure(self, exc)
            return
        self.upload_label.setText(self.tr("Đã chép sang %1").replace("%1", str(target)))
        self.refresh_outbox(select=entry.id)

    def mark_selected(self) -> None:
        """Mark the selected report as sent (handed over on paper or on a USB stick)."""
        entry = self.selected()
        if entry is None or entry.sent:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Đánh dấu đã gửi"),
            self.tr("Đánh dấu “%1” (bản %2) là đã gửi? Báo cáo này sẽ không được tự gửi lên nữa.")
            .replace("%1", entry.title)
            .replace("%2", str(entry.version)),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.outbox.mark_sent(entry.id, "manual")
        except UserError as exc:
            show_failure(self, exc)
        self.refresh_outbox(select=entry.id)

    def upload(self, force: bool = False) -> None:
        """Send the pending reports in the background (`force`: do not wait for the retry time)."""
        url = self.upload_url()
        if not url or self.upload_task is not None:
            return
        try:
            check_url(url)
        except UserError as exc:
            self.upload_label.setText(exc.message)
            return
        folder = self.outbox.folder
        unit = str(get_settings(self.reg)["unit_name"] or "")

        def job(reg: Register, progress: Any) -> Any:
            box = Outbox(folder, reg.commune_id, reg.key)
            return send_reports(reg, box, url, unit=unit, force=force, progress=progress)

        self.upload_label.setText(self.tr("Đang gửi…"))
        self.upload_task = run_in_background(
            self, self.tr("Đang gửi báo cáo…"), self.reg, job, self._uploaded,
            self._upload_failed, quiet=not force,  # automatic retries work silently
        )  # fmt: skip
        self._outbox_buttons()

    def auto_upload(self) -> None:
        """Try the pending reports again, if an address is set and any report waits."""
        top = self.window()
        if top is not self and not top.isVisible():
            return  # the main window was closed (its register with it): nothing to retry from
        if self.upload_url() and self.outbox.pending():
            self.upload(force=False)

    def _finish_upload(self) -> None:
        self.upload_task = None

    def _uploaded(self, result: Any) -> None:
        self._finish_upload()
        when = datetime.now(UTC).astimezone().strftime("%H:%M %d/%m/%Y")
        self.upload_label.setText(f"{result.summary()} ({when})")
        self.refresh_outbox()

    def _upload_failed(self, message: str) -> None:
        self._finish_upload()
        self.upload_label.setText(message)
        self.refresh_outbox()

    def closeEvent(self, event: Any) -> None:
        self.retry_timer.stop()
        self.first_try.stop()
        super().closeEvent(event)
