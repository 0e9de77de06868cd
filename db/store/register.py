"""Opening a register file: checks, keys, migrations, pragmas, and the handle every function takes.

`open_register` is the one place a connection is made (`connect_file` is its only helper, also
used for backups); the handle it returns is passed into every read and write (no global
connection). Errors a person can fix — a missing, foreign, newer, locked or damaged file, a full
disk, a wrong password — become `RegisterFileError`/`DiskFull` with a Vietnamese message
(SQLite's errors are told apart by result code, in `db.store.sqlerrors`).

A register is normally encrypted with SQLCipher (see docs/security.md): `open_register(path,
user=..., password=...)` unlocks it through the account's key slot, `open_register(path,
user=..., key=reg.key)` opens a second connection (a worker thread). A plain, unencrypted file
with no accounts still opens without a password, acting as the chief: it exists for the tests and
for registers made before encryption, which the window and the command line convert.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import sqlcipher3.dbapi2 as sqlcipher
from sqlite_utils import Database

from db.core.errors import (
    NotAllowed,
    PasswordRequired,
    RegisterDamaged,
    RegisterFileError,
    WrongPassword,
)
from db.core.stamps import new_id, now_utc
from db.store import keys, lockout, sqlerrors
from db.store.audit import log_event
from db.store.schema import APPLICATION_ID, MIGRATION_SET, migrations
from db.store.sqlerrors import DB_ERRORS, file_errors

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 3000
CHIEF = "chief"
OFFICER = "officer"

State = Literal["missing", "empty", "plain", "encrypted"]


@dataclass
class Register:
    """An open register: the database, who is working, on which device, and what day it is."""

    db: Database
    path: Path
    user: str
    device_id: str
    commune_id: str
    today: Callable[[], date] = field(default=date.today)
    _calendar_cache: object | None = field(default=None, repr=False)
    role: str = CHIEF
    full_name: str = ""
    # The unlocked database key, in memory only (None: a plain file).
    key: bytes | None = field(default=None, repr=False)

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection (for the few queries sqlite-utils does not express)."""
        return self.db.conn

    @property
    def encrypted(self) -> bool:
        """Whether the file is encrypted (and accounts and roles apply)."""
        return self.key is not None

    def reopen(self) -> Register:
        """A second connection to the same register as the same account (for another thread)."""
        return open_register(self.path, user=self.user, today=self.today, key=self.key)

    def close(self) -> None:
        """Close the connection (a WAL checkpoint happens on the last close)."""
        self.db.conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_user() -> str:
    """The operating-system user (the name on a plain register, which has no accounts)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some systems
        return "cán bộ"


def known_migrations() -> tuple[str, ...]:
    """Every migration this program knows, in order."""
    return tuple(m.name for m in migrations._migrations)


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


def connect_file(path: Path, key: bytes | None = None, *, cipher: bool = False
                 ) -> sqlite3.Connection:  # fmt: skip
    """A raw connection: plain SQLite, or SQLCipher with the raw key (not yet verified).

    `cipher` opens a plain file through SQLCipher all the same (to export it encrypted).
    """
    if key is None and not cipher:
        return sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    conn: sqlite3.Connection = sqlcipher.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
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
    """A consistent copy of an open register (SQLite's backup API), under the same key."""
    cipher = isinstance(conn, sqlcipher.Connection)  # backup() wants the same driver both ends
    with contextlib.closing(connect_file(target, key, cipher=cipher)) as copy:
        conn.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # a copy stands alone: no -wal beside it


def _backup_before_migrating(conn: sqlite3.Connection, path: Path, step: str, key: bytes | None
                             ) -> Path:  # fmt: skip
    target = path.with_name(f"{path.name}.truoc-{step}.bak")
    copy_with_keys(conn, target, key)
    if key is not None and keys.keys_path(path).exists():
        keys.copy_keys(path, target)
    return target


def _check_register(db: Database, path: Path, created: bool) -> bool:
    """Refuse a foreign or a newer file before anything is written to it.

    Returns whether the file is to be made a register (new, or an empty SQLite file).
    """
    app_id = db.conn.execute("PRAGMA application_id").fetchone()[0]
    tables = set(db.table_names())
    if not created and app_id != APPLICATION_ID:
        if tables:
            raise RegisterFileError(
                f"Tệp “{path}” là cơ sở dữ liệu của chương trình khác, không phải sổ theo dõi."
            )
        created = True  # an empty SQLite file: make it a register
    applied = {m.name for m in migrations.applied(db)}
    if applied - set(known_migrations()):
        raise RegisterFileError(
            f"Tệp sổ “{path}” được tạo bởi phiên bản mới hơn của chương trình. "
            "Hãy cập nhật chương trình Sổ theo dõi rồi mở lại; tệp không bị thay đổi."
        )
    return created


def _migrate(db: Database, path: Path, created: bool, key: bytes | None) -> None:
    conn = db.conn
    pending = migrations.pending(db)
    if pending and not created:
        _backup_before_migrating(conn, path, pending[0].name, key)
    if pending:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.apply(db)
        conn.execute(f"PRAGMA user_version = {len(known_migrations())}")


def _local(db: Database, key: str, make: Callable[[], str]) -> str:
    row = db.execute("SELECT value FROM local_meta WHERE key = ?", [key]).fetchone()
    if row:
        return str(row[0])
    value = make()
    with db.atomic():
        db.execute("INSERT INTO local_meta (key, value) VALUES (?, ?)", [key, value])
    return value


def unlock(
    path: Path, user: str | None, password: str, clock: lockout.Clock = time.time
) -> tuple[str, bytes, int]:
    """(login, database key, wrong tries before this one) from an account's password."""
    keyfile = keys.read_keys(path)
    if user is None:
        if len(keyfile.slots) != 1:
            raise PasswordRequired(f"Sổ “{path}” có nhiều tài khoản: hãy cho biết tên đăng nhập.")
        user = next(iter(keyfile.slots))
    login = keys.normalize_login(user)
    lockout.check(path, login, clock)
    slot = keyfile.slots.get(login)
    try:
        if slot is None:
            keys.burn_time(password)
            raise WrongPassword("Tên đăng nhập hoặc mật khẩu không đúng.")
        key = keys.unwrap(slot, password)
    except WrongPassword:
        count = lockout.record_failure(path, login, clock)
        wait = lockout.delay_after(count)
        if wait:
            raise WrongPassword(
                f"Tên đăng nhập hoặc mật khẩu không đúng (sai {count} lần liền; "
                f"lần thử sau phải đợi {wait} giây)."
            ) from None
        raise
    return login, key, lockout.record_success(path, login)


def _account(db: Database, login: str) -> tuple[str, str, bool] | None:
    row = db.execute(
        "SELECT role, full_name, disabled FROM accounts WHERE login = ? AND deleted = 0", [login]
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), bool(row[2]))


def _connect_checked(path: Path, key: bytes | None, wrong_key: RegisterFileError) -> Any:
    conn = connect_file(path, key)
    if key is not None and not key_opens(conn):
        conn.close()
        raise wrong_key
    return conn


def _open(
    path: Path,
    *,
    key: bytes | None,
    user: str | None,
    today: Callable[[], date],
    role: str | None = None,
    wrong_key: RegisterFileError | None = None,
) -> Register:
    """The shared part of every open; `role` None means: the account's role from the file."""
    exists = path.exists() and path.stat().st_size > 0
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    wrong_key = wrong_key or RegisterDamaged(
        f"Không mở được sổ “{path}” bằng khóa trong “{keys.keys_path(path).name}”: tệp khóa "
        "không khớp (của sổ khác) hoặc tệp sổ bị hỏng. Hãy chép đúng tệp khóa, khôi phục từ bản "
        "sao lưu, hoặc mở sổ bằng mã khôi phục."
    )
    full_name = ""
    with file_errors(path):
        # Autocommit mode: only db.atomic() opens transactions, so none is left open by accident.
        conn = _connect_checked(path, key, wrong_key)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db = Database(conn)
            # Checked before the pragmas: switching to WAL would already rewrite a foreign file.
            created = _check_register(db, path, created=not exists)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(db, path, created, key)
            device_id = _local(db, "device_id", new_id)
            commune_id = _local(db, "commune_id", new_id)
            _local(db, "created_at", now_utc)
            if key is None:
                role, login = CHIEF, user or default_user()
            else:
                login = keys.normalize_login(user or "")
                if role is None:
                    account = _account(db, login)
                    if account is None or account[2]:
                        raise NotAllowed(
                            f"Tài khoản “{login}” không còn được dùng sổ này. "
                            "Hãy nhờ chỉ huy kiểm tra tài khoản."
                        )
                    role, full_name, _ = account
        except BaseException:
            conn.close()
            raise
    return Register(
        db=db, path=path, user=login, device_id=device_id, commune_id=commune_id, today=today,
        role=role, full_name=full_name, key=key,
    )  # fmt: skip


def open_register(
    path: str | os.PathLike[str],
    *,
    create: bool = False,
    user: str | None = None,
    today: Callable[[], date] = date.today,
    password: str | None = None,
    key: bytes | None = None,
) -> Register:
    """Open a register, unlocking an encrypted one with `password` (or `key`), migrating it.

    `create` makes a missing file a *plain* register (tests, training files made by code);
    the program itself makes encrypted ones with `db.security.encryption.create_register`.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise RegisterFileError(f"“{path}” là một thư mục, không phải tệp sổ.")
    state = register_state(path)
    if state == "missing" and not create:
        raise RegisterFileError(f"Không tìm thấy tệp sổ “{path}”.")
    if state != "encrypted":
        return _open(path, key=None, user=user, today=today)
    has_keys = keys.keys_path(path).exists()
    if key is None and password is None:
        if has_keys:
            raise PasswordRequired(f"Sổ “{path}” đã được mã hóa: cần mật khẩu để mở.")
        raise RegisterFileError(
            f"Tệp “{path}” không phải là sổ theo dõi (không phải cơ sở dữ liệu), hoặc là sổ đã "
            f"mã hóa mà thiếu tệp khóa “{keys.keys_path(path).name}” bên cạnh."
        )
    if key is not None and password is None and not user:
        raise PasswordRequired(f"Sổ “{path}”: cần tên đăng nhập để mở bằng khóa.")
    failures = None
    if key is None:
        assert password is not None
        user, key, failures = unlock(path, user, password)
    reg = _open(path, key=key, user=user, today=today)
    if failures is not None:
        try:
            log_event(reg, "login", {"failed_before": failures})
        except BaseException:
            reg.close()
            raise
    return reg


# `DB_ERRORS`, `file_errors` (db.store.sqlerrors) and `new_id`, `now_utc` (db.core.stamps) are
# kept importable from here for callers not yet moved to their homes.
__all__ = [
    "DB_ERRORS", "MIGRATION_SET", "Register", "file_errors", "new_id", "now_utc", "open_register",
]  # fmt: skip
