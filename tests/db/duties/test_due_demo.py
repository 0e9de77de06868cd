"""The today screen of a training register (`python main.py demo`): what a new user sees first
is what is really due. Today is Friday 20/11/2026."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from db.demo.fill import fill_demo
from db.duties.due import due_items
from db.law.categories import IN_FACILITY
from db.store.register import Register, open_register
from tests.support.registers import TODAY


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path = tmp_path_factory.mktemp("demo") / "so.db"
    reg = open_register(path, create=True, today=lambda: TODAY)
    fill_demo(reg, persons=500, seed=1, on=TODAY)
    yield reg
    reg.close()


def _released_since(reg: Register, since: date) -> set[str]:
    """People who came out of a facility after `since` and are not back in one."""
    facilities = [c.value for c in IN_FACILITY]
    marks = ",".join("?" * len(facilities))
    rows = reg.db.execute(
        f"SELECT person_id FROM episodes WHERE deleted = 0 AND category IN ({marks}) "
        "AND end_date > ? AND end_date <= ? AND end_kind = 'completed'",
        [*facilities, since.isoformat(), TODAY.isoformat()],
    )
    return {person_id for (person_id,) in rows}


def test_no_one_released_within_a_month_has_an_overdue_residence_check(
    demo: Register,
) -> None:
    released = _released_since(demo, TODAY - timedelta(days=31))
    assert released  # the demo commune has people just back from a facility
    residence = [i for i in due_items(demo, TODAY) if i.kind == "residence"]
    late = [(i.person["full_name"], i.due) for i in residence
            if i.person_id in released and i.overdue]  # fmt: skip
    assert late == []
    # Nor due before the release: the first check counts from coming home.
    assert all(i.due > TODAY - timedelta(days=31) for i in residence if i.person_id in released)


def test_no_one_in_a_facility_has_a_residence_check(demo: Register) -> None:
    facilities = ",".join(f"'{c.value}'" for c in IN_FACILITY)
    inside = {
        person_id
        for (person_id,) in demo.db.execute(
            f"SELECT person_id FROM episodes WHERE deleted = 0 AND category IN ({facilities}) "
            "AND start_date <= ? AND (end_date IS NULL OR end_date > ?)",
            [TODAY.isoformat(), TODAY.isoformat()],
        )
    }
    assert inside
    due = due_items(demo, TODAY)
    assert [i for i in due if i.kind in ("residence", "test") and i.person_id in inside] == []
