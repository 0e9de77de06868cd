"""SQLite's errors classified by result code, with real errors from both drivers."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from db.core.errors import DiskFull, RegisterDamaged, RegisterFileError, RegisterLocked
from db.persons import people
from db.store import sqlerrors
from db.store.register import key_opens, open_register
from db.store.sqlerrors import file_errors

Connect = Callable[..., Any]
DRIVERS = pytest.mark.parametrize("connect", [sqlite3.connect, sqlcipher.connect],
                                  ids=["sqlite3", "sqlcipher3"])  # fmt: skip


def _error(action: Callable[[], object]) -> Exception:
    try:
        action()
    except sqlerrors.DB_ERRORS as exc:
        return exc
    raise AssertionError("no error")


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    path = tmp_path / "so.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    return path


@contextlib.contextmanager
def _held(path: Path, connect: Connect) -> Iterator[None]:
    """Another connection holding the file's write lock.

    Through the same driver: two SQLite libraries in one process do not see each other's POSIX
    locks (each keeps its own table of them), as two programs would.
    """
    other = connect(str(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@DRIVERS
def test_a_locked_file_is_register_locked(plain: Path, connect: Connect) -> None:
    with (
        _held(plain, connect),
        contextlib.closing(connect(str(plain), isolation_level=None)) as conn,
    ):
        conn.execute("PRAGMA busy_timeout = 0")
        exc = _error(lambda: conn.execute("INSERT INTO t VALUES (1)"))
        assert sqlerrors.primary(exc) == sqlerrors.SQLITE_BUSY
        with pytest.raises(RegisterLocked) as caught, file_errors(plain):
            conn.execute("INSERT INTO t VALUES (1)")
    assert str(plain) in caught.value.message and "khóa" in caught.value.message


@DRIVERS
def test_a_file_that_is_not_a_database_is_damaged(tmp_path: Path, connect: Connect) -> None:
    path = tmp_path / "ghi-chu.db"
    path.write_bytes(b"Danh sach nguoi nghien - khong phai co so du lieu\n" * 200)
    with contextlib.closing(connect(str(path))) as conn:
        with pytest.raises(RegisterDamaged) as caught, file_errors(path):
            conn.execute("SELECT * FROM sqlite_master").fetchall()
        assert sqlerrors.primary(caught.value.__cause__ or Exception()) == sqlerrors.SQLITE_NOTADB
    assert str(path) in caught.value.message


def test_a_wrong_key_is_told_by_code(tmp_path: Path) -> None:
    path = tmp_path / "mahoa.db"
    with contextlib.closing(sqlcipher.connect(str(path))) as conn:
        conn.execute(f"PRAGMA key = \"x'{'11' * 32}'\"")
        conn.execute("CREATE TABLE t (x)")
    with contextlib.closing(sqlcipher.connect(str(path))) as conn:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{'22' * 32}'\"")
        assert not key_opens(conn)


@DRIVERS
def test_a_read_only_file_is_a_register_file_error(plain: Path, connect: Connect) -> None:
    uri = f"{plain.as_uri()}?mode=ro"
    with contextlib.closing(connect(uri, uri=True, isolation_level=None)) as conn:
        with pytest.raises(RegisterFileError) as caught, file_errors(plain):
            conn.execute("INSERT INTO t VALUES (1)")
        assert sqlerrors.primary(caught.value.__cause__ or Exception()) == sqlerrors.SQLITE_READONLY
    assert type(caught.value) is RegisterFileError
    assert str(plain) in caught.value.message and "chỉ đọc" in caught.value.message


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root writes to a read-only file"
)
def test_a_register_on_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "so.db"
    with open_register(path, create=True):
        pass
    path.chmod(0o444)
    try:
        with pytest.raises(RegisterFileError, match="chỉ đọc"), open_register(path) as reg:
            people.add_person(reg, {"full_name": "Lò Văn Sướng"})
    finally:
        path.chmod(0o644)


@DRIVERS
def test_a_file_that_cannot_be_opened(tmp_path: Path, connect: Connect) -> None:
    path = tmp_path / "khong-co" / "so.db"
    with pytest.raises(RegisterFileError, match="Không mở được"), file_errors(path):
        connect(str(path)).execute("SELECT 1")


@DRIVERS
def test_a_full_file_is_disk_full(plain: Path, connect: Connect) -> None:
    with contextlib.closing(connect(str(plain), isolation_level=None)) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL
        with pytest.raises(DiskFull) as caught, file_errors(plain):
            conn.execute("INSERT INTO t VALUES (randomblob(100000))")
    assert str(plain) in caught.value.message and "đã đầy" in caught.value.message


@DRIVERS
def test_the_message_text_decides_nothing(plain: Path, connect: Connect) -> None:
    """A trigger's message that reads like a lock is still a constraint, passed on as it is."""
    with contextlib.closing(connect(str(plain), isolation_level=None)) as conn:
        conn.execute(
            "CREATE TRIGGER no_x BEFORE INSERT ON t "
            "BEGIN SELECT RAISE(ABORT, 'database is locked'); END"
        )
        with pytest.raises(sqlerrors.INTEGRITY_ERRORS) as caught, file_errors(plain):
            conn.execute("INSERT INTO t VALUES (1)")
    assert sqlerrors.primary(caught.value) == sqlerrors.SQLITE_CONSTRAINT
    assert sqlerrors.file_error(plain, caught.value) is None


@DRIVERS
def test_foreign_keys_are_told_from_other_constraints(connect: Connect) -> None:
    with contextlib.closing(connect(":memory:", isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("CREATE TABLE p (id TEXT PRIMARY KEY)")
        conn.execute("CREATE TABLE c (p TEXT REFERENCES p (id))")
        conn.execute("INSERT INTO p VALUES ('a')")
        orphan = _error(lambda: conn.execute("INSERT INTO c VALUES ('b')"))
        twice = _error(lambda: conn.execute("INSERT INTO p VALUES ('a')"))
    assert isinstance(orphan, sqlerrors.INTEGRITY_ERRORS)
    assert sqlerrors.is_foreign_key(orphan) and not sqlerrors.is_foreign_key(twice)
    assert sqlerrors.primary(orphan) == sqlerrors.primary(twice) == sqlerrors.SQLITE_CONSTRAINT


def test_sqlcipher3_gives_primary_codes_where_sqlite3_gives_extended_ones() -> None:
    """What the module's note says about the two drivers (a newer sqlcipher3 may change it)."""
    codes: list[int | None] = []
    for connect in (sqlite3.connect, sqlcipher.connect):
        with contextlib.closing(connect(":memory:")) as conn:
            conn.execute("CREATE TABLE p (id PRIMARY KEY)")
            conn.execute("INSERT INTO p VALUES (1)")
            try:
                conn.execute("INSERT INTO p VALUES (1)")
            except sqlerrors.INTEGRITY_ERRORS as exc:
                codes.append(sqlerrors.code(exc))
    assert codes[0] == 1555  # SQLITE_CONSTRAINT_PRIMARYKEY
    assert codes[1] in (19, 1555)
    assert {code & 0xFF for code in codes if code is not None} == {19}


def test_an_error_without_a_code_is_read_from_sqlites_fixed_text_only() -> None:
    # sqlcipher3's Connection.backup() raises like this: no code, sqlite3_errstr(rc) as the text.
    assert sqlerrors.primary(sqlcipher.OperationalError("disk I/O error")) == sqlerrors.SQLITE_IOERR
    assert sqlerrors.is_full(sqlcipher.OperationalError("database or disk is full"))
    assert sqlerrors.primary(sqlcipher.OperationalError("the disk I/O error log")) is None
    assert sqlerrors.primary(ValueError("database is locked")) is None
