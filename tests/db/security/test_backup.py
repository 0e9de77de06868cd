"""Backups and restoring: verified, encrypted, rotated, atomic; damaged backups and a full disk."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cli.main import main
from db.core.errors import BackupDamaged, DiskFull, UserError
from db.persons import people
from db.security import backup
from db.store import keys
from db.store.register import SQLITE_HEADER, Register, open_register, register_state
from tests.support.registers import PASSWORD, TODAY, count

MORNING = datetime(2026, 11, 20, 8, 0, 0)


def _open(path: Path) -> Register:
    return open_register(path, user="chihuy", password=PASSWORD, today=lambda: TODAY)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def secure(secure_path: Path) -> Iterator[Register]:
    with _open(secure_path) as reg:
        people.add_person(reg, {"full_name": "Đặng Văn Đức"})
        yield reg


def test_backup_is_encrypted_verified_and_restores(secure: Register, tmp_path: Path) -> None:
    made = backup.make_backup(secure, now=MORNING)
    assert made.parent == secure.path.parent / "sao-luu"
    assert made.name == "mahoa-20261120-080000.db"
    assert not made.read_bytes().startswith(SQLITE_HEADER)
    assert keys.keys_path(made).exists()
    assert backup.verify_file(made, secure.key) == []
    assert [b.path for b in backup.list_backups(secure.path)] == [made]
    assert not list(made.parent.glob("*.tmp*"))
    # After the backup: a second person, then the register is lost.
    people.add_person(secure, {"full_name": "Lò Văn Sướng"})
    key, path = secure.key, secure.path
    entry = secure.db.execute("SELECT count(*) FROM change_log").fetchone()[0]
    secure.close()
    data = bytearray(path.read_bytes())
    data[5000:9000] = os.urandom(4000)
    path.write_bytes(bytes(data))
    kept = backup.restore_backup(path, made, key)
    assert kept is not None and kept.read_bytes() == bytes(data)  # the damaged file is kept
    with _open(path) as again:
        names = [r[0] for r in again.db.execute("SELECT full_name FROM persons")]
        assert names == ["Đặng Văn Đức"]  # everything the backup held
        restored = "SELECT count(*) FROM change_log WHERE action <> 'restore'"  # logged by it
        assert again.db.execute(restored).fetchone()[0] < entry
        assert backup.verify_file(path, key) == []


def test_the_backup_log_entry_names_the_file(secure: Register) -> None:
    made = backup.make_backup(secure, now=MORNING)
    entry = secure.db.execute(
        "SELECT action, changes FROM change_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert entry[0] == "backup" and str(made) in entry[1]


def test_the_recovery_code_opens_a_backup_without_its_key_file(
    tmp_path: Path, fast_keys: None
) -> None:
    from db.security.encryption import create_register, unlock_with_recovery

    reg, code = create_register(tmp_path / "so.db", "chihuy", PASSWORD)
    with reg:
        people.add_person(reg, {"full_name": "Hà Thị Mai"})
        made = backup.make_backup(reg, tmp_path / "usb")
    keys.keys_path(made).unlink()
    with unlock_with_recovery(made, code, "mat-khau-moi-1") as opened:
        assert count(opened, "persons") == 1


def test_rotation_keeps_the_newest(secure: Register) -> None:
    made = [backup.make_backup(secure, keep=3, now=MORNING + timedelta(days=d))
            for d in range(5)]  # fmt: skip
    assert [b.path for b in backup.list_backups(secure.path)] == made[:1:-1]
    assert not keys.keys_path(made[0]).exists() and keys.keys_path(made[4]).exists()


def test_the_setting_decides_how_many_are_kept(secure: Register) -> None:
    from db.commune.settings import save_settings

    save_settings(secure, {"backup_keep": 2})
    for d in range(4):
        backup.make_backup(secure, now=MORNING + timedelta(days=d))
    assert len(backup.list_backups(secure.path)) == 2


def test_automatic_backup_once_a_day_and_to_a_usb_folder(secure: Register, tmp_path: Path
                                                         ) -> None:  # fmt: skip
    usb = tmp_path / "usb"
    assert backup.auto_backup(secure, usb, now=MORNING) != []  # no stick: only beside
    assert backup.auto_backup(secure, usb, now=MORNING + timedelta(hours=3)) == []
    usb.mkdir()
    assert [p.parent for p in backup.auto_backup(secure, usb, now=MORNING)] == [usb]
    next_day = MORNING + timedelta(days=1)
    assert len(backup.auto_backup(secure, usb, now=next_day)) == 2


def test_a_damaged_backup_is_refused_and_changes_nothing(secure: Register) -> None:
    made = backup.make_backup(secure, now=MORNING)
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 0xFF
    made.write_bytes(bytes(data))
    problems = backup.verify_file(made, secure.key)
    assert problems and problems[0].what
    key, path = secure.key, secure.path
    secure.close()
    before = _digest(path)
    with pytest.raises(BackupDamaged, match=r"không dùng được.*Sổ hiện tại không bị thay đổi"):
        backup.restore_backup(path, made, key)
    assert _digest(path) == before
    assert not list(path.parent.glob("*.tmp")) and not list(path.parent.glob("*.hong-*"))


def test_a_backup_of_another_register_is_refused(secure: Register, tmp_path: Path,
                                                 fast_keys: None) -> None:  # fmt: skip
    from db.security.encryption import create_register

    other, _ = create_register(tmp_path / "khac.db", "chihuy", PASSWORD)
    with other:
        foreign = backup.make_backup(other, now=MORNING)
    with pytest.raises(BackupDamaged, match="khóa của sổ này"):
        backup.restore_backup(secure.path, foreign, secure.key)


def test_newest_good_skips_damaged_backups(secure: Register) -> None:
    good = backup.make_backup(secure, now=MORNING)
    bad = backup.make_backup(secure, now=MORNING + timedelta(days=1))
    bad.write_bytes(bad.read_bytes()[:4096])
    found, skipped = backup.newest_good(secure.path, secure.key)
    assert found is not None and found.path == good
    assert [b.path for b, _ in skipped] == [bad]


@contextlib.contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    """Writes past `limit` bytes fail with EFBIG — a disk that fills up mid-write."""
    import resource

    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, handler)


@pytest.fixture
def bigger(secure: Register) -> Register:
    """The register with 300 people and one backup beside it."""
    for n in range(300):
        people.add_person(secure, {"full_name": f"Người Thứ {n}", "notes": "x" * 500})
    backup.make_backup(secure, now=MORNING)
    assert secure.path.stat().st_size > 200_000
    return secure


def _still_sound(reg: Register, before: list[str], folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == before  # no partial file, no .tmp
    [earlier] = backup.list_backups(reg.path)
    assert backup.verify_file(earlier.path, reg.key) == []
    people.add_person(reg, {"full_name": "Sau Khi Đầy"})  # the register goes on
    assert count(reg, "persons", "full_name = 'Sau Khi Đầy'") == 1


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("limit", [64 * 1024, 64 * 1024 + 100], ids=["io-error", "short-write"])
def test_a_disk_that_fills_during_backup_leaves_nothing_half_written(
    bigger: Register, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = backup.default_folder(bigger.path)
    before = sorted(p.name for p in folder.iterdir())
    real = backup.shutil.disk_usage
    readings = iter([10**12])  # room when the backup starts; none once the write has failed

    def usage(path: str) -> object:
        return real(path)._replace(free=next(readings, 1000))

    monkeypatch.setattr(backup.shutil, "disk_usage", usage)
    with _file_size_limit(limit), pytest.raises(DiskFull) as caught:
        backup.make_backup(bigger, now=MORNING + timedelta(days=1))
    assert "đầy" in caught.value.message and "không bị ảnh hưởng" in caught.value.message
    _still_sound(bigger, before, folder)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_error_on_a_disk_with_room_is_told_too(bigger: Register) -> None:
    folder = backup.default_folder(bigger.path)
    before = sorted(p.name for p in folder.iterdir())
    with _file_size_limit(64 * 1024), pytest.raises(UserError) as caught:
        backup.make_backup(bigger, now=MORNING + timedelta(days=1))
    assert "USB bị rút" in caught.value.message
    _still_sound(bigger, before, folder)


def test_too_little_room_is_found_before_writing(
    bigger: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = backup.default_folder(bigger.path)
    before = sorted(p.name for p in folder.iterdir())
    real = backup.shutil.disk_usage
    monkeypatch.setattr(backup.shutil, "disk_usage", lambda p: real(p)._replace(free=50_000))
    with pytest.raises(DiskFull, match="không đủ chỗ"):
        backup.make_backup(bigger, now=MORNING + timedelta(days=1))
    _still_sound(bigger, before, folder)


def test_backup_and_restore_commands(secure_path: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    usb = tmp_path / "usb"
    assert main(["backup", "--db", str(secure_path), "--to", str(usb)]) == 0
    out = capsys.readouterr().out
    [made] = list(usb.glob("*.db"))
    assert str(made) in out and "đã đọc lại và kiểm tra" in out
    with _open(secure_path) as reg:
        people.add_person(reg, {"full_name": "Sẽ Mất"})
    assert main(["restore", "--db", str(secure_path), str(made)]) == 0
    out = capsys.readouterr().out
    assert "Đã khôi phục" in out and ".hong-" in out
    with _open(secure_path) as reg:
        assert count(reg, "persons", "full_name = 'Sẽ Mất'") == 0
        assert (
            reg.db.execute(
                "SELECT action FROM change_log ORDER BY seq DESC LIMIT 1 OFFSET 1"
            ).fetchone()[0]
            == "restore"
        )
    assert register_state(secure_path) == "encrypted"
    # A wrong password restores nothing.
    monkeypatch.setenv("SOTHEODOI_PASSWORD", "sai-mat-khau")
    before = _digest(secure_path)
    assert main(["restore", "--db", str(secure_path), str(made)]) == 3
    assert "mật khẩu không đúng" in capsys.readouterr().err
    assert _digest(secure_path) == before


def test_restore_command_refuses_a_damaged_backup(secure_path: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]
                                                  ) -> None:  # fmt: skip
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["backup", "--db", str(secure_path), "--to", str(tmp_path / "usb")]) == 0
    [made] = list((tmp_path / "usb").glob("*.db"))
    made.write_bytes(made.read_bytes()[:-100] + b"\0" * 100)
    before = _digest(secure_path)
    assert main(["restore", "--db", str(secure_path), str(made)]) == 3
    assert "không dùng được" in capsys.readouterr().err
    assert _digest(secure_path) == before


def test_a_plain_register_backs_up_plain(reg: Register) -> None:
    people.add_person(reg, {"full_name": "Đặng Văn Đức"})
    made = backup.make_backup(reg, now=MORNING)
    assert made.read_bytes().startswith(SQLITE_HEADER)
    assert not keys.keys_path(made).exists()
    assert backup.verify_file(made, None) == []


def test_check_names_the_backup_that_restores_a_damaged_register(
    secure: Register, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(50):
        people.add_person(secure, {"full_name": f"Người Thứ {n}", "notes": "x" * 300})
    made = backup.make_backup(secure, now=MORNING)
    path = secure.path
    secure.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 5] = b"\0" * 8192
    path.write_bytes(bytes(data))
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["check", "--db", str(path)]) == 3
    err = capsys.readouterr().err
    assert "hỏng" in err and f'python main.py restore --db "{path}" "{made}"' in err
    assert main(["restore", "--db", str(path), str(made)]) == 0
    assert main(["check", "--db", str(path)]) == 0
