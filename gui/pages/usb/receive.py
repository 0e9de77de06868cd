"""Reading a handover bundle in: choose it, give its passphrase, see what it would do per
table (new, changed, unchanged, in conflict), tick explicitly for another commune's bundle, then
"Nhập vào sổ" merges it in the background, all or nothing; and the handover record.

What the import left out or found (settings a bundle may not change, accounts, a sender's change
log that moved back) is listed under the counts, and so is the sender's chain anchor — the code
to compare with the sender's later bundles, backups and reports (db.store.anchor).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from db.handover import receive
from db.store.register import Register
from gui.kit.common import make_table
from gui.kit.drives import removable_drives
from gui.pages.usb.transfer import BUNDLE_FILTER, HandoverTab, fill, grouped, preview_model, usb_tr
from reports.handover import facts_for_import


class ImportTab(HandoverTab):
    """Read a bundle in: choose, passphrase, preview, import; then the record."""

    imported = Signal(object)  # the receive.Preview of a finished import

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(reg, parent)
        self.setObjectName("importTab")
        self.bundle: Path | None = None
        self.preview: receive.Preview | None = None
        self.done: receive.Preview | None = None
        self._build_import()
        self._validate()

    def _build_import(self) -> None:
        self.file_label = self._label("bundleLabel")
        choose = self._button(self.tr("Chọn tệp gói…"), "chooseBundle", self.choose_bundle)
        self.import_pass = self._secret("importPassphrase")
        self.preview_button = self._button(self.tr("Xem trước"), "previewButton", self.run_preview)
        self.source_label = self._label("sourceLabel")
        self.other_label = self._label("otherCommuneLabel")
        self.other_label.setStyleSheet("color: #8a5a00; font-weight: bold;")
        self.accept_other = self._widget(
            QCheckBox(self.tr("Đây là sổ tổng hợp nhiều xã: nhập, bản ghi giữ nguyên xã của mình")),
            "acceptOtherCommune",
        )
        self.take_over = self._widget(
            QCheckBox(
                self.tr("Sổ này còn trống: nhận làm sổ của đơn vị mình (bàn giao, máy thứ hai)")
            ),
            "takeOver",
        )
        for box in (self.accept_other, self.take_over):
            box.toggled.connect(lambda *_: self._validate())
        self.preview_rows = preview_model(self)
        self.preview_view = make_table("previewTable")
        self.preview_view.setModel(self.preview_rows)
        self.import_button = self._button(self.tr("Nhập vào sổ"), "importButton", self.run_import)
        self.import_reason = self._label("importReason")
        self.import_progress = self._widget(QProgressBar(), "importProgress")
        self.import_result = self._label("importResult")
        self.import_notes = self._label("importNotes")
        self.import_notes.setStyleSheet("color: #8a5a00;")
        self.sender_anchor = self._label("senderAnchor")
        self.import_record = self._button(
            self.tr("Lập biên bản bàn giao…"), "importRecordButton", self.import_record_pdf
        )
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(choose)
        top.addWidget(self.file_label, 1)
        layout.addLayout(top)
        secret = QHBoxLayout()
        secret.addWidget(QLabel(self.tr("Mật khẩu gói")))
        secret.addWidget(self.import_pass, 1)
        secret.addWidget(self.preview_button)
        layout.addLayout(secret)
        for widget in (self.source_label, self.other_label, self.accept_other, self.take_over):
            layout.addWidget(widget)
        layout.addWidget(self.preview_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.import_reason, 1)
        layout.addLayout(row)
        layout.addWidget(self.import_progress)
        layout.addWidget(self.import_result)
        layout.addWidget(self.import_notes)
        layout.addWidget(self.sender_anchor)
        record = QHBoxLayout()
        record.addWidget(self.import_record)
        record.addStretch(1)
        layout.addLayout(record)
        self.accept_other.hide()
        self.take_over.hide()

    def _import_reason(self) -> str:
        preview = self.preview
        if self.bundle is None:
            return self.tr("Chọn tệp gói dữ liệu.")
        if preview is None:
            return self.tr("Nhập mật khẩu gói rồi bấm Xem trước.")
        if self.done is not None:
            return self.tr("Đã nhập gói này.")
        if preview.imported_at:
            return self.tr("Gói này đã được nhập trước đây; nhập lại sẽ không thay đổi gì.")
        if preview.other_commune and not (
            self.accept_other.isChecked() or self.take_over.isChecked()
        ):
            return self.tr("Gói của đơn vị khác: đánh dấu một lựa chọn ở trên để nhập.")
        if self.accept_other.isChecked() and self.take_over.isChecked():
            return self.tr("Chỉ chọn một trong hai cách nhập.")
        return ""

    def _validate(self) -> None:
        busy = self.task is not None
        reason = self.tr("Đang làm, xin chờ…") if busy else self._import_reason()
        self.import_button.setEnabled(not reason)
        self.import_button.setToolTip(reason)
        self.import_reason.setText(reason)
        self.preview_button.setEnabled(
            not busy and self.bundle is not None and bool(self.import_pass.text())
        )
        self.import_record.setEnabled(not busy and self.done is not None)

    def choose_bundle(self) -> None:
        """Choose the bundle file (on the stick)."""
        drives = removable_drives()
        start = str(drives[0].path) if drives else ""
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Chọn tệp gói dữ liệu"), start, self.tr(BUNDLE_FILTER)
        )
        if chosen:
            self.set_bundle(Path(chosen))

    def set_bundle(self, path: Path) -> None:
        """Take this bundle file (chosen, or double-clicked in Windows): the passphrase is next."""
        chosen = str(path)
        self.bundle, self.preview, self.done = path, None, None
        self.file_label.setText(chosen)
        self.preview_rows.set_rows([])
        for label in (self.source_label, self.other_label, self.import_result, self.import_notes,
                      self.sender_anchor):  # fmt: skip
            label.clear()
        self.accept_other.hide()
        self.take_over.hide()
        self._validate()
        self.import_pass.setFocus()

    def run_preview(self) -> None:
        """Decrypt, verify and count in the background; nothing is written."""
        path, secret = self.bundle, self.import_pass.text()
        if path is None or not secret:
            return
        self._run(
            self.tr("Đang kiểm tra gói…"),
            lambda reg, progress: receive.preview_bundle(reg, path, secret, progress),
            self._previewed,
            self.import_progress,
            self.import_result,
        )

    def _show_counts(self, result: receive.Preview) -> None:
        self.preview_rows.set_rows(
            [
                {"label": usb_tr(receive.TABLE_LABELS[t]), **c.as_dict()}
                for t, c in result.tables.items()
                if any(c.as_dict().values())
            ]
        )
        self.preview_view.resizeColumnsToContents()

    def _show_notes(self, result: receive.Preview) -> None:
        """What the import leaves out or warns about, and the sender's chain anchor."""
        notes = [str(note) for note in result.notes]
        self.import_notes.setText(
            "\n".join([self.tr("Lưu ý:"), *(f"• {note}" for note in notes)]) if notes else ""
        )
        # Bundles of older versions carry no anchor (and older previews no such field).
        code = getattr(result, "sender_anchor", None) or getattr(result, "anchor", None)
        self.sender_anchor.setText(
            fill(
                self.tr(
                    "Mốc nhật ký của máy gửi khi lập gói: %1 (ghi lại để đối chiếu với các gói, "
                    "bản sao lưu và báo cáo sau của máy đó)."
                ),
                code,
            )
            if code
            else ""
        )

    def _previewed(self, preview: receive.Preview) -> None:
        self.preview = preview
        self._show_counts(preview)
        self._show_notes(preview)
        kind = self.tr("đầy đủ") if preview.manifest.get("kind") == "full" else self.tr("bổ sung")
        self.source_label.setText(
            fill(
                self.tr("Gói %1 số %2 của %3.\nMã SHA-256: %4"),
                kind,
                preview.manifest.get("seq"),
                preview.source_label,
                grouped(preview.sha256),
            )
        )
        self.other_label.setText(
            self.tr("Gói này là dữ liệu của một đơn vị khác, không phải của sổ này.")
            if preview.other_commune
            else ""
        )
        self.accept_other.setChecked(False)
        self.take_over.setChecked(False)
        self.accept_other.setVisible(preview.other_commune)
        self.take_over.setVisible(preview.can_take_over)
        total = preview.total
        self.import_result.setText(
            fill(
                self.tr(
                    "Xem trước: %1 mới, %2 thay đổi, %3 không đổi, %4 xung đột. Chưa ghi gì vào sổ."
                ),
                total.new,
                total.changed,
                total.unchanged,
                total.conflicts,
            )
        )

    def run_import(self) -> None:
        """Merge the previewed bundle, in one transaction, in the background."""
        path, secret = self.bundle, self.import_pass.text()
        if path is None or self._import_reason():
            return
        accept, take = self.accept_other.isChecked(), self.take_over.isChecked()

        def job(reg: Register, progress: Any) -> receive.Preview:
            return receive.import_bundle(
                reg, path, secret, accept_other_commune=accept, take_over=take, progress=progress
            )

        self._run(
            self.tr("Đang nhập gói vào sổ…"),
            job,
            self._imported,
            self.import_progress,
            self.import_result,
        )

    def _imported(self, result: receive.Preview) -> None:
        self.done = result
        self.import_pass.clear()
        if result.took_over:
            # The worker's connection changed the register's commune; this one must follow.
            self.reg.commune_id = result.manifest["source"]["commune_id"]
        self._show_counts(result)
        self._show_notes(result)
        total = result.total
        self.import_result.setText(
            fill(
                self.tr("Đã nhập gói vào sổ: %1 mới, %2 thay đổi, %3 không đổi, %4 xung đột."),
                total.new,
                total.changed,
                total.unchanged,
                total.conflicts,
            )
        )
        self.changed.emit()
        self.imported.emit(result)

    def import_record_pdf(self) -> None:
        """The handover record of the bundle just imported."""
        done = self.done
        if done is None or done.import_no is None:
            return
        number = done.import_no
        self._record(
            lambda reg: facts_for_import(reg, number),
            f"bien-ban-nhan-{number}.pdf",
            self.import_progress,
            self.import_result,
        )
