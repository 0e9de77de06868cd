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
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.core.errors import RegisterDamaged, TooManyAttempts, UserError, ValidationError
from db.security.encryption import create_register, encrypt_register, unlock_with_recovery
from db.store import keys
from db.store.audit import log_event
from db.store.register import Register, default_user, open_register, register_state, unlock
from gui.kit.common import error_label, set_error

Today = Callable[[], date]


def password_field(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def line_edit(name: str, text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    return edit


def make_button(name: str, text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    return button


def intro_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("intro")
    label.setWordWrap(True)
    return label


class FormDialog(QDialog):
    """A small form: fields, a red line for what is wrong, and buttons on the right."""

    def __init__(self, name: str, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.error = error_label("formError")
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)

    def finish(self) -> None:
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addLayout(self.buttons)

    def fail(self, exc: UserError) -> None:
        set_error(self.error, exc.message)


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
        try:
            slots = keys.read_keys(path).slots
            if last not in slots and len(slots) == 1:
                last = next(iter(slots))
        except UserError as exc:  # shown now: a missing key file needs the recovery code
            set_error(self.error, exc.message)
        self.layout_.addWidget(intro_label(self.tr("Sổ: %1").replace("%1", str(path))))
        self.login = line_edit("login", last)
        self.password = password_field("password")
        self.form.addRow(self.tr("Tên đăng nhập"), self.login)
        self.form.addRow(self.tr("Mật khẩu"), self.password)
        self.recover_button = make_button("recoverButton", self.tr("Quên mật khẩu…"))
        self.open_button = make_button("openButton", self.tr("Mở sổ"))
        self.open_button.setDefault(True)
        cancel = make_button("cancelButton", self.tr("Thoát"))
        for b in (self.recover_button, cancel, self.open_button):
            self.buttons.addWidget(b)
        self.finish()
        self.open_button.clicked.connect(self.try_open)
        self.recover_button.clicked.connect(self.recover)
        cancel.clicked.connect(self.reject)
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
        self.layout_.addWidget(intro_label(self.tr(
            "Nhập mã khôi phục đã ghi lại khi tạo sổ (32 chữ và số), rồi đặt mật khẩu mới. "
            "Để trống tên đăng nhập: đặt mật khẩu mới cho tài khoản chỉ huy."
        )))  # fmt: skip
        self.code = line_edit("recoveryCodeInput")
        self.login = line_edit("recoverLogin")
        self.password = password_field("newPassword")
        self.again = password_field("confirmPassword")
        self.form.addRow(self.tr("Mã khôi phục"), self.code)
        self.form.addRow(self.tr("Tên đăng nhập"), self.login)
        self.form.addRow(self.tr("Mật khẩu mới"), self.password)
        self.form.addRow(self.tr("Nhập lại mật khẩu mới"), self.again)
        self.ok_button = make_button("recoverOpenButton", self.tr("Mở sổ, đặt mật khẩu mới"))
        self.ok_button.setDefault(True)
        cancel = make_button("cancelButton", self.tr("Hủy"))
        self.buttons.addWidget(cancel)
        self.buttons.addWidget(self.ok_button)
        self.finish()
        self.ok_button.clicked.connect(self.try_open)
        cancel.clicked.connect(self.reject)

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
        self.layout_.addWidget(intro_label(intro.replace("%1", str(path))))
        self.full_name = line_edit("fullName")
        self.login = line_edit("newLogin", default_user())
        self.password = password_field("newPassword")
        self.again = password_field("confirmPassword")
        self.form.addRow(self.tr("Họ tên chỉ huy"), self.full_name)
        self.form.addRow(self.tr("Tên đăng nhập"), self.login)
        self.form.addRow(self.tr("Mật khẩu (ít nhất 8 ký tự)"), self.password)
        self.form.addRow(self.tr("Nhập lại mật khẩu"), self.again)
        self.why = QLabel()
        self.why.setObjectName("whyDisabled")
        self.why.setWordWrap(True)
        self.buttons.insertWidget(0, self.why, 1)  # beside the button it explains
        self.create_button = make_button(
            "createButton", self.tr("Mã hóa sổ") if convert else self.tr("Tạo sổ")
        )
        self.create_button.setDefault(True)
        cancel = make_button("cancelButton", self.tr("Thoát"))
        self.buttons.addWidget(cancel)
        self.buttons.addWidget(self.create_button)
        self.finish()
        for edit in (self.login, self.password, self.again):
            edit.textChanged.connect(self.validate)
        self.create_button.clicked.connect(self.try_create)
        cancel.clicked.connect(self.reject)
        self.validate()

    def validate(self) -> None:
        """Say as the chief types why the account cannot be made yet."""
        reason = ""
        try:
            login = keys.check_login(self.login.text())
            keys.check_new_password(self.password.text(), login)
        except ValidationError as exc:
            reason = exc.message
        if not reason and self.password.text() != self.again.text():
            reason = self.tr("Hai lần nhập mật khẩu không giống nhau.")
        self.why.setText(reason)
        self.create_button.setEnabled(not reason)

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
        self.done_button = make_button("doneButton", self.tr("Tiếp tục"))
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
