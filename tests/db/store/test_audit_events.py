"""Sensitive data leaving the laptop is logged: printed sheets and reports, exports, copies."""

from __future__ import annotations

from db.excel.export import export_people
from db.store.audit import verify_chain
from db.store.history import person_history
from reports.build import copy_report, monthly_report, person_report


def _events(reg, kind: str) -> list[dict]:
    return list(reg.db.query("SELECT * FROM change_log WHERE action = ?", [kind]))


def test_person_sheet_shows_in_the_persons_history(reg, add, tmp_path):
    person = add("Lò Văn An")
    person_report(reg, person, tmp_path / "phieu.pdf")
    printed = [h for h in person_history(reg, person) if h["action"] == "print"]
    assert len(printed) == 1 and "phieu.pdf" in printed[0]["changes"]
    assert verify_chain(reg) == []


def test_monthly_report_copy_and_excel_export_are_logged(reg, add, tmp_path):
    add("Quàng Thị Bình")
    built = monthly_report(reg, "2026-10", outbox=None)
    assert any("Báo cáo tháng 10/2026" in e["changes"] for e in _events(reg, "print"))
    usb = tmp_path / "usb"
    usb.mkdir()
    from reports.build import outbox_for

    copy_report(reg, outbox_for(reg), built.entry.id, usb)
    export_people(reg, tmp_path / "ds.xlsx")
    exports = [e["changes"] for e in _events(reg, "export")]
    assert any(str(usb) in e for e in exports) and any("ds.xlsx" in e for e in exports)
    assert verify_chain(reg) == []
