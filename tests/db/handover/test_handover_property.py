"""Properties of the merge, for any edits: importing a bundle again changes nothing, and changes
that do not conflict end the same whatever order their bundles arrive in."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.handover import conflicts, receive
from db.persons import drugtests, people
from db.store.register import Register
from tests.support.handover import PASS, commune, export, laptop, snapshot, state

FIELDS = ("phone", "occupation", "notes", "other_names", "current_address", "ethnicity")
VALUES = {
    "phone": ("0912345678", "0388 111 222", ""),
    **{f: ("Làm nương", "Đi xa", "Bản Mòng", "Thái", "") for f in FIELDS if f != "phone"},
}
PEOPLE = 3

edit = st.tuples(
    st.integers(0, PEOPLE - 1),
    st.sampled_from(FIELDS),
    st.integers(0, 2),
)
side = st.fixed_dictionaries(
    {
        "edits": st.lists(edit, max_size=5),
        "tests": st.lists(st.integers(0, PEOPLE - 1), max_size=2),
        "deletes": st.lists(st.integers(0, PEOPLE - 1), max_size=1),
    }
)
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _apply(reg: Register, ids: list[str], changes: dict[str, list[tuple[int, str, int]]],
           day: int) -> None:  # fmt: skip
    for person, name, pick in changes["edits"]:
        if person not in changes["deletes"]:
            people.update_person(reg, ids[person], {name: VALUES[name][pick]})
    for n, person in enumerate(changes["tests"]):
        if person not in changes["deletes"]:
            drugtests.record_test(reg, ids[person], f"2026-10-{day + n:02d}", result="negative")
    for person in changes["deletes"]:
        people.delete_person(reg, ids[person])


def _touched(changes: dict[str, list[tuple[int, str, int]]]) -> set[tuple[int, str]]:
    return {(p, f) for p, f, _ in changes["edits"] if p not in changes["deletes"]} | {
        (p, "deleted") for p in changes["deletes"]
    }


def _start(folder: Path, names: list[str]) -> tuple[list[Register], list[str]]:
    """An origin laptop with people, and laptops made from its full bundle."""
    origin = laptop(folder, "origin")
    ids = commune(origin, persons=PEOPLE)
    full = export(origin, folder, full=True)
    copies = []
    for name in names:
        reg = laptop(folder, name)
        receive.import_bundle(reg, full.path, PASS, take_over=True)
        copies.append(reg)
    return [origin, *copies], ids


@SLOW
@given(b_side=side, c_side=side)
def test_changes_that_do_not_conflict_merge_the_same_in_any_order(
    b_side: dict[str, list[tuple[int, str, int]]], c_side: dict[str, list[tuple[int, str, int]]]
) -> None:
    # Disjoint fields: B's and C's changes never touch the same field of the same person.
    c_side = {**c_side, "edits": [e for e in c_side["edits"] if (e[0], e[1]) not in
                                  _touched(b_side)]}  # fmt: skip
    c_side["deletes"] = [p for p in c_side["deletes"] if (p, "deleted") not in _touched(b_side)
                         and not any(p == q for q, _, _ in b_side["edits"])]  # fmt: skip
    b_side = {**b_side, "edits": [e for e in b_side["edits"] if e[0] not in c_side["deletes"]]}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (origin, b, c, r1, r2), ids = _start(folder, ["b", "c", "r1", "r2"])
        _apply(b, ids, b_side, 1)
        _apply(c, ids, c_side, 10)
        from_b = export(b, folder, "R").path
        from_c = export(c, folder, "R").path
        for reg, order in ((r1, (from_b, from_c)), (r2, (from_c, from_b))):
            for path in order:
                receive.import_bundle(reg, path, PASS)
        assert snapshot(r1) == snapshot(r2)
        assert conflicts.count_open(r1) == conflicts.count_open(r2) == 0
        expected = {
            (person, name): VALUES[name][pick]
            for changes in (b_side, c_side)
            for person, name, pick in changes["edits"]
            if person not in changes["deletes"]
        }
        for (person, name), value in expected.items():
            row = r1.conn.execute(f"SELECT {name} FROM persons WHERE id = ?", [ids[person]])
            assert row.fetchone()[0] == value
        for reg in (origin, b, c, r1, r2):
            reg.close()


@SLOW
@given(a_side=side, b_side=side)
def test_importing_a_bundle_again_changes_nothing(
    a_side: dict[str, list[tuple[int, str, int]]], b_side: dict[str, list[tuple[int, str, int]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (a, b), ids = _start(folder, ["b"])
        _apply(a, ids, a_side, 1)
        _apply(b, ids, b_side, 10)
        made = export(b, folder, a.device_id).path
        receive.import_bundle(a, made, PASS)
        before, open_before = state(a), conflicts.count_open(a)
        again = receive.import_bundle(a, made, PASS, again=True)
        assert again.total.new == again.total.changed == 0
        assert state(a) == before
        assert conflicts.count_open(a) == open_before
        # And the other way round, after a first exchange (now with bases on both sides).
        back = export(a, folder, "Máy B").path
        receive.import_bundle(b, back, PASS)
        before = state(b)
        receive.import_bundle(b, back, PASS, again=True)
        assert state(b) == before
        a.close()
        b.close()
