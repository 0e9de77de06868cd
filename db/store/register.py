"""Opening a register file: checks, keys, migrations, pragmas, and the handle every function takes.

`open_register` is the one place a register is opened (the raw connection is made in
`db.store.connect`); the handle it returns is passed into every read and write (no global
connection). Errors a person can fix — a missing, foreign, newer, locked or damaged file, a full
disk, a wrong password — become `RegisterFileError`/`DiskFull` with a Vietnamese message
(SQLite's errors are told apart by result code, in `db.store.sqlerrors`).

A register is normally encrypted with SQLCipher (see docs/security.md): `open_register(path,
user=..., password=...)` unlocks it through the account's key slot, `open_register(path,
user=..., key=reg.key)` opens a second connection (a worker thread). A plain, unencrypted file
with no accounts still opens without a password, acting as the chief: it exists for the tests and
for registers made before encryption, which the window and the command line convert.

Many instances may have one register open at once (the window, its workers, any number of
commands): each holds `db.store.hold`'s shared lock while open, writes wait for each other
(`BUSY_TIMEOUT_MS`, every write transaction is `BEGIN IMMEDIATE`), reads never wait. Opening
writes nothing unless the file is new, needs a migration (done while held alone) or the caller
asks for the login entry; a register on read-only media opens read-only.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.core.errors import (
    NotAllowed,
    PasswordRequired,
    RegisterDamaged,
    RegisterFileError,
    RegisterLocked,
)
from db.core.stamps import new_id, now_utc
from db.store import hold, keys, permissions
from db.store.audit import log_event
from db.store.connect import (
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    State,
    connect_file,
    copy_with_keys,
    key_opens,
    make_private,
    register_state,
    writable,
)
from db.store.leftovers import remove_leftovers
from db.store.schema import APPLICATION_ID, MIGRATION_SET, migrations
from db.store.sqlerrors import DB_ERRORS, file_errors
from db.store.unlock import unlock

CHIEF, OFFICER = permissions.CHIEF, permissions.OFFICER


class NotARegister(RegisterFileError):
    """A file that is not (or not yet, for this program) a register: refused untouched."""


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
    # Opened on media that cannot be written: every write is refused with a message.
    read_only: bool = False
    # Wrong passwords before this login, until the login entry is written (record_login).
    failed_before: int | None = None
    hold: hold.Hold | None = field(default=None, repr=False)

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
        """Close the connection (a WAL checkpoint happens on the last close), then let go of
        the register (db.store.hold). Closing twice does nothing."""
        with contextlib.suppress(sqlite3.ProgrammingError, *DB_ERRORS):
            self.db.conn.close()
        if self.hold is not None:
            self.hold.release()

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


def _migrate(db: Database, path: Path, created: bool, key: bytes | None) -> None:
    conn = db.conn
    pending = migrations.pending(db)
    if pending and not created:
        _backup_before_migrating(conn, path, pending[0].name, key)
    if pending:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.apply(db)
        conn.execute(f"PRAGMA user_version = {len(known_migrations())}")


def _needs_migrating(db: Database) -> bool:
    return "local_meta" not in db.table_names() or bool(migrations.pending(db))


def _local(db: Database, key: str, make: Callable[[], str], read_only: bool) -> str:
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


def _account(db: Database, login: str) -> tuple[str, str, bool] | None:
    row = db.execute(
        "SELECT role, full_name, disabled FROM accounts WHERE login = ? AND deleted = 0", [login]
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), bool(row[2]))


def _connect(path: Path, key: bytes | None, wrong_key: RegisterFileError, read_only: bool
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


def _hold_for_opening(path: Path, held: hold.Hold | None, read_only: bool) -> hold.Hold | None:
    """The hold an opening instance takes: alone for a moment if it can (to clear a crash's
    leftovers), else shared; None where no lock file can exist (read-only media)."""
    if held is not None or read_only:
        return None
    alone = hold.try_alone(path)
    if alone is not None:
        remove_leftovers(path)
        return alone
    return hold.share(path)


def _prepare(conn: Any, path: Path, exists: bool, key: bytes | None, read_only: bool,
             own: hold.Hold | None) -> Database:  # fmt: skip
    """Checks, pragmas and migrations; returns the database ready for use."""
    db = Database(conn)
    # Checked before the pragmas: switching to WAL would already rewrite a foreign file.
    created = _check_register(db, path, created=not exists)
    if read_only:
        if created or _needs_migrating(db):
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
    if created or _needs_migrating(db):
        if own is not None and not own.exclusive:
            raise _MustBeAlone
        _migrate(db, path, created, key)
    return db


class _MustBeAlone(Exception):
    """A migration is due but others have the register open (opening retries alone)."""


def _open(
    path: Path,
    *,
    key: bytes | None,
    user: str | None,
    today: Callable[[], date],
    role: str | None = None,
    wrong_key: RegisterFileError | None = None,
    held: hold.Hold | None = None,
    read_only: bool | None = None,
) -> Register:
    """The shared part of every open; `role` None means: the account's role from the file.

    `held`: the caller already holds the register alone (a restore, an encryption) and the
    connection opened here must not take a hold of its own.
    """
    exists = path.exists() and path.stat().st_size > 0
    if not path.parent.exists():
        with file_errors(path), contextlib.suppress(FileExistsError):
            path.parent.mkdir(parents=True, mode=0o700)
    if read_only is None:
        read_only = exists and not writable(path)
    wrong_key = wrong_key or RegisterDamaged(
        f"Không mở được sổ “{path}” bằng khóa trong “{keys.keys_path(path).name}”: tệp khóa "
        "không khớp (của sổ khác) hoặc tệp sổ bị hỏng. Hãy chép đúng tệp khóa, khôi phục từ bản "
        "sao lưu, hoặc mở sổ bằng mã khôi phục."
    )
    made_lock = not hold.lock_path(path).exists()
    own = _hold_for_opening(path, held, read_only)
    full_name = ""
    try:
        with file_errors(path):
            conn = _connect(path, key, wrong_key, read_only)
            try:
                try:
                    db = _prepare(conn, path, exists, key, read_only, own)
                except _MustBeAlone:
                    conn.close()
                    assert own is not None
                    own.release()
                    own = hold.alone(path, "nâng cấp sổ cho phiên bản mới")
                    conn = _connect(path, key, wrong_key, read_only)
                    db = _prepare(conn, path, exists, key, read_only, own)
                device_id = _local(db, "device_id", new_id, read_only)
                commune_id = _local(db, "commune_id", new_id, read_only)
                _local(db, "created_at", now_utc, read_only)
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
        if own is not None:
            own.share()  # the moment alone is over: others may open it now
    except BaseException as exc:
        if own is not None:
            if isinstance(exc, NotARegister) and made_lock and own.exclusive:
                # Refused untouched: not even a lock file is left beside someone else's file.
                with contextlib.suppress(OSError):
                    hold.lock_path(path).unlink()
            own.release()
        raise
    return Register(
        db=db, path=path, user=login, device_id=device_id, commune_id=commune_id, today=today,
        role=role, full_name=full_name, key=key, read_only=read_only, hold=own,
    )  # fmt: skip


def open_register(
    path: str | os.PathLike[str],
    *,
    create: bool = False,
    user: str | None = None,
    today: Callable[[], date] = date.today,
    password: str | None = None,
    key: bytes | None = None,
    log_login: bool = True,
    read_only: bool | None = None,
) -> Register:
    """Open a register, unlocking an encrypted one with `password` (or `key`), migrating it.

    `create` makes a missing file a *plain* register (tests, training files made by code);
    the program itself makes encrypted ones with `db.security.encryption.create_register`.
    `log_login=False`: the login entry is left for `record_login` (a reading command writes it
    after it has read, so reading never waits for the write lock). `read_only` None: read-only
    when the file or its folder cannot be written.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise RegisterFileError(f"“{path}” là một thư mục, không phải tệp sổ.")
    state = register_state(path)
    if state == "missing" and not create:
        raise RegisterFileError(f"Không tìm thấy tệp sổ “{path}”.")
    if state != "encrypted":
        return _open(path, key=None, user=user, today=today, read_only=read_only)
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
    reg = _open(path, key=key, user=user, today=today, read_only=read_only)
    reg.failed_before = failures
    if log_login:
        try:
            record_login(reg)
        except BaseException:
            reg.close()
            raise
    return reg


def record_login(reg: Register, *, wait_ms: int = BUSY_TIMEOUT_MS) -> bool:
    """Write the login entry of a password open (with the wrong tries before it), once.

    False when it cannot be written: the register is read-only (nothing can be written there),
    or another program held the write lock for longer than `wait_ms` (RegisterLocked is not
    raised: what was read has been read; the caller may say so).
    """
    if reg.failed_before is None or reg.read_only:
        return False
    reg.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        log_event(reg, "login", {"failed_before": reg.failed_before})
    except RegisterLocked:
        return False
    finally:
        reg.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    reg.failed_before = None
    return True


# `DB_ERRORS`, `file_errors` (db.store.sqlerrors), `new_id`, `now_utc` (db.core.stamps), and the
# file helpers of db.store.connect are kept importable from here for callers not yet moved.
__all__ = [
    "BUSY_TIMEOUT_MS", "DB_ERRORS", "MIGRATION_SET", "SQLITE_HEADER", "Register", "State",
    "connect_file", "copy_with_keys", "file_errors", "key_opens", "new_id", "now_utc",
    "open_register", "record_login", "register_state", "unlock",
]  # fmt: skip
