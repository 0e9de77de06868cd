"""The provincial overview screen: one row per commune with its own register's counts, sorted
by a click on a column, filtered by name, by "report not in" and by "close to the criteria",
a commune opened with its own figures and due list, and the provincial report saved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from db.duties.due import due_items
from db.figures.stats import figures
from db.province.overview import month_period
from gui.pages.province import ProvincePage
from gui.pages.province_commune import CommuneDialog
from gui.pages.province_model import near
from tests.db.province.province_helpers import Province
from tests.reports.test_provincial_report import build, text_of

NOVEMBER = date(2026, 11, 1)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    built = build(tmp_path_factory.mktemp("tinh"))
    yield built
    for reg in (built.reg, *built.communes.values()):
        reg.close()


@pytest.fixture
def page(qtbot: QtBot, province: Province) -> Iterator[ProvincePage]:
    shown = ProvincePage(province.reg)
    qtbot.addWidget(shown)
    shown.resize(1146, 708)  # the screen's part of a 1366×768 window
    shown.show()
    qtbot.waitUntil(lambda: shown.data is not None, timeout=20_000)
    yield shown
    shown.wait()
    if shown.dialog is not None:
        shown.dialog.wait()


def column(page: ProvincePage, head: str) -> int:
    heads = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in
             range(page.model.columnCount())]  # fmt: skip
    return heads.index(head)


def cells(page: ProvincePage, head: str) -> list[str]:
    col = column(page, head)
    return [page.model.index(r, col).data() for r in range(page.model.rowCount())]


def own_figures(province: Province) -> dict[str, dict[str, Any]]:
    """Each commune's November figures from its own register, by the name the screen shows."""
    out = {}
    for cid, own in province.communes.items():
        start, end = month_period(own, NOVEMBER)
        out[province.names[cid].replace("Công an xã", "Xã")] = figures(own, on=end, start=start)
    return out


def click_header(qtbot: QtBot, page: ProvincePage, col: int) -> None:
    page.view.scrollTo(page.model.index(0, col))
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_one_row_per_commune_with_its_own_registers_counts(
    page: ProvincePage, province: Province, qtmodeltester: Any
) -> None:
    qtmodeltester.check(page.model)
    mine = own_figures(province)
    names = cells(page, "Xã, phường")
    assert sorted(names) == sorted(mine) and len(names) == 3
    people = dict(zip(names, cells(page, "Tổng số người"), strict=True))
    tests = dict(zip(names, cells(page, "Xét nghiệm"), strict=True))
    users = dict(zip(names, cells(page, "Sử dụng"), strict=True))
    for name, f in mine.items():
        assert people[name] == str(f["people_total"])
        assert tests[name] == str(f["tests"]["total"])
        assert users[name] == str(f["categories"]["user"])
    report = dict(zip(names, cells(page, "Báo cáo tháng này"), strict=True))
    assert report == {"Xã Chiềng Mung": "Đã nhận", "Xã Chiềng Ban": "Đã nhận",
                      "Xã Mường Bú": "Chưa gửi"}  # fmt: skip
    assert "3 xã" in page.totals_label.text() and "đã nhận 2/3 xã" in page.totals_label.text()
    assert "Chưa nhập chỉ tiêu năm 2026" in page.plan_label.text()


def test_a_click_on_a_column_sorts_by_it(qtbot: QtBot, page: ProvincePage) -> None:
    col = column(page, "Tổng số người")
    click_header(qtbot, page, col)
    ascending = [int(v) for v in cells(page, "Tổng số người")]
    assert ascending == sorted(ascending)
    click_header(qtbot, page, col)
    descending = [int(v) for v in cells(page, "Tổng số người")]
    assert descending == sorted(ascending, reverse=True)
    page.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    # Vietnamese order: Chiềng Ban, Chiềng Mung, Mường Bú.
    assert cells(page, "Xã, phường") == ["Xã Chiềng Ban", "Xã Chiềng Mung", "Xã Mường Bú"]


def test_the_filters_keep_the_communes_asked_for(qtbot: QtBot, page: ProvincePage) -> None:
    qtbot.keyClicks(page.search, "muong")  # no accents, any case
    assert cells(page, "Xã, phường") == ["Xã Mường Bú"]
    page.search.clear()
    qtbot.mouseClick(page.missing, Qt.MouseButton.LeftButton)
    assert cells(page, "Xã, phường") == ["Xã Mường Bú"]
    assert "Đang hiện 1/3 xã" in page.status.text()
    qtbot.mouseClick(page.missing, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.near, Qt.MouseButton.LeftButton)
    assert page.data is not None
    expected = sorted(r.name.replace("Công an xã", "Xã") for r in page.data.rows if near(r))
    assert sorted(cells(page, "Xã, phường")) == expected
    qtbot.mouseClick(page.near, Qt.MouseButton.LeftButton)
    assert len(cells(page, "Xã, phường")) == 3


def test_another_month_is_computed_for_that_month(qtbot: QtBot, page: ProvincePage) -> None:
    with qtbot.waitSignal(page.computed, timeout=20_000):
        page.month.setCurrentIndex(page.month.findText("10/2026"))
    assert cells(page, "Báo cáo tháng này") == ["Chưa gửi"] * 3
    assert "Tháng 10/2026" in page.totals_label.text()


def test_double_clicking_a_commune_shows_its_own_figures_and_due_list(
    qtbot: QtBot, page: ProvincePage, province: Province
) -> None:
    page.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert cells(page, "Xã, phường")[2] == "Xã Mường Bú"
    index = page.model.index(2, column(page, "Tổng số người"))
    page.view.scrollTo(index)
    where = page.view.visualRect(index).center()
    # A double-click as Qt sees one: the press and release first, then the double-click.
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    dialog = page.dialog
    assert isinstance(dialog, CommuneDialog)
    qtbot.waitUntil(lambda: dialog.result_data is not None, timeout=20_000)
    own = next(r for cid, r in province.communes.items() if "Mường Bú" in province.names[cid])
    start, end = month_period(own, NOVEMBER)
    mine = figures(own, on=end, start=start)
    assert [dialog.criteria.index(r, 3).data() for r in range(dialog.criteria.rowCount())] == [
        {True: "Đạt", False: "Chưa đạt", None: "—"}[c["met"]] for c in mine["criteria"]
    ]
    assert f"Số người trong sổ: {mine['people_total']} " in dialog.summary.text()
    assert "từ ngày 16/10/2026 đến ngày 15/11/2026" in dialog.heading.text()  # cut-off day 15
    due = due_items(own, end)
    assert dialog.due.rowCount() == len(due) > 0
    names = {dialog.due.index(r, 2).data() for r in range(dialog.due.rowCount())}
    assert names == {i.person.get("full_name", "") for i in due}
    dialog.close()


def test_a_communes_monthly_report_is_saved_from_its_dialog(
    qtbot: QtBot, province: Province, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from db.province.overview import commune_rows

    row = next(r for r in commune_rows(province.reg, NOVEMBER) if "Mường Bú" in r.name)
    dialog = CommuneDialog(province.reg, row, NOVEMBER)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.result_data is not None, timeout=20_000)
    target = tmp_path / "muong-bu-11-2026"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(dialog.report_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=30_000)
    assert dialog.saved == target.with_name(target.name + ".pdf")
    text = text_of(dialog.saved.read_bytes())
    assert "Mường Bú".upper() in text.upper() and "11/2026" in text
    own = next(r for cid, r in province.communes.items() if "Mường Bú" in province.names[cid])
    start, end = month_period(own, NOVEMBER)
    people = figures(own, on=end, start=start)["people_total"]
    assert str(people) in text
    dialog.close()


def test_the_provincial_report_is_saved_where_chosen(
    qtbot: QtBot, page: ProvincePage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "bao-cao-tinh-11-2026.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), ""))  # fmt: skip
    with qtbot.waitSignal(page.printed, timeout=30_000):
        qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert "Đã lưu báo cáo tỉnh" in page.status.text()
    text = text_of(target.read_bytes())
    assert all(f"Xã {n}" in text for n in ("Chiềng Mung", "Chiềng Ban", "Mường Bú"))
    assert "Có 1 xã chưa gửi báo cáo tháng: Xã Mường Bú." in text
