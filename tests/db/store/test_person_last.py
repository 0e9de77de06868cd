"""`person_last` (migration m016) stays equal to the tests and contacts it is derived from.

The due list reads each managed person's latest live test and residence check from it (issue 12:
~35,000 index look-ups into 60 and 25 MB indexes were most of the due list's decrypted pages).
Its triggers must keep it right under every write: a new row, a changed date, kind or person, a
soft or a hard deletion, and a merge of two people; and a day before the latest still gets the
latest up to that day.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from db.duties.due import due_items
from db.persons.contacts import add_contact
from db.persons.drugtests import record_test
from db.persons.episodes import open_episode
from db.persons.merging import merge
from db.store import records
from db.store.register import Register
from tests.support.registers import TODAY


def _kept(reg: Register) -> set[tuple[str, str | None, str | None]]:
    rows = reg.conn.execute(
        "SELECT person_id, last_test, last_check FROM person_last "
        "WHERE last_test IS NOT NULL OR last_check IS NOT NULL"
    )
    return {tuple(r) for r in rows}


def _recomputed(reg: Register) -> set[tuple[str, str | None, str | None]]:
    rows = reg.conn.execute(
        "SELECT id, (SELECT max(test_date) FROM drug_tests t WHERE t.person_id = p.id "
        "AND t.deleted = 0), (SELECT max(contact_date) FROM contacts c WHERE c.person_id = p.id "
        "AND c.deleted = 0 AND c.kind = 'residence_check') FROM persons p"
    )
    return {tuple(r) for r in rows if r[1] is not None or r[2] is not None}


def test_kept_equal_to_the_tables_under_every_write(reg: Register, add: Callable[..., str]) -> None:
    people = [add(f"Người Thứ {n}", birth_date="1990", sex="Nam") for n in range(1, 5)]
    rng = random.Random(12)
    tests: list[str] = []
    contacts: list[str] = []

    def day() -> str:
        return (TODAY - timedelta(days=rng.randrange(0, 400))).isoformat()

    for step in range(160):
        move = rng.choice([0, 0, 0, 1, 1, 2, 3, 4, 5, 6])  # more rows added than taken
        if move == 0 or not tests:
            tests.append(record_test(reg, rng.choice(people), day(), result="negative"))
        elif move == 1 or not contacts:
            kind = rng.choice(["residence_check", "residence_check", "home_visit"])
            contacts.append(add_contact(reg, rng.choice(people), day(), kind))
        elif move == 2:
            records.update(reg, "drug_tests", rng.choice(tests), {"test_date": day()})
        elif move == 3:
            change = rng.choice([{"contact_date": day()}, {"kind": "home_visit"},
                                 {"kind": "residence_check"}])  # fmt: skip
            records.update(reg, "contacts", rng.choice(contacts), change)
        elif move == 4:
            table, ids = rng.choice([("drug_tests", tests), ("contacts", contacts)])
            row = ids.pop(rng.randrange(len(ids)))
            records.soft_delete(reg, table, row)
        elif move == 5:
            table, ids = rng.choice([("drug_tests", tests), ("contacts", contacts)])
            moved = rng.choice(ids)
            with records.transaction(reg):  # a row moved to another person (as a merge does)
                reg.conn.execute(
                    f"UPDATE {table} SET person_id = ? WHERE id = ?", [rng.choice(people), moved]
                )
        elif move == 6 and len(tests) > 1:
            gone = tests.pop(rng.randrange(len(tests)))
            with records.transaction(reg):  # never done by the program; the table still follows
                reg.conn.execute("DELETE FROM drug_tests WHERE id = ?", [gone])
        assert _kept(reg) == _recomputed(reg), f"after step {step} (move {move})"
    assert len(_kept(reg)) >= 3  # the walk really left tests and checks behind

    kept, merged = people[0], people[1]
    merge(reg, kept, merged, "Trùng người")
    assert _kept(reg) == _recomputed(reg)


def test_a_past_day_gets_the_latest_test_up_to_that_day(
    reg: Register, add: Callable[..., str]
) -> None:
    """Tested 01/10/2026 and 10/11/2026, checked 28/09 and 12/11/2026; tests every 30 days,
    7 days' warning. On 28/10/2026 the last test is 01/10/2026 (next due 31/10/2026) and the
    monthly check falls due on 28/10/2026; on 20/11/2026 neither is within the window."""
    who = add("Lò Văn Páo", birth_date="1985", sex="Nam")
    open_episode(reg, who, "user", date(2026, 3, 2), decision_no="12/QĐ")
    record_test(reg, who, date(2026, 10, 1), result="negative")
    record_test(reg, who, date(2026, 11, 10), result="negative")
    add_contact(reg, who, date(2026, 9, 28), "residence_check")
    add_contact(reg, who, date(2026, 11, 12), "residence_check")
    assert _kept(reg) == {(who, "2026-11-10", "2026-11-12")}

    def mine(on: date) -> dict[str, tuple[date, str]]:
        return {i.kind: (i.due, i.text) for i in due_items(reg, on) if i.person_id == who}

    assert set(mine(TODAY)) <= {"period_end"}  # next test 10/12, next check 12/12/2026
    past = mine(date(2026, 10, 28))
    assert past["test"][0] == date(2026, 10, 31)
    assert "lần trước 01/10/2026" in past["test"][1]
    assert past["residence"][0] == date(2026, 10, 28)


def test_check_names_a_kept_latest_changed_outside_the_program(
    reg: Register, add: Callable[..., str]
) -> None:
    from db.store.check import check_register

    who = add("Lò Thị Mai", birth_date="1992", sex="Nữ")
    record_test(reg, who, date(2026, 10, 1), result="negative")
    assert not [p for p in check_register(reg) if "gần nhất" in p.what]
    reg.conn.execute("UPDATE person_last SET last_test = '2026-11-01' WHERE person_id = ?", [who])
    found = [p for p in check_register(reg) if "gần nhất" in p.what]
    assert len(found) == 1 and found[0].detail.startswith("1 người")


def test_a_bulk_write_keeps_it_too(reg: Register, add: Callable[..., str]) -> None:
    """The demo and the imports write through insert_bulk, which lifts the triggers while the
    rows go in and recomputes the people written once: the triggers are back afterwards."""
    who, other = add("Lò Văn Một", birth_date="1990"), add("Lò Văn Hai", birth_date="1991")
    record_test(reg, other, date(2026, 11, 1), result="negative")
    records.insert_bulk(
        reg,
        "drug_tests",
        [{"person_id": who, "test_date": f"2026-0{m}-10", "kind": "periodic",
          "result": "negative", "positives": ""} for m in (3, 7, 5)]
        + [{"person_id": other, "test_date": "2026-10-01", "kind": "periodic",
            "result": "negative", "positives": ""}],
        "thử",
    )  # fmt: skip
    assert _kept(reg) == _recomputed(reg) == {(who, "2026-07-10", None),
                                              (other, "2026-11-01", None)}  # fmt: skip
    names = {
        r[0] for r in reg.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    assert {"drug_tests_last_insert", "drug_tests_last_update", "drug_tests_last_delete"} <= names
    record_test(reg, who, date(2026, 11, 15), result="negative")
    assert (who, "2026-11-15", None) in _kept(reg)


def test_a_bulk_write_into_an_empty_table_recomputes_with_the_indexes_back(
    reg: Register, add: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty table insert_bulk sets the indexes aside; each person's latest is asked of
    the person index, so they must be back first (without it: the whole table per person)."""
    from db.store import person_last

    who = add("Lò Văn Ba", birth_date="1990")
    seen: list[bool] = []
    real = person_last.recompute

    def recompute(reg_: Register, table: str, people: set[str]) -> None:
        found = reg_.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'drug_tests_person'"
        ).fetchone()
        seen.append(found is not None)
        real(reg_, table, people)

    monkeypatch.setattr(person_last, "recompute", recompute)
    row = {"person_id": who, "test_date": "2026-05-10", "kind": "periodic",
           "result": "negative", "positives": ""}  # fmt: skip
    records.insert_bulk(reg, "drug_tests", [row], "thử")
    assert seen == [True]
    assert _kept(reg) == {(who, "2026-05-10", None)}
