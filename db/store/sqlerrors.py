"""SQLite's errors told apart by their result code, never by their message text.

Python 3.11's `sqlite3` exceptions carry `sqlite_errorcode` (the extended result code, e.g. 517
SQLITE_BUSY_SNAPSHOT) and `sqlite_errorname`. `sqlcipher3` (0.6.4, which opens encrypted
registers) has the same two attributes, but fills them with the *primary* code only (19
SQLITE_CONSTRAINT where `sqlite3` says 787 SQLITE_CONSTRAINT_FOREIGNKEY): it reads
`sqlite3_errcode` without turning extended codes on, and offers no way to. So everything here is
decided on the primary code, `code & 0xFF`, which both drivers give alike; the one question that
needs an extended code (`is_foreign_key`) says how it copes.

One more gap: sqlcipher3's `Connection.backup()` raises with no code at all, its message being
`sqlite3_errstr(rc)`, SQLite's fixed text for the result code ("disk I/O error"). For such an
error only, the primary code is read back from that text by an exact match against SQLite's own
table of those strings (`_ERRSTR`), never by searching the message for a word.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from db.core import files
from db.core.errors import RegisterDamaged, RegisterFileError, RegisterLocked, UserError

# Both drivers' errors: plain files use the standard sqlite3, encrypted ones sqlcipher3 (whose
# classes do not derive from sqlite3's).
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, sqlcipher.IntegrityError)

# Primary result codes (https://www.sqlite.org/rescode.html).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_CONSTRAINT = 19
SQLITE_NOTADB = 26
SQLITE_CONSTRAINT_FOREIGNKEY = 787

# sqlite3_errstr() of each primary code used here (SQLite's main.c), for errors with no code.
_ERRSTR = {
    "access permission denied": SQLITE_PERM,
    "database is locked": SQLITE_BUSY,
    "database table is locked": SQLITE_LOCKED,
    "attempt to write a readonly database": SQLITE_READONLY,
    "disk I/O error": SQLITE_IOERR,
    "database disk image is malformed": SQLITE_CORRUPT,
    "database or disk is full": SQLITE_FULL,
    "unable to open database file": SQLITE_CANTOPEN,
    "file is not a database": SQLITE_NOTADB,
}
_LOCKED = frozenset({SQLITE_BUSY, SQLITE_LOCKED})
_DAMAGED = frozenset({SQLITE_CORRUPT, SQLITE_NOTADB})
_NOT_WRITABLE = frozenset({SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN})
# A register that cannot be written: the change in hand is lost, nothing already saved.
# How long a write waits for another's (db.store.connect.BUSY_TIMEOUT_MS), said in messages.
BUSY_WAIT_SECONDS = 10
_REGISTER_KEPT = "thay đổi vừa rồi chưa được lưu, dữ liệu đã lưu không bị ghi dở"


def code(exc: BaseException) -> int | None:
    """The result code SQLite gave for an error (extended where the driver gives it)."""
    value = getattr(exc, "sqlite_errorcode", None)
    if isinstance(value, int):
        return value
    if isinstance(exc, DB_ERRORS) and len(exc.args) == 1:
        return _ERRSTR.get(str(exc.args[0]))  # sqlcipher3's backup(): see the module's note
    return None


def primary(exc: BaseException) -> int | None:
    """The primary result code of an error (the low byte of an extended one), or None."""
    value = code(exc)
    return None if value is None else value & 0xFF


def is_full(exc: BaseException) -> bool:
    """SQLITE_FULL: SQLite could not grow the file (a short write on a full disk)."""
    return primary(exc) == SQLITE_FULL


def is_io_error(exc: BaseException) -> bool:
    """SQLITE_IOERR: the OS refused a read or write (a disk that filled mid-write, a USB stick
    pulled out)."""
    return primary(exc) == SQLITE_IOERR


def is_wrong_key(exc: BaseException) -> bool:
    """SQLITE_NOTADB: the file's first page does not read as a database (under this key)."""
    return primary(exc) == SQLITE_NOTADB


def is_foreign_key(exc: BaseException) -> bool:
    """A FOREIGN KEY constraint failed.

    `sqlite3` says so with the extended code 787. `sqlcipher3` gives only 19 SQLITE_CONSTRAINT,
    shared by UNIQUE, NOT NULL, CHECK and FOREIGN KEY; for that case alone SQLite's fixed
    message for this constraint ("FOREIGN KEY constraint failed") is all there is to go on.
    """
    value = code(exc)
    if value == SQLITE_CONSTRAINT:
        return str(exc).startswith("FOREIGN KEY constraint failed")
    return value == SQLITE_CONSTRAINT_FOREIGNKEY


def file_error(path: Path, exc: BaseException) -> UserError | None:
    """The message for an error about the register file itself, or None (not about the file)."""
    value = primary(exc)
    if value in _LOCKED:
        return RegisterLocked(
            f"Tệp sổ “{path}” đang bị chương trình khác khóa (có thể đang mở ở cửa sổ khác, "
            f"hoặc một lệnh đang ghi nhiều dữ liệu; đã đợi {BUSY_WAIT_SECONDS} giây). Hãy đợi "
            "việc đó xong hoặc đóng chương trình đó rồi thử lại; chưa có gì bị ghi dở."
        )
    if value == SQLITE_FULL:
        return files.disk_full(path, files.Wording(kept=_REGISTER_KEPT))
    if value in _DAMAGED:
        return RegisterDamaged(
            f"Tệp “{path}” bị hỏng hoặc không phải là sổ theo dõi. Hãy khôi phục từ bản sao lưu."
        )
    if value in _NOT_WRITABLE:
        return RegisterFileError(
            f"Không mở được tệp “{path}” để ghi (thư mục chỉ đọc, không có quyền, hoặc ổ đĩa "
            "đã bị rút ra)."
        )
    return None


@contextlib.contextmanager
def file_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's errors about the file into messages an officer can act on."""
    try:
        yield
    except DB_ERRORS as exc:
        error = file_error(path, exc)
        if error is None:
            raise
        raise error from exc
