"""The session on a shared station laptop: who is signed in is always shown, signing out brings
the login back without closing the program, and the lock screen names the account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel

from db.store.register import Register, open_register
from gui import app as app_module
from gui.kit import crash
from gui.kit.translations import uninstall_vietnamese
from gui.main_window import MainWindow
from gui.session import first_start, login
from gui.session.lock import LockDialog
from tests.support.registers import PASSWORD, TODAY


@pytest.fixture
def secure_reg(secure_path: Path) -> Iterator[Register]:
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        yield reg


def test_the_signed_in_account_and_its_role_are_always_in_sight(qtbot, secure_reg: Register
                                                                ) -> None:  # fmt: skip
    window = MainWindow(secure_reg)
    qtbot.addWidget(window)
    window.show()
    label = window.statusBar().findChild(QLabel, "sessionLabel")
    assert label is not None and label.isVisible()
    assert label.text() == "Đăng nhập: Lò Văn Thắng (chihuy) — Chỉ huy"


def test_a_plain_register_says_it_has_no_accounts(qtbot, reg: Register) -> None:
    window = MainWindow(reg)
    qtbot.addWidget(window)
    label = window.statusBar().findChild(QLabel, "sessionLabel")
    assert label is not None and "không có tài khoản" in label.text()
    assert window.findChild(QAction, "logoutAction") is None


def test_log_out_closes_the_window_and_stops_the_idle_lock(qtbot, secure_reg: Register) -> None:
    window = MainWindow(secure_reg)
    qtbot.addWidget(window)
    window.show()
    action = window.findChild(QAction, "logoutAction")
    assert action is not None and action.text() == "Đăng xuất / đổi người dùng"
    assert window.idle is not None and window.idle.timer.isActive()
    with qtbot.waitSignal(window.logout_requested, timeout=2000):
        action.trigger()
    assert window.logged_out and not window.isVisible()
    assert not window.idle.timer.isActive()


def test_the_lock_screen_names_the_account(qtbot, secure_reg: Register) -> None:
    dialog = LockDialog(secure_reg)
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Lò Văn Thắng (chihuy)" in texts


def test_after_signing_out_the_program_asks_who_signs_in_next(
    qtbot, secure_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sessions in one run of the program: sign out of the first, the login comes back,
    the second closes normally and the program ends."""
    opened: list[Register] = []
    windows: list[MainWindow] = []

    def fake_login(path: Path, parent: object = None, today: object = None) -> Register | None:
        if len(opened) == 2:
            return None
        reg = open_register(path, user="chihuy", password=PASSWORD, today=lambda: TODAY)
        opened.append(reg)
        return reg

    def leave_soon(window: MainWindow) -> None:
        windows.append(window)
        first = len(windows) == 1
        QTimer.singleShot(50, window.log_out if first else window.close)

    original_show = MainWindow.show

    def show(window: MainWindow) -> None:
        original_show(window)
        leave_soon(window)

    monkeypatch.setattr(login, "open_at_start", fake_login)
    monkeypatch.setattr(first_start, "needs_setup", lambda reg: False)
    monkeypatch.setattr(MainWindow, "start_auto_backup", lambda self, delay_ms=0: None)
    monkeypatch.setattr(MainWindow, "show", show)
    try:
        assert app_module.run_window(secure_path) == 0
    finally:
        crash.uninstall()
        uninstall_vietnamese(QApplication.instance())  # type: ignore[arg-type]
    assert len(opened) == 2
    assert len(windows) == 2 and windows[0].logged_out and not windows[1].logged_out
