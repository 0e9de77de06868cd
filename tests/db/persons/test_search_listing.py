"""The register list's search (db.persons.listing): the same people in the same Vietnamese order
as one SQL query would give, from the name index and the word index alone, and never stale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from db.commune import places
from db.duties import actions
from db.persons.listing import PersonFilter, person_ids
from db.persons.people import add_person, delete_person, update_person
from db.persons.search import match_sql
from db.store.register import Register, open_register
from tests.support.registers import PASSWORD, TODAY

NAMES = [
    "Đặng Văn Đức", "Nguyễn Thị Ánh", "Lò Văn An", "Giàng A Páo", "Quàng Thị Ân", "Nguyễn Văn An",
    "Nguyễn Văn An", "Trần Thị Bình", "Lò Thị Dung", "Đỗ Văn Đạt", "Vàng A Dế", "Hoàng Văn Thái",
    "Thào A Tủa", "Lý Thị Mai", "Cầm Văn Chiến", "Nguyễn Đức Thắng", "Phạm Thị Hà", "Bùi Văn Cường",
]  # fmt: skip
QUERIES = [
    *"abcdđghklmnpqrstuvxy", "ng", "nguyen", "nguyen van", "van an", "duc", "Đức", "THI", "lo",
    "ban", "ban pa", "dong", "a d", "0140", "0141", "1234", "014090", "xyz", "", "  ", "!!",
]  # fmt: skip


@pytest.fixture
def many(reg: Register, add: Callable[..., str]) -> list[str]:
    """Eighteen people in two villages, two of them with the same name, two deleted."""
    other = places.save_village(reg, {"name": "Bản Pá Đông"})
    ids = []
    for i, name in enumerate(NAMES):
        fields: dict[str, Any] = {"id_number": f"0140{90 + i % 10}{i:06d}", "sex": "Nam"}
        fields["birth_date"] = f"{1990 + i % 10}"
        if i % 3 == 0:
            fields["village_id"] = other
        ids.append(add(name, **fields))
    delete_person(reg, ids[3])  # Giàng A Páo
    delete_person(reg, ids[12])  # Thào A Tủa
    actions.management_decision(reg, ids[0], "01/10/2026")
    actions.management_decision(reg, ids[5], "01/10/2026")
    return ids


def in_sql(reg: Register, f: PersonFilter) -> list[int]:
    """The list as one SQL query sorts it: the reference the fast path must equal."""
    where, params = match_sql(f.text)
    clauses, params = ["p.deleted = 0", where], list(params)
    if f.village_id:
        clauses.append("p.village_id = ?")
        params.append(f.village_id)
    if f.only_active:
        clauses.append(
            "EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = p.id AND e.deleted = 0 "
            "AND e.start_date <= ? AND (e.end_date IS NULL OR e.end_date > ?))"
        )
        params += [reg.today().isoformat()] * 2
    direction = "DESC" if f.descending else "ASC"
    sql = (
        f"SELECT p.rid FROM persons p WHERE {' AND '.join(clauses)} "
        f"ORDER BY p.sort_key {direction}, p.sort_key, p.rid"
    )
    return [row[0] for row in reg.db.execute(sql, params)]


def names(reg: Register, rids: list[int]) -> list[str]:
    found = dict(reg.db.execute("SELECT rid, full_name FROM persons").fetchall())
    return [found[rid] for rid in rids]


@pytest.mark.parametrize("query", QUERIES)
def test_every_search_lists_what_sql_lists_in_the_same_order(
    reg: Register, many: list[str], query: str
) -> None:
    village = reg.db.execute("SELECT id FROM villages WHERE name = 'Bản Pá Đông'").fetchone()[0]
    for f in (
        PersonFilter(text=query),
        PersonFilter(text=query, village_id=village),
        PersonFilter(text=query, only_active=True),
        PersonFilter(text=query, descending=True),
    ):
        assert person_ids(reg, f) == in_sql(reg, f), f


def test_a_search_lists_people_by_given_name_and_leaves_out_the_deleted(
    reg: Register, many: list[str]
) -> None:
    # Words starting with "a", given name first: An < Ánh < Ân < Dế (Giàng A Páo is deleted).
    assert names(reg, person_ids(reg, PersonFilter(text="a"))) == [
        "Lò Văn An", "Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn Thị Ánh", "Quàng Thị Ân",
        "Vàng A Dế",
    ]  # fmt: skip
    assert names(reg, person_ids(reg, PersonFilter(text="tua"))) == []  # Thào A Tủa, deleted
    # CCCD 014090000000 and 014090000010: D before Đ.
    assert names(reg, person_ids(reg, PersonFilter(text="014090"))) == ["Vàng A Dế", "Đặng Văn Đức"]


def test_the_list_follows_every_change_at_once(reg: Register, many: list[str]) -> None:
    everyone = PersonFilter()
    an = PersonFilter(text="an")
    assert "Lò Văn Ăn" not in names(reg, person_ids(reg, everyone))
    new = add_person(reg, {"full_name": "Lò Văn Ăn"})
    # Ă after every A and before Â, whatever the tone: An < Ánh < Ăn < Ân.
    assert names(reg, person_ids(reg, an))[:6] == [
        "Lò Văn An", "Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn Thị Ánh", "Lò Văn Ăn",
        "Quàng Thị Ân",
    ]  # fmt: skip
    update_person(reg, new, {"full_name": "Lò Văn Yên"})
    assert names(reg, person_ids(reg, everyone))[-1] == "Lò Văn Yên"
    assert "Lò Văn Yên" not in names(reg, person_ids(reg, an))
    delete_person(reg, new)
    assert "Lò Văn Yên" not in names(reg, person_ids(reg, everyone))
    assert person_ids(reg, everyone) == in_sql(reg, everyone)


def test_a_change_made_through_another_connection_is_listed(reg: Register, many: list[str]) -> None:
    """A background job (an import, a handover) writes through its own connection."""
    assert "Lò Văn Ăn" not in names(reg, person_ids(reg, PersonFilter()))
    other = reg.reopen()
    try:
        add_person(other, {"full_name": "Lò Văn Ăn"})
    finally:
        other.close()
    assert "Lò Văn Ăn" in names(reg, person_ids(reg, PersonFilter(text="an")))
    assert "Lò Văn Ăn" in names(reg, person_ids(reg, PersonFilter()))


def test_a_search_reads_no_table_row(secure_path: Path) -> None:
    """On the encrypted register every table page read is decrypted: the list of a search
    comes from the name index (sort key and row id) and the word or number index alone.
    (Explained by SQLCipher's engine, which the program uses; Python's older SQLite reads table
    rows for the partial name index.)"""
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        for i, name in enumerate(NAMES):
            add_person(reg, {"full_name": name, "id_number": f"0140{90 + i % 10}{i:06d}"})
        for text in ("", "a", "nguyen van", "0140"):
            seen: list[tuple[str, Any]] = []

            def note(sql: str, params: Any, seen: list[tuple[str, Any]] = seen) -> None:
                seen.append((sql, params))

            with reg.db.tracer(note):
                assert person_ids(reg, PersonFilter(text=text))
            selects = [(sql, p) for sql, p in seen if sql.lstrip().upper().startswith("SELECT")]
            assert selects
            for sql, params in selects:
                plan = reg.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params or []).fetchall()
                for line in (str(row[3]) for row in plan):
                    if line.startswith(("SCAN", "SEARCH")) and "persons" in line:
                        assert "COVERING INDEX" in line or "VIRTUAL TABLE" in line, (sql, line)
