"""Backups in the window: make one now (beside the register or onto a USB stick), see the list,
and — when the register is found damaged at start — restore the newest good one.

Backups run off the UI thread (gui.kit.worker) with their own connection; restoring happens before
the register is opened, so nothing holds the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from db.core.errors import UserError
from db.security.backup import Backup, default_folder, list_backups, make_backup, newest_good
from db.security.backup import restore_backup as restore_file
from db.store.register import Register
from gui.kit.common import (
    Column,
    ListModel,
    error_label,
    make_table,
    named_button,
    set_error,
    tr,
)
from gui.kit.worker import run_in_background

USB_SETTING = "backup/usb_folder"


def _tr(text: str) -> str:
    return tr("backup", text)


def usb_folder() -> Path | None:
    """The folder chosen for backups on a USB stick (remembered on this laptop), if any."""
    value = str(QSettings().value(USB_SETTING, "") or "")
    return Path(value) if value else None


def _when(backup: Backup) -> str:
    return backup.made.strftime("%d/%m/%Y %H:%M")


def _size(backup: Backup) -> str:
    return f"{backup.size / 1024 / 1024:.1f} MB".replace(".", ",")


class BackupDialog(QDialog):
    """The backups beside the register; back up now, here or to the chosen USB folder."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName("backupDialog")
        self.setWindowTitle(self.tr("Sao lưu sổ"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Sổ được tự động sao lưu mỗi ngày một lần vào thư mục “%1” (giữ các bản mới nhất "
            "theo Cài đặt). Bản sao lưu được mã hóa như sổ và được đọc lại để kiểm tra."
        ).replace("%1", str(default_folder(reg.path))))  # fmt: skip
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.model = ListModel([
            Column(_tr("Ngày giờ sao lưu"), lambda r: _when(r["backup"])),
            Column(_tr("Dung lượng"), lambda r: _size(r["backup"]), align_right=True),
            Column(_tr("Tệp"), lambda r: r["backup"].path.name),
        ])  # fmt: skip
        self.table = make_table("backupList")
        self.table.setModel(self.model)
        layout.addWidget(self.table)
        self.usb_label = QLabel()
        self.usb_label.setObjectName("usbFolder")
        self.usb_label.setWordWrap(True)
        layout.addWidget(self.usb_label)
        self.status = QLabel()
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.error = error_label("backupError")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.now_button = named_button("backupNowButton", self.tr("Sao lưu ngay"))
        self.choose_button = named_button("chooseUsbButton", self.tr("Chọn thư mục USB…"))
        self.usb_button = named_button("backupUsbButton", self.tr("Sao lưu ra USB"))
        close = named_button("closeButton", self.tr("Đóng"))
        for b in (self.now_button, self.choose_button, self.usb_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.now_button.clicked.connect(lambda: self.back_up(None))
        self.usb_button.clicked.connect(lambda: self.back_up(usb_folder()))
        self.choose_button.clicked.connect(self.choose_usb)
        close.clicked.connect(self.accept)
        self.refresh()

    def refresh(self) -> None:
        """Read the list of backups and the USB folder again."""
        backups = list_backups(self.reg.path)
        self.model.set_rows([{"id": str(b.path), "backup": b} for b in backups])
        usb = usb_folder()
        self.usb_label.setText(
            self.tr("Thư mục USB: %1").replace("%1", str(usb))
            if usb
            else self.tr("Chưa chọn thư mục USB để sao lưu thêm một bản ra ngoài máy.")
        )
        self.usb_button.setEnabled(usb is not None)

    def choose_usb(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục trên USB"))
        if chosen:
            QSettings().setValue(USB_SETTING, chosen)
            self.refresh()

    def back_up(self, folder: Path | None) -> None:
        """A backup now, off the UI thread."""
        set_error(self.error, None)
        if folder is not None and not folder.is_dir():
            set_error(self.error, self.tr("Không thấy thư mục “%1”: USB đã cắm chưa?").replace(
                "%1", str(folder)))  # fmt: skip
            return
        self.now_button.setEnabled(False)

        def job(worker: Register, progress: Any) -> Path:
            return make_backup(worker, folder)

        def done(made: Path) -> None:
            self.now_button.setEnabled(True)
            self.status.setText(self.tr("Đã sao lưu và kiểm tra: %1").replace("%1", str(made)))
            self.refresh()

        def failed(message: str) -> None:
            self.now_button.setEnabled(True)
            set_error(self.error, message)

        self.task = run_in_background(self, self.tr("Đang sao lưu…"), self.reg, job, done, failed)


class RestoreDialog(QDialog):
    """The register is damaged: restore the newest backup that passes the check."""

    def __init__(self, path: Path, key: bytes | None, reason: str,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.path, self.key = path, key
        self.kept: Path | None = None
        self.setObjectName("restoreDialog")
        self.setWindowTitle(self.tr("Sổ bị hỏng — khôi phục từ bản sao lưu"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.reason = QLabel(self.tr("Sổ “%1” bị hỏng: %2").replace("%1", str(path))
                             .replace("%2", reason))  # fmt: skip
        self.reason.setObjectName("damageReason")
        self.reason.setWordWrap(True)
        layout.addWidget(self.reason)
        self.found, skipped = newest_good(path, key)
        self.choice = QLabel()
        self.choice.setObjectName("chosenBackup")
        self.choice.setWordWrap(True)
        layout.addWidget(self.choice)
        if skipped:
            bad = QLabel(self.tr("Bỏ qua các bản sao lưu hỏng: %1").replace(
                "%1", ", ".join(_when(b) for b, _ in skipped)))  # fmt: skip
            bad.setObjectName("skippedBackups")
            bad.setWordWrap(True)
            layout.addWidget(bad)
        self.error = error_label("restoreError")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.choose_button = named_button("chooseBackupButton", self.tr("Chọn tệp sao lưu khác…"))
        self.restore_button = named_button("restoreButton", self.tr("Khôi phục bản này"))
        self.restore_button.setDefault(True)
        cancel = named_button("cancelButton", self.tr("Thoát"))
        row.addWidget(self.choose_button)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.restore_button)
        layout.addLayout(row)
        self.chosen: Path | None = self.found.path if self.found else None
        self._show_choice()
        self.choose_button.clicked.connect(self.choose)
        self.restore_button.clicked.connect(self.restore)
        cancel.clicked.connect(self.reject)

    def _show_choice(self) -> None:
        if self.chosen is None:
            self.choice.setText(self.tr(
                "Không tìm thấy bản sao lưu tốt trong “%1”. Hãy chọn tệp sao lưu (ví dụ trên USB)."
            ).replace("%1", str(default_folder(self.path))))  # fmt: skip
        elif self.found is not None and self.chosen == self.found.path:
            self.choice.setText(self.tr(
                "Bản sao lưu tốt gần nhất: %1 (%2). Khôi phục sẽ lấy lại mọi thứ có trong bản "
                "này; bản sổ hỏng được giữ lại bên cạnh."
            ).replace("%1", _when(self.found)).replace("%2", _size(self.found)))  # fmt: skip
        else:
            self.choice.setText(self.tr("Khôi phục từ tệp “%1”.").replace("%1", str(self.chosen)))
        self.restore_button.setEnabled(self.chosen is not None)

    def choose(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Chọn tệp sao lưu"), str(default_folder(self.path)),
            self.tr("Bản sao lưu (*.db);;Mọi tệp (*)"),
        )  # fmt: skip
        if chosen:
            self.chosen = Path(chosen)
            self._show_choice()

    def restore(self) -> None:
        assert self.chosen is not None
        try:
            self.kept = restore_file(self.path, self.chosen, self.key)
        except UserError as exc:
            set_error(self.error, exc.message)
            return
        self.accept()
