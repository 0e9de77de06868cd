"""The import's fast paths give what the row-by-row paths give: a first import into an empty
register (indexes built after, person_last's triggers lifted), the row hashes computed on the
reading thread, and the overlapping-episode check done per person."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.handover import receive
from db.handover.bundle import InvalidBundle
from db.handover.faults import _overlap, overlapping_episode
from db.handover.merge import data_hash, hasher, table_spec
from db.persons import contacts, drugtests
from db.store.check import check_register
from tests.support.handover import PASS, commune, export, laptop, snapshot


def _triggers(reg: object) -> set[str]:
    return {
        r[0]
        for r in reg.conn.execute(  # type: ignore[attr-defined]
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        )
    }


def test_a_first_import_keeps_each_persons_latest_test_and_check(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    ids = commune(a, persons=3)
    drugtests.record_test(a, ids[0], "2026-06-01", result="negative")
    drugtests.record_test(a, ids[0], "2026-09-15", result="negative")
    drugtests.record_test(a, ids[1], "2026-03-02", result="positive", positives="MET")
    contacts.add_contact(a, ids[1], "2026-10-05", "residence_check")
    contacts.add_contact(a, ids[2], "2026-10-06", "home_visit")
    made = export(a, tmp_path, full=True)
    b = laptop(tmp_path, "b")
    before = _triggers(b)
    result = receive.import_bundle(b, made.path, PASS, take_over=True)
    assert result.tables["drug_tests"].new == 3
    assert _triggers(b) == before  # person_last's triggers are back after the bulk write
    latest = dict(b.conn.execute("SELECT person_id, last_test FROM person_last").fetchall())
    assert latest[ids[0]] == "2026-09-15"
    assert latest[ids[1]] == "2026-03-02"
    checks = dict(b.conn.execute("SELECT person_id, last_check FROM person_last").fetchall())
    assert checks[ids[1]] == "2026-10-05"
    assert checks.get(ids[2]) is None  # a home visit is not a residence check
    assert check_register(b) == []
    assert snapshot(b) == snapshot(a)
    # The triggers work again: a test written afterwards moves the person's latest.
    drugtests.record_test(b, ids[1], "2026-11-10", result="negative")
    row = b.conn.execute("SELECT last_test FROM person_last WHERE person_id = ?", [ids[1]])
    assert row.fetchone()[0] == "2026-11-10"


def test_the_reading_threads_hashes_are_the_merges_hashes(tmp_path: Path) -> None:
    reg = laptop(tmp_path, "a")
    for table in ("persons", "drug_tests", "incidents", "villages"):
        spec = table_spec(reg, table)
        columns = list(spec.columns)
        rows = []
        for n in range(3):
            values = {f: None for f in spec.data}
            for i, f in enumerate(spec.data):
                values[f] = [f'Nguyễn "{n}"\n{i}', n, 0.0, 1.5, None, [1, "a"]][(n + i) % 6]
            rows.append(["id", *(values[f] for f in spec.data), "t", "u", "t", "u", "d"])
        _, hashes = hasher({table: spec})(table, columns, rows)
        assert hashes is not None
        for row, digest in zip(rows, hashes, strict=True):
            assert digest == data_hash(spec, dict(zip(columns, row, strict=True)))


@pytest.mark.parametrize(
    ("spans", "found"),
    [
        ([("a", "2026-01-01", "2026-03-01"), ("b", "2026-03-01", "9999")], None),  # touching
        (
            [("a", "2026-01-01", "2026-03-02"), ("b", "2026-03-01", "9999")],
            ("2026-01-01", "2026-03-01"),
        ),
        (
            [("b", "2026-05-01", "9999"), ("a", "2026-01-01", "9999")],
            ("2026-01-01", "2026-05-01"),
        ),  # fmt: skip  (by id, as the old query paired them)
        (
            [
                ("a", "2026-01-01", "2026-02-01"),
                ("c", "2026-06-01", "2026-07-01"),
                ("b", "2026-03-01", "2026-04-01"),
            ],
            None,
        ),
        ([("a", "2026-01-01", "9999")], None),
    ],
)
def test_overlap_pairs_episodes_as_the_query_did(
    spans: list[tuple[str, str, str]], found: tuple[str, str] | None
) -> None:
    assert _overlap(spans) == found


def test_overlapping_episodes_are_found_among_many_people(tmp_path: Path) -> None:
    reg = laptop(tmp_path, "a")
    ids = commune(reg, persons=5)
    at = "2026-01-01T00:00:00Z"
    rows = [
        (f"00000000-0000-4000-8000-{n:012d}", ids[n % 5], "user", start, end, end and "term")
        for n, (start, end) in enumerate([("2026-01-01", "2026-02-01"), ("2026-01-01", None),
                                           ("2026-03-01", None), ("2026-02-01", None),
                                           ("2026-04-01", None), ("2026-02-01", None)])
    ]  # fmt: skip
    reg.conn.executemany(
        "INSERT INTO episodes (id, person_id, category, start_date, end_date, end_kind, "
        "created_at, created_by, updated_at, updated_by, device_id) "
        f"VALUES (?, ?, ?, ?, ?, ?, '{at}', 'a', '{at}', 'a', 'd')",
        rows,
    )
    # Person 0 has 01/01–01/02 and from 01/02: they touch, no overlap; the others one each.
    assert overlapping_episode(reg, tmp_path / "g.sotd", ids) is None
    reg.conn.execute(
        "INSERT INTO episodes (id, person_id, category, start_date, created_at, created_by, "
        f"updated_at, updated_by, device_id) VALUES (?, ?, 'user', '2026-05-01', '{at}', 'a', "
        f"'{at}', 'a', 'd')",
        ["00000000-0000-4000-8000-000000000099", ids[3]],
    )
    error = overlapping_episode(reg, tmp_path / "g.sotd", ids)
    assert isinstance(error, InvalidBundle)
    assert "từ 01/02/2026 và từ 01/05/2026" in str(error)
    assert "g.sotd" in str(error)
