"""Backups only grow for officers; restore is the chief's and never makes a register plain; the
chief's rotation cannot be fooled into deleting the real backups; the first encryption shows its
recovery code before the plain file is gone."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cli.main import main
from db.core.errors import NotAllowed, RegisterFileError
from db.persons import people
from db.security import auth, backup, restore
from db.security.encryption import encrypt_register
from db.store import keys
from db.store.register import open_register, register_state
from tests.support.registers import PASSWORD, count

MORNING = datetime(2026, 11, 20, 8, 0, 0)
OFFICER_PASSWORD = "mat-khau-cua-an"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def with_officer(secure_path: Path) -> Path:
    with open_register(secure_path, user="chihuy", password=PASSWORD) as chief:
        auth.add_account(chief, "an", OFFICER_PASSWORD)
        people.add_person(chief, {"full_name": "Đặng Văn Đức"})
    return secure_path


def _officer(path: Path):  # type: ignore[no-untyped-def]
    return open_register(path, user="an", password=OFFICER_PASSWORD)


def _chief(path: Path):  # type: ignore[no-untyped-def]
    return open_register(path, user="chihuy", password=PASSWORD)


def test_an_officer_s_backups_only_add(with_officer: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    usb = tmp_path / "usb"
    with _chief(with_officer) as chief:
        made = [backup.make_backup(chief, usb, now=MORNING + timedelta(days=d)) for d in range(3)]
    monkeypatch.setenv("SOTHEODOI_PASSWORD", OFFICER_PASSWORD)
    assert main(["backup", "--db", str(with_officer), "--user", "an", "--to", str(usb),
                 "--keep", "1"]) == 5  # fmt: skip
    assert "chỉ huy" in capsys.readouterr().err
    assert sorted(usb.glob("*.db")) == sorted(made)  # nothing deleted, nothing added
    with _officer(with_officer) as officer:
        with pytest.raises(NotAllowed):
            backup.rotate(officer, usb, 1)
        from db.commune.settings import get_settings

        assert get_settings(officer)["backup_keep"] == 14
        for d in range(3, 20):  # more than backup_keep: the officer's automatic ones add only
            backup.make_backup(officer, usb, now=MORNING + timedelta(days=d))
    assert len(list(usb.glob("*.db"))) == 20 and set(made) <= set(usb.glob("*.db"))


def test_the_chief_s_rotation_keeps_the_newest_by_content(with_officer: Path, tmp_path: Path
                                                          ) -> None:  # fmt: skip
    usb = tmp_path / "usb"
    with _chief(with_officer) as chief:
        made = [backup.make_backup(chief, usb, now=MORNING + timedelta(days=d)) for d in range(3)]
        # Planted under names that sort newest: an empty file, and the oldest backup renamed.
        planted = usb / "mahoa-20991231-235959.db"
        planted.write_bytes(b"")
        renamed = usb / "mahoa-20991230-000000.db"
        shutil.copyfile(made[0], renamed)
        keys.copy_keys(made[0], renamed)
        backup.make_backup(chief, usb, keep=2, now=MORNING + timedelta(days=3))
    left = set(usb.glob("*.db"))
    assert made[2] in left and planted in left  # the newest real one; a foreign file untouched
    assert made[0] not in left and renamed not in left and made[1] not in left
    assert len([p for p in left if p != planted]) == 2


def test_restore_is_the_chief_s(with_officer: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    with _chief(with_officer) as chief:
        made = backup.make_backup(chief, tmp_path / "usb")
        people.add_person(chief, {"full_name": "Sau Bản Sao"})
    before = _digest(with_officer)
    monkeypatch.setenv("SOTHEODOI_PASSWORD", OFFICER_PASSWORD)
    assert main(["restore", "--db", str(with_officer), "--user", "an", str(made)]) == 5
    assert "chỉ huy" in capsys.readouterr().err
    assert _digest(with_officer) == before
    with _officer(with_officer) as officer:
        key = officer.key
    with pytest.raises(NotAllowed):
        restore.restore(with_officer, made, key, login="an")
    with pytest.raises(NotAllowed):  # no login: refused while the register is sound
        restore.restore(with_officer, made, key)
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["restore", "--db", str(with_officer), "--user", "chihuy", str(made)]) == 0
    with _chief(with_officer) as chief:
        assert count(chief, "persons", "full_name = 'Sau Bản Sao'") == 0


def test_a_plain_file_is_never_restored_over_an_encrypted_register(
    with_officer: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    plain = tmp_path / "ro.db"
    with open_register(plain, create=True) as reg:
        people.add_person(reg, {"full_name": "Người Trong Bản Rõ"})
    before = _digest(with_officer)
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["restore", "--db", str(with_officer), "--user", "chihuy", str(plain)]) == 3
    assert "KHÔNG mã hóa" in capsys.readouterr().err
    assert _digest(with_officer) == before and register_state(with_officer) == "encrypted"
    with _chief(with_officer) as chief:
        key = chief.key
    with pytest.raises(RegisterFileError, match="KHÔNG mã hóa"):
        restore.restore(with_officer, plain, key, login="chihuy")
    keys.keys_path(with_officer).unlink()  # even with its key file gone
    with pytest.raises(RegisterFileError, match="KHÔNG mã hóa"):
        restore.restore(with_officer, plain, None)
    assert register_state(with_officer) == "encrypted"


def test_the_recovery_code_is_shown_before_the_plain_file_is_gone(
    tmp_path: Path, fast_keys: None, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    path = tmp_path / "cu.db"
    with open_register(path, create=True) as old:
        people.add_person(old, {"full_name": "Hoàng Thị Đào"})
    seen: list[tuple[str, str]] = []
    reg, code = encrypt_register(
        path, "chihuy", PASSWORD, show_code=lambda c: seen.append((c, register_state(path)))
    )
    reg.close()
    assert seen == [(code, "plain")]  # shown while the plain register was still in place
    # The command line prints it the same way, before the file is replaced.
    other = tmp_path / "khac.db"
    with open_register(other, create=True) as old:
        people.add_person(old, {"full_name": "Lò Văn Sướng"})
    states: list[str] = []
    import cli.security_commands as commands

    real = commands.print_recovery_code
    monkeypatch.setattr(
        commands,
        "print_recovery_code",
        lambda c, login: (states.append(register_state(other)), real(c, login)),
    )
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["find", "--db", str(other), "--user", "chihuy", "Sướng"]) == 0
    assert states == ["plain"] and "MÃ KHÔI PHỤC" in capsys.readouterr().err
    assert register_state(other) == "encrypted"
