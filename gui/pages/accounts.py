"""Accounts: the chief adds officers, resets a forgotten password, stops an account; everyone
changes their own password. The buttons an officer may not use are disabled with the reason —
and db.security.auth refuses them anyway.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import show
from db.core.errors import UserError, ValidationError
from db.security import auth
from db.store import keys
from db.store.register import CHIEF, OFFICER, Register
from gui.kit.common import Column, ListModel, error_label, make_table, set_error, tr


def _tr(text: str) -> str:
    return tr("accounts", text)


def _password(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _button(name: str, text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    return button


class _PasswordForm(QDialog):
    """A form whose OK button stays disabled, saying why, until the new password is good."""

    def __init__(self, reg: Register, name: str, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.form = QFormLayout()
        self.password = _password("newPassword")
        self.again = _password("confirmPassword")
        self.why = QLabel()
        self.why.setObjectName("whyDisabled")
        self.why.setWordWrap(True)
        self.error = error_label("formError")
        self.ok_button = _button("saveButton", self.tr("Lưu"))
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.try_save)
        self._cancel = _button("cancelButton", self.tr("Hủy"))
        self._cancel.clicked.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.tr("Mật khẩu mới (ít nhất 8 ký tự)"), self.password)
        self.form.addRow(self.tr("Nhập lại mật khẩu mới"), self.again)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addWidget(self.why, 1)
        row.addWidget(self._cancel)
        row.addWidget(self.ok_button)
        layout.addLayout(row)
        for edit in self.findChildren(QLineEdit):
            edit.textChanged.connect(self.validate)
        self.validate()

    def login(self) -> str:
        return self.reg.user

    def extra_reason(self) -> str:
        return ""

    def validate(self) -> None:
        reason = self.extra_reason()
        if not reason:
            try:
                keys.check_new_password(self.password.text(), self.login())
            except ValidationError as exc:
                reason = exc.message
        if not reason and self.password.text() != self.again.text():
            reason = self.tr("Hai lần nhập mật khẩu mới không giống nhau.")
        self.why.setText(reason)
        self.ok_button.setEnabled(not reason)

    def save(self) -> None:
        raise NotImplementedError

    def try_save(self) -> None:
        try:
            self.save()
        except UserError as exc:
            set_error(self.error, exc.message)
            return
        self.accept()


class ChangePasswordDialog(_PasswordForm):
    """The signed-in account's own password: the old one, then the new one twice."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(reg, "changePasswordDialog", _tr("Đổi mật khẩu"), parent)
        self.old = _password("oldPassword")
        self.form.addRow(self.tr("Mật khẩu đang dùng"), self.old)
        self.finish()

    def extra_reason(self) -> str:
        return "" if self.old.text() else self.tr("Nhập mật khẩu đang dùng.")

    def save(self) -> None:
        auth.change_password(self.reg, self.old.text(), self.password.text())


class ResetPasswordDialog(_PasswordForm):
    """The chief gives an account a new password (or lets a stopped one in again)."""

    def __init__(self, reg: Register, account: dict[str, Any], parent: QWidget | None = None
                 ) -> None:  # fmt: skip
        title = _tr("Mở khóa tài khoản") if account["disabled"] else _tr("Đặt lại mật khẩu")
        super().__init__(reg, "resetPasswordDialog", title, parent)
        self.account = account
        intro = QLabel(self.tr("Tài khoản “%1”.").replace("%1", account["login"]))
        intro.setObjectName("accountName")
        self.form.addRow(intro)
        self.finish()

    def login(self) -> str:
        return str(self.account["login"])

    def save(self) -> None:
        if self.account["disabled"]:
            auth.enable_account(self.reg, self.login(), self.password.text())
        else:
            auth.reset_password(self.reg, self.login(), self.password.text())


class AccountDialog(_PasswordForm):
    """A new account: login name, full name, role, first password."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(reg, "accountDialog", _tr("Thêm tài khoản"), parent)
        self.login_edit = QLineEdit()
        self.login_edit.setObjectName("newLogin")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("fullName")
        self.role = QComboBox()
        self.role.setObjectName("role")
        self.role.addItem(self.tr("Cán bộ"), OFFICER)
        self.role.addItem(self.tr("Chỉ huy"), CHIEF)
        self.form.addRow(self.tr("Tên đăng nhập"), self.login_edit)
        self.form.addRow(self.tr("Họ tên"), self.full_name)
        self.form.addRow(self.tr("Vai trò"), self.role)
        self.finish()
        self.saved_id: str | None = None

    def login(self) -> str:
        return keys.normalize_login(self.login_edit.text())

    def extra_reason(self) -> str:
        try:
            keys.check_login(self.login_edit.text())
        except ValidationError as exc:
            return exc.message
        return ""

    def save(self) -> None:
        self.saved_id = auth.add_account(
            self.reg, self.login_edit.text(), self.password.text(),
            full_name=self.full_name.text(), role=str(self.role.currentData()),
        )  # fmt: skip


class AccountsPage(QWidget):
    """Every account with its role and state; what the chief may change."""

    register_changed = Signal()

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName("accountsPage")
        layout = QVBoxLayout(self)
        self.note = QLabel()
        self.note.setObjectName("accountsNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.model = ListModel([
            Column(_tr("Tên đăng nhập"), lambda r: r["login"]),
            Column(_tr("Họ tên"), lambda r: r["full_name"]),
            Column(_tr("Vai trò"), lambda r: r["role_label"]),
            Column(_tr("Trạng thái"), lambda r: _tr("Đã khóa") if r["disabled"]
                   else _tr("Đang dùng")),
            Column(_tr("Ngày tạo"), lambda r: show(r["created_at"][:10])),
        ], red=lambda r: bool(r["disabled"]))  # fmt: skip
        self.table = make_table("accountsTable")
        self.table.setModel(self.model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        layout.addWidget(self.table)
        self.error = error_label("accountsError")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.add_button = _button("addAccountButton", self.tr("Thêm tài khoản…"))
        self.reset_button = _button("resetPasswordButton", self.tr("Đặt lại mật khẩu…"))
        self.toggle_button = _button("toggleAccountButton", self.tr("Khóa tài khoản"))
        self.own_button = _button("changeOwnPasswordButton", self.tr("Đổi mật khẩu của tôi…"))
        for b in (self.add_button, self.reset_button, self.toggle_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.own_button)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.add_account)
        self.reset_button.clicked.connect(self.reset_password)
        self.toggle_button.clicked.connect(self.toggle_account)
        self.own_button.clicked.connect(lambda: ChangePasswordDialog(self.reg, self).exec())
        self.refresh()

    @property
    def is_chief(self) -> bool:
        return self.reg.role == CHIEF and self.reg.encrypted

    def refresh(self) -> None:
        """Read the accounts again."""
        self.model.set_rows(auth.list_accounts(self.reg))
        if not self.reg.encrypted:
            self.note.setText(self.tr("Sổ này chưa được mã hóa nên chưa có tài khoản."))
        elif self.is_chief:
            self.note.setText(self.tr(
                "Cán bộ ghi chép sổ; chỉ huy còn quản lý tài khoản, cài đặt và duyệt quyết định. "
                "Tài khoản bị khóa không mở được sổ nữa."
            ))  # fmt: skip
        else:
            self.note.setText(self.tr(
                "Tài khoản “%1” là cán bộ: chỉ chỉ huy mới thêm, khóa tài khoản hoặc đặt lại "
                "mật khẩu. Mỗi người tự đổi được mật khẩu của mình."
            ).replace("%1", self.reg.user))  # fmt: skip
        self._enable()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _enable(self) -> None:
        account = self.selected()
        reason = "" if self.is_chief else self.tr("Chỉ chỉ huy mới làm được việc này.")
        self.add_button.setEnabled(self.is_chief)
        self.reset_button.setEnabled(self.is_chief and account is not None
                                     and not account["disabled"])  # fmt: skip
        self.toggle_button.setEnabled(self.is_chief and account is not None
                                      and account["login"] != self.reg.user)  # fmt: skip
        self.toggle_button.setText(
            self.tr("Mở khóa…") if account and account["disabled"] else self.tr("Khóa tài khoản")
        )
        self.own_button.setEnabled(self.reg.encrypted)
        for button in (self.add_button, self.reset_button, self.toggle_button):
            button.setToolTip(reason)

    def _done(self) -> None:
        set_error(self.error, None)
        self.refresh()
        self.register_changed.emit()

    def add_account(self) -> None:
        if AccountDialog(self.reg, self).exec():
            self._done()

    def reset_password(self) -> None:
        account = self.selected()
        if account is not None and ResetPasswordDialog(self.reg, account, self).exec():
            self._done()

    def toggle_account(self) -> None:
        account = self.selected()
        if account is None:
            return
        if account["disabled"]:
            self.reset_password()
            return
        try:
            auth.disable_account(self.reg, account["login"])
        except UserError as exc:
            set_error(self.error, exc.message)
            return
        self._done()
