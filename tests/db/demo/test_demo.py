"""The demo register (db.demo): repeatable, lawful, dated before its day, and useful to train on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from db.commune.settings import get_settings, save_settings
from db.core.dates import add_months
from db.core.textfold import fold
from db.demo.fill import fill_demo
from db.duties.due import due_items
from db.law.categories import Category
from db.law.rules import rule
from db.persons.cccd import check_id
from db.persons.search import find
from db.store.records import META_FIELDS
from db.store.register import Register, open_register

ON = date(2026, 11, 20)
PERSONS = 300
CONTENT_TABLES = (
    "villages", "persons", "episodes", "drug_tests", "contacts", "hotspots",
    "prevention_models", "incidents",
)  # fmt: skip
# Every column that holds a day something happened (planned ends may lie ahead: they are plans).
EVENT_DATES = {
    "persons": ("birth_date",),
    "villages": ("drug_free_since",),
    "episodes": ("start_date", "end_date", "decision_date", "notice_date"),
    "drug_tests": ("test_date",),
    "contacts": ("contact_date",),
    "hotspots": ("found_date", "cleared_date"),
    "prevention_models": ("start_date", "end_date"),
    "incidents": ("incident_date",),
}


def _open(path: Path) -> Register:
    return open_register(path, create=True, today=lambda: ON)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Register, dict[str, int]]]:
    """One register filled with 300 demo people (shared: the tests below only read it)."""
    reg = _open(tmp_path_factory.mktemp("demo") / "r.db")
    try:
        yield reg, fill_demo(reg, persons=PERSONS, seed=1)
    finally:
        reg.close()


def _content(reg: Register, table: str) -> list[tuple[Any, ...]]:
    """A table's rows without what differs between two registers (metadata, the commune id)."""
    columns = [
        c.name for c in reg.db[table].columns if c.name not in (*META_FIELDS, "commune_id", "rid")
    ]
    sql = f"SELECT {', '.join(columns)} FROM [{table}] ORDER BY id"
    return [tuple(r) for r in reg.db.execute(sql).fetchall()]


def test_same_seed_and_day_give_the_same_register(tmp_path, demo):
    reg, _ = demo
    again = _open(tmp_path / "r.db")
    try:
        fill_demo(again, persons=PERSONS, seed=1, on=ON)
        for table in CONTENT_TABLES:
            assert _content(again, table) == _content(reg, table), table
        assert get_settings(again) == get_settings(reg)
    finally:
        again.close()


def test_another_seed_gives_other_people(tmp_path, demo):
    reg, _ = demo
    other = _open(tmp_path / "r.db")
    try:
        fill_demo(other, persons=PERSONS, seed=2)
        assert _content(other, "persons") != _content(reg, "persons")
    finally:
        other.close()


def test_counts_are_what_was_written(demo):
    reg, counts = demo
    for table in CONTENT_TABLES:
        assert counts[table] == reg.db[table].count, table
    assert counts["persons"] == PERSONS
    # Roughly ten tests a person over two years; a few percent positive, mostly MET.
    assert 6 * PERSONS <= counts["drug_tests"] <= 14 * PERSONS
    positives = reg.db.execute(
        "SELECT count(*), sum(positives LIKE '%MET%') FROM drug_tests WHERE result = 'positive'"
    ).fetchone()
    assert 0.03 <= positives[0] / counts["drug_tests"] <= 0.09
    assert positives[1] > positives[0] / 2


def test_every_category_appears(demo):
    reg, _ = demo
    found = {r[0] for r in reg.db.execute("SELECT DISTINCT category FROM episodes")}
    assert found == {c.value for c in Category}
    still_open = {
        r[0]
        for r in reg.db.execute("SELECT DISTINCT category FROM episodes WHERE end_date IS NULL")
    }
    assert still_open == {c.value for c in Category}


def test_nothing_is_dated_after_the_day(demo):
    reg, _ = demo
    for table, columns in EVENT_DATES.items():
        for column in columns:
            late = reg.db.execute(
                f"SELECT count(*) FROM [{table}] WHERE {column} > ?", [ON.isoformat()]
            ).fetchone()[0]
            assert late == 0, f"{table}.{column}"


def test_rows_keep_the_links_and_the_rules(demo):
    reg, _ = demo
    assert reg.db.execute("PRAGMA foreign_key_check").fetchall() == []
    # Never two open episodes of one category for one person at once.
    overlaps = reg.db.execute(
        "SELECT count(*) FROM episodes a JOIN episodes b ON a.person_id = b.person_id "
        "AND a.category = b.category AND a.id < b.id "
        "AND a.start_date < coalesce(b.end_date, '9999') "
        "AND b.start_date < coalesce(a.end_date, '9999')"
    ).fetchone()[0]
    assert overlaps == 0
    # A management year is the rule's year from the decision (a moved-in one carries over).
    for start, planned in reg.db.execute(
        "SELECT start_date, planned_end FROM episodes WHERE category = 'user' AND moved_from = ''"
    ):
        begun = date.fromisoformat(start)
        months = int(rule("management_period", begun).value)
        assert planned == add_months(begun, months).isoformat()
    # Post-rehab lasts 1 or 2 years, plus unreported absences.
    for start, planned, absent in reg.db.execute(
        "SELECT start_date, planned_end, absence_days FROM episodes WHERE category = 'post_rehab'"
    ):
        begun = date.fromisoformat(start)
        ends = {
            add_months(begun, int(rule(key, begun).value)) + timedelta(days=absent)
            for key in ("post_rehab_period", "post_rehab_period_compulsory_adult")
        }
        assert date.fromisoformat(planned) in ends
    # No test at home while in a facility.
    in_facility = reg.db.execute(
        "SELECT count(*) FROM drug_tests t JOIN episodes e ON e.person_id = t.person_id "
        "AND e.category IN ('rehab_facility', 'rehab_compulsory') "
        "AND e.start_date <= t.test_date AND (e.end_date IS NULL OR e.end_date > t.test_date)"
    ).fetchone()[0]
    assert in_facility == 0


def test_id_numbers_agree_with_birth_year_and_sex(demo):
    reg, _ = demo
    rows = reg.db.execute("SELECT id_number, id_kind, birth_date, sex FROM persons").fetchall()
    kinds = {kind for _, kind, _, _ in rows}
    assert kinds == {"", "cccd", "cmnd"}
    for number, kind, birth, sex in rows:
        checked = check_id(number, int(birth[:4]), sex)
        assert checked.error is None, (number, birth, sex)
        assert checked.kind == kind
    numbers = [n for n, _, _, _ in rows if n]
    assert len(numbers) == len(set(numbers))
    # Birth dates: often only a year, sometimes a month, else the full date.
    lengths = {len(birth) for _, _, birth, _ in rows}
    assert lengths == {4, 7, 10}


def test_the_due_list_has_work_and_some_is_overdue(demo):
    reg, _ = demo
    items = due_items(reg)
    kinds = {i.kind for i in items}
    assert {"test", "residence", "positive", "period_end"} <= kinds
    assert any(i.overdue for i in items)
    # A couple of recent positives with no decision yet.
    recent = [i for i in items if i.kind == "positive" and i.due >= ON - timedelta(days=14)]
    assert recent


def test_search_finds_a_demo_person_by_a_folded_name(demo):
    reg, _ = demo
    person_id, name = reg.db.execute(
        "SELECT id, full_name FROM persons WHERE full_name <> name_folded ORDER BY id LIMIT 1"
    ).fetchone()
    found = find(reg, fold(name), limit=1000)
    assert person_id in {r["id"] for r in found}
    duc = find(reg, "duc", limit=1000)
    assert duc and all("duc" in fold(r["full_name"] + " " + r["village"]) for r in duc[:5])


def test_settings_name_the_commune_and_keep_a_baseline(demo):
    reg, _ = demo
    settings = get_settings(reg)
    assert settings["unit_name"] == "CÔNG AN XÃ CHIỀNG MUNG"
    assert settings["province_name"] == "CÔNG AN TỈNH SƠN LA"
    assert date.fromisoformat(settings["baseline_date"]) == add_months(ON, -24)
    assert settings["baseline_users"] > 0 and settings["baseline_addicts"] > 0
    villages = reg.db.execute("SELECT count(*), sum(population) FROM villages").fetchone()
    assert 8 <= villages[0] <= 15
    assert settings["population"] == villages[1]


def test_a_second_fill_adds_new_people_and_keeps_settings(tmp_path):
    reg = _open(tmp_path / "r.db")
    try:
        first = fill_demo(reg, persons=40, seed=1)
        save_settings(reg, {"chief_name": "Lò Văn Chung"})
        counts = fill_demo(reg, persons=40, seed=1)
        assert reg.db["persons"].count == 80
        # A village already there is used again, never added twice.
        names = reg.db.execute("SELECT count(*), count(DISTINCT name_folded) FROM villages")
        total, distinct = names.fetchone()
        assert total == distinct == first["villages"] + counts["villages"]
        assert get_settings(reg)["chief_name"] == "Lò Văn Chung"
        assert reg.db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        reg.close()


def test_progress_is_told_in_vietnamese(tmp_path):
    told: list[tuple[str, int, int]] = []
    reg = _open(tmp_path / "r.db")
    try:
        fill_demo(
            reg, persons=30, progress=lambda stage, done, total: told.append((stage, done, total))
        )
    finally:
        reg.close()
    stages = [stage for stage, _, _ in told]
    assert "Ghi kết quả xét nghiệm" in stages
    assert stages[-1] == "Xong"
    assert all(0 <= done <= total for _, done, total in told)
