"""The one file helper: whole or nothing, synced, and a failed write said plainly."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

import pytest

from db.core import files
from db.core.errors import DiskFull, UserError

OLD = b"the officer's older file"


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "so.keys"
    path.write_bytes(OLD)
    return path


def test_a_write_replaces_the_file_and_leaves_no_temporary(target: Path) -> None:
    files.atomic_write(target, b"new" * 100_000)
    assert target.read_bytes() == b"new" * 100_000
    assert _left(target.parent) == ["so.keys"]


def test_the_file_and_its_folder_are_fsynced_before_the_write_counts(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        synced.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    files.atomic_write(target, b"new")
    files.atomic_write_with(target, lambda temp: temp.write_bytes(b"newer"))
    expected = ["file", "rename", "folder"] if os.name == "posix" else ["file", "rename"]
    assert synced == expected * 2
    assert target.read_bytes() == b"newer"


def test_a_full_disk_is_disk_full_naming_the_file_and_the_old_file_stays(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", full)
        with pytest.raises(DiskFull) as caught:
            files.atomic_write(target, b"new")
    assert str(target) in caught.value.message and "đã đầy" in caught.value.message
    assert caught.value.exit_code == 4
    assert target.read_bytes() == OLD
    assert _left(target.parent) == ["so.keys"]


def test_a_full_disk_while_a_writer_fills_the_file(target: Path) -> None:
    def writer(temp: Path) -> None:
        temp.write_bytes(b"half")
        raise OSError(errno.EDQUOT, "Disk quota exceeded")

    wording = files.Wording(what="sao lưu", kept="sổ không bị ảnh hưởng", field="out")
    with pytest.raises(DiskFull) as caught:
        files.atomic_write_with(target, writer, wording)
    message = caught.value.message
    assert message.startswith(f"Ổ đĩa chứa “{target}” đã đầy nên chưa sao lưu được.")
    assert message.endswith("sổ không bị ảnh hưởng.") and caught.value.field == "out"
    assert target.read_bytes() == OLD
    assert _left(target.parent) == ["so.keys"]


@pytest.mark.parametrize("winerror", [39, 112])
def test_windows_disk_full_codes_are_disk_full(winerror: int) -> None:
    error = OSError(errno.EIO, "There is not enough space on the disk")
    error.winerror = winerror  # type: ignore[attr-defined]  # set by Python on Windows only
    assert files.is_disk_full(error)
    assert isinstance(files.write_error(Path("x.pdf"), error), DiskFull)
    assert not files.is_disk_full(OSError(errno.EIO, "I/O error"))
    assert not files.is_disk_full(ValueError("full"))


def test_a_file_held_open_or_a_read_only_folder_is_said_so(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def held(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", held)
    with pytest.raises(UserError) as caught:
        files.atomic_write(target, b"new", files.Wording(held_by="Excel"))
    assert not isinstance(caught.value, DiskFull)
    assert f"Không ghi được “{target}”: tệp đang mở trong Excel" in caught.value.message
    assert "chỉ đọc" in caught.value.message
    assert target.read_bytes() == OLD
    assert _left(target.parent) == ["so.keys"]


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root writes into a read-only folder"
)
def test_a_really_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(UserError, match="chỉ đọc"):
            files.atomic_write(folder / "a.pdf", b"x")
    finally:
        folder.chmod(0o755)
    assert _left(folder) == []


def test_a_missing_folder_a_too_big_file_and_a_pulled_stick(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="không tồn tại") as caught:
        files.atomic_write(tmp_path / "khong-co" / "a.pdf", b"x", files.Wording(field="out"))
    assert caught.value.field == "out"
    big = files.write_error(tmp_path / "a.db", OSError(errno.EFBIG, "File too large"))
    assert not isinstance(big, DiskFull) and "FAT32" in big.message
    pulled = files.write_error(tmp_path / "a.db", OSError(errno.EIO, "Input/output error"))
    assert "USB bị rút ra" in pulled.message and "Input/output error" in pulled.message


def test_the_error_class_is_the_callers_except_for_a_full_disk(tmp_path: Path) -> None:
    class StickError(UserError):
        pass

    wording = files.Wording(error=StickError)
    assert isinstance(files.write_error(tmp_path, OSError(errno.EIO, "x"), wording), StickError)
    full = files.write_error(tmp_path, OSError(errno.ENOSPC, "x"), wording)
    assert type(full) is DiskFull


def test_a_refused_check_leaves_the_old_file(target: Path) -> None:
    def check(temp: Path, written: int) -> None:
        assert temp.read_bytes() == b"bad" and written == 3
        raise UserError("đọc lại không khớp")

    with pytest.raises(UserError, match="không khớp"):
        files.atomic_write_with(target, lambda temp: temp.write_bytes(b"bad"), check=check)
    assert target.read_bytes() == OLD
    assert _left(target.parent) == ["so.keys"]


def test_a_writer_gets_a_fresh_file_and_its_result_is_returned(target: Path) -> None:
    def write(temp: Path) -> str:
        assert temp.parent == target.parent and temp.read_bytes() == b""
        temp.write_bytes(b"x")
        return "made"

    assert files.atomic_write_with(target, write) == "made"
    assert target.read_bytes() == b"x"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_private_files_are_for_this_user_only(tmp_path: Path) -> None:
    files.atomic_write(tmp_path / "a.keys", b"x", private=True)
    assert stat.S_IMODE((tmp_path / "a.keys").stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="directory fsync is POSIX")
def test_a_folder_that_cannot_be_fsynced_does_not_fail_a_finished_write(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    files.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
