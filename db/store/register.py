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

from sqlite_utils import Database

from db.core.errors import (
    NotAllowed,
    PasswordRequired,
    RegisterDamaged,
    RegisterFileError,
    RegisterLocked,
)
from db.core.stamps import new_id, now_utc
from db.store import anchor, hold, keys, opening, permissions, seal, upgrade
from db.store.audit import log_event
from db.store.connect import (
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    State,
    connect_file,
    copy_with_keys,
    key_opens,
    register_state,
    writable,
)
from db.store.opening import NotARegister, known_migrations
from db.store.schema import MIGRATION_SET
from db.store.sqlerrors import DB_ERRORS, file_errors
from db.store.unlock import unlock

CHIEF, OFFICER = permissions.CHIEF, permissions.OFFICER


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
        """Keep the log's newest anchor beside the register (db.store.anchor), close the
        connection (a WAL checkpoint happens on the last close), then let go of the register
        (db.store.hold). Closing twice does nothing."""
        if self.hold is not None and self.hold.held:  # (not a file held by a restore, say)
            anchor.keep(self)
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


def _role(db: Database, path: Path, key: bytes | None, user: str | None, verify: bool
          ) -> tuple[str, str, str]:  # fmt: skip
    """(login, role, full name) of the session; the seal checked first (db.store.seal)."""
    if key is None:
        return user or default_user(), CHIEF, ""
    if verify:
        found = seal.problems(db.conn, keys.chief_secret_of(key), seal.must_be_sealed(path))
        if found:
            raise seal.broken(path, found)
    login = keys.normalize_login(user or "")
    account = opening.account_row(db, login)
    if account is None or account[2]:
        raise NotAllowed(
            f"Tài khoản “{login}” không còn được dùng sổ này. Hãy nhờ chỉ huy kiểm tra tài khoản."
        )
    return login, account[0], account[1]


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
    verify_seal: bool = True,
) -> Register:
    """The shared part of every open; `role` None means: the account's role from the file
    (after the seal over accounts is checked, unless `verify_seal` is False: check, repair).

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
    own = opening.hold_for_opening(path, held, read_only)
    try:
        with file_errors(path):
            conn, key = opening.connect_any(path, key, wrong_key, read_only)
            try:
                try:
                    db = opening.prepare(conn, path, exists, key, read_only, own)
                except opening.MustBeAlone:
                    conn.close()
                    assert own is not None
                    own.release()
                    own = hold.alone(path, "nâng cấp sổ cho phiên bản mới")
                    conn = opening.connect(path, key, wrong_key, read_only)
                    db = opening.prepare(conn, path, exists, key, read_only, own)
                device_id = opening.local_value(db, "device_id", new_id, read_only)
                commune_id = opening.local_value(db, "commune_id", new_id, read_only)
                opening.local_value(db, "created_at", now_utc, read_only)
                if role is None:
                    login, role, full_name = _role(db, path, key, user, verify_seal)
                else:
                    login = keys.normalize_login(user or "") if key else user or default_user()
                    full_name = ""
            except BaseException:
                conn.close()
                raise
        if own is not None:
            own.share()  # the moment alone is over: others may open it now
    except BaseException as exc:
        if own is not None:
            if isinstance(exc, opening.NotARegister) and made_lock and own.exclusive:
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
    verify_seal: bool = True,
) -> Register:
    """Open a register, unlocking an encrypted one with `password` (or `key`), migrating it.

    `create` makes a missing file a *plain* register (tests, training files made by code);
    the program itself makes encrypted ones with `db.security.encryption.create_register`.
    `log_login=False`: the login entry is left for `record_login` (a reading command writes it
    after it has read, so reading never waits for the write lock). `read_only` None: read-only
    when the file or its folder cannot be written. `verify_seal=False`: open even when the
    accounts' seal is broken (`check` reports it; the chief's repair needs it open).
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
    reg = _open(path, key=key, user=user, today=today, read_only=read_only,
                verify_seal=verify_seal)  # fmt: skip
    reg.failed_before = failures
    try:
        if password is not None:
            upgrade.after_login(reg, password)
        if log_login:
            record_login(reg)
    except BaseException:
        reg.close()
        raise
    return reg


def log_login(reg: Register, failed_before: int) -> bool:
    """The login entry for a register opened with a key the caller unlocked (the window's
    login: `unlock`, then `open_register(key=...)`); see `record_login`."""
    reg.failed_before = failed_before
    return record_login(reg)


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
    "BUSY_TIMEOUT_MS",
    "DB_ERRORS",
    "MIGRATION_SET",
    "SQLITE_HEADER",
    "NotARegister",
    "Register",
    "State",
    "connect_file",
    "copy_with_keys",
    "file_errors",
    "key_opens",
    "known_migrations",
    "log_login",
    "new_id",
    "now_utc",
    "open_register",
    "record_login",
    "register_state",
    "unlock",
]
