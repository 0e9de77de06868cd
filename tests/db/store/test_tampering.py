"""Tampering with the key, made visible: `check` reconciles every record with the change log,
compares the log with the anchor kept beside the register, and accounts with their key slots."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from cli.main import main
from db.core.chain import entry_hash
from db.persons import drugtests, people
from db.security.backup import make_backup
from db.store import anchor, keys
from db.store.check import check_register
from db.store.register import Register, open_register
from tests.support.registers import PASSWORD


@pytest.fixture
def filled(secure_path: Path) -> Path:
    with open_register(secure_path, user="chihuy", password=PASSWORD) as reg:
        kept = people.add_person(reg, {"full_name": "Hà Văn Dũng", "id_number": "014090000123"})
        drugtests.record_test(reg, kept, date(2026, 11, 2), positives="MET")
        gone = people.add_person(reg, {"full_name": "Lò Thị Hoa"})
        people.delete_person(reg, gone)
    return secure_path


def _open(path: Path) -> Register:
    return open_register(path, user="chihuy", password=PASSWORD)


@pytest.fixture
def raw(filled: Path) -> Iterator[sqlcipher.Connection]:
    """The file opened directly with the key, past the program (and its triggers)."""
    with _open(filled) as reg:
        key = reg.key
    conn = sqlcipher.connect(str(filled), isolation_level=None)
    conn.execute(f"PRAGMA key = {keys.sql_key(key or b'')}")
    conn.execute("DROP TRIGGER change_log_no_update")
    conn.execute("DROP TRIGGER change_log_no_delete")
    yield conn
    conn.close()


def _problems(path: Path) -> list[str]:
    with _open(path) as reg:
        return [f"{p.what}: {p.detail}" for p in check_register(reg)]


TAMPERING = {
    "name": ("UPDATE persons SET full_name = 'Người Khác' WHERE full_name = 'Hà Văn Dũng'",
             "full_name"),
    "id-number": ("UPDATE persons SET id_number = '001099999999' WHERE full_name = 'Hà Văn Dũng'",
                  "id_number"),
    "test-negative": ("UPDATE drug_tests SET result = 'negative', positives = ''", "result"),
    "hard-delete": ("DELETE FROM persons WHERE full_name = 'Hà Văn Dũng'", "bị xóa thẳng"),
    "undelete": ("UPDATE persons SET deleted = 0 WHERE full_name = 'Lò Thị Hoa'", "deleted"),
    "row-without-log": ("INSERT INTO contacts (id, person_id, contact_date, kind, created_at, "
                        "created_by, updated_at, updated_by, device_id) SELECT 'lén', id, "
                        "'2026-11-03', 'home_visit', '', '', '', '', '' FROM persons LIMIT 1",
                        "thêm thẳng"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(TAMPERING), ids=list(TAMPERING))
def test_a_record_changed_outside_the_program_is_named(filled: Path, raw: sqlcipher.Connection,
                                                       kind: str) -> None:  # fmt: skip
    if kind == "hard-delete":
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("DELETE FROM drug_tests")
    statement, word = TAMPERING[kind]
    raw.execute(statement)
    found = _problems(filled)
    assert any("không khớp nhật ký" in p and word in p for p in found), found


def test_deleting_the_newest_log_entries_is_caught_against_the_kept_anchor(
    filled: Path, raw: sqlcipher.Connection, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    last = raw.execute("SELECT max(seq) FROM change_log").fetchone()[0]
    raw.execute("DELETE FROM change_log WHERE seq > ?", [last - 2])
    raw.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'change_log'", [last - 2])
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["check", "--db", str(filled)]) == 3
    err = capsys.readouterr().err
    assert "mốc" in err and f"#{last}" in err
    with _open(filled):  # later opens do not move the kept anchor back
        pass
    assert any("mốc" in p for p in _problems(filled))


def test_re_chaining_after_an_edit_is_caught(filled: Path, raw: sqlcipher.Connection) -> None:
    first = raw.execute("SELECT min(seq) FROM change_log WHERE table_name = 'persons'").fetchone()
    raw.execute("UPDATE change_log SET changes = replace(changes, 'Hà Văn Dũng', 'Người Khác') "
                "WHERE seq = ?", [first[0]])  # fmt: skip
    raw.execute("UPDATE persons SET full_name = 'Người Khác' WHERE full_name = 'Hà Văn Dũng'")
    prev = raw.execute("SELECT hash FROM change_log WHERE seq < ? ORDER BY seq DESC LIMIT 1",
                       [first[0]]).fetchone()[0]  # fmt: skip
    columns = "at, user, device_id, table_name, row_id, action, changes"
    for seq, *values in raw.execute(
        f"SELECT seq, {columns} FROM change_log WHERE seq >= ? ORDER BY seq", [first[0]]
    ).fetchall():
        new = entry_hash(prev, *values)
        raw.execute("UPDATE change_log SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, new, seq])
        prev = new
    found = _problems(filled)
    assert not any("Nhật ký bị" in p for p in found)  # the chain alone holds again ...
    assert any("viết lại" in p for p in found), found  # ... the kept anchor does not


def test_a_key_slot_added_to_the_key_file_is_named(filled: Path) -> None:
    with _open(filled) as reg:
        key = reg.key
    keyfile = keys.read_keys(filled)
    keyfile.slots["khach"] = keys.wrap(key or b"", "khach", "mat-khau-khach")
    keys.write_keys(filled, keyfile)
    assert any("khach" in p and "khóa mở sổ" in p for p in _problems(filled))


def test_a_sound_register_passes_and_anchors_travel(filled: Path, tmp_path: Path) -> None:
    assert _problems(filled) == []
    with _open(filled) as reg:
        code = anchor.chain_anchor(reg)
        assert anchor.verify_anchor(reg, code) is None
        assert anchor.verify_anchor(reg, "1-000000000000") is not None
        assert anchor.verify_anchor(reg, "không phải mã") is not None
        made = make_backup(reg, tmp_path / "usb")
        logged = json.loads(reg.conn.execute(
            "SELECT changes FROM change_log WHERE action = 'backup'").fetchone()[0])  # fmt: skip
    with open_register(made, user="chihuy", password=PASSWORD, log_login=False) as backup:
        assert anchor.chain_anchor(backup) == logged["anchor"]  # the state the backup holds
    assert isinstance(anchor.kept(filled, reg.key), tuple)


def test_editing_the_newest_entry_with_its_hash_recomputed_is_caught(
    filled: Path, raw: sqlcipher.Connection
) -> None:
    """The newest entry has no next link to break: the kept anchor is what still knows it."""
    columns = "prev_hash, at, user, device_id, table_name, row_id, action, changes"
    seq, *values = raw.execute(
        f"SELECT seq, {columns} FROM change_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    changes = json.dumps({"note": "viết đè"})
    values[-1] = changes
    raw.execute("UPDATE change_log SET changes = ?, hash = ? WHERE seq = ?",
                [changes, entry_hash(*values), seq])  # fmt: skip
    found = _problems(filled)
    assert not any("Nhật ký bị" in p for p in found)  # the chain alone holds ...
    assert any("viết lại" in p and f"#{seq}" in p for p in found), found  # ... the anchor not
