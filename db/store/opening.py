"""The steps of opening a register file, before the handle exists: the hold, the connection,
the checks that refuse a foreign or newer file untouched, the pragmas, the migrations.

`db.store.register._open` runs them in order; see that module for what opening promises.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.core.errors import RegisterFileError
from db.store import hold, keys
from db.store.connect import (
    BUSY_TIMEOUT_MS,
    CACHE_KIB,
    connect_file,
    copy_with_keys,
    key_opens,
    make_private,
)
from db.store.keyslots import Unlocked
from db.store.leftovers import remove_leftovers
from db.store.schema import APPLICATION_ID, migrations


class NotARegister(RegisterFileError):
    """A file that is not (or not yet, for this program) a register: refused untouched."""


def known_migrations() -> tuple[str, ...]:
    """Every migration this program knows, in order."""
    return tuple(m.name for m in migrations._migrations)


def backup_before_migrating(conn: sqlite3.Connection, path: Path, step: str, key: bytes | None
                             ) -> Path:  # fmt: skip
    target = path.with_name(f"{path.name}.truoc-{step}.bak")
    copy_with_keys(conn, target, key)
    if key is not None and keys.keys_path(path).exists():
        keys.copy_keys(path, target)
    return target


def check_register_file(db: Database, path: Path, created: bool) -> bool:
    """Refuse a foreign or a newer file before anything is written to it.

    Returns whether the file is to be made a register (new, or an empty SQLite file).
    """
    app_id = db.conn.execute("PRAGMA application_id").fetchone()[0]
    tables = set(db.table_names())
    if not created and app_id != APPLICATION_ID:
        if tables:
            raise NotARegister(
                f"Tệp “{path}” là cơ sở dữ liệu của chương trình khác, không phải sổ theo dõi."
            )
        created = True  # an empty SQLite file: make it a register
    applied = {m.name for m in migrations.applied(db)} if tables else set()
    if applied - set(known_migrations()):
        raise NotARegister(
            f"Tệp sổ “{path}” được tạo bởi phiên bản mới hơn của chương trình. "
            "Hãy cập nhật chương trình Sổ theo dõi rồi mở lại; tệp không bị thay đổi."
        )
    return created


def migrate(db: Database, path: Path, created: bool, key: bytes | None) -> None:
    conn = db.conn
    pending = migrations.pending(db)
    if pending and not created:
        backup_before_migrating(conn, path, pending[0].name, key)
    if pending:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.apply(db)
        conn.execute(f"PRAGMA user_version = {len(known_migrations())}")


def needs_migrating(db: Database) -> bool:
    return "local_meta" not in db.table_names() or bool(migrations.pending(db))


def local_value(db: Database, key: str, make: Callable[[], str], read_only: bool) -> str:
    row = db.execute("SELECT value FROM local_meta WHERE key = ?", [key]).fetchone()
    if row:
        return str(row[0])
    value = make()
    if not read_only:  # (a read-only register cannot be written: nothing is saved under it)
        with db.atomic():
            db.execute("INSERT OR IGNORE INTO local_meta (key, value) VALUES (?, ?)", [key, value])
        row = db.execute("SELECT value FROM local_meta WHERE key = ?", [key]).fetchone()
        value = str(row[0])
    return value


def account_row(db: Database, login: str) -> tuple[str, str, bool] | None:
    row = db.execute(
        "SELECT role, full_name, disabled FROM accounts WHERE login = ? AND deleted = 0", [login]
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), bool(row[2]))


def connect(path: Path, key: bytes | None, wrong_key: RegisterFileError, read_only: bool
             ) -> Any:  # fmt: skip
    conn = connect_file(path, key, read_only=read_only)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if key is not None and not key_opens(conn):
            raise wrong_key
    except BaseException:
        conn.close()
        raise
    return conn


def connect_any(path: Path, key: bytes | None, wrong_key: RegisterFileError, read_only: bool
                ) -> tuple[Any, bytes | None]:  # fmt: skip
    """`connect` with the key, or — a key change interrupted between the key file and the
    register (db.security.rekey) — with the key before it; returns the connection and the key
    that opened it."""
    other = key.other() if isinstance(key, Unlocked) else None
    try:
        return connect(path, key, wrong_key, read_only), key
    except RegisterFileError as exc:
        if exc is not wrong_key or other is None:
            raise
    return connect(path, other, wrong_key, read_only), other


def hold_for_opening(path: Path, held: hold.Hold | None, read_only: bool) -> hold.Hold | None:
    """The hold an opening instance takes: alone for a moment if it can (to clear a crash's
    leftovers), else shared; None where no lock file can exist (read-only media)."""
    if held is not None or read_only:
        return None
    alone = hold.try_alone(path)
    if alone is not None:
        remove_leftovers(path)
        return alone
    return hold.share(path)


def prepare(conn: Any, path: Path, exists: bool, key: bytes | None, read_only: bool,
             own: hold.Hold | None) -> Database:  # fmt: skip
    """Checks, pragmas and migrations; returns the database ready for use."""
    db = Database(conn)
    # Checked before the pragmas: switching to WAL would already rewrite a foreign file.
    created = check_register_file(db, path, created=not exists)
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # (reads the file: after the check)
    if read_only:
        if created or needs_migrating(db):
            raise RegisterFileError(
                f"Sổ “{path}” cần được nâng cấp cho phiên bản này của chương trình nhưng nằm ở "
                "nơi chỉ đọc. Hãy chép sổ (cùng tệp .keys) sang ổ ghi được rồi mở ở đó."
            )
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        return db
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    make_private(path)
    if created or needs_migrating(db):
        if own is not None and not own.exclusive:
            raise MustBeAlone
        migrate(db, path, created, key)
    return db


class MustBeAlone(Exception):
    """A migration is due but others have the register open (opening retries alone)."""
