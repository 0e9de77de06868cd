"""The idle lock: after some minutes without input (or Ctrl+L) every open window — the main
window, a half-filled form — is covered with an opaque panel, and an application-modal dialog
asks for the signed-in account's password. Nothing is closed, so nothing typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from db.core.errors import TooManyAttempts, UserError
from db.security import auth
from db.store.register import Register
from gui.kit.common import named_button
from gui.kit.forms import FormDialog, intro_label, password_field


class LockDialog(FormDialog):
    """The idle lock: the signed-in account's password again; there is no other way out."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__("lockDialog", self.tr("Sổ theo dõi — đã khóa"), parent)
        self.reg = reg
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.layout_.addWidget(intro_label(self.tr(
            "Màn hình đã khóa vì lâu không dùng. Các việc đang làm dở vẫn được giữ nguyên. Nhập "
            "mật khẩu của tài khoản “%1” để tiếp tục."
        ).replace("%1", account_name(reg))))  # fmt: skip
        self.password = password_field("lockPassword")
        self.form.addRow(self.tr("Mật khẩu"), self.password)
        self.unlock_button = named_button("unlockButton", self.tr("Mở khóa"))
        self.unlock_button.setDefault(True)
        self.buttons.addWidget(self.unlock_button)
        self.finish()
        self.unlock_button.clicked.connect(self.try_unlock)

    def try_unlock(self) -> None:
        try:
            auth.check_password(self.reg, self.password.text())
        except TooManyAttempts as exc:
            self.fail(exc)
            self.unlock_button.setEnabled(False)
            QTimer.singleShot(exc.wait_seconds * 1000, lambda: self.unlock_button.setEnabled(True))
            return
        except UserError as exc:
            self.fail(exc)
            self.password.clear()
            return
        self.password.clear()
        self.accept()

    def reject(self) -> None:
        pass  # Esc does not unlock

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()  # neither does the close box

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() != Qt.Key.Key_Escape:
            super().keyPressEvent(event)


class _Cover(QWidget):
    """An opaque panel over one window while the screen is locked."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockCover")
        self.setAutoFillBackground(True)
        label = QLabel(self.tr("Màn hình đã khóa"), self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False


_INPUT = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin,
}  # fmt: skip


def account_name(reg: Register) -> str:
    """ "Lò Văn Thắng (chihuy)", or the login alone when the account has no full name."""
    if reg.full_name and reg.full_name != reg.user:
        return f"{reg.full_name} ({reg.user})"
    return reg.user


class IdleLock(QObject):
    """Locks the screen after `minutes` without keyboard or mouse input."""

    def __init__(self, window: QWidget, reg: Register, minutes: int) -> None:
        super().__init__(window)
        self.window, self.reg = window, reg
        self.dialog: LockDialog | None = None
        self.covers: list[_Cover] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def set_minutes(self, minutes: int) -> None:
        """A new idle time (from the settings), counted from now."""
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and not self.locked:
            self.timer.start()  # restarts the count
        return False

    def lock(self) -> None:
        """Cover every window and ask for the password (without closing anything)."""
        if self.locked:
            return
        self.timer.stop()
        self.dialog = LockDialog(self.reg, self.window)
        for widget in QApplication.topLevelWidgets():
            if (
                widget.isVisible()
                and widget.isWindow()
                and widget is not self.dialog
                and (widget is self.window or isinstance(widget, QDialog))
            ):
                self.covers.append(_Cover(widget))
        self.dialog.accepted.connect(self.unlock)
        self.dialog.show()
        self.dialog.activateWindow()

    def stop(self) -> None:
        """No more locking (the account signed out): the timer and the input watch end."""
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def unlock(self) -> None:
        for cover in self.covers:
            if isValid(cover):  # a progress dialog that finished meanwhile took its cover along
                cover.hide()
                cover.deleteLater()
        self.covers = []
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
        self.timer.start()
