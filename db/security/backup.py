"""Backups: a verified, encrypted copy made while the program runs, and rotated by the chief.

A backup is made with SQLite's backup API from the open connection into a new file under the
same key (so it is encrypted like the register, and the recovery code opens it), with a copy of
the key file beside it. It is written under a temporary name, read back and checked, and only
then renamed: a full disk or a crash leaves no half-written backup. Restoring is in
`db.security.restore`.

**Backups only grow for officers**: deleting old backups (`keep`, the automatic rotation) is the
station chief's. An officer's backup adds a file and deletes none; an officer asking for `keep` is
refused before anything is written. The chief's rotation keeps the `backup_keep` newest *by what
they hold* — the position in this register's change log that each backup reaches, read from
inside it — and only deletes backups that open with the register's key and are an earlier state
of this register's log: a renamed old copy, a planted file or a backup from before a key change
or a restore is never counted as "newest", and never deleted by it.
"""

from __future__ import annotations

import contextlib
import re
import shutil  # noqa: F401 - the tests reach shutil.disk_usage through this module
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from db.commune.settings import get_settings
from db.core import files
from db.core.errors import BackupDamaged, DiskFull, NotAllowed
from db.security.chief import acts_as_chief
from db.security.restore import restore_backup
from db.security.verify import full as _full
from db.security.verify import verify_file, writing
from db.store import keys
from db.store.anchor import anchor_code, chain_head, holds
from db.store.audit import Problem, log_event
from db.store.connect import connect_file, copy_with_keys, key_opens
from db.store.register import Register
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
    """Write a verified backup into `folder` (default: beside the register); returns it.

    The chief's backups then keep the `keep` newest (default: the setting); an officer's delete
    nothing, and an officer asking for `keep` is refused (NotAllowed) before anything is written.
    """
    chief = acts_as_chief(reg)
    if keep is not None and not chief:
        raise NotAllowed(
            f"Chỉ tài khoản chỉ huy mới được xóa bớt bản sao lưu cũ (--keep); tài khoản "
            f"“{reg.user}” là cán bộ: bản sao lưu của cán bộ chỉ thêm, không xóa bản nào. Hãy "
            "chạy lại không có --keep, hoặc nhờ chỉ huy."
        )
    folder = folder or default_folder(reg.path)
    now = now or datetime.now()
    if chief:
        keep = int(get_settings(reg)["backup_keep"]) if keep is None else keep
    with writing(folder / "x", "tạo thư mục sao lưu"):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
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
        with writing(final, "sao lưu", needed):
            copy_with_keys(reg.conn, work, reg.key)
            files.fsync_file(work)
            problems = verify_file(work, reg.key)
            if problems:
                raise BackupDamaged(
                    f"Bản sao lưu vừa ghi vào “{folder}” đọc lại không đúng ({problems[0].what}); "
                    "đã bỏ bản đó. Hãy thử lại hoặc chọn ổ đĩa khác."
                )
            with contextlib.closing(connect_file(work, reg.key)) as copy:
                anchor = chain_anchor_of(copy)
            if reg.encrypted and keys.keys_path(reg.path).exists():
                keys.copy_keys(reg.path, final)
            files.replace(work, final)
    finally:
        _remove(*_temporaries(work))
    if keep is not None:
        rotate(reg, folder, keep)
    log_event(reg, "backup", {"file": str(final), "bytes": final.stat().st_size,
                              "anchor": anchor})  # fmt: skip
    return final


def chain_anchor_of(conn: object) -> str:
    """The chain anchor a backup file holds (its newest log entry)."""
    return anchor_code(*chain_head(conn))


def _position(path: Path, reg: Register) -> int | None:
    """How far in this register's change log a backup reaches (None: not an earlier state of
    this register under its key — never counted, never deleted)."""
    try:
        with contextlib.closing(connect_file(path, reg.key)) as conn:
            if reg.key is not None and not key_opens(conn):
                return None
            seq, head = chain_head(conn)
    except DB_ERRORS:
        return None
    return seq if holds(reg.conn, seq, head) else None


def rotate(reg: Register, folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups of this register in `folder` (at least one is
    always kept; the chief only). Returns what was deleted."""
    if not acts_as_chief(reg):
        raise NotAllowed("Chỉ tài khoản chỉ huy mới được xóa bản sao lưu cũ.")
    ranked = []
    for found in list_backups(reg.path, folder):
        position = _position(found.path, reg)
        if position is not None:
            ranked.append((position, found.made, found.path))
    ranked.sort(reverse=True)
    removed = []
    for _, _, old in ranked[max(keep, 1) :]:
        _remove(old, keys.keys_path(old))
        removed.append(old)
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


# Restoring moved to db.security.restore; kept importable from here for the window's dialog.
__all__ = [
    "Backup", "auto_backup", "default_folder", "list_backups", "make_backup", "newest_good",
    "restore_backup", "rotate", "verify_file", "writing",
]  # fmt: skip
