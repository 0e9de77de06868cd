"""The security commands as a chief types them: change-key, repair-seal."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from db.security import auth
from db.store.register import open_register, unlock
from tests.support.registers import PASSWORD


def test_change_key_disabling_an_account(secure_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    with open_register(secure_path, user="chihuy", password=PASSWORD) as chief:
        auth.add_account(chief, "an", "mat-khau-cua-an")
        before = bytes(chief.key or b"")
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["change-key", "--db", str(secure_path), "--user", "chihuy",
                 "--disable", "an"]) == 0  # fmt: skip
    assert "Đã đổi khóa" in capsys.readouterr().out
    _, after, _ = unlock(secure_path, "chihuy", PASSWORD)
    assert bytes(after) != before
    monkeypatch.setenv("SOTHEODOI_PASSWORD", "mat-khau-cua-an")
    assert main(["stats", "--db", str(secure_path), "--user", "an"]) == 3
    assert main(["change-key", "--db", str(secure_path), "--user", "chihuy"]) == 3  # wrong pw


def test_an_officer_cannot_change_the_key(secure_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:  # fmt: skip
    with open_register(secure_path, user="chihuy", password=PASSWORD) as chief:
        auth.add_account(chief, "an", "mat-khau-cua-an")
    monkeypatch.setenv("SOTHEODOI_PASSWORD", "mat-khau-cua-an")
    assert main(["change-key", "--db", str(secure_path), "--user", "an"]) == 5
