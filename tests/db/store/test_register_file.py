"""Opening a register file (db.store.register): refusals that change nothing, locks, pragmas."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from db.core.errors import RegisterFileError, RegisterLocked, UserError
from db.persons import people
from db.store.register import open_register
from db.store.schema import APPLICATION_ID, KNOWN_MIGRATIONS, MIGRATION_SET
from tests.support.registers import TODAY, count


def _today() -> date:
    return TODAY


def _files(folder: Path) -> set[str]:
    """The files in a folder, not counting the lock file every open takes (db.store.hold)."""
    return {p.name for p in folder.iterdir() if not p.name.endswith(".lock")}


def _refused_unchanged(path: Path, *words: str) -> RegisterFileError:
    """Opening `path` is refused with a message naming it; no byte of it changes."""
    before = path.read_bytes()
    around = _files(path.parent)
    with pytest.raises(RegisterFileError) as caught:
        open_register(path)
    assert str(path) in caught.value.message
    for word in words:
        assert word in caught.value.message
    assert path.read_bytes() == before
    assert _files(path.parent) == around  # no -wal, -shm or backup left behind
    return caught.value


@pytest.fixture
def made(tmp_path: Path) -> Path:
    """A register file with one person in it, closed."""
    path = tmp_path / "so.db"
    with open_register(path, create=True, today=_today) as reg:
        people.add_person(reg, {"full_name": "Đặng Văn Đức", "birth_date": "1990"})
    return path


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "khong-co.db"
    with pytest.raises(RegisterFileError) as caught:
        open_register(path)
    assert str(path) in caught.value.message
    assert "Không tìm thấy" in caught.value.message
    assert not path.exists()


def test_a_folder_is_not_a_register(tmp_path: Path) -> None:
    with pytest.raises(RegisterFileError, match="thư mục"):
        open_register(tmp_path, create=True)


def test_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ghi-chu.db"
    path.write_text("Danh sách người nghiện thôn Bản Mòng\n", encoding="utf-8")
    _refused_unchanged(path, "không phải")


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "rac.db"
    path.write_bytes(os.urandom(4096))
    _refused_unchanged(path, "không phải")


def test_damaged_register_is_refused(made: Path) -> None:
    # The header survives; the pages after it are garbage.
    data = bytearray(made.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)
    made.write_bytes(bytes(data))
    with pytest.raises(RegisterFileError) as caught:
        open_register(made)
    assert str(made) in caught.value.message
    assert "hỏng" in caught.value.message


def test_foreign_sqlite_database_is_refused_and_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "khac.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    other.execute("INSERT INTO customers (name) VALUES ('Lan')")
    other.commit()
    other.close()
    _refused_unchanged(path, "chương trình khác")
    # Still the other program's database, in its own journal mode.
    other = sqlite3.connect(path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert other.execute("SELECT name FROM customers").fetchall() == [("Lan",)]
    other.close()


def test_newer_register_is_refused_and_unchanged(made: Path) -> None:
    conn = sqlite3.connect(made)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        [MIGRATION_SET, "m999_from_the_future", "2030-01-01 00:00:00+00:00"],
    )
    conn.commit()
    conn.close()
    _refused_unchanged(made, "phiên bản mới hơn")


def test_empty_file_becomes_a_register(tmp_path: Path) -> None:
    path = tmp_path / "moi.db"
    path.touch()
    with open_register(path, today=_today) as reg:
        assert reg.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert {"persons", "episodes", "change_log"} <= set(reg.db.table_names())
        people.add_person(reg, {"full_name": "Lò Văn Sướng"})
    with open_register(path) as reg:
        assert count(reg, "persons") == 1


def test_create_makes_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "so.db"
    with open_register(path, create=True) as reg:
        assert reg.path == path
    assert path.exists()


def test_pragmas_and_markers(made: Path) -> None:
    with open_register(made) as reg:
        assert reg.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert reg.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert reg.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert reg.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert reg.conn.execute("PRAGMA user_version").fetchone()[0] == len(KNOWN_MIGRATIONS)
        with pytest.raises(sqlite3.IntegrityError):
            reg.db.execute(
                "INSERT INTO drug_tests (id, person_id, test_date, kind, result, created_at,"
                " created_by, updated_at, updated_by, device_id) VALUES ('t', 'nobody',"
                " '2026-01-01', 'periodic', 'negative', '', '', '', '', '')"
            )


def test_reopening_keeps_data_and_identity(made: Path) -> None:
    with open_register(made) as reg:
        [person] = list(reg.db.query("SELECT full_name, birth_date FROM persons"))
        device, commune = reg.device_id, reg.commune_id
    assert person == {"full_name": "Đặng Văn Đức", "birth_date": "1990"}
    with open_register(made) as again:
        assert (again.device_id, again.commune_id) == (device, commune)
    # Reopening an up-to-date register migrates nothing and leaves no backup.
    assert not [p for p in _files(made.parent) if p.endswith(".bak")]


@pytest.fixture
def held(made: Path) -> Iterator[sqlite3.Connection]:
    """Another program holding the register's write lock."""
    other = sqlite3.connect(made, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_locked_register(made: Path, held: sqlite3.Connection) -> None:
    with open_register(made, today=_today) as reg:
        reg.conn.execute("PRAGMA busy_timeout = 50")  # keep the test fast
        logged = count(reg, "change_log")
        with pytest.raises(RegisterLocked) as caught:
            people.add_person(reg, {"full_name": "Lò Văn Sướng"})
        assert isinstance(caught.value, UserError)
        assert str(made) in caught.value.message
        assert "khóa" in caught.value.message
        assert count(reg, "persons") == 1
        assert count(reg, "change_log") == logged
        # Once the other program lets go, the same write goes through.
        held.execute("ROLLBACK")
        held.execute("BEGIN")
        people.add_person(reg, {"full_name": "Lò Văn Sướng"})
        assert count(reg, "persons") == 2
