"""The audit trail: who changed what, events, the hash chain that shows tampering, the filters."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

from cli.main import main
from db.core.chain import GENESIS, entry_hash
from db.persons import people
from db.security import auth
from db.store import audit
from db.store.check import check_register
from db.store.history import person_history
from db.store.register import Register, connect_file, open_register
from db.store.schema import APPLICATION_ID, migrations
from tests.support.registers import PASSWORD, TODAY


@pytest.fixture
def logged(reg: Register, add: Callable[..., str]) -> list[str]:
    """Three people added, one renamed and one deleted: a log of a few entries."""
    ids = [add(name) for name in ("Lò Văn Sướng", "Hà Thị Mai", "Đặng Văn Đức")]
    people.update_person(reg, ids[0], {"full_name": "Lò Văn Sướng Em"})
    people.delete_person(reg, ids[2])
    return ids


@pytest.fixture
def raw(reg: Register) -> Iterator[sqlite3.Connection]:
    """A second connection past the append-only triggers: what a tamperer with the file has."""
    conn = sqlite3.connect(reg.path, isolation_level=None)
    conn.execute("DROP TRIGGER change_log_no_update")
    conn.execute("DROP TRIGGER change_log_no_delete")
    yield conn
    conn.close()


def _seqs(reg: Register) -> list[int]:
    return [r[0] for r in reg.db.execute("SELECT seq FROM change_log ORDER BY seq")]


def test_every_change_says_who_when_and_old_to_new(reg: Register, logged: list[str]) -> None:
    rows = person_history(reg, logged[0])
    rename = next(r for r in rows if r["action"] == "update")
    assert rename["user"] == reg.user and rename["at"].startswith(str(date.today().year))
    assert "full_name: 'Lò Văn Sướng' → 'Lò Văn Sướng Em'" in rename["summary"]
    assert audit.verify_chain(reg) == []
    first = reg.db.execute("SELECT prev_hash FROM change_log ORDER BY seq LIMIT 1").fetchone()
    assert first[0] == GENESIS


def test_the_log_cannot_be_changed_through_sqlite(reg: Register, logged: list[str]) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        reg.db.execute("UPDATE change_log SET user = 'khac'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        reg.db.execute("DELETE FROM change_log")


def test_an_edited_entry_is_found(reg: Register, logged: list[str], raw: sqlite3.Connection
                                  ) -> None:  # fmt: skip
    seq = _seqs(reg)[2]
    raw.execute("UPDATE change_log SET user = 'nguoi-khac' WHERE seq = ?", [seq])
    problems = audit.verify_chain(reg)
    assert [(p.what, p.seq) for p in problems] == [("Nhật ký bị sửa", seq)]
    assert f"mục #{seq}" in problems[0].detail


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(
    reg: Register, logged: list[str], raw: sqlite3.Connection
) -> None:
    seqs = _seqs(reg)
    seq = seqs[1]
    row = raw.execute(
        "SELECT prev_hash, at, user, device_id, table_name, row_id, action FROM change_log "
        "WHERE seq = ?", [seq],
    ).fetchone()  # fmt: skip
    forged = json.dumps({"full_name": "Người khác"}, ensure_ascii=False)
    raw.execute(
        "UPDATE change_log SET changes = ?, hash = ? WHERE seq = ?",
        [forged, entry_hash(row[0], *row[1:], forged), seq],
    )
    problems = audit.verify_chain(reg)
    assert [(p.what, p.seq) for p in problems] == [("Nhật ký bị xóa mục hoặc đảo thứ tự", seqs[2])]


def test_a_deleted_entry_is_found(reg: Register, logged: list[str], raw: sqlite3.Connection
                                  ) -> None:  # fmt: skip
    seqs = _seqs(reg)
    raw.execute("DELETE FROM change_log WHERE seq = ?", [seqs[1]])
    problems = audit.verify_chain(reg)
    assert [(p.what, p.seq) for p in problems] == [("Nhật ký bị xóa mục hoặc đảo thứ tự", seqs[2])]
    assert f"thiếu các mục #{seqs[1]}–#{seqs[1]}" in problems[0].detail


def test_deleted_last_entries_are_found(reg: Register, logged: list[str], raw: sqlite3.Connection
                                        ) -> None:  # fmt: skip
    seqs = _seqs(reg)
    raw.execute("DELETE FROM change_log WHERE seq >= ?", [seqs[-2]])
    problems = audit.verify_chain(reg)
    assert [p.what for p in problems] == ["Nhật ký bị xóa mục ở cuối"]
    assert f"#{seqs[-1]}" in problems[0].detail


def test_reordered_entries_are_found(reg: Register, logged: list[str], raw: sqlite3.Connection
                                     ) -> None:  # fmt: skip
    seqs = _seqs(reg)
    a, b = seqs[1], seqs[2]
    columns = "at, user, device_id, table_name, row_id, action, changes, prev_hash, hash"
    first = raw.execute(f"SELECT {columns} FROM change_log WHERE seq = ?", [a]).fetchone()
    second = raw.execute(f"SELECT {columns} FROM change_log WHERE seq = ?", [b]).fetchone()
    assignments = ", ".join(f"{c} = ?" for c in columns.split(", "))
    raw.execute(f"UPDATE change_log SET {assignments} WHERE seq = ?", [*second, a])
    raw.execute(f"UPDATE change_log SET {assignments} WHERE seq = ?", [*first, b])
    problems = audit.verify_chain(reg)
    assert {p.what for p in problems} == {"Nhật ký bị xóa mục hoặc đảo thứ tự"}
    assert a in {p.seq for p in problems}


def test_check_command_says_where_the_chain_breaks(
    reg: Register, logged: list[str], raw: sqlite3.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    seq = _seqs(reg)[3]
    raw.execute("UPDATE change_log SET changes = '{}' WHERE seq = ?", [seq])
    assert [p.seq for p in check_register(reg)] == [seq]
    reg.close()
    assert main(["check", "--db", str(reg.path)]) == 3
    err = capsys.readouterr().err
    assert "Nhật ký bị sửa" in err and f"mục #{seq}" in err


def test_tampering_in_an_encrypted_register_is_found(secure_path: Path) -> None:
    with open_register(secure_path, user="chihuy", password=PASSWORD) as reg:
        people.add_person(reg, {"full_name": "Hà Văn Dũng"})
        key = reg.key
        seq = _seqs(reg)[1]
    conn = connect_file(secure_path, key)
    conn.execute("DROP TRIGGER change_log_no_update")
    conn.execute("UPDATE change_log SET row_id = 'x' WHERE seq = ?", [seq])
    conn.close()
    with open_register(secure_path, user="chihuy", password=PASSWORD) as reg:
        found = check_register(reg)
        assert [(p.what, p.seq) for p in found if p.seq] == [("Nhật ký bị sửa", seq)]
        # The entry no longer belongs to its record: the reconciliation sees that too.
        assert {p.what for p in found if not p.seq} <= {"Bản ghi không khớp nhật ký thay đổi"}


def test_events_are_logged_and_chained(reg: Register, person: str) -> None:
    audit.log_event(reg, "print", {"report": "Phiếu theo dõi"}, table="persons", row_id=person)
    audit.log_event(reg, "export", {"file": "danh-sach.xlsx", "rows": 12})
    shown = person_history(reg, person)[0]
    assert (shown["action_label"], shown["summary"]) == ("In", "report: Phiếu theo dõi")
    newest = audit.audit_log(reg)[0]
    assert newest["action_label"] == "Xuất dữ liệu" and "rows: 12" in newest["summary"]
    assert audit.verify_chain(reg) == []
    with pytest.raises(ValueError):
        audit.log_event(reg, "", {})


def test_audit_log_filters_by_person_user_and_date(
    reg: Register, add: Callable[..., str], tmp_path: Path
) -> None:
    first = add("Lò Văn Sướng")
    add("Hà Thị Mai")
    other = open_register(reg.path, user="can-bo-2", today=lambda: TODAY)
    with other:
        people.update_person(other, first, {"occupation": "Làm nương"})
    by_person = audit.audit_log(reg, person="suong")
    assert {r["row_id"] for r in by_person} == {first}
    assert [r["action"] for r in by_person] == ["update", "insert"]
    assert [r["row_id"] for r in audit.audit_log(reg, user="can-bo-2")] == [first]
    assert "can-bo-2" in audit.log_users(reg)
    today = date.today()
    assert len(audit.audit_log(reg, since=today, until=today)) == len(audit.audit_log(reg))
    assert audit.audit_log(reg, until=date(2000, 1, 1)) == []


def test_sign_off_shows_a_later_change(reg: Register, person: str) -> None:
    from db.duties import actions
    from db.store import records

    episode = actions.management_decision(reg, person, "2026-11-02").episode_id
    assert episode is not None and auth.signed_off(reg, episode) is None
    auth.sign_off(reg, episode)
    assert auth.signed_off(reg, episode)["changed_since"] is False  # type: ignore[index]
    records.update(reg, "episodes", episode, {"decision_no": "12/QĐ-UBND"})
    assert auth.signed_off(reg, episode)["changed_since"] is True  # type: ignore[index]


def test_the_migration_chains_an_existing_log(tmp_path: Path) -> None:
    path = tmp_path / "cu.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.apply(db, stop_before="m003_security")
    db.execute("INSERT INTO local_meta VALUES ('device_id', 'may-cu')")
    for number in range(3):
        db.execute(
            "INSERT INTO change_log (at, user, device_id, table_name, row_id, action, changes) "
            "VALUES (?, 'cu', 'may-cu', 'persons', ?, 'insert', '{}')",
            [f"2025-01-0{number + 1}T00:00:00.000+00:00", f"p{number}"],
        )
    conn.close()
    with open_register(path) as reg:
        rows = list(reg.db.query("SELECT seq, row_id, prev_hash, hash FROM change_log"))
        assert [r["row_id"] for r in rows] == ["p0", "p1", "p2"]
        assert rows[0]["prev_hash"] == GENESIS and rows[1]["prev_hash"] == rows[0]["hash"]
        assert audit.verify_chain(reg) == []
        audit.log_event(reg, "print", {"report": "x"})  # a new kind of entry is accepted
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            reg.db.execute("DELETE FROM change_log")
        assert audit.verify_chain(reg) == []
    assert path.with_name("cu.db.truoc-m003_security.bak").exists()
