"""The batched write of an Excel import (db.excel.write) leaves the register exactly as typing
the rows in one by one did: the same rows, episodes, declarations, tests and change-log entries
in the same order, the same refusals; the hash chain and the seals stay sound (issue 12)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from db.commune import places
from db.commune.places import save_village, village_by_name
from db.core.errors import UserError
from db.duties import actions
from db.excel.common import IMPORT
from db.excel.importer import ImportPlan, ImportResult, apply_import, plan_import
from db.excel.match import Villages
from db.law.categories import TREATMENT
from db.persons import drugtests, people
from db.persons.episodes import open_episode
from db.persons.people import FIELDS
from db.store import records
from db.store.check import check_register
from db.store.register import Register, open_register
from tests.db.excel.test_xlsx_import import TESTS, workbook
from tests.support.registers import TODAY

PEOPLE: list[Any] = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn/Bản/Tổ dân phố",
          "Diện quản lý", "Ngày bắt đầu", "Số quyết định", "Ngày quyết định", "Chất sử dụng",
          "Ghi chú", "Ngày kết thúc dự kiến", "Cai nghiện trước đó"]  # fmt: skip
PEOPLE_ROWS: list[list[Any]] = [
    [1, "Nguyễn Văn An", date(1990, 5, 17), "Nam", "001090012345", "Bản Mòng",
     "Sử dụng trái phép", date(2026, 2, 1), "12/QĐ-UBND", date(2026, 1, 30), "MET, heroin",
     "hay đi rẫy", None, None],
    [2, "Lò Thị Bình", 1995, "Nữ", None, "Bản Mới", "Nghiện", date(2026, 6, 5), None, None,
     None, None, None, None],
    [3, "QUÀNG VĂN CHIẾN", 1988, "Nam", None, "Mòng", "Cai nghiện tại gia đình",
     date(2026, 9, 15), "7/QĐ", date(2026, 9, 14), "ma túy đá", None, None, None],
    [4, "Điêu Thị Dung", 1992, "Nữ", None, "Bản Mới", "Điều trị methadone", date(2026, 3, 1),
     None, None, None, None, None, None],
    [5, "Lường Văn Em", 1985, "Nam", None, "Bản Mòng", "Sau cai nghiện", date(2026, 4, 1), None,
     None, None, None, None, "Cai nghiện bắt buộc"],
    [6, "Cầm Văn Phong", 2010, "Nam", None, "Bản Mòng", "Sau cai nghiện", date(2026, 5, 1),
     None, None, None, None, None, "Cai nghiện bắt buộc"],
    [7, "Hà Văn Giang", 1980, "Nam", None, "Thôn Đoàn Kết", "Sau cai nghiện", date(2026, 5, 2),
     None, None, None, None, date(2028, 5, 2), None],
    [8, "Vì Thị Hoa", 1999, "Nữ", None, "Bản Mòng", None, None, None, None, "cần sa",
     "ở nhờ", None, None],
    [9, "Nguyễn Văn An", 1990, "Nam", "001090012345", "Bản Mòng", None, None, None, None, None,
     None, None, None],  # the same CCCD as row 1: a duplicate
    [10, None, 1990, "Nam", None, "Bản Mòng", "Nghiện", date(2026, 1, 1), None, None, None, None,
     None, None],  # no name: refused
    [11, "Lò Văn Ích", 1991, "Nam", None, "Bản Mòng", "Cai nghiện bắt buộc", date(2026, 7, 1),
     None, None, None, None, None, None],
]  # fmt: skip
TEST_ROWS: list[list[Any]] = [
    [1, "Nguyễn Văn An", None, "001090012345", date(2026, 3, 10), "Định kỳ", "Dương tính", "MET",
     "Lò Văn Thắng"],
    [2, "Nguyễn Văn An", None, "001090012345", date(2026, 2, 10), "Định kỳ", "Âm tính", None,
     None],
    [3, "Tòng Văn Khải", 1987, None, date(2026, 10, 1), "Đột xuất", "Dương tính", "heroin",
     None],  # on the register, suspected: the test closes that episode
    [4, "Lò Thị Mai", 1993, None, date(2026, 10, 2), "Định kỳ", "Âm tính", None, None],
    [5, "Lò Thị Bình", 1995, None, date(2026, 7, 1), "Định kỳ", "Âm tính", None, None],
]  # fmt: skip


def _register(path: Path) -> Register:
    """A register holding a village, a suspected person and another person."""
    reg = open_register(path, create=True, today=lambda: TODAY)
    village = places.save_village(reg, {"name": "Bản Mòng", "population": 500})
    khai = people.add_person(reg, {"full_name": "Tòng Văn Khải", "birth_date": "1987",
                                   "sex": "Nam", "village_id": village})  # fmt: skip
    actions.suspected(reg, khai, date(2026, 9, 1))
    people.add_person(reg, {"full_name": "Lò Thị Mai", "birth_date": "1993", "sex": "Nữ",
                            "village_id": village})  # fmt: skip
    return reg


def _one_by_one(reg: Register, plan: ImportPlan) -> ImportResult:
    """The import's write as it was before the batched one: every row through the register's
    own functions, one at a time."""
    rows = [r for r in plan.rows if r.kind == "people" and r.fate == IMPORT]
    tests = [r for r in plan.rows if r.kind == "tests" and r.fate == IMPORT]
    tests.sort(key=lambda r: r.data["test_date"] if r.data else date.min)
    created: dict[tuple[str, int], str] = {}
    episodes = declared = 0
    with records.transaction(reg):
        villages = {}
        for name in plan.villages:
            existing = village_by_name(reg, name)
            villages[name] = (
                existing["id"]
                if existing
                else save_village(reg, {"name": name, "kind": Villages.kind_of(name)})
            )
        for row in rows:
            data = row.data or {}
            village_id = data["village_id"] or villages.get(data["village"])
            person = {k: data["person"].get(k) for k in FIELDS} | {"village_id": village_id}
            person_id = people.add_person(reg, person)
            created[(row.sheet, row.row)] = person_id
            category = data["category"]
            decision: dict[str, Any] = {
                "decision_no": data["decision_no"],
                "decision_date": data["decision_date"],
            }
            if category in TREATMENT:
                actions.start_treatment(reg, person_id, category, data["start"], **decision)
                episodes += 2
            elif category is not None:
                more: dict[str, Any] = {k: data[k] for k in ("planned", "prior_rehab")}
                open_episode(reg, person_id, category, data["start"], **decision, **more)
                episodes += 1
            if (said := data.get("declaration")) is not None:
                actions.declare_substances(reg, person_id, said.on, said.substances)
                declared += 1
        for row in tests:
            data = dict(row.data or {})
            target = data.pop("person")
            person_id = target if isinstance(target, str) else created[target]
            drugtests.record_test(reg, person_id, data.pop("test_date"), **data)
    return ImportResult(len(rows), episodes, len(tests), len(plan.villages), declared)


_LEFT_OUT = {"rid", "id", "created_at", "updated_at", "created_by", "updated_by", "device_id"}


def _labels(reg: Register) -> dict[str, str]:
    """A stable name for every row id: ids differ between two registers, what they name not."""
    names = {i: f"person {n}" for i, n in reg.db.execute("SELECT id, full_name FROM persons")}
    names |= {i: f"village {n}" for i, n in reg.db.execute("SELECT id, name FROM villages")}
    names[str(reg.commune_id)] = "the commune"
    for table, what in (("episodes", "category || start_date"), ("drug_tests", "test_date"),
                        ("substance_declarations", "declared_on")):  # fmt: skip
        for i, pid, text in reg.db.execute(f"SELECT id, person_id, {what} FROM {table}"):
            names[i] = f"{table} {names[pid]} {text}"
    return names


def _named(value: Any, labels: dict[str, str]) -> Any:
    if isinstance(value, str):
        for row_id, label in labels.items():
            value = value.replace(row_id, label)
    return value


def _content(reg: Register, since: int) -> dict[str, Any]:
    """Every table an import writes, and the change log after `since`, ids made names."""
    labels = _labels(reg)
    found: dict[str, Any] = {}
    for table in ("villages", "persons", "episodes", "drug_tests", "substance_declarations"):
        rows = [
            sorted((k, _named(v, labels)) for k, v in row.items() if k not in _LEFT_OUT)
            for row in reg.db.query(f"SELECT * FROM {table}")
        ]
        found[table] = sorted(rows, key=repr)
    found["change_log"] = [
        (table, _named(row_id, labels), action, _named(changes, labels), user)
        for table, row_id, action, changes, user in reg.db.execute(
            "SELECT table_name, row_id, action, changes, user FROM change_log WHERE seq > ? "
            "ORDER BY seq",
            [since],
        )
    ]
    found["search"] = sorted(
        reg.db.execute("SELECT rowid, search_text FROM persons_fts").fetchall()
    )
    return found


def _last_seq(reg: Register) -> int:
    return int(reg.db.execute("SELECT max(seq) FROM change_log").fetchone()[0])


def test_the_batched_write_equals_typing_the_rows_in(tmp_path: Path) -> None:
    source = workbook(tmp_path / "ds.xlsx", {"Đối tượng": [PEOPLE, *PEOPLE_ROWS],
                                            "Xét nghiệm": [TESTS, *TEST_ROWS]})  # fmt: skip
    batched, by_hand = _register(tmp_path / "a.db"), _register(tmp_path / "b.db")
    try:
        before = _last_seq(batched)
        assert before == _last_seq(by_hand)
        plan = plan_import(batched, source)
        assert [r.fate for r in plan.rows].count(IMPORT) == 9 + 5
        result = apply_import(batched, plan)
        expected = _one_by_one(by_hand, plan_import(by_hand, source))
        assert result == expected
        assert (result.people, result.episodes, result.tests, result.declarations) == (
            9, 11, 5, 2,
        )  # fmt: skip
        got, want = _content(batched, before), _content(by_hand, before)
        for table in want:
            assert got[table] == want[table], table
        # The suspected person's episode was closed by the test, as record_test does.
        closed = batched.db.execute(
            "SELECT end_kind, end_date FROM episodes WHERE category = 'suspect'"
        ).fetchone()
        assert closed == ("tested", "2026-10-01")
        assert check_register(batched) == []
        # A person's history shows the same entries: the change log of the first one.
        an = batched.db.execute("SELECT id FROM persons WHERE full_name = 'Nguyễn Văn An'")
        logged = batched.db.execute(
            "SELECT changes FROM change_log WHERE row_id = ?", [an.fetchone()[0]]
        ).fetchone()[0]
        assert json.loads(logged)["id_number"] == "001090012345"
    finally:
        batched.close()
        by_hand.close()


def test_an_id_number_taken_since_the_preview_is_refused_as_before(tmp_path: Path) -> None:
    source = workbook(tmp_path / "ds.xlsx", {"Đối tượng": [PEOPLE, *PEOPLE_ROWS]})
    messages = []
    for name, write in (("a.db", apply_import), ("b.db", _one_by_one)):
        reg = _register(tmp_path / name)
        try:
            plan = plan_import(reg, source)
            people.add_person(reg, {"full_name": "Người Khác", "id_number": "001090012345",
                                    "birth_date": "1990", "sex": "Nam"})  # fmt: skip
            before = _last_seq(reg)
            with pytest.raises(UserError) as caught:
                write(reg, plan)
            assert _last_seq(reg) == before  # nothing written
            messages.append(caught.value.message)
        finally:
            reg.close()
    assert messages[0].startswith("Sheet “Đối tượng”, dòng 2: Số CCCD: 001090012345 đã có trong sổ")
    assert "Số CCCD: 001090012345 đã có trong sổ (Người Khác, chưa rõ thôn)." in messages[1]


def test_a_village_deleted_since_the_preview_is_refused(tmp_path: Path) -> None:
    source = workbook(tmp_path / "ds.xlsx", {"Đối tượng": [PEOPLE, *PEOPLE_ROWS[:1]]})
    reg = _register(tmp_path / "a.db")
    try:
        plan = plan_import(reg, source)
        village = village_by_name(reg, "Bản Mòng")
        assert village is not None
        records.soft_delete(reg, "villages", village["id"])
        with pytest.raises(UserError, match="dòng 2: Thôn/bản: không có trong danh sách"):
            apply_import(reg, plan)
        assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 2
    finally:
        reg.close()


def test_the_progress_advances_while_writing(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        [n, f"Người Thứ {n}", 1990, "Nam", None, "Bản Mòng", "Nghiện", date(2026, 1, 2), None,
         None, None, None, None, None]
        for n in range(1, 1201)
    ]  # fmt: skip
    source = workbook(tmp_path / "ds.xlsx", {"Đối tượng": [PEOPLE, *rows]})
    reg = _register(tmp_path / "a.db")
    seen: list[tuple[str, int, int]] = []
    try:
        plan = plan_import(reg, source)
        result = apply_import(
            reg, plan, lambda label, done, total: seen.append((label, done, total))
        )
        assert result.people == 1200
        writing = [("Đang ghi vào sổ…", 500, 1200), ("Đang ghi vào sổ…", 1000, 1200)]
        assert seen[:2] == writing
        # Then the indexes set aside for the 1,200 rows are built again, the bar kept full.
        building = seen[2:-1]
        assert building and all(total == done == 1200 for _, done, total in building)
        assert (
            building[-1][0]
            == f"Đang hoàn tất: lập chỉ mục tìm kiếm ({len(building)}/{len(building)})…"
        )
        assert seen[-1] == ("Đã nhập xong.", 1200, 1200)
        assert check_register(reg) == []
    finally:
        reg.close()


def test_a_name_sorts_as_the_register_sorts_it() -> None:
    from db.core.textfold import clean, sort_key
    from db.excel.write import _People

    keys = _People.__new__(_People)
    keys.word_keys = {}
    names = ["Nguyễn Văn An", "Lò Thị Bình", "An", "Người Thứ 12", "Hoà Văn Hòa", "Đặng  Đức",
             "NGUYỄN văn ân", "Nguyễn Văn An"]  # fmt: skip
    assert [keys.sort_key(clean(n)) for n in names] == [sort_key(n) for n in names]


def test_an_encrypted_register_stays_sound_after_an_import(secure_path: Path) -> None:
    from tests.support.registers import PASSWORD

    sheets = {"Đối tượng": [PEOPLE, *PEOPLE_ROWS], "Xét nghiệm": [TESTS, *TEST_ROWS[:2]]}
    source = workbook(secure_path.parent / "ds.xlsx", sheets)
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        result = apply_import(reg, plan_import(reg, source))
        assert (result.people, result.tests) == (9, 2)
        assert check_register(reg) == []
    # Opened again (its seals and key checked on the way in), the people are there.
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 9
        assert check_register(reg) == []
