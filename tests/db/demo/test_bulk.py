"""The demo's bulk writer (db.demo.bulk): rows as tuples, indexes made again, one log entry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from db.demo import bulk, person_rows
from db.demo.person_rows import PERSON_COLUMNS
from db.demo.routine import CONTACT_COLUMNS, TEST_COLUMNS
from db.persons.search import find
from db.store.records import insert_bulk
from db.store.register import Register, open_register

ON = date(2026, 11, 20)


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Register]:
    r = open_register(tmp_path / "r.db", create=True, today=lambda: ON)
    yield r
    r.close()


def _schema(reg: Register) -> set[tuple[str, str, str]]:
    return {
        (r[0], r[1], r[2])
        for r in reg.db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        )
    }


def _person(i: int, commune_id: str) -> tuple[object, ...]:
    values = {
        "id": f"00000000-0000-4000-8000-{i:012d}", "full_name": f"Lò Văn Đức {i}",
        "other_names": "", "birth_date": "1990", "sex": "M", "ethnicity": "Thái",
        "id_number": "", "id_kind": "", "village_id": None, "permanent_address": "",
        "current_address": "", "occupation": "", "phone": "", "family_contact": "", "notes": "",
        "name_folded": f"lo van duc {i}", "search_text": f"lo van duc {i}",
        "sort_key": f"lo van duc {i}", "commune_id": commune_id,
    }  # fmt: skip
    return tuple(values[c] for c in PERSON_COLUMNS)


def test_people_written_as_tuples_are_found_and_the_schema_is_whole_again(reg: Register) -> None:
    before = _schema(reg)
    people = [_person(i, reg.commune_id) for i in range(1, 31)]
    assert bulk.write(reg, "persons", PERSON_COLUMNS, iter(people), "thử") == 30
    # Every index (the covering ones of m013 too) and the search trigger are there again.
    assert _schema(reg) == before
    assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 30
    row = reg.db.execute(
        "SELECT full_name, created_by, deleted, commune_id FROM persons WHERE id = ?",
        [people[6][0]],
    ).fetchone()
    assert tuple(row) == ("Lò Văn Đức 7", reg.user, 0, reg.commune_id)
    # The search index was filled in one statement, and the trigger still works afterwards.
    assert [p["full_name"] for p in find(reg, "duc 7", limit=10)] == ["Lò Văn Đức 7"]
    one = dict(zip(PERSON_COLUMNS, _person(99, reg.commune_id), strict=True))
    insert_bulk(reg, "persons", [one], "x")
    assert [p["full_name"] for p in find(reg, "duc 99", limit=10)] == ["Lò Văn Đức 99"]
    logged = reg.db.execute(
        "SELECT table_name, row_id, action, changes FROM change_log WHERE action = 'bulk' "
        "ORDER BY seq"
    ).fetchall()
    assert tuple(logged[0]) == ("persons", "*", "bulk", '{"rows": 30, "note": "thử"}')


def test_a_second_write_keeps_the_indexes_and_adds_to_them(reg: Register) -> None:
    before = _schema(reg)
    bulk.write(reg, "persons", PERSON_COLUMNS, [_person(1, reg.commune_id)], "một")
    bulk.write(reg, "persons", PERSON_COLUMNS, [_person(2, reg.commune_id)], "hai")
    assert _schema(reg) == before
    used = reg.db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM persons WHERE name_folded = 'lo van duc 2'"
    ).fetchall()
    assert "INDEX" in " ".join(str(r[-1]) for r in used)


def test_a_failed_write_leaves_nothing(reg: Register) -> None:
    before = _schema(reg)
    rows = [_person(1, reg.commune_id), _person(1, reg.commune_id)]  # the same id twice
    with pytest.raises(Exception, match="UNIQUE"):
        bulk.write(reg, "persons", PERSON_COLUMNS, rows, "hỏng")
    assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 0
    assert _schema(reg) == before


def test_sealed_tables_are_refused(reg: Register) -> None:
    with pytest.raises(ValueError, match="sealed"):
        bulk.write(reg, "settings", ("key", "value"), [("a", "b")], "x")


def test_each_persons_latest_test_and_check_are_kept(reg: Register) -> None:
    people = [_person(i, reg.commune_id) for i in (1, 2)]
    bulk.write(reg, "persons", PERSON_COLUMNS, people, "người")
    one, two = str(people[0][0]), str(people[1][0])
    tests = [
        (f"t{i}", who, day, "periodic", "urine_strip", "MOP", "", "negative", "", "", "")
        for i, (who, day) in enumerate(
            [(one, "2026-03-02"), (one, "2026-09-15"), (one, "2026-05-01"), (two, "2026-01-20")]
        )
    ]
    bulk.write(reg, "drug_tests", TEST_COLUMNS, tests, "xét nghiệm", "person_id")
    checks = [
        ("c1", two, "2026-02-03", "residence_check", 1, "", ""),
        ("c2", two, "2026-04-05", "home_visit", None, "", ""),  # not a residence check
    ]
    bulk.write(reg, "contacts", CONTACT_COLUMNS, checks, "kiểm tra", "person_id")
    kept = {
        tuple(r) for r in reg.db.execute("SELECT person_id, last_test, last_check FROM person_last")
    }
    assert kept == {(one, "2026-09-15", None), (two, "2026-01-20", "2026-02-03")}
    # The triggers are back: a later test moves the latest on.
    bulk.write(reg, "drug_tests", TEST_COLUMNS, [("t9", two, "2026-10-01", *tests[0][3:])], "1")
    last = reg.db.execute("SELECT last_test FROM person_last WHERE person_id = ?", [two])
    assert last.fetchone()[0] == "2026-10-01"


def test_a_packed_person_comes_back_whole_and_a_separator_is_refused() -> None:
    values = {**dict(zip(PERSON_COLUMNS, _person(5, "x"), strict=True)), "village_id": "v1"}
    packed = person_rows.pack(values)
    assert person_rows.unpack(packed) == [values[c] for c in PERSON_COLUMNS[:-1]]
    assert person_rows.packed_id(packed) == str(values["id"]).encode()
    (row,) = person_rows.in_order([packed], "xã")
    assert row == (*person_rows.unpack(packed), "xã")
    with pytest.raises(ValueError, match="separator"):
        person_rows.unpack(person_rows.pack({**values, "notes": "a\x1fb"}))
