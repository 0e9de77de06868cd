"""Signing in: the login at start, a new register's chief account and its recovery code, and
opening with the recovery code (the idle lock is in gui/session/lock.py).

    reg = open_at_start(path)   # None: the person gave up
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from db.core.errors import RegisterDamaged, TooManyAttempts, UserError
from db.security.encryption import create_register, encrypt_register, unlock_with_recovery
from db.store import keys
from db.store.audit import log_event
from db.store.register import Register, default_user, open_register, register_state, unlock
from gui.kit.common import named_button, set_error
from gui.kit.forms import FormDialog, Row, intro_label, line_edit, password_field, refusals

Today = Callable[[], date]


class LoginDialog(FormDialog):
    """The login at start: name and password; "forgot" opens the recovery-code dialog."""

    def __init__(self, path: Path, parent: QWidget | None = None,
                 today: Today = date.today) -> None:  # fmt: skip
        super().__init__("loginDialog", self.tr("Sổ theo dõi — đăng nhập"), parent)
        self.path, self.today = path, today
        self.register: Register | None = None
        self.key: bytes | None = None
        self.damaged: RegisterDamaged | None = None
        last = str(QSettings().value("login/last", "") or "")
        key_problem = ""
        try:
            slots = keys.read_keys(path).slots
            if last not in slots and len(slots) == 1:
                last = next(iter(slots))
        except UserError as exc:  # shown now: a missing key file needs the recovery code
            key_problem = exc.message
        self.main_layout.addWidget(intro_label(self.tr("Sổ: %1").replace("%1", str(path))))
        self.login = line_edit("login", last)
        self.password = password_field("password")
        self.add_field("login", self.tr("Tên đăng nhập"), self.login)
        self.add_field("password", self.tr("Mật khẩu"), self.password)
        self.recover_button = self.add_button(
            "recoverButton", self.tr("Quên mật khẩu…"), self.recover
        )
        self.add_button("cancelButton", self.tr("Thoát"), self.reject)
        # Not the form's main button: it stays disabled while too many tries wait, typing or not.
        self.open_button = self.add_button("openButton", self.tr("Mở sổ"), self.try_open)
        self.open_button.setDefault(True)
        self.finish()
        set_error(self.error, key_problem or None)
        (self.password if last else self.login).setFocus()

    def try_open(self) -> None:
        """Unlock with the password; the register is opened (or found damaged) for the caller."""
        try:
            login, key, failures = unlock(self.path, self.login.text() or None,
                                          self.password.text())  # fmt: skip
        except TooManyAttempts as exc:
            self.fail(exc)
            self.open_button.setEnabled(False)
            QTimer.singleShot(exc.wait_seconds * 1000, lambda: self.open_button.setEnabled(True))
            return
        except UserError as exc:
            self.fail(exc)
            self.password.clear()
            return
        self.key = key
        QSettings().setValue("login/last", login)
        try:
            reg = open_register(self.path, user=login, key=key, today=self.today)
            log_event(reg, "login", {"failed_before": failures})
        except RegisterDamaged as exc:
            self.damaged = exc  # the caller offers the newest good backup
        except UserError as exc:
            self.fail(exc)
            return
        else:
            self.register = reg
        self.accept()

    def recover(self) -> None:
        """Open with the recovery code instead."""
        dialog = RecoverDialog(self.path, self, self.today)
        if dialog.exec() and dialog.register is not None:
            self.register, self.key = dialog.register, dialog.register.key
            self.accept()


class RecoverDialog(FormDialog):
    """The recovery code and a new password for the chief (or a named account)."""

    def __init__(self, path: Path, parent: QWidget | None = None,
                 today: Today = date.today) -> None:  # fmt: skip
        super().__init__("recoverDialog", self.tr("Mở sổ bằng mã khôi phục"), parent)
        self.path, self.today = path, today
        self.register: Register | None = None
        self.main_layout.addWidget(intro_label(self.tr(
            "Nhập mã khôi phục đã ghi lại khi tạo sổ (32 chữ và số), rồi đặt mật khẩu mới. "
            "Để trống tên đăng nhập: đặt mật khẩu mới cho tài khoản chỉ huy."
        )))  # fmt: skip
        self.code = line_edit("recoveryCodeInput")
        self.login = line_edit("recoverLogin")
        self.password = password_field("newPassword")
        self.again = password_field("confirmPassword")
        self.add_field("code", self.tr("Mã khôi phục"), self.code)
        self.add_field("login", self.tr("Tên đăng nhập"), self.login)
        self.add_field("password", self.tr("Mật khẩu mới"), self.password)
        self.add_field("confirm", self.tr("Nhập lại mật khẩu mới"), self.again)
        self.add_button("cancelButton", self.tr("Hủy"), self.reject)
        self.ok_button = self.add_button(
            "recoverOpenButton", self.tr("Mở sổ, đặt mật khẩu mới"), self.try_open
        )
        self.ok_button.setDefault(True)
        self.finish()

    def try_open(self) -> None:
        if self.password.text() != self.again.text():
            set_error(self.error, self.tr("Hai lần nhập mật khẩu mới không giống nhau."))
            return
        try:
            self.register = unlock_with_recovery(
                self.path, self.code.text(), self.password.text(),
                user=self.login.text() or None, today=self.today,
            )  # fmt: skip
        except UserError as exc:
            self.fail(exc)
            return
        self.accept()


class NewAccountDialog(FormDialog):
    """The chief's account for a new register, or for encrypting a register made before."""

    why_says = "problem"

    def __init__(self, path: Path, *, convert: bool, parent: QWidget | None = None,
                 today: Today = date.today) -> None:  # fmt: skip
        super().__init__("newAccountDialog", self.tr("Sổ theo dõi — tài khoản chỉ huy"), parent)
        self.path, self.convert, self.today = path, convert, today
        self.register: Register | None = None
        self.key: bytes | None = None
        self.damaged: RegisterDamaged | None = None
        self.code = ""
        intro = (
            self.tr(
                "Sổ “%1” được tạo từ phiên bản chưa mã hóa. Để bảo vệ dữ liệu cá nhân, sổ sẽ được "
                "mã hóa: hãy tạo tài khoản chỉ huy. Dữ liệu được giữ nguyên."
            )
            if convert
            else self.tr(
                "Tạo sổ mới “%1”. Sổ được mã hóa; người mở sổ phải đăng nhập. Tài khoản đầu "
                "tiên là của chỉ huy (quản lý tài khoản, cài đặt, duyệt quyết định)."
            )
        )
        self.main_layout.addWidget(intro_label(intro.replace("%1", str(path))))
        self.full_name = line_edit("fullName")
        self.login = line_edit("newLogin", default_user())
        self.password = password_field("newPassword")
        self.again = password_field("confirmPassword")
        self.add_field("full_name", self.tr("Họ tên chỉ huy"), self.full_name)
        self.add_field("login", self.tr("Tên đăng nhập"), self.login)
        self.add_field("password", self.tr("Mật khẩu (ít nhất 8 ký tự)"), self.password)
        self.add_field("confirm", self.tr("Nhập lại mật khẩu"), self.again)
        self.add_button("cancelButton", self.tr("Thoát"), self.reject)
        self.create_button = self.add_button(
            "createButton", self.tr("Mã hóa sổ") if convert else self.tr("Tạo sổ"),
            self.try_create, main=True,
        )  # fmt: skip
        self.finish()

    def values(self) -> Row:
        return {"full_name": self.full_name.text(), "login": self.login.text(),
                "password": self.password.text(), "confirm": self.again.text()}  # fmt: skip

    def problems(self, values: Row) -> dict[str, str]:
        """Why the account cannot be made yet: the register's rules for names and passwords."""
        found = refusals(keys.check_login, values["login"])
        login = keys.normalize_login(values["login"])
        found |= refusals(keys.check_new_password, values["password"], login)
        if values["password"] != values["confirm"]:
            found.setdefault("confirm", self.tr("Hai lần nhập mật khẩu không giống nhau."))
        return found

    def try_create(self) -> None:
        make = encrypt_register if self.convert else create_register
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.register, self.code = make(
                self.path, self.login.text(), self.password.text(),
                full_name=self.full_name.text(), today=self.today,
            )  # fmt: skip
        except RegisterDamaged as exc:
            self.damaged = exc  # the caller offers the newest good backup
            self.accept()
            return
        except UserError as exc:
            self.fail(exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.key = self.register.key
        QSettings().setValue("login/last", self.register.user)
        RecoveryCodeDialog(self.code, self).exec()
        self.accept()


class RecoveryCodeDialog(QDialog):
    """The recovery code, shown once; it closes only after "I have written it down"."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryCodeDialog")
        self.setWindowTitle(self.tr("Mã khôi phục của sổ"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label(self.tr(
            "Đây là MÃ KHÔI PHỤC của sổ. Mã chỉ hiện một lần này. Hãy chép ra giấy và cất ở nơi "
            "an toàn (tủ có khóa). Khi quên hết mật khẩu, mã này mở được sổ và mọi bản sao lưu; "
            "ai có mã này cũng mở được sổ."
        )))  # fmt: skip
        self.code = QLabel(code)
        self.code.setObjectName("recoveryCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.code)
        self.written = QCheckBox(self.tr("Tôi đã ghi lại mã khôi phục"))
        self.written.setObjectName("codeWritten")
        layout.addWidget(self.written)
        self.done_button = named_button("doneButton", self.tr("Tiếp tục"))
        self.done_button.setEnabled(False)
        self.written.toggled.connect(self.done_button.setEnabled)
        self.done_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.done_button)
        layout.addLayout(row)

    def reject(self) -> None:
        if self.written.isChecked():  # Esc or the close box: only once the code is written down
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.written.isChecked():
            event.ignore()
            return
        super().closeEvent(event)


def open_at_start(path: Path, parent: QWidget | None = None, today: Today = date.today
                  ) -> Register | None:  # fmt: skip
    """Sign in (or set up the chief's account), check the file, offer a backup if damaged.

    None: the person gave up. After a restore the password is asked again.
    """
    from db.store.check import file_problems
    from gui.dialogs.backup import RestoreDialog

    for _ in range(3):
        dialog: LoginDialog | NewAccountDialog
        if register_state(path) == "encrypted":
            dialog = LoginDialog(path, parent, today)
        else:
            convert = register_state(path) == "plain"
            dialog = NewAccountDialog(path, convert=convert, parent=parent, today=today)
        if not dialog.exec():
            return None
        reg, key = dialog.register, dialog.key
        damaged = dialog.damaged.message if dialog.damaged else ""
        if reg is not None:
            problems = file_problems(reg, quick=True)
            if not problems:
                return reg
            damaged = "; ".join(f"{p.what}: {p.detail}" for p in problems[:3])
            reg.close()
        if not RestoreDialog(path, key, damaged, parent).exec():
            return None
    return None
