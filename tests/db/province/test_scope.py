"""One commune of a province register: every figure, the due list, the drug-free criteria and
the monthly report's figures equal those of the commune's own register; nothing can be written
through it; the indexes the figures name still serve."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from db.commune.settings import get_settings
from db.core.errors import RegisterFileError, UserError
from db.duties.due import due_items
from db.figures.series import due_tests, last_months, monthly_series
from db.figures.stats import figures, villages_summary
from db.persons import people
from db.persons.search import find
from db.province.scope import scoped
from reports.monthly import gather
from tests.db.province.province_helpers import SHARED_VILLAGE, Province, build_province

TABLES = ("persons", "episodes", "drug_tests", "contacts", "villages", "hotspots",
          "prevention_models", "incidents", "management_team", "absences")  # fmt: skip


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    built = build_province(tmp_path_factory.mktemp("province"))
    yield built
    for reg in (built.reg, *built.communes.values()):
        reg.close()


def test_each_commune_sees_only_its_own_rows(province: Province) -> None:
    for cid, own in province.communes.items():
        with scoped(province.reg, cid) as one:
            for table in TABLES:
                sql = f"SELECT id FROM [{table}] ORDER BY id"
                assert one.conn.execute(sql).fetchall() == own.conn.execute(sql).fetchall(), table
            assert one.commune_id == cid and one.read_only


def test_the_copies_keep_the_tables_definitions(province: Province) -> None:
    with scoped(province.reg, next(iter(province.communes))) as one:
        for table in ("persons", "episodes"):
            temp = one.conn.execute(f"PRAGMA temp.table_info({table})").fetchall()
            assert temp == one.conn.execute(f"PRAGMA main.table_info({table})").fetchall()
            indexes = "SELECT name FROM {}.sqlite_master WHERE type = 'index' AND tbl_name = ? "
            indexes += "AND sql IS NOT NULL ORDER BY name"
            copied = one.conn.execute(indexes.format("temp"), [table]).fetchall()
            assert copied == one.conn.execute(indexes.format("main"), [table]).fetchall()
        moved = one.conn.execute("SELECT count(*) FROM persons WHERE rowid <> rid").fetchone()
        assert moved == (0,)


def test_every_figure_equals_the_communes_own_register(province: Province) -> None:
    for day, start in ((date(2026, 11, 20), None), (date(2026, 10, 31), date(2026, 10, 1)),
                       (date(2026, 6, 15), date(2026, 5, 16))):  # fmt: skip
        for cid, own in province.communes.items():
            with scoped(province.reg, cid) as one:
                mine, theirs = figures(one, day, start), figures(own, day, start)
                assert mine == theirs, (cid, day)
                assert villages_summary(one, day, start) == villages_summary(own, day, start)
    # Not trivially equal: the communes differ, and each has people, tests and criteria.
    totals = [figures(own)["people_total"] for own in province.communes.values()]
    assert all(totals) and len(set(totals)) == 3


def test_the_drug_free_criteria_equal_the_communes_own(province: Province) -> None:
    seen = set()
    for cid, own in province.communes.items():
        with scoped(province.reg, cid) as one:
            mine = [(c["key"], c["label"], c["value"], c["met"]) for c in figures(one)["criteria"]]
        theirs = [(c["key"], c["label"], c["value"], c["met"]) for c in figures(own)["criteria"]]
        assert mine == theirs
        seen.add(tuple(m[2] for m in mine))
    assert len(seen) == 3  # the communes stand differently against the criteria


def test_the_due_list_equals_the_communes_own(province: Province) -> None:
    for cid, own in province.communes.items():
        with scoped(province.reg, cid) as one:
            mine = due_items(one)
            assert mine == due_items(own)
            assert due_tests(one, date(2026, 12, 31)) == due_tests(own, date(2026, 12, 31))
        assert mine  # something is due in every demo commune


def test_the_communes_settings_apply_not_the_provinces(province: Province) -> None:
    muong_bu = next(c for c, r in province.communes.items() if r.path.stem == "muong-bu")
    with scoped(province.reg, muong_bu) as one:
        settings = get_settings(one)
    assert settings["report_cutoff_day"] == 15 and settings["test_interval.user"] == 20
    assert settings["unit_name"] == "Công an xã Mường Bú"
    assert get_settings(province.reg)["report_cutoff_day"] == 0


def test_the_monthly_reports_figures_equal_the_communes_own(province: Province) -> None:
    for cid, own in province.communes.items():
        with scoped(province.reg, cid) as one:
            mine = gather(one, 2026, 10)
            cutoff = int(get_settings(one)["report_cutoff_day"])
            series = monthly_series(one, last_months(2026, 10, 12, cutoff))
        theirs = gather(own, 2026, 10)
        assert mine.figures == theirs.figures
        assert mine.series == theirs.series
        assert mine.due == theirs.due
        assert mine.settings == theirs.settings
        assert (mine.start, mine.end) == (theirs.start, theirs.end)
        assert series == monthly_series(own, last_months(2026, 10, 12, cutoff))


def test_a_search_finds_the_communes_own_people_only(province: Province) -> None:
    for cid, own in province.communes.items():
        with scoped(province.reg, cid) as one:
            found = [r["id"] for r in find(one, "van", limit=1000)]
        assert found == [r["id"] for r in find(own, "van", limit=1000)] and found


def test_one_village_name_in_three_communes_is_three_villages(province: Province) -> None:
    rows = province.reg.conn.execute(
        "SELECT commune_id, population, drug_free FROM villages WHERE name = ? ORDER BY population",
        [SHARED_VILLAGE],
    ).fetchall()
    assert [(r[1], r[2]) for r in rows] == [(400, 1), (500, 0), (600, 1)]
    assert {r[0] for r in rows} == set(province.communes)
    for cid in province.communes:
        with scoped(province.reg, cid) as one:
            found = [v for v in villages_summary(one) if v["name"] == SHARED_VILLAGE]
            assert len(found) == 1


def test_nothing_can_be_written_through_a_scoped_register(province: Province) -> None:
    cid = next(iter(province.communes))
    before = province.reg.conn.execute("SELECT count(*) FROM main.persons").fetchone()[0]
    with scoped(province.reg, cid) as one:
        with pytest.raises(RegisterFileError, match="chỉ đọc"):
            people.add_person(one, {"full_name": "Lò Văn Mới", "birth_date": "1990"})
        for sql in ("INSERT INTO main.settings (id, key, value, created_at, created_by, "
                    "updated_at, updated_by, device_id) VALUES ('x', 'k', '1', '', '', '', '', '')",
                    "UPDATE drug_tests SET result = 'negative'",
                    "DELETE FROM persons"):  # fmt: skip
            with pytest.raises(sqlite3.OperationalError):
                one.conn.execute(sql)
    after = province.reg.conn.execute("SELECT count(*) FROM main.persons").fetchone()[0]
    assert after == before


def test_an_unknown_commune_is_refused_by_name(province: Province) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(UserError, match="không có dữ liệu của xã"), scoped(province.reg, unknown):
        pass
    with pytest.raises(UserError, match="không hợp lệ"), scoped(province.reg, "x'; DROP --"):
        pass


def _plan(reg: object, sql: str) -> str:
    conn: sqlite3.Connection = reg.conn  # type: ignore[attr-defined]
    return " | ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))


def test_the_indexes_still_serve_on_a_scoped_register(province: Province) -> None:
    cid = next(iter(province.communes))
    with scoped(province.reg, cid) as one:
        # The figures' tests of a period: per person through drug_tests_person, joined to the
        # commune's people by the covering index the figures name.
        plan = _plan(one, "SELECT p.village_id, count(*) FROM drug_tests t JOIN persons p "
                     "INDEXED BY persons_live_village ON p.id = t.person_id WHERE t.deleted = 0 "
                     "AND p.deleted = 0 AND t.test_date BETWEEN '2026-10-01' AND '2026-10-31' "
                     "GROUP BY p.village_id")  # fmt: skip
        assert "INDEX persons_live_village" in plan and "INDEX drug_tests_" in plan
        assert "SCAN main.drug_tests" not in plan
        plan = _plan(one, "SELECT id FROM episodes INDEXED BY episodes_planned WHERE deleted = 0 "
                     "AND end_date IS NULL AND planned_end <= '2026-12-31'")  # fmt: skip
        assert "INDEX episodes_planned" in plan
        plan = _plan(one, "SELECT max(contact_date) FROM contacts WHERE deleted = 0 "
                     "AND person_id = 'x' AND kind = 'home_visit'")  # fmt: skip
        assert "INDEX contacts_person" in plan and "SCAN main.contacts" not in plan


def test_the_province_registers_own_figures_are_untouched(province: Province, tmp_path: Path
                                                          ) -> None:  # fmt: skip
    with scoped(province.reg, next(iter(province.communes))):
        everyone = province.reg.conn.execute("SELECT count(*) FROM persons").fetchone()[0]
    assert everyone == sum(
        own.conn.execute("SELECT count(*) FROM persons").fetchone()[0]
        for own in province.communes.values()
    )
