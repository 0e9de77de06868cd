"""Backups: a verified, encrypted copy made while the program runs, rotated, and restored.

A backup is made with SQLite's backup API from the open connection into a new file under the
same key (so it is encrypted like the register, and the recovery code opens it), with a copy of
the key file beside it. It is written under a temporary name, read back and checked, and only
then renamed: a full disk or a crash leaves no half-written backup. Restoring checks the backup
first, keeps a copy of the damaged register, and replaces the register in one rename.
"""

from __future__ import annotations

import contextlib
import errno
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from db.commune.settings import get_settings
from db.core import files
from db.core.errors import BackupDamaged, DiskFull, RegisterFileError, UserError
from db.store import keys, sqlerrors
from db.store.audit import Problem, log_event
from db.store.register import (
    Register,
    connect_file,
    copy_with_keys,
    key_opens,
    known_migrations,
    register_state,
)
from db.store.schema import APPLICATION_ID, MIGRATION_SET
from db.store.sqlerrors import DB_ERRORS

FOLDER_NAME = "sao-luu"
_STAMP = "%Y%m%d-%H%M%S"
_KEPT = "sổ và các bản sao lưu cũ không bị ảnh hưởng"


@dataclass(frozen=True)
class Backup:
    """One backup file of a register, and when it was made (local time)."""

    path: Path
    made: datetime
    size: int


def default_folder(register_path: Path) -> Path:
    """Where automatic backups go: a folder `sao-luu` beside the register."""
    return register_path.parent / FOLDER_NAME


def _pattern(register_path: Path) -> re.Pattern[str]:
    stem, suffix = re.escape(register_path.stem), re.escape(register_path.suffix)
    return re.compile(rf"^{stem}-(\d{{8}}-\d{{6}})(?:-\d+)?{suffix}$")


def list_backups(register_path: Path, folder: Path | None = None) -> list[Backup]:
    """The backups of a register in a folder, newest first."""
    folder = folder or default_folder(register_path)
    pattern = _pattern(register_path)
    found = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = pattern.match(entry.name)
            if match and entry.is_file():
                made = datetime.strptime(match.group(1), _STAMP)
                found.append(Backup(entry, made, entry.stat().st_size))
    return sorted(found, key=lambda b: (b.made, b.path.name), reverse=True)


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _temporaries(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))]


def _full(target: Path, needed: int) -> bool:
    try:
        return shutil.disk_usage(target.parent).free < needed
    except OSError:
        return False


@contextlib.contextmanager
def _writing(target: Path, what: str, needed: int = 0) -> Iterator[None]:
    """Errors while writing a copy — a full disk, a pulled USB stick — said plainly.

    SQLite reports a full disk as SQLITE_FULL only for a short write; a disk that fills while the
    file is extended shows as an I/O error, so the free space decides which message fits.
    """
    wording = files.Wording(what=what, kept=_KEPT)
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EIO and _full(target, needed):
            raise files.disk_full(target.parent, wording) from exc
        raise files.write_error(target.parent, exc, wording) from exc
    except DB_ERRORS as exc:
        if sqlerrors.is_full(exc) or (sqlerrors.is_io_error(exc) and _full(target, needed)):
            raise files.disk_full(target.parent, wording) from exc
        if sqlerrors.is_io_error(exc):
            raise UserError(
                f"Không ghi được vào “{target.parent}” (lỗi ghi: ổ đầy, USB bị rút hoặc hỏng, "
                f"hoặc không có quyền ghi) nên chưa {what} được. Hãy kiểm tra ổ đĩa rồi thử lại; "
                f"{_KEPT}."
            ) from exc
        raise


def verify_file(path: Path, key: bytes | None) -> list[Problem]:
    """What is wrong with a register or backup file opened with `key` (empty: sound)."""
    try:
        with contextlib.closing(connect_file(path, key)) as conn:
            if key is not None and not key_opens(conn):
                return [Problem("Không mở được bằng khóa của sổ này", "tệp hỏng hoặc của sổ khác")]
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                return [Problem("Tệp bị hỏng", line) for line in result[:20]]
            if key is not None:
                pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
                if pages:
                    return [Problem("Trang dữ liệu mã hóa bị hỏng", str(p[0])) for p in pages]
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return [Problem("Không phải sổ theo dõi")]
            applied = {
                r[0]
                for r in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
                )
            }
            if applied - set(known_migrations()):
                return [Problem("Do phiên bản mới hơn của chương trình tạo ra")]
    except DB_ERRORS as exc:
        return [Problem("Tệp bị hỏng", str(exc))]
    return []


def _free_name(folder: Path, register_path: Path, now: datetime) -> Path:
    base = f"{register_path.stem}-{now.strftime(_STAMP)}"
    candidate = folder / f"{base}{register_path.suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{base}-{number}{register_path.suffix}"
        number += 1
    return candidate


def make_backup(
    reg: Register, folder: Path | None = None, *, keep: int | None = None,
    now: datetime | None = None,
) -> Path:  # fmt: skip
    """Write a verified backup into `folder` (default: beside the register) and keep the newest
    `keep` (default: the setting); returns the new file."""
    folder = folder or default_folder(reg.path)
    now = now or datetime.now()
    keep = int(get_settings(reg)["backup_keep"]) if keep is None else keep
    with _writing(folder / "x", "tạo thư mục sao lưu"):
        folder.mkdir(parents=True, exist_ok=True)
    final = _free_name(folder, reg.path, now)
    work = final.with_name(final.name + ".tmp")
    needed = reg.path.stat().st_size + 1024 * 1024
    if _full(final, needed):
        raise DiskFull(
            f"Ổ đĩa chứa “{folder}” không đủ chỗ cho bản sao lưu (cần khoảng "
            f"{needed // 1024 // 1024 + 1} MB). Hãy giải phóng dung lượng hoặc chọn ổ khác; sổ "
            "và các bản sao lưu cũ không bị ảnh hưởng."
        )
    try:
        with _writing(final, "sao lưu", needed):
            copy_with_keys(reg.conn, work, reg.key)
            files.fsync_file(work)
            problems = verify_file(work, reg.key)
            if problems:
                raise BackupDamaged(
                    f"Bản sao lưu vừa ghi vào “{folder}” đọc lại không đúng ({problems[0].what}); "
                    "đã bỏ bản đó. Hãy thử lại hoặc chọn ổ đĩa khác."
                )
            if reg.encrypted and keys.keys_path(reg.path).exists():
                keys.copy_keys(reg.path, final)
            files.replace(work, final)
    finally:
        _remove(*_temporaries(work))
    rotate(reg.path, folder, keep)
    log_event(reg, "backup", {"file": str(final), "bytes": final.stat().st_size})
    return final


def rotate(register_path: Path, folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (at least one is always kept)."""
    removed = []
    for old in list_backups(register_path, folder)[max(keep, 1) :]:
        _remove(old.path, keys.keys_path(old.path))
        removed.append(old.path)
    return removed


def backup_due(reg: Register, folder: Path | None = None, now: datetime | None = None) -> bool:
    """Whether today's automatic backup is still to be made in `folder`."""
    day = (now or datetime.now()).date()
    newest = list_backups(reg.path, folder)
    return not newest or newest[0].made.date() != day


def auto_backup(reg: Register, extra: Path | None = None, now: datetime | None = None
                ) -> list[Path]:  # fmt: skip
    """Once a day: a backup beside the register, and into `extra` (a USB stick) if present."""
    made = []
    folders = [default_folder(reg.path)]
    if extra is not None and extra.is_dir():
        folders.append(extra)
    for folder in folders:
        if backup_due(reg, folder, now):
            made.append(make_backup(reg, folder, now=now))
    return made


def newest_good(register_path: Path, key: bytes | None, folder: Path | None = None
                ) -> tuple[Backup | None, list[tuple[Backup, Problem]]]:  # fmt: skip
    """The newest backup that passes the check, and the newer ones that did not (and why)."""
    bad: list[tuple[Backup, Problem]] = []
    for backup in list_backups(register_path, folder):
        problems = verify_file(backup.path, key)
        if not problems:
            return backup, bad
        bad.append((backup, problems[0]))
    return None, bad


def restore_backup(register_path: Path, backup: Path, key: bytes | None) -> Path | None:
    """Put a checked backup in place of the register; returns the kept copy of the old file.

    The register must not be open. Nothing changes if the backup fails its check.
    """
    state = register_state(backup)
    if state not in ("plain", "encrypted"):
        raise BackupDamaged(f"Không có bản sao lưu “{backup}” (tệp trống hoặc không tồn tại).")
    problems = verify_file(backup, key if state == "encrypted" else None)
    if problems:
        raise BackupDamaged(
            f"Bản sao lưu “{backup}” không dùng được: {problems[0].what.lower()}"
            f"{f' ({problems[0].detail})' if problems[0].detail else ''}. Sổ hiện tại không bị "
            "thay đổi; hãy chọn bản sao lưu khác."
        )
    work = register_path.with_name(register_path.name + ".khoi-phuc.tmp")
    kept = None
    try:
        with _writing(register_path, "khôi phục", backup.stat().st_size * 2):
            shutil.copyfile(backup, work)
            files.fsync_file(work)
            if verify_file(work, key if state == "encrypted" else None):
                raise BackupDamaged(f"Chép bản sao lưu “{backup}” bị lỗi; sổ không bị thay đổi.")
            if register_path.exists():
                stamp = datetime.now().strftime(_STAMP)
                kept = register_path.with_name(f"{register_path.name}.hong-{stamp}.bak")
                shutil.copyfile(register_path, kept)
                wal = register_path.with_name(register_path.name + "-wal")
                if wal.exists():
                    shutil.copyfile(wal, kept.with_name(kept.name + "-wal"))
            # The old file's WAL must not be replayed into the restored one.
            _remove(*_temporaries(register_path)[2:])
            files.replace(work, register_path)
            if keys.keys_path(backup).exists() and not keys.keys_path(register_path).exists():
                keys.copy_keys(backup, register_path)
    finally:
        _remove(*_temporaries(work))
    if state == "encrypted" and not keys.keys_path(register_path).exists():
        raise RegisterFileError(
            f"Đã khôi phục sổ “{register_path}” nhưng không có tệp khóa; hãy mở bằng mã khôi phục."
        )
    return kept
