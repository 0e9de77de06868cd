"""Checking a register or backup file, and saying plainly why writing a copy failed."""

from __future__ import annotations

import contextlib
import errno
import shutil
from collections.abc import Iterator
from pathlib import Path

from db.core import files
from db.core.errors import UserError
from db.store import sqlerrors
from db.store.audit import Problem
from db.store.connect import connect_file, key_opens
from db.store.register import known_migrations
from db.store.schema import APPLICATION_ID, MIGRATION_SET
from db.store.sqlerrors import DB_ERRORS

_KEPT = "sổ và các bản sao lưu cũ không bị ảnh hưởng"


def full(target: Path, needed: int) -> bool:
    try:
        return shutil.disk_usage(target.parent).free < needed
    except OSError:
        return False


@contextlib.contextmanager
def writing(target: Path, what: str, needed: int = 0) -> Iterator[None]:
    """Errors while writing a copy — a full disk, a pulled USB stick — said plainly.

    SQLite reports a full disk as SQLITE_FULL only for a short write; a disk that fills while the
    file is extended shows as an I/O error, so the free space decides which message fits.
    """
    wording = files.Wording(what=what, kept=_KEPT)
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EIO and full(target, needed):
            raise files.disk_full(target.parent, wording) from exc
        raise files.write_error(target.parent, exc, wording) from exc
    except DB_ERRORS as exc:
        if sqlerrors.is_full(exc) or (sqlerrors.is_io_error(exc) and full(target, needed)):
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
