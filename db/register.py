"""Opening a register file: checks, migrations, pragmas, and the handle every function takes.

`open_register` is the one place a connection is made; the handle it returns is passed into every
read and write (no global connection). Errors a person can fix — a missing, foreign, newer, locked
or damaged file, a full disk — become `RegisterFileError`/`DiskFull` with a Vietnamese message.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlite_utils import Database

from db.errors import DiskFull, RegisterFileError, RegisterLocked
from db.schema import APPLICATION_ID, KNOWN_MIGRATIONS, MIGRATION_SET, migrations

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 3000


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

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection (for the few queries sqlite-utils does not express)."""
        return self.db.conn

    def close(self) -> None:
        """Close the connection (a WAL checkpoint happens on the last close)."""
        self.db.conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def now_utc() -> str:
    """The current time as stored: ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A UUID made on this laptop."""
    return str(uuid.uuid4())


def default_user() -> str:
    """The operating-system user, until accounts exist."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some systems
        return "cán bộ"


@contextlib.contextmanager
def file_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's errors about the file into messages an officer can act on."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise RegisterLocked(
                f"Tệp sổ “{path}” đang bị chương trình khác khóa (có thể đang mở ở cửa sổ khác). "
                "Hãy đóng chương trình đó rồi thử lại."
            ) from exc
        if "full" in text:
            raise DiskFull(
                f"Ổ đĩa chứa tệp sổ “{path}” đã đầy. Hãy giải phóng dung lượng rồi thử lại; "
                "dữ liệu chưa lưu không bị ghi dở."
            ) from exc
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            raise RegisterFileError(
                f"Tệp “{path}” bị hỏng hoặc không phải là sổ theo dõi. "
                "Hãy khôi phục từ bản sao lưu."
            ) from exc
        if "readonly" in text or "unable to open" in text:
            raise RegisterFileError(
                f"Không mở được tệp “{path}” để ghi (thư mục chỉ đọc hoặc không có quyền)."
            ) from exc
        raise


def _check_header(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        raise RegisterFileError(
            f"Tệp “{path}” không phải là sổ theo dõi (không phải cơ sở dữ liệu)."
        )


def _backup_before_migrating(conn: sqlite3.Connection, path: Path, step: str) -> Path:
    """A consistent copy of the register next to it, made with SQLite's backup API."""
    target = path.with_name(f"{path.name}.truoc-{step}.bak")
    with sqlite3.connect(target) as copy:
        conn.backup(copy)
    copy.close()
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
    unknown = applied - set(KNOWN_MIGRATIONS)
    if unknown:
        raise RegisterFileError(
            f"Tệp sổ “{path}” được tạo bởi phiên bản mới hơn của chương trình. "
            "Hãy cập nhật chương trình Sổ theo dõi rồi mở lại; tệp không bị thay đổi."
        )
    return created


def _migrate(db: Database, path: Path, created: bool) -> None:
    conn = db.conn
    pending = migrations.pending(db)
    if pending and not created:
        _backup_before_migrating(conn, path, pending[0].name)
    if pending:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.apply(db)
        conn.execute(f"PRAGMA user_version = {len(KNOWN_MIGRATIONS)}")


def _local(db: Database, key: str, make: Callable[[], str]) -> str:
    row = db.execute("SELECT value FROM local_meta WHERE key = ?", [key]).fetchone()
    if row:
        return str(row[0])
    value = make()
    with db.atomic():
        db.execute("INSERT INTO local_meta (key, value) VALUES (?, ?)", [key, value])
    return value


def open_register(
    path: str | os.PathLike[str],
    *,
    create: bool = False,
    user: str | None = None,
    today: Callable[[], date] = date.today,
) -> Register:
    """Open (or with `create`, make) a register file, migrating it if needed."""
    path = Path(path).expanduser()
    exists = path.exists()
    if exists and path.is_dir():
        raise RegisterFileError(f"“{path}” là một thư mục, không phải tệp sổ.")
    if not exists and not create:
        raise RegisterFileError(f"Không tìm thấy tệp sổ “{path}”.")
    if exists:
        _check_header(path)
    elif not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    with file_errors(path):
        # Autocommit mode: only db.atomic() opens transactions, so none is left open by accident.
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db = Database(conn)
            # Checked before the pragmas: switching to WAL would already rewrite a foreign file.
            created = _check_register(db, path, created=not exists or path.stat().st_size == 0)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(db, path, created)
            device_id = _local(db, "device_id", new_id)
            commune_id = _local(db, "commune_id", new_id)
            _local(db, "created_at", now_utc)
        except BaseException:
            conn.close()
            raise
    return Register(
        db=db,
        path=path,
        user=user or default_user(),
        device_id=device_id,
        commune_id=commune_id,
        today=today,
    )


__all__ = ["MIGRATION_SET", "Register", "new_id", "now_utc", "open_register"]
