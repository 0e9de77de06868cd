"""The register file on disk: what is there, a raw connection to it, and a consistent copy.

`connect_file` is the one place a SQLite connection is made (plain `sqlite3`, or `sqlcipher3`
with the raw key). A register on read-only media (a write-protected stick, a folder without
write permission) is opened read-only: through SQLite's `mode=ro` when its `-shm` is there to
share, else `immutable=1` (safe only because nothing can change a file that nobody can write;
a `-wal` that was never merged is refused with a message rather than silently ignored).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import sqlcipher3.dbapi2 as sqlcipher

from db.core.errors import RegisterFileError
from db.store import keys, sqlerrors
from db.store.sqlerrors import DB_ERRORS

SQLITE_HEADER = b"SQLite format 3\x00"
# How long a write waits for another program's write to finish before saying the register is
# busy (a save in the window, a command, a bulk import: each holds the write lock only while it
# commits). Reads never wait for writes (WAL): they see the last commit.
BUSY_TIMEOUT_MS = sqlerrors.BUSY_WAIT_SECONDS * 1000
# SQLite's page cache of an open register, in KiB (set once the file is known to be a register,
# db.store.opening). SQLCipher decrypts and checks every page it reads into this cache, so a page
# evicted and read again is decrypted again: the due list and the figures read the same index
# pages in several queries. Beyond 32 MB nothing more was gained at 100,000 people
# (docs/benchmarks.md); the memory is taken only as pages are read.
CACHE_KIB = 32 * 1024

State = Literal["missing", "empty", "plain", "encrypted"]


def register_state(path: str | os.PathLike[str]) -> State:
    """What is at `path`: nothing, an empty file, a plain SQLite file, or something encrypted."""
    path = Path(path).expanduser()
    if not path.exists() or path.is_dir():
        return "missing"
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if not head:
        return "empty"
    return "plain" if head == SQLITE_HEADER else "encrypted"


def sidecars(path: Path) -> tuple[Path, Path]:
    """SQLite's `-wal` and `-shm` files of a database file."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def writable(path: Path) -> bool:
    """Whether the register (if it exists) and its folder can be written by this user."""
    folder = path.parent if path.parent.exists() else None
    if folder is not None and not os.access(folder, os.W_OK):
        return False
    return not (path.exists() and not os.access(path, os.W_OK))


def make_private(path: Path) -> None:
    """Readable by this user only (POSIX); SQLite gives its `-wal`/`-shm` the file's mode."""
    if os.name != "posix":
        return  # Windows: the user's own folders are private already
    for each in (path, *sidecars(path)):
        with contextlib.suppress(OSError):
            if each.stat().st_mode & 0o077 and each.stat().st_uid == os.getuid():
                each.chmod(0o600)


def _uri(path: Path, query: str) -> str:
    posix = path.resolve().as_posix()
    if not posix.startswith("/"):
        posix = "/" + posix  # C:/… on Windows: SQLite takes file:///C:/…
    return f"file://{quote(posix, safe='/:')}?{query}"


def _read_only(path: Path, key: bytes | None) -> sqlite3.Connection:
    wal, shm = sidecars(path)
    query = "mode=ro" if shm.exists() else "immutable=1"
    if query == "immutable=1" and wal.exists() and wal.stat().st_size > 0:
        raise RegisterFileError(
            f"Sổ “{path}” nằm ở nơi chỉ đọc và còn tệp “{wal.name}” chưa được gộp vào sổ (sổ "
            "được chép khi đang mở). Hãy chép cả thư mục sang ổ ghi được rồi mở ở đó."
        )
    driver = sqlite3 if key is None else sqlcipher
    conn: sqlite3.Connection = driver.connect(
        _uri(path, query), uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
        check_same_thread=False,
    )  # fmt: skip
    return conn


def connect_file(path: Path, key: bytes | None = None, *, cipher: bool = False,
                 read_only: bool = False) -> sqlite3.Connection:  # fmt: skip
    """A raw connection: plain SQLite, or SQLCipher with the raw key (not yet verified).

    `cipher` opens a plain file through SQLCipher all the same (to export it encrypted);
    `read_only` opens without ever writing (media that cannot be written).
    """
    if read_only:
        conn = _read_only(path, key)
    elif key is None and not cipher:
        return sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    else:
        conn = sqlcipher.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
    if isinstance(conn, sqlcipher.Connection):
        # SQLCipher prints a wrong key's HMAC failures to stderr; the message we raise is enough.
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            conn.execute(f"PRAGMA key = {keys.sql_key(key)}")
    return conn


def key_opens(conn: sqlite3.Connection) -> bool:
    """Whether the key given to an encrypted connection is the file's (reads page 1)."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DB_ERRORS as exc:
        if sqlerrors.is_wrong_key(exc):
            return False
        raise
    return True


def copy_with_keys(conn: sqlite3.Connection, target: Path, key: bytes | None) -> None:
    """A consistent copy of an open register (SQLite's backup API), under the same key.

    The copy is made readable by this user only before any page is written into it.
    """
    cipher = isinstance(conn, sqlcipher.Connection)  # backup() wants the same driver both ends
    with contextlib.closing(connect_file(target, key, cipher=cipher)) as copy:
        copy.execute("PRAGMA user_version").fetchone()  # creates the (empty) file
        make_private(target)
        conn.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # a copy stands alone: no -wal beside it
