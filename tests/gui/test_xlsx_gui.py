"""The Excel screen driven as an officer drives it (offscreen; the test answers file dialogs)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog

from db.excel.importer import DUPLICATE, IMPORT, REJECTED, plan_import
from db.persons import drugtests, people
from db.persons.listing import PersonFilter
from db.store.register import Register
from gui.kit.common import ID_ROLE, RED
from gui.pages.excel import ROW_ROLE, ExcelPage, ImportPreviewModel

WAIT_MS = 20_000


def messy(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sach doi tuong"
    for row in (
        ["DANH SÁCH NGƯỜI SỬ DỤNG TRÁI PHÉP CHẤT MA TÚY"],
        ["TT", "HO TEN", "Nam sinh", "So CCCD", "Thon", "Dien", "Ngay bat dau"],
        [1, "Nguyễn Văn An", "1990", None, "Bản Mòng", "Nghi vấn", "01/11/2026"],
        [2, "Lò Văn Mới", "1988", None, "Bản Nà Sản", "Sử dụng trái phép", "02/11/2026"],
        [3, "Vì Văn Sai", "1988", "123"],
        [4, "Cầm Văn Khác", "1970", None, None, "Nghiện nặng", "01/11/2026"],
    ):
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def page(qtbot: Any, reg: Register, person: str) -> Iterator[ExcelPage]:
    widget = ExcelPage(reg)
    widget.set_filter_source(lambda: PersonFilter(text="nguyen"))
    qtbot.addWidget(widget)
    yield widget
    qtbot.waitUntil(lambda: widget.task is None, timeout=WAIT_MS)


def answer_open(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def answer_save(monkeypatch: pytest.MonkeyPatch, path: Path | str) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def click(qtbot: Any, page: ExcelPage, button: Any) -> None:
    assert button.isEnabled(), page.reason_label.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None, timeout=WAIT_MS)


def test_preview_model_passes_qtmodeltester(
    qtmodeltester: Any, reg: Register, person: str, tmp_path: Path
) -> None:
    plan = plan_import(reg, messy(tmp_path / "ds.xlsx"))
    model = ImportPreviewModel()
    model.set_plan(plan)
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    model.set_fate(REJECTED)
    qtmodeltester.check(model)
    assert [model.plan_row(r).name for r in range(model.rowCount())] == [
        "Vì Văn Sai", "Cầm Văn Khác",
    ]  # fmt: skip
    index = model.index(0, ImportPreviewModel.REASON)
    assert "Số CCCD" in index.data() and index.data(Qt.ItemDataRole.ToolTipRole) == index.data()
    assert index.data(Qt.ItemDataRole.ForegroundRole).color() == RED
    assert index.data(ROW_ROLE).fate == REJECTED
    model.set_plan(None)
    assert model.rowCount() == 0


def test_save_the_template(
    qtbot: Any, page: ExcelPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_save(monkeypatch, tmp_path / "mau")  # the officer leaves out ".xlsx"
    qtbot.mouseClick(page.template_button, Qt.MouseButton.LeftButton)
    assert load_workbook(tmp_path / "mau.xlsx").sheetnames[:2] == ["Đối tượng", "Xét nghiệm"]
    assert str(tmp_path / "mau.xlsx") in page.result_label.text()


def test_preview_then_import_then_save_the_rejected_rows(
    qtbot: Any, reg: Register, person: str, page: ExcelPage, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    assert not page.apply_button.isEnabled()
    assert page.reason_label.text() == "Chọn tệp Excel để xem trước."
    answer_open(monkeypatch, messy(tmp_path / "ds.xlsx"))
    click(qtbot, page, page.import_button)
    assert page.summary_label.text() == (
        "1 dòng sẽ nhập (1 người, 0 lần xét nghiệm), 1 dòng có thể trùng (không nhập), "
        "2 dòng bị từ chối."
    )
    assert page.villages_label.text() == "Thôn/bản chưa có, sẽ tạo mới: Bản Nà Sản"
    model = page.model
    fates = [model.plan_row(r).fate for r in range(model.rowCount())]
    assert fates == [DUPLICATE, IMPORT, REJECTED, REJECTED]
    duplicate = model.index(0, ImportPreviewModel.REASON)
    assert "Nguyễn Văn An" in duplicate.data() and duplicate.data(ID_ROLE) == person
    page.fate_combo.setCurrentIndex(page.fate_combo.findData(REJECTED))
    assert model.rowCount() == 2
    assert page.apply_button.text() == "Nhập 1 dòng hợp lệ"
    assert page.rejected_button.isEnabled()

    with qtbot.waitSignal(page.register_changed, timeout=WAIT_MS):
        click(qtbot, page, page.apply_button)
    assert "Đã nhập 1 người (1 diện quản lý)" in page.result_label.text()
    assert people.get_person(reg, model_id(reg, "Lò Văn Mới"))["village"] == "Bản Nà Sản"
    # Imported once: the button cannot bring the same rows in twice.
    assert not page.apply_button.isEnabled()
    assert "Đã nhập tệp này" in page.apply_button.toolTip()

    answer_save(monkeypatch, tmp_path / "ds-loi.xlsx")
    click(qtbot, page, page.rejected_button)
    rows = list(load_workbook(tmp_path / "ds-loi.xlsx").active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Vì Văn Sai", "Cầm Văn Khác"]
    assert "Đã lưu 2 dòng bị từ chối" in page.result_label.text()


def model_id(reg: Register, name: str) -> str:
    row = reg.db.execute("SELECT id FROM persons WHERE full_name = ?", [name]).fetchone()
    return str(row[0])


def test_a_file_that_is_not_excel_is_said_so(
    qtbot: Any, page: ExcelPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "ds.xlsx"
    bad.write_text("Họ và tên;Ngày sinh\n", encoding="utf-8")
    answer_open(monkeypatch, bad)
    click(qtbot, page, page.import_button)
    assert "không phải tệp Excel" in page.result_label.text()
    assert page.model.rowCount() == 0 and not page.apply_button.isEnabled()


def test_exports(
    qtbot: Any, reg: Register, person: str, page: ExcelPage, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    people.add_person(reg, {"full_name": "Lò Văn Khác", "birth_date": "1980"})
    drugtests.record_test(reg, person, date(2026, 11, 10), result="negative")
    page.only_filtered.setChecked(True)
    answer_save(monkeypatch, tmp_path / "loc.xlsx")
    click(qtbot, page, page.export_button)
    rows = list(load_workbook(tmp_path / "loc.xlsx")["Đối tượng"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Nguyễn Văn An"]  # the list filtered on "nguyen"
    assert "1 người." in page.result_label.text()

    page.tests_from.setDate(QDate(2026, 11, 1))
    page.tests_to.setDate(QDate(2026, 11, 20))
    answer_save(monkeypatch, tmp_path / "xn.xlsx")
    click(qtbot, page, page.export_tests_button)
    tests = list(load_workbook(tmp_path / "xn.xlsx")["Xét nghiệm"].iter_rows(values_only=True))
    assert [r[1] for r in tests[1:]] == ["Nguyễn Văn An"]
    assert "Đã xuất 1 lần xét nghiệm (01/11/2026 – 20/11/2026)" in page.result_label.text()

    page.tests_from.setDate(QDate(2026, 11, 21))
    page.tests_to.setDate(QDate(2026, 11, 1))
    qtbot.mouseClick(page.export_tests_button, Qt.MouseButton.LeftButton)
    assert page.result_label.text() == "Ngày kết thúc trước ngày bắt đầu."
