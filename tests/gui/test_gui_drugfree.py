"""The drug-free commune page: the same figures as db.figures.stats, and a 12-month chart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QLineSeries, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from db.commune import places
from db.commune.settings import save_settings
from db.duties import actions
from db.figures.series import last_months, monthly_series
from db.figures.stats import figures
from db.law.categories import Category
from db.persons import drugtests
from db.store.register import Register
from gui.kit.common import RED, Column
from gui.pages.drugfree import GREEN, DrugFreePage, VerdictModel, month_label, nice_top, number

SHOTS = Path("/tmp/shots")
MONTHS = ["12/2025", "01/2026", "02/2026", "03/2026", "04/2026", "05/2026", "06/2026",
          "07/2026", "08/2026", "09/2026", "10/2026", "11/2026"]  # fmt: skip


@pytest.fixture
def commune(reg: Register, add: Callable[..., str]) -> Register:
    """Two users under management, an untreated addict, a suspect, tests over two months."""
    users = [add(n, birth_date="1990") for n in ("Lò Văn An", "Quàng Văn Bình")]
    for i, person in enumerate(users):
        actions.management_decision(reg, person, "15/09/2026", decision_no=f"0{i}/QĐ-UBND")
        drugtests.record_test(reg, person, "20/10/2026")
    drugtests.record_test(reg, users[0], "18/11/2026", positives="MET")
    addict = add("Cầm Văn Cường", birth_date="1985")
    actions.found_addicted(reg, addict, "01/06/2026")
    suspect = add("Điêu Văn Dũng", birth_date="1995")
    actions.suspected(reg, suspect, "10/11/2026")
    save_settings(reg, {"baseline_date": "01/01/2026", "baseline_users": 4,
                        "baseline_addicts": 1})  # fmt: skip
    places.save_hotspot(reg, {"name": "Lán bỏ hoang", "kind": "use", "found_date": "01/11/2026"})
    return reg


def ready_page(qtbot, reg: Register) -> DrugFreePage:
    page = DrugFreePage(reg)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: not page.busy(), timeout=10000)
    return page


def test_criteria_rows_are_the_figures(qtbot, commune: Register) -> None:
    page = ready_page(qtbot, commune)
    expected = figures(commune)["criteria"]
    model = page.criteria_model
    shown = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    verdicts = {True: "Đạt", False: "Chưa đạt", None: "—"}
    assert shown == [
        [c["label"], number(c["value"]), c["target"] or "—", verdicts[c["met"]]] for c in expected
    ]
    by_label = {row[0]: r for r, row in enumerate(shown)}
    models = by_label["Mô hình phòng, chống ma túy đang hoạt động"]
    assert shown[models][1:] == ["0", "≥ 1", "Chưa đạt"]
    assert model.index(models, 3).data(Qt.ItemDataRole.ForegroundRole).color() == RED
    psychosis = by_label["Vụ “ngáo đá” gây án nghiêm trọng trong 12 tháng"]
    assert model.index(psychosis, 3).data(Qt.ItemDataRole.ForegroundRole).color() == GREEN
    # The untreated addict: 0% of addicts in treatment.
    treated = by_label["Người nghiện được cai nghiện, điều trị (%)"]
    assert shown[treated][1:] == ["0", "100%", "Chưa đạt"]
    assert page.status_label.text() == ""
    assert page.heading.text() == "Số liệu đến ngày 20/11/2026"


def test_baseline_and_hotspot_thresholds(qtbot, commune: Register) -> None:
    page = ready_page(qtbot, commune)
    # 2 users + 1 addict now against 4 + 1 when the commune registered.
    assert page.baseline_label.text() == (
        "Khi đăng ký (01/01/2026): 4 người sử dụng, 1 người nghiện, tổng 5. "
        "Hiện nay: 2 người sử dụng, 1 người nghiện, tổng 3 — giảm 2 người."
    )
    hotspot = figures(commune)["hotspot"]
    model = page.hotspot_model
    assert model.rowCount() == len(hotspot["thresholds"]) == 4
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert labels == [t["label"] for t in hotspot["thresholds"]]
    # 2 users with a case file of a population of 500: 0,4% < 0,5%.
    assert [model.index(0, c).data() for c in (1, 2, 3)] == ["0,4% (2/500)", "≥ 0,5%", "Không"]
    assert page.hotspot_verdict.text() == (
        "Đến ngưỡng 0/4 tiêu chí (từ 3 tiêu chí là xã trọng điểm loại I): "
        "không thuộc diện xã trọng điểm"
    )


def test_chart_has_the_twelve_months_of_the_report_series(qtbot, commune: Register) -> None:
    page = ready_page(qtbot, commune)
    series = monthly_series(commune, last_months(2026, 11, 12))
    for view in (page.people_chart, page.tests_chart):
        [axis] = view.chart().axes(Qt.Orientation.Horizontal)
        assert isinstance(axis, QBarCategoryAxis)
        assert axis.count() == 12
        assert axis.categories() == MONTHS
        [value_axis] = view.chart().axes(Qt.Orientation.Vertical)
        assert isinstance(value_axis, QValueAxis)
    lines = {s.name(): s for s in page.people_chart.chart().series()}
    assert all(isinstance(s, QLineSeries) for s in lines.values())
    # Legend in Vietnamese; categories nobody was in all year are left out, as in the report.
    assert set(lines) == {"Sử dụng", "Nghiện", "Nghi vấn"}
    users = [p.y() for p in lines["Sử dụng"].points()]
    assert users == [m["categories"][Category.USER] for m in series]
    assert users[-3:] == [2, 2, 2] and users[0] == 0
    [bars] = page.tests_chart.chart().series()
    assert isinstance(bars, QBarSeries)
    tests, positives = bars.barSets()
    assert (tests.label(), positives.label()) == ("Lượt xét nghiệm", "Lượt dương tính")
    assert [tests.at(i) for i in range(12)] == [m["tests"] for m in series]
    assert [positives.at(i) for i in range(12)][-2:] == [0, 1]
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    page.grab().save(str(SHOTS / "drugfree.png"))
    page.chart_tabs.setCurrentWidget(page.tests_chart)
    QApplication.processEvents()
    page.grab().save(str(SHOTS / "drugfree_tests.png"))


def test_refresh_while_computing_computes_once_more(qtbot, commune: Register) -> None:
    page = ready_page(qtbot, commune)
    with qtbot.waitSignal(page.computed, timeout=10000):
        page.refresh()
        assert page.status_label.text() == "Đang tính…"
        page.refresh()  # asked again while busy: queued, not a second thread
    qtbot.waitUntil(lambda: not page.busy(), timeout=10000)
    assert page.status_label.text() == ""


def test_empty_register_shows_dashes_and_no_lines(qtbot, reg: Register) -> None:
    page = ready_page(qtbot, reg)
    model = page.criteria_model
    assert model.index(0, 1).data() == "—"
    assert page.people_chart.chart().series() == []
    assert page.people_chart.chart().title().endswith("không có người trong sổ")
    assert "Chưa nhập" in page.baseline_label.text()


def test_verdict_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = VerdictModel(
        [Column("Tiêu chí", lambda r: r["label"]), Column("Kết quả", lambda r: str(r["met"]))],
        verdict_column=1,
        good=lambda r: r["met"],
    )
    model.set_rows([{"label": "Một", "met": True}, {"label": "Hai", "met": None}])
    qtmodeltester.check(model)
    assert model.index(1, 1).data(Qt.ItemDataRole.ForegroundRole) is None


@pytest.mark.parametrize(
    ("value", "shown"), [(None, "—"), (66.7, "66,7"), (100.0, "100"), (3, "3"), ("2 / 5", "2 / 5")]
)
def test_numbers_read_the_vietnamese_way(value: object, shown: str) -> None:
    assert number(value) == shown


def test_month_labels_and_axis_tops() -> None:
    assert month_label("2026-10-31") == "10/2026"
    assert nice_top(1) == (1, 2)
    assert nice_top(7) == (8, 5)
    assert nice_top(45) == (50, 6)


def test_quitting_waits_for_a_running_computation(qtbot, commune: Register) -> None:
    page = DrugFreePage(commune)
    qtbot.addWidget(page)
    assert page.busy()
    task = page.task
    assert task is not None
    page.wait_for_figures()
    assert not task.running()
    qtbot.waitUntil(lambda: not page.busy(), timeout=10000)
