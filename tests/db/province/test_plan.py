"""The province's plan: targets per year set by the chief, checked field by field, in the audit
log, and this year's progress against them."""

from __future__ import annotations

import json

import pytest

from db.core.errors import NotAllowed, ValidationError
from db.province.overview import CommuneRow
from db.province.plan import progress, set_target, target_for, targets
from db.store.register import Register

PLAN = "Kế hoạch xây dựng xã, phường, thị trấn không ma túy tỉnh Sơn La"


def _son_la(reg: Register) -> None:
    # Sơn La's plan: 44, 68 and 92 of its 204 communes; 1,359 of 2,303 villages by end 2023.
    for year, communes, villages in ((2023, 44, 1359), (2024, 68, 1600), (2025, 92, 1850)):
        set_target(reg, year, communes, villages, 204, 2303, PLAN, "125/KH-UBND")


def test_targets_are_kept_per_year(reg: Register) -> None:
    _son_la(reg)
    assert [(t.year, t.communes, t.villages) for t in targets(reg)] == [
        (2023, 44, 1359), (2024, 68, 1600), (2025, 92, 1850)]  # fmt: skip
    t = target_for(reg, 2023)
    assert t is not None and (t.total_communes, t.total_villages) == (204, 2303)
    assert t.plan_text() == f"{PLAN} số 125/KH-UBND"
    assert target_for(reg, 2030) is None


def test_setting_a_year_again_replaces_it_and_is_logged(reg: Register) -> None:
    _son_la(reg)
    set_target(reg, 2025, 95, 1850, 204, 2303, PLAN, "125/KH-UBND")
    assert [t.communes for t in targets(reg)] == [44, 68, 95]
    rows = reg.conn.execute(
        "SELECT action, changes FROM change_log WHERE table_name = 'province_plan' "
        "AND row_id = '2025' ORDER BY seq"
    ).fetchall()
    assert [r[0] for r in rows] == ["insert", "update"]
    assert json.loads(rows[1][1]) == {"communes": [92, 95]}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ((1999, 44, 10, 204, 2303, PLAN), "year", "Năm: từ 2000 đến 2100."),
        ((2025, 205, 10, 204, 2303, PLAN), "communes", "Số xã đạt không ma túy: từ 0 đến"),
        ((2025, 44, 2304, 204, 2303, PLAN), "villages", "Số thôn, bản đạt không ma túy"),
        ((2025, 44, 10, 0, 2303, PLAN), "total_communes", "Tổng số xã của tỉnh"),
        ((2025, 44, 10, 204, 2303, "  "), "plan_name", "Tên kế hoạch: không được để trống."),
    ],
)
def test_a_wrong_target_is_refused_naming_the_field(
    reg: Register, values: tuple[int, int, int, int, int, str], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        set_target(reg, *values)
    assert field in caught.value.errors and message in caught.value.errors[field]
    assert targets(reg) == []


def test_only_the_chief_sets_targets(reg: Register) -> None:
    reg.role = "officer"
    with pytest.raises(NotAllowed, match="đặt chỉ tiêu kế hoạch"):
        set_target(reg, 2025, 92, 1850, 204, 2303, PLAN)
    assert targets(reg) == []


def _row(name: str, met: int, villages: tuple[int, int]) -> CommuneRow:
    criteria = {f"c{i}": i < met for i in range(8)}
    return CommuneRow(
        commune_id=name, name=name, by_category={}, tests_month=0, positives_month=0,
        overdue_tests=0, criteria=criteria, villages_drug_free=villages[0],
        villages_total=villages[1], count_vs_baseline=(0, 0), latest_bundle_at=None,
        latest_report_at=None, report_in=False, closeness=met / 8,
    )  # fmt: skip


def test_progress_counts_communes_meeting_every_criterion(reg: Register) -> None:
    _son_la(reg)
    rows = [_row("Chiềng Mung", 8, (9, 9)), _row("Mường Bú", 7, (4, 12)),
            _row("Chiềng Ban", 5, (2, 10)), _row("Chiềng Mai", 8, (7, 8))]  # fmt: skip
    p = progress(reg, 2025, rows)
    assert (p.communes_met, p.villages_met, p.communes_listed, p.villages_listed) == (2, 22, 4, 39)
    assert p.target is not None and p.target.communes == 92
    assert (p.communes_short, p.villages_short) == (90, 1828)
    assert p.closest == ("Mường Bú", "Chiềng Ban")
    none = progress(reg, 2031, rows)
    assert none.target is None and none.communes_short is None
