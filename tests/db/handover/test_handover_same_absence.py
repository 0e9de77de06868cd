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


def test_two_different_absences_on_two_laptops_both_move_the_end(
    tmp_path: Path,
    pair: tuple[Register, Register, str, str],  # noqa: F811
) -> None:
    """Law 73/2021 Art. 40 (Law 120/2025 from 01/07/2026): every unreported absence is added to
    the period. Decided end 02/03/2027; laptop A records 03–07/08/2026 (5 days), laptop B
    10–12/09/2026 (3 days): after the bundles meet both laptops hold 8 days and the end
    10/03/2027, with no conflict left offering 07/03 or 05/03."""
    from db.handover.conflicts import open_conflicts

    a, b, person, episode = pair
    absences.record_absence(a, episode, "2026-08-03", "2026-08-07", "Đi làm ăn xa")
    absences.record_absence(b, episode, "2026-09-10", "2026-09-12", "Về quê vợ")
    preview = move(a, b, tmp_path / "ab", "b")
    assert any("tính lại" in note for note in preview.notes)
    move(b, a, tmp_path / "ba", "a")
    for reg in (a, b):
        row = reg.conn.execute(
            "SELECT planned_end, absence_days FROM episodes WHERE id = ?", [episode]
        ).fetchone()
        assert tuple(row) == ("2027-03-10", 8)
        assert len(absences.absences_of(reg, person)) == 2
        derived = ("planned_end", "absence_days")
        assert [c for c in open_conflicts(reg) if c["field"] in derived] == []
        assert check_register(reg) == []
    # Taking one back moves the end back by its own days only.
    taken = next(x for x in absences.absences_of(b, person) if x["days"] == 5)
    absences.delete_absence(b, taken["id"])
    end = b.conn.execute("SELECT planned_end FROM episodes WHERE id = ?", [episode]).fetchone()
    assert end[0] == "2027-03-05"
