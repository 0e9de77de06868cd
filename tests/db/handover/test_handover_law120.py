"""A person's Law 120/2025 and post-rehab rows travel with them: unreported absences (Law
73/2021 Art. 40), electronic-monitoring orders and declared substances (Law 120/2025/QH15) and
the management team (Decree 105 Art. 40) go from laptop A to laptop B whole, a second import
changes nothing, and a field changed on both laptops is a conflict like any other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from db.handover import conflicts, receive
from db.persons import absences, declarations, episodes, monitoring, team
from db.store import records
from db.store.register import Register
from tests.support.handover import PASS, commune, export, laptop, move, snapshot, state

NEW_TABLES = ("absences", "monitoring_orders", "substance_declarations", "management_team")


def record_everything(reg: Register, person: str, episode: str) -> dict[str, str]:
    """One row of each kind for a post-rehab person; their ids by table."""
    absence = absences.record_absence(reg, episode, "2026-08-03", "2026-08-07",
                                      "Đi làm ăn xa không báo")  # fmt: skip
    order = monitoring.order_monitoring(
        reg, person, "2026-07-10", ordered_by="Lò Văn Thắng", start="2026-07-10",
        end="2026-12-31", device="Vòng đeo tay GS-01",
    )  # fmt: skip
    monitoring.end_monitoring(reg, order, "2026-10-15", "Chấp hành tốt, thôi giám sát")
    declared = declarations.declare_substances(reg, person, "2026-07-15", "MET, heroin",
                                               "Tự khai tại trụ sở")  # fmt: skip
    member = team.add_member(reg, person, {
        "role": "leader", "name": "Lò Văn Thắng", "relation": "Công an xã",
        "phone": "0912345678", "from_date": "2026-03-02",
    })  # fmt: skip
    return {"absences": absence, "monitoring_orders": order,
            "substance_declarations": declared, "management_team": member}  # fmt: skip


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Register, Register, str, str]:
    """Laptop A with a post-rehab person (from 02/03/2026, decided end 02/03/2027); laptop B
    took A's register over before any of the new rows were recorded."""
    a, b = laptop(tmp_path, "a", "an"), laptop(tmp_path, "b", "binh")
    person = commune(a, persons=2)[0]
    episode = episodes.open_episode(
        a, person, "post_rehab", "2026-03-02", planned="2027-03-02", decision_date="2026-03-02",
        decision_no="15/QĐ-UBND",
    )  # fmt: skip
    receive.import_bundle(b, export(a, tmp_path, full=True).path, PASS, take_over=True)
    return a, b, person, episode


def rows(reg: Register, table: str) -> list[tuple[Any, ...]]:
    return sorted(reg.conn.execute(f"SELECT * FROM [{table}]").fetchall())


def test_a_person_with_each_kind_of_row_arrives_whole(
    tmp_path: Path, pair: tuple[Register, Register, str, str]
) -> None:
    a, b, person, episode = pair
    ids = record_everything(a, person, episode)
    preview = move(a, b, tmp_path, "Máy B")
    assert {t: preview.tables[t].new for t in NEW_TABLES} == dict.fromkeys(NEW_TABLES, 1)
    for table in NEW_TABLES:
        assert rows(b, table) == rows(a, table), table
    assert snapshot(b) == snapshot(a)
    # Read back through the register's own functions, with hand-computed values.
    (absence,) = absences.absences_of(b, person)
    assert (absence["id"], absence["start_date"], absence["end_date"], absence["days"]) == (
        ids["absences"],
        "2026-08-03",
        "2026-08-07",
        5,
    )  # 03/08 to 07/08, both days counted
    # 5 unreported days move the decided end 02/03/2027 to 07/03/2027 (Law 73/2021 Art. 40).
    assert b.conn.execute("SELECT planned_end, absence_days FROM episodes WHERE id = ?",
                          [episode]).fetchone() == ("2027-03-07", 5)  # fmt: skip
    (order,) = monitoring.orders_of(b, person)
    assert (order["ordered_on"], order["from_date"], order["to_date"], order["ended_on"],
            order["end_reason"], order["device"], order["category"]) == (
        "2026-07-10", "2026-07-10", "2026-12-31", "2026-10-15", "Chấp hành tốt, thôi giám sát",
        "Vòng đeo tay GS-01", "post_rehab")  # fmt: skip
    (declared,) = declarations.declarations_of(b, person)
    assert (declared["declared_on"], declared["codes"]) == ("2026-07-15", ["MET", "HER"])
    (member,) = [m for m in team.members_of(b, person) if m["source"] == "team"]
    assert (member["id"], member["role"], member["name"], member["from_date"]) == (
        ids["management_team"],
        "leader",
        "Lò Văn Thắng",
        "2026-03-02",
    )


def test_a_second_import_changes_nothing(
    tmp_path: Path, pair: tuple[Register, Register, str, str]
) -> None:
    a, b, person, episode = pair
    record_everything(a, person, episode)
    made = export(a, tmp_path, "Máy B")
    receive.import_bundle(b, made.path, PASS)
    before = state(b)
    again = receive.import_bundle(b, made.path, PASS)
    assert again.imported_at is not None and state(b) == before
    # Merged once more (not only found in the import log): every row unchanged, nothing written.
    merged = receive.import_bundle(b, made.path, PASS, again=True)
    assert {t: merged.tables[t].unchanged for t in NEW_TABLES} == dict.fromkeys(NEW_TABLES, 1)
    assert state(b) == before


def test_changes_merge_field_by_field_and_a_field_changed_on_both_sides_is_a_conflict(
    tmp_path: Path, pair: tuple[Register, Register, str, str]
) -> None:
    a, b, person, episode = pair
    ids = record_everything(a, person, episode)
    move(a, b, tmp_path, "Máy B")
    move(b, a, tmp_path, "Máy A")  # A learns B has its rows: the base both hold
    declared, member = ids["substance_declarations"], ids["management_team"]
    records.update(a, "substance_declarations", declared, {"notes": "Khai lại ở nhà"})
    records.update(b, "substance_declarations", declared, {"notes": "Khai tại Công an xã"})
    records.update(a, "management_team", member, {"phone": "0987654321"})  # only A
    preview = move(a, b, tmp_path, "Máy B")
    assert preview.tables["substance_declarations"].conflicts == 1
    assert b.conn.execute("SELECT notes FROM substance_declarations").fetchone() == (
        "Khai tại Công an xã",
    )  # this side's value stays until the chief chooses
    assert preview.tables["management_team"].changed == 1  # only A changed it: taken
    assert b.conn.execute("SELECT phone FROM management_team").fetchone() == ("0987654321",)
    (conflict,) = conflicts.open_conflicts(b)
    assert (conflict["table_label"], conflict["field_label"], conflict["record"]) == (
        "Khai báo chất sử dụng",
        "Ghi chú",
        "Đặng Văn Đức (15/07/2026)",
    )
    assert (conflict["local_shown"], conflict["remote_shown"]) == (
        "Khai tại Công an xã",
        "Khai lại ở nhà",
    )
