"""Making a handover bundle: full or incremental for a receiver, onto a removable drive or a
chosen folder, with a passphrase typed twice (a strength hint as it is typed). The result shows
the bundle's SHA-256 to read out to the other officer, and makes the handover record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from db.handover import send
from db.handover.bundle import check_passphrase, passphrase_strength
from db.store.register import Register
from gui.kit.common import error_label, set_error
from gui.kit.drives import removable_drives
from gui.pages.usb.transfer import HandoverTab, fill, grouped, usb_tr
from reports.handover import facts_for_export


class ExportTab(HandoverTab):
    """Make a bundle: kind, receiver, where, passphrase; then the record."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(reg, parent)
        self.setObjectName("exportTab")
        self.folder: Path | None = None
        self.exported: send.ExportResult | None = None
        self._build_export()
        self.refresh()

    def refresh(self) -> None:
        """Receivers and drives as they are now."""
        typed = self.receiver_combo.currentText()
        self.receiver_combo.blockSignals(True)
        self.receiver_combo.clear()
        for receiver in send.receivers(self.reg):
            self.receiver_combo.addItem(receiver.label, receiver.device_id)
        self.receiver_combo.setEditText(typed)
        self.receiver_combo.blockSignals(False)
        self.refresh_drives()

    def _build_export(self) -> None:
        self.full_radio = self._widget(
            QRadioButton(self.tr("Gói đầy đủ (bàn giao, lần đầu gửi tỉnh)")), "fullRadio"
        )
        self.incremental_radio = self._widget(
            QRadioButton(self.tr("Gói bổ sung: những gì thay đổi từ gói trước gửi bên nhận")),
            "incrementalRadio",
        )
        self.full_radio.setChecked(True)
        for radio in (self.full_radio, self.incremental_radio):
            radio.toggled.connect(lambda *_: self._validate())
        self.receiver_combo = self._widget(QComboBox(), "receiverCombo")
        self.receiver_combo.setEditable(True)
        self.receiver_combo.setToolTip(self.tr("Ví dụ: Công an tỉnh, máy của đồng chí Thắng"))
        self.receiver_combo.editTextChanged.connect(lambda *_: self._validate())
        self.drive_combo = self._widget(QComboBox(), "driveCombo")
        self.drive_combo.currentIndexChanged.connect(lambda *_: self._validate())
        drives = QHBoxLayout()
        drives.addWidget(self.drive_combo, 1)
        drives.addWidget(self._button(self.tr("Làm mới"), "refreshDrives", self.refresh_drives))
        drives.addWidget(self._button(self.tr("Chọn thư mục…"), "chooseFolder", self.choose_folder))
        self.pass1, self.pass2 = self._secret("passphrase"), self._secret("passphraseAgain")
        self.strength = self._label("strengthLabel")
        self.pass_error = error_label("passphraseError")
        form = QFormLayout()
        form.addRow(self.tr("Bên nhận"), self.receiver_combo)
        form.addRow(self.tr("Ghi vào"), drives)
        form.addRow(self.tr("Mật khẩu gói"), self.pass1)
        form.addRow(self.tr("Nhập lại mật khẩu"), self.pass2)
        form.addRow("", self.strength)
        form.addRow("", self.pass_error)
        self.export_button = self._button(self.tr("Xuất gói"), "exportButton", self.export)
        self.export_reason = self._label("exportReason")
        self.export_progress = self._widget(QProgressBar(), "exportProgress")
        self.export_result = self._label("exportResult")
        self.export_record = self._button(
            self.tr("Lập biên bản bàn giao…"), "exportRecordButton", self.export_record_pdf
        )
        layout = QVBoxLayout(self)
        for widget in (self.full_radio, self.incremental_radio):
            layout.addWidget(widget)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addWidget(self.export_reason, 1)
        layout.addLayout(row)
        layout.addWidget(self.export_progress)
        layout.addWidget(self.export_result)
        record = QHBoxLayout()
        record.addWidget(self.export_record)
        record.addStretch(1)
        layout.addLayout(record)
        layout.addStretch(1)

    def refresh_drives(self) -> None:
        """List the removable drives (and the folder chosen by hand, first)."""
        self.drive_combo.blockSignals(True)
        self.drive_combo.clear()
        if self.folder is not None:
            self.drive_combo.addItem(str(self.folder), str(self.folder))
        for drive in removable_drives():
            if drive.path != self.folder:
                self.drive_combo.addItem(drive.describe(), str(drive.path))
        self.drive_combo.blockSignals(False)
        self._validate()

    def _target(self) -> Path | None:
        data = self.drive_combo.currentData()
        return Path(data) if data else None

    def _export_reason(self) -> str:
        weak = check_passphrase(self.pass1.text()) if self.pass1.text() else None
        set_error(
            self.pass_error,
            weak
            or (
                self.tr("Hai lần nhập mật khẩu không giống nhau.")
                if self.pass2.text() and self.pass2.text() != self.pass1.text()
                else None
            ),
        )
        self.strength.setText(
            usb_tr(passphrase_strength(self.pass1.text())[1]) if self.pass1.text() else ""
        )
        if self._target() is None:
            return self.tr("Cắm USB (rồi bấm Làm mới) hoặc chọn thư mục để ghi gói.")
        if self.incremental_radio.isChecked() and not self.receiver_combo.currentText().strip():
            return self.tr("Gói bổ sung cần tên bên nhận.")
        if not self.pass1.text():
            return self.tr("Đặt mật khẩu gói (trao trực tiếp cho bên nhận, không gửi kèm USB).")
        if weak:
            return self.tr("Mật khẩu gói chưa đạt yêu cầu (xem dòng đỏ ở trên).")
        if self.pass2.text() != self.pass1.text():
            return self.tr("Nhập lại mật khẩu gói cho khớp.")
        return ""

    def _validate(self) -> None:
        reason = self.tr("Đang làm, xin chờ…") if self.task is not None else self._export_reason()
        self.export_button.setEnabled(not reason)
        self.export_button.setToolTip(reason)
        self.export_reason.setText(reason)
        self.export_record.setEnabled(self.task is None and self.exported is not None)

    def choose_folder(self) -> None:
        """A folder chosen by hand (a stick the list does not show, or a shared folder)."""
        folder = QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục ghi gói dữ liệu"))
        if folder:
            self.folder = Path(folder)
            self.refresh_drives()
            self.drive_combo.setCurrentIndex(0)

    def export(self) -> None:
        """Write the bundle in the background."""
        target, secret = self._target(), self.pass1.text()
        if target is None or self._export_reason():
            return
        full = self.full_radio.isChecked()
        receiver = self.receiver_combo.currentText().strip()
        self.exported = None

        def job(reg: Register, progress: Any) -> send.ExportResult:
            return send.export_bundle(
                reg, target, secret, full=full, receiver=receiver, progress=progress
            )

        self._run(
            self.tr("Đang ghi gói dữ liệu…"),
            job,
            self._exported,
            self.export_progress,
            self.export_result,
        )

    def _exported(self, made: send.ExportResult) -> None:
        self.exported = made
        self.pass1.clear()
        self.pass2.clear()
        kind = self.tr("đầy đủ") if made.kind == "full" else self.tr("bổ sung")
        rows = sum(made.counts.values())
        text = fill(
            self.tr(
                "Đã ghi gói %1 số %2 (%3 bản ghi) vào %4.\nMã SHA-256 (đọc cho bên "
                "nhận đối chiếu): %5"
            ),
            kind,
            made.seq,
            rows,
            made.path,
            grouped(made.sha256),
        )
        if made.fell_back:
            text += "\n" + self.tr("Chưa từng gửi gói cho bên nhận này nên đây là gói đầy đủ.")
        self.export_result.setText(text)
        self.refresh()
        self.changed.emit()

    def export_record_pdf(self) -> None:
        """The handover record of the bundle just made."""
        made = self.exported
        if made is None:
            return
        self._record(
            lambda reg: facts_for_export(reg, made.seq),
            f"bien-ban-giao-{made.seq}.pdf",
            self.export_progress,
            self.export_result,
        )
