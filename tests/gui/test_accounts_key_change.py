"""Disabling an account in the window offers a key change (issue 16, revocation): chosen, the
account's old password no longer opens the register and the sealed outbox still opens; not
chosen, only the account is disabled; cancelled, nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from db.core.errors import UserError
from db.security import auth
from db.security.backup import make_backup
from db.store.register import Register, open_register, unlock
from gui.pages.accounts import AccountsPage
from reports.build import monthly_report, open_report, outbox_for
from tests.support.registers import PASSWORD, TODAY

AN = "mat-khau-cua-an"


@pytest.fixture
def secure_reg(secure_path: Path) -> Iterator[Register]:
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        yield reg


def _select(page: AccountsPage, login: str) -> None:
    for row in range(page.model.rowCount()):
        if page.model.index(row, 0).data() == login:
            page.table.selectRow(row)
            return
    raise AssertionError(login)


@pytest.mark.parametrize("choice", [True, False, None], ids=["rotate", "only", "cancel"])
def test_disabling_an_account_offers_a_key_change(
    qtbot, secure_reg: Register, secure_path: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, choice: bool | None,
) -> None:  # fmt: skip
    auth.add_account(secure_reg, "an", AN)
    monthly_report(secure_reg, "2026-10")
    old_backup = make_backup(secure_reg, tmp_path / "usb")
    old_key = bytes(secure_reg.key or b"")
    page = AccountsPage(secure_reg)
    qtbot.addWidget(page)
    asked: list[str] = []
    monkeypatch.setattr(page, "ask_key_change", lambda login: asked.append(login) or choice)
    _select(page, "an")
    assert page.toggle_button.text() == "Khóa tài khoản"
    qtbot.mouseClick(page.toggle_button, Qt.MouseButton.LeftButton)
    assert asked == ["an"]
    disabled = {a["login"]: bool(a["disabled"]) for a in auth.list_accounts(secure_reg)}
    assert disabled["an"] is (choice is not None)
    assert (bytes(secure_reg.key or b"") != old_key) is (choice is True)
    if choice is None:
        return
    with pytest.raises(UserError):
        open_register(secure_path, user="an", password=AN)
    box = outbox_for(secure_reg)
    (entry,) = box.entries()
    (tmp_path / "xem").mkdir()
    assert open_report(secure_reg, box, entry.id, tmp_path / "xem").read_bytes()[:4] == b"%PDF"
    # The old backup's slot for "an" opens the key of that backup only.
    _, from_backup, _ = unlock(old_backup, "an", AN)
    assert (bytes(from_backup) == bytes(secure_reg.key or b"")) is (choice is False)


def test_the_question_defaults_to_changing_the_key(qtbot, secure_reg: Register) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    page = AccountsPage(secure_reg)
    qtbot.addWidget(page)
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        seen.append(box.defaultButton().text())
        box.defaultButton().click()

    QTimer.singleShot(0, answer)
    assert page.ask_key_change("an") is True
    assert seen == ["Khóa tài khoản “an”?", "Khóa và đổi khóa sổ"]
