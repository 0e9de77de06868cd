"""Signing in, the recovery code, the idle lock, accounts, the audit screen and backups, driven
as a person drives them (offscreen)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.persons import people
from db.security import backup
from db.store.register import Register, connect_file, open_register, register_state
from gui.dialogs.backup import BackupDialog, RestoreDialog
from gui.main_window import MainWindow
from gui.pages.accounts import AccountDialog, AccountsPage
from gui.pages.audit import AuditPage
from gui.session.login import (
    LoginDialog,
    NewAccountDialog,
    RecoveryCodeDialog,
    open_at_start,
)
from tests.support.registers import PASSWORD, TODAY
from tests.support.typing_helpers import type_text


def when_shown(name: str, act: Callable[[QWidget], None], timeout: float = 5.0) -> None:
    """Act on the modal dialog `name` once its exec() has shown it."""
    deadline = time.monotonic() + timeout

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None and widget.objectName() == name:
            act(widget)
        elif time.monotonic() < deadline:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def click(dialog: QWidget, name: str) -> None:
    """Click a button of a modal dialog (from inside its exec(): QAbstractButton.click())."""
    button = dialog.findChild(QPushButton, name)
    assert button is not None, name
    button.click()


def fill(qtbot, dialog: QWidget, values: dict[str, str]) -> None:
    for name, text in values.items():
        edit = dialog.findChild(QLineEdit, name)
        assert edit is not None, name
        edit.clear()
        type_text(qtbot, edit, text)


@pytest.fixture
def secure_reg(secure_path: Path) -> Iterator[Register]:
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        yield reg


def test_login_refuses_a_wrong_password_then_opens(qtbot, secure_path: Path) -> None:
    dialog = LoginDialog(secure_path, today=lambda: TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.login.text() == "chihuy"  # the only account is offered
    fill(qtbot, dialog, {"password": "sai-mat-khau"})
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and "không đúng" in dialog.error.text()
    assert dialog.password.text() == "" and dialog.register is None
    fill(qtbot, dialog, {"password": PASSWORD})
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.register is not None and dialog.register.role == "chief"
    dialog.register.close()


def test_a_new_register_makes_the_chief_and_shows_the_code_once(
    qtbot, tmp_path: Path, fast_keys: None
) -> None:
    path = tmp_path / "moi.db"
    dialog = NewAccountDialog(path, convert=False, today=lambda: TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.create_button.isEnabled()
    fill(qtbot, dialog, {"fullName": "Lò Văn Thắng", "newLogin": "chihuy", "newPassword": "ngan"})
    assert "ít nhất 8" in dialog.why.text() and not dialog.create_button.isEnabled()
    fill(qtbot, dialog, {"newPassword": PASSWORD, "confirmPassword": PASSWORD + "x"})
    assert "không giống nhau" in dialog.why.text()
    fill(qtbot, dialog, {"confirmPassword": PASSWORD})
    assert dialog.create_button.isEnabled() and dialog.why.text() == ""
    seen: list[str] = []

    def write_it_down(code_dialog: QWidget) -> None:
        assert isinstance(code_dialog, RecoveryCodeDialog)
        seen.append(code_dialog.code.text())
        code_dialog.reject()  # Esc does not close it before the box is ticked
        assert code_dialog.isVisible() and not code_dialog.done_button.isEnabled()
        code_dialog.written.click()
        code_dialog.done_button.click()

    when_shown("recoveryCodeDialog", write_it_down)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and len(seen[0]) == 39 and seen[0] == dialog.code
    assert dialog.register is not None and dialog.register.full_name == "Lò Văn Thắng"
    dialog.register.close()
    assert register_state(path) == "encrypted"


def test_start_converts_a_plain_register(qtbot, tmp_path: Path, fast_keys: None) -> None:
    path = tmp_path / "cu.db"
    with open_register(path, create=True) as old:
        people.add_person(old, {"full_name": "Hoàng Thị Đào"})

    def make_chief(dialog: QWidget) -> None:
        assert "chưa mã hóa" in dialog.findChild(QLabel, "intro").text()
        fill(qtbot, dialog, {"newLogin": "truong", "newPassword": PASSWORD,
                             "confirmPassword": PASSWORD})  # fmt: skip
        when_shown("recoveryCodeDialog", lambda d: (d.written.setChecked(True), d.accept()))
        click(dialog, "createButton")

    when_shown("newAccountDialog", make_chief)
    reg = open_at_start(path, today=lambda: TODAY)
    assert reg is not None
    with reg:
        assert reg.user == "truong" and reg.encrypted
        assert [r[0] for r in reg.db.execute("SELECT full_name FROM persons")] == ["Hoàng Thị Đào"]


def test_start_offers_the_newest_good_backup_when_damaged(qtbot, secure_path: Path) -> None:
    with open_register(secure_path, user="chihuy", password=PASSWORD) as reg:
        people.add_person(reg, {"full_name": "Có Trong Bản Sao"})
        backup.make_backup(reg)
        key = reg.key
    data = bytearray(secure_path.read_bytes())
    data[4096 * 2 : 4096 * 3] = b"\0" * 4096  # a page in the middle is lost
    secure_path.write_bytes(bytes(data))
    steps: list[str] = []

    def log_in(dialog: QWidget) -> None:
        steps.append(dialog.objectName())
        fill(qtbot, dialog, {"password": PASSWORD})
        if len(steps) == 1:
            when_shown("restoreDialog", restore)
        click(dialog, "openButton")

    def restore(dialog: QWidget) -> None:
        assert isinstance(dialog, RestoreDialog)
        steps.append("restore")
        assert "Bản sao lưu tốt gần nhất" in dialog.choice.text()
        when_shown("loginDialog", log_in)
        click(dialog, "restoreButton")

    when_shown("loginDialog", log_in)
    reg = open_at_start(secure_path, today=lambda: TODAY)
    assert steps == ["loginDialog", "restore", "loginDialog"]
    assert reg is not None
    with reg:
        assert reg.key == key
        names = [r[0] for r in reg.db.execute("SELECT full_name FROM persons")]
        assert names == ["Có Trong Bản Sao"]
    assert list(secure_path.parent.glob("mahoa.db.hong-*.bak"))


def test_idle_lock_covers_open_forms_and_keeps_what_was_typed(qtbot, secure_reg: Register
                                                             ) -> None:  # fmt: skip
    window = MainWindow(secure_reg)
    qtbot.addWidget(window)
    window.show()
    assert window.idle is not None and window.idle.timer.interval() == 10 * 60_000
    form = QDialog(window)
    form.setObjectName("halfFilledForm")
    QVBoxLayout(form).addWidget(edit := QLineEdit())
    form.show()
    type_text(qtbot, edit, "Ghi chú chưa lưu")
    window.idle.timer.setInterval(50)  # ten minutes, shortened
    window.idle.timer.start()
    qtbot.waitUntil(lambda: window.idle.locked, timeout=3000)
    lock = window.idle.dialog
    assert lock is not None and lock.isVisible()
    assert lock.windowModality() == Qt.WindowModality.ApplicationModal
    covers = [w.findChild(QWidget, "lockCover") for w in (window, form)]
    assert all(c is not None and c.isVisible() for c in covers)
    assert covers[0].geometry() == window.rect()  # type: ignore[union-attr]
    lock.reject()  # Esc does not unlock
    assert lock.isVisible()
    fill(qtbot, lock, {"lockPassword": "sai-mat-khau"})
    qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    assert window.idle.locked and "không đúng" in lock.error.text()
    fill(qtbot, lock, {"lockPassword": PASSWORD})
    qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.idle.locked
    qtbot.waitUntil(lambda: window.findChild(QWidget, "lockCover") is None, timeout=2000)
    assert form.isVisible() and edit.text() == "Ghi chú chưa lưu"
    assert window.idle.timer.isActive()


def test_a_plain_register_has_no_idle_lock(qtbot, reg: Register) -> None:
    window = MainWindow(reg)
    qtbot.addWidget(window)
    assert window.idle is None


def test_chief_adds_an_officer_who_then_sees_disabled_buttons(
    qtbot, qtmodeltester, secure_reg: Register, secure_path: Path
) -> None:
    page = AccountsPage(secure_reg)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    assert page.add_button.isEnabled()

    def add(dialog: QWidget) -> None:
        assert isinstance(dialog, AccountDialog)
        fill(
            qtbot,
            dialog,
            {
                "newLogin": "Nguyễn Văn An",
                "fullName": "Nguyễn Văn An",
                "newPassword": "mat-khau-an-1",
                "confirmPassword": "mat-khau-an-1",
            },
        )
        assert dialog.ok_button.isEnabled()
        dialog.ok_button.click()

    when_shown("accountDialog", add)
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    logins = [page.model.index(r, 0).data() for r in range(page.model.rowCount())]
    assert logins == ["chihuy", "nguyen van an"]
    with open_register(secure_path, user="nguyen van an", password="mat-khau-an-1") as officer:
        view = AccountsPage(officer)
        qtbot.addWidget(view)
        assert not view.add_button.isEnabled() and not view.toggle_button.isEnabled()
        assert "Chỉ chỉ huy" in view.add_button.toolTip()
        assert view.own_button.isEnabled()
        assert "là cán bộ" in view.note.text()


def test_audit_screen_filters_and_shows_the_chain(qtbot, qtmodeltester, secure_reg: Register,
                                                  secure_path: Path) -> None:  # fmt: skip
    person = people.add_person(secure_reg, {"full_name": "Hà Văn Dũng"})
    people.update_person(secure_reg, person, {"occupation": "Làm nương"})
    page = AuditPage(secure_reg)
    qtbot.addWidget(page)
    page.show()
    qtmodeltester.check(page.model)
    assert "toàn vẹn" in page.chain.text()
    type_text(qtbot, page.person, "dung")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=2000)
    assert {page.model.index(r, 4).data() for r in range(2)} == {"Hà Văn Dũng"}
    with qtbot.waitSignal(page.person_requested) as opened:
        page._open(page.model.index(0, 0))
    assert opened.args == [person]
    page.since.setText("32/13/2026")
    qtbot.waitUntil(lambda: page.filter_error.isVisible(), timeout=2000)
    # Someone edits the log behind the program's back.
    conn = connect_file(secure_path, secure_reg.key)
    conn.execute("DROP TRIGGER change_log_no_update")
    conn.execute("UPDATE change_log SET user = 'ai-do' WHERE action = 'update'")
    conn.close()
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    assert "BỊ CAN THIỆP" in page.chain.text() and "Nhật ký bị sửa" in page.chain.text()


def test_backup_dialog_backs_up_in_the_background(qtbot, secure_reg: Register) -> None:
    dialog = BackupDialog(secure_reg)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0 and not dialog.usb_button.isEnabled()
    qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert "Đã sao lưu và kiểm tra" in dialog.status.text()
    [made] = backup.list_backups(secure_reg.path)
    assert backup.verify_file(made.path, secure_reg.key) == []
