"""Every write checks the role it needs on the one write path; `check` verifies before writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from db.core.errors import NotAllowed
from db.persons import people
from db.security import auth
from db.store import permissions, records
from db.store.audit import log_event
from db.store.register import open_register
from tests.support.registers import PASSWORD, count

OFFICER_PASSWORD = "mat-khau-cua-an"


@pytest.fixture
def officer_path(secure_path: Path) -> Path:
    with open_register(secure_path, user="chihuy", password=PASSWORD) as chief:
        auth.add_account(chief, "an", OFFICER_PASSWORD)
    return secure_path


@pytest.mark.parametrize(
    "write",
    [
        lambda r: records.insert(r, "settings", {"key": "unit_name", "value": '"X"'}),
        lambda r: records.insert(r, "accounts", {"login": "ke-gian", "role": "chief"}),
        lambda r: records.update(r, "accounts", _id(r, "an"), {"role": "chief"}),
        lambda r: records.soft_delete(r, "accounts", _id(r, "chihuy")),
        lambda r: records.insert_bulk(r, "settings", [{"key": "a", "value": "1"}], "thử"),
        lambda r: log_event(r, "sign_off", {}, table="episodes"),
        lambda r: log_event(r, "restore", {}),
        lambda r: log_event(r, "password", {"login": "chihuy", "kind": "reset"}),
        lambda r: records.log_change(r, "2026-11-20", "settings", "x", "update", {"value": [1, 2]}),
    ],
    ids=[
        "settings",
        "account",
        "own-role",
        "delete-chief",
        "bulk",
        "sign-off",
        "restore",
        "reset",
        "merged-row",
    ],
)
def test_writes_that_need_the_chief_are_refused_on_the_write_path(officer_path: Path, write
                                                                  ) -> None:  # fmt: skip
    with open_register(officer_path, user="an", password=OFFICER_PASSWORD) as officer:
        logged = count(officer, "change_log")
        with pytest.raises(NotAllowed, match="chỉ huy") as caught:
            write(officer)
        assert caught.value.exit_code == 5
        assert count(officer, "change_log") == logged
        assert count(officer, "settings") == 0 and count(officer, "accounts") == 2
        assert (
            officer.conn.execute("SELECT role FROM accounts WHERE login = 'an'").fetchone()[0]
            == "officer"
        )


def _id(reg, login: str) -> str:  # type: ignore[no-untyped-def]
    return str(reg.conn.execute("SELECT id FROM accounts WHERE login = ?", [login]).fetchone()[0])


def test_what_any_account_may_write(officer_path: Path) -> None:
    with open_register(officer_path, user="an", password=OFFICER_PASSWORD) as officer:
        people.add_person(officer, {"full_name": "Lò Văn Sướng"})
        log_event(officer, "print", {"what": "phiếu"})
        auth.change_password(officer, OFFICER_PASSWORD, "mat-khau-moi-cua-an")
    assert permissions.chief_needed("persons", "update") is None
    assert permissions.chief_needed("settings", "update") == "thay đổi cài đặt"


def test_check_verifies_before_it_writes_its_login(
    secure_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_register(secure_path, user="chihuy", password=PASSWORD) as reg:
        for n in range(3):
            people.add_person(reg, {"full_name": f"Người {n}"})
        last = reg.conn.execute("SELECT max(seq) FROM change_log").fetchone()[0]
        # Someone with the key deletes the newest entries (past the append-only trigger).
        reg.conn.execute("DROP TRIGGER change_log_no_delete")
        reg.conn.execute("DELETE FROM change_log WHERE seq > ?", [last - 2])
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["check", "--db", str(secure_path)]) == 3
    assert "bị xóa mục ở cuối" in capsys.readouterr().err
