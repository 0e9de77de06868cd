"""The due list, the search and the figures read their indexes, not whole tables (issue 12).

On the encrypted register every page read is decrypted and checked, so a query that scans a
table, or fetches a table row per index entry for one column, costs seconds at 100,000 people
(docs/benchmarks.md). The statements are caught as the functions run them (sqlite-utils'
tracer) and explained by the engine the program really uses: SQLCipher's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from db.duties.due import due_items
from db.figures.stats import figures
from db.persons.episodes import open_episode
from db.persons.people import add_person
from db.persons.search import find
from db.store.register import Register, open_register
from tests.support.registers import PASSWORD, TODAY

BIG_TABLES = ("drug_tests", "persons", "contacts", "episodes")
_ALIAS = re.compile(
    rf"\b({'|'.join(BIG_TABLES)})\s+(?:AS\s+)?(?!WHERE|JOIN|LEFT|ON|INDEXED|GROUP|ORDER)(\w+)", re.I
)


@pytest.fixture
def secure(secure_path: Path) -> Iterator[Register]:
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        add_person(reg, {"full_name": "Nguyễn Văn Đức", "id_number": "014090001234"})
        yield reg


def statements(reg: Register, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SELECT statements `call` runs, with their parameters."""
    seen: list[tuple[str, Any]] = []
    with reg.db.tracer(lambda sql, params: seen.append((sql, params))):
        call()
    return [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]


def plan(reg: Register, sql: str, params: Any) -> list[str]:
    rows = reg.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params or []).fetchall()
    return [str(row[3]) for row in rows]


def full_reads(sql: str, lines: list[str]) -> list[str]:
    """Plan lines that read a big table whole, or one table row per entry of an index scan."""
    names = set(BIG_TABLES) | {alias for _, alias in _ALIAS.findall(sql)}
    bad = []
    for line in lines:
        scanned = re.match(r"SCAN (\w+)(?: USING (INDEX|COVERING INDEX) \w+)?$", line)
        if scanned and scanned.group(1) in names and scanned.group(2) != "COVERING INDEX":
            bad.append(line)
    return bad


def test_the_due_list_reads_indexes_only(secure: Register) -> None:
    (person,) = secure.conn.execute("SELECT id FROM persons").fetchone()
    open_episode(secure, person, "user", TODAY - timedelta(days=90), decision_no="7/QĐ")
    found = statements(secure, lambda: due_items(secure, TODAY))
    main = [s for s in found if "AS last_test" in s[0]]
    assert len(main) == 1, "the due list's query of everyone under management"
    lines = plan(secure, *main[0])
    # The open episodes from their own small index; the latest test and residence check from
    # person_last (kept by triggers), the tables asked only for a day before the latest.
    assert "SCAN episodes USING COVERING INDEX episodes_open" in lines
    assert any(line.startswith("SEARCH l USING PRIMARY KEY (person_id=?)") for line in lines)
    assert any(
        line.startswith("SEARCH t USING COVERING INDEX drug_tests_person (person_id=?")
        for line in lines
    )
    assert any(line.startswith("SEARCH c USING COVERING INDEX contacts_person") for line in lines)
    # Releases and departures come from partial indexes of such episodes, not the table.
    searches = sorted(line for line in lines if line.startswith("SEARCH x "))
    assert len(searches) == 2
    assert "COVERING INDEX episodes_gone" in searches[0]
    assert "COVERING INDEX episodes_released" in searches[1]
    for sql, params in found:
        assert full_reads(sql, plan(secure, sql, params)) == [], sql
    # The people listed: name, birth, order and village from their index, not the table.
    named = [s for s in found if "p.full_name" in s[0]]
    assert named and all(
        any("COVERING INDEX persons_listed" in line for line in plan(secure, *s)) for s in named
    )
    positives = [s for s in found if "result = 'positive'" in s[0]]
    assert positives and all(
        any("drug_tests_positive" in line for line in plan(secure, *s)) for s in positives
    )


def test_search_reads_the_word_or_number_index(secure: Register) -> None:
    for text, index in (("nguyen van", "persons_fts VIRTUAL TABLE"),
                        ("0900012", "COVERING INDEX persons_id_number")):  # fmt: skip
        found = statements(secure, functools.partial(find, secure, text))
        assert len(found) == 1
        lines = plan(secure, *found[0])
        assert any(index in line for line in lines), lines
        assert "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)" in lines
        assert "SEARCH e USING COVERING INDEX episodes_person_state (person_id=?)" in lines
        assert full_reads(found[0][0], lines) == []
    assert [r["full_name"] for r in find(secure, "duc")] == ["Nguyễn Văn Đức"]


def test_the_figures_read_indexes_only(secure: Register) -> None:
    found = statements(secure, lambda: figures(secure, TODAY))
    for sql, params in found:
        assert full_reads(sql, plan(secure, sql, params)) == [], sql
    joined = [s for s in found if "persons_live_village" in s[0]]
    assert len(joined) == 2  # the people open on the day, the tests of the period
    for sql, params in joined:
        assert any(
            "COVERING INDEX persons_live_village" in line for line in plan(secure, sql, params)
        )


def test_a_table_scan_is_caught() -> None:
    """The check itself: a full scan or a row per index entry is reported, a covering scan not."""
    sql = "SELECT * FROM drug_tests t JOIN persons p ON p.id = t.person_id"
    assert full_reads(sql, ["SCAN t", "SCAN p USING INDEX persons_sort"]) == [
        "SCAN t", "SCAN p USING INDEX persons_sort",
    ]  # fmt: skip
    assert full_reads(sql, ["SCAN t USING COVERING INDEX drug_tests_date", "SCAN settings"]) == []


def test_a_persons_change_history_reads_indexes_only(secure: Register) -> None:
    """Deleted tests and contacts count too: the history finds them by the person's full
    indexes (m013), not by reading the whole tables."""
    from db.store.history import person_history

    person = secure.db.execute("SELECT id FROM persons").fetchone()[0]
    found = statements(secure, lambda: person_history(secure, person))
    assert found
    for sql, params in found:
        lines = plan(secure, sql, params)
        assert full_reads(sql, lines) == [], lines
