"""Accounts: the chief adds officers, resets a forgotten password, stops an account; everyone
changes their own password. The buttons an officer may not use are disabled with the reason —
and db.security.auth refuses them anyway.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import show
from db.core.errors import UserError
from db.security import auth
from db.store import keys
from db.store.register import CHIEF, OFFICER, Register
from gui.kit.common import Column, ListModel, error_label, make_table, named_button, set_error, tr
from gui.kit.forms import RecordDialog, Row, line_edit, password_field, refusals
from gui.kit.page import Page


def _tr(text: str) -> str:
    return tr("accounts", text)


class _PasswordForm(RecordDialog):
    """A form whose Save stays disabled, saying why, until the new password is good (the
    register's own rules: db.store.keys)."""

    why_says = "problem"

    def __init__(self, reg: Register, name: str, title: str, parent: QWidget | None) -> None:
        super().__init__(reg, name, title, parent, width=440)
        self.password = password_field("newPassword")
        self.again = password_field("confirmPassword")
        self.ok_button = self.save_button

    def finish(self) -> None:
        """The new password twice, under the fields the subclass added."""
        self.add_field("password", self.tr("Mật khẩu mới (ít nhất 8 ký tự)"), self.password)
        self.add_field("confirm", self.tr("Nhập lại mật khẩu mới"), self.again)
        super().finish()

    def login(self) -> str:
        return self.reg.user

    def other_values(self) -> Row:
        """The subclass's own fields."""
        return {}

    def other_problems(self, values: Row) -> dict[str, str]:
        """What is wrong with the subclass's own fields (checked first)."""
        return {}

    def values(self) -> Row:
        return {**self.other_values(), "password": self.password.text(),
                "confirm": self.again.text()}  # fmt: skip

    def problems(self, values: Row) -> dict[str, str]:
        found = self.other_problems(values)
        found |= refusals(keys.check_new_password, values["password"], self.login())
        if values["password"] != values["confirm"]:
            found.setdefault("confirm", self.tr("Hai lần nhập mật khẩu mới không giống nhau."))
        return found


class ChangePasswordDialog(_PasswordForm):
    """The signed-in account's own password: the old one, then the new one twice."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(reg, "changePasswordDialog", _tr("Đổi mật khẩu"), parent)
        self.old = password_field("oldPassword")
        self.add_field("old", self.tr("Mật khẩu đang dùng"), self.old)
        self.finish()

    def other_values(self) -> Row:
        return {"old": self.old.text()}

    def other_problems(self, values: Row) -> dict[str, str]:
        return {} if values["old"] else {"old": self.tr("Nhập mật khẩu đang dùng.")}

    def save(self, values: Row) -> None:
        auth.change_password(self.reg, values["old"], values["password"])


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

    def save(self, values: Row) -> None:
        if self.account["disabled"]:
            auth.enable_account(self.reg, self.login(), values["password"])
        else:
            auth.reset_password(self.reg, self.login(), values["password"])


class AccountDialog(_PasswordForm):
    """A new account: login name, full name, role, first password."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(reg, "accountDialog", _tr("Thêm tài khoản"), parent)
        self.login_edit = line_edit("newLogin")
        self.full_name = line_edit("fullName")
        self.role = QComboBox()
        self.role.setObjectName("role")
        self.role.addItem(self.tr("Cán bộ"), OFFICER)
        self.role.addItem(self.tr("Chỉ huy"), CHIEF)
        self.add_field("login", self.tr("Tên đăng nhập"), self.login_edit)
        self.add_field("full_name", self.tr("Họ tên"), self.full_name)
        self.add_field("role", self.tr("Vai trò"), self.role)
        self.finish()

    def login(self) -> str:
        return keys.normalize_login(self.login_edit.text())

    def other_values(self) -> Row:
        return {"login": self.login_edit.text(), "full_name": self.full_name.text(),
                "role": str(self.role.currentData())}  # fmt: skip

    def other_problems(self, values: Row) -> dict[str, str]:
        return refusals(keys.check_login, values["login"])

    def save(self, values: Row) -> str:
        return auth.add_account(
            self.reg, values["login"], values["password"],
            full_name=values["full_name"], role=values["role"],
        )  # fmt: skip


class AccountsPage(Page):
    """Every account with its role and state; what the chief may change."""

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
        self.add_button = named_button("addAccountButton", self.tr("Thêm tài khoản…"))
        self.reset_button = named_button("resetPasswordButton", self.tr("Đặt lại mật khẩu…"))
        self.toggle_button = named_button("toggleAccountButton", self.tr("Khóa tài khoản"))
        self.own_button = named_button("changeOwnPasswordButton", self.tr("Đổi mật khẩu của tôi…"))
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
        rotate = self.ask_key_change(account["login"])
        if rotate is None:
            return
        from reports.build import reseal_outbox

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            auth.disable_account(self.reg, account["login"], rotate=rotate,
                                 after=reseal_outbox)  # fmt: skip
        except UserError as exc:
            set_error(self.error, exc.message)
            self.refresh()  # the account may be disabled although the key did not change
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._done()

    def ask_key_change(self, login: str) -> bool | None:
        """Disable with a key change (True, the default), without (False), or not at all."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Khóa tài khoản"))
        box.setText(self.tr("Khóa tài khoản “%1”?").replace("%1", login))
        box.setInformativeText(self.tr(
            "Nên đổi luôn khóa mã hóa của sổ: khi đó mật khẩu cũ của tài khoản này chỉ còn mở "
            "được các bản sao lưu làm trước hôm nay, không mở được sổ hiện tại. Việc đổi khóa "
            "chép lại toàn bộ sổ nên có thể mất vài phút với sổ lớn; mọi cửa sổ và lệnh khác "
            "đang mở sổ này phải đóng trước."
        ))  # fmt: skip
        with_key = box.addButton(self.tr("Khóa và đổi khóa sổ"), QMessageBox.ButtonRole.YesRole)
        only = box.addButton(self.tr("Chỉ khóa tài khoản"), QMessageBox.ButtonRole.NoRole)
        box.addButton(self.tr("Hủy"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(with_key)
        box.exec()
        clicked = box.clickedButton()
        if clicked is with_key:
            return True
        return False if clicked is only else None
