"""The same unreported absence recorded on two laptops (Law 73/2021 Art. 40; Law 120/2025):
both rows arrive, the period's end moves once, and `check` names the overlap so the officer
keeps one (taking one back would otherwise move the end back although the days were counted
once)."""

from __future__ import annotations

from pathlib import Path

from db.persons import absences
from db.store.check import check_register
from db.store.register import Register
from tests.db.handover.test_handover_law120 import pair  # noqa: F401 - the fixture
from tests.support.handover import move


def test_one_absence_recorded_on_two_laptops_is_named_by_check(
    tmp_path: Path,
    pair: tuple[Register, Register, str, str],  # noqa: F811
) -> None:
    a, b, _person, episode = pair
    # 03/08 to 07/08/2026: 5 days, both counted; the decided end 02/03/2027 becomes 07/03/2027.
    absences.record_absence(a, episode, "2026-08-03", "2026-08-07", "Đi làm ăn xa")
    absences.record_absence(b, episode, "2026-08-03", "2026-08-07", "Đi làm ăn xa")
    move(a, b, tmp_path / "ab", "b")
    end = b.conn.execute("SELECT end_date, planned_end FROM episodes WHERE id = ?", [episode])
    assert "2027-03-07" in tuple(end.fetchone())
    assert len(absences.absences_of(b, _person)) == 2
    found = {p.what: p.detail for p in check_register(b)}
    what = next(w for w in found if w.startswith("Hai lần vắng mặt"))
    assert found[what].startswith("1 cặp")
    assert check_register(a) == []  # one laptop alone has one absence
