"""`check` names the Law 120/2025 and post-rehab rows whose person or episode is gone from the
register (a hard delete past the program): each by its id, under words an officer reads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db.persons import episodes
from db.store.check import check_register
from db.store.register import open_register
from tests.db.handover.test_handover_law120 import record_everything
from tests.support.handover import commune, laptop
from tests.support.registers import TODAY


def test_rows_whose_person_or_episode_is_missing_are_named(tmp_path: Path) -> None:
    reg = laptop(tmp_path, "a", "an")
    person = commune(reg, persons=2)[0]
    episode = episodes.open_episode(reg, person, "post_rehab", "2026-03-02",
                                    planned="2027-03-02", decision_date="2026-03-02")  # fmt: skip
    ids = record_everything(reg, person, episode)
    assert check_register(reg) == []  # sound before anyone edits the file
    reg.close()
    raw = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("DELETE FROM episodes WHERE id = ?", [episode])
    raw.execute("DELETE FROM persons WHERE id = ?", [person])
    raw.close()
    with open_register(tmp_path / "a.db", user="an", today=lambda: TODAY) as reg:
        found = {p.what: p.detail for p in check_register(reg)}
    assert found["Vắng mặt không có người tương ứng"] == f"absences: {ids['absences']}"
    assert found["Vắng mặt không có diện quản lý tương ứng"] == f"absences: {ids['absences']}"
    assert found["Lệnh giám sát điện tử không có diện quản lý tương ứng"] == (
        f"monitoring_orders: {ids['monitoring_orders']}"
    )
    assert found["Lệnh giám sát điện tử không có người tương ứng"] == (
        f"monitoring_orders: {ids['monitoring_orders']}"
    )
    assert found["Khai báo chất sử dụng không có người tương ứng"] == (
        f"substance_declarations: {ids['substance_declarations']}"
    )
    assert found["Thành viên tổ quản lý không có người tương ứng"] == (
        f"management_team: {ids['management_team']}"
    )
