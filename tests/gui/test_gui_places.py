"""The places page driven as an officer drives it: forms by keyboard, then what the screen says
and what the register holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from db.commune import places
from db.core.errors import ValidationError
from db.duties import actions
from db.law.categories import SHORT_LABELS, Category
from db.store.register import Register
from gui.dialogs.places import HotspotDialog, IncidentDialog, ModelDialog, VillageDialog
from gui.kit.common import ID_ROLE
from gui.kit.forms import RecordDialog
from gui.pages.places import ListTab, PlacesPage
from tests.support.typing_helpers import type_text

SHOTS = Path("/tmp/shots")


pytestmark = pytest.mark.usefixtures("no_message_boxes")


@pytest.fixture
def page(qtbot, reg: Register) -> PlacesPage:
    page = PlacesPage(reg)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def cell(tab: ListTab, row: int, header: str) -> str:
    """The text of a table cell, the column found by its header."""
    model = tab.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return model.index(row, headers.index(header)).data()


def open_form(qtbot, page: PlacesPage, button: QWidget) -> RecordDialog:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    return dialog


def shown_error(dialog: RecordDialog, key: str) -> str:
    label = dialog.findChild(QWidget, f"{key}Error")
    return label.text() if label.isVisible() else ""


def test_add_a_village_from_the_keyboard(qtbot, page: PlacesPage, reg: Register) -> None:
    dialog = open_form(qtbot, page, page.villages.add_button)
    assert isinstance(dialog, VillageDialog)
    assert not dialog.save_button.isEnabled()
    assert dialog.why.text() == "Chưa nhập: Tên thôn/bản."
    assert dialog.save_button.toolTip() == dialog.why.text()
    type_text(qtbot, dialog.name, "Bản Hua  Păng")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)  # to the kind
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Tab)  # to the population
    assert dialog.focusWidget() is dialog.population
    type_text(qtbot, dialog.population, "1250")
    type_text(qtbot, dialog.households, "262")
    assert dialog.save_button.isEnabled() and dialog.why.text() == ""
    with qtbot.waitSignal(page.register_changed):
        qtbot.keyClick(dialog.households, Qt.Key.Key_Return)
    assert not dialog.isVisible()

    saved = places.village_by_name(reg, "ban hua pang")
    assert saved is not None
    assert (saved["name"], saved["population"], saved["households"]) == ("Bản Hua Păng", 1250, 262)
    assert cell(page.villages, 0, "Tên thôn/bản") == "Bản Hua Păng"
    assert cell(page.villages, 0, "Dân số") == "1.250"
    assert cell(page.villages, 0, "Không ma túy") == "Chưa đạt"
    assert page.villages.selected()["id"] == saved["id"]
    assert page.villages.summary.text() == "1 thôn/bản, 0 đạt không ma túy"


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("population", "nhiều", "Dân số: phải là số nguyên."),
        ("population", "-5", "Dân số: không được âm."),
        ("households", "1,5", "Số hộ: phải là số nguyên."),
        ("name", "BẢN MÒNG", "Tên thôn/bản: “BẢN MÒNG” đã có."),
    ],
)
def test_a_wrong_village_field_says_why_and_saves_nothing(
    qtbot, page: PlacesPage, reg: Register, village: str, field: str, text: str, message: str
) -> None:
    page.refresh()
    dialog = open_form(qtbot, page, page.villages.add_button)
    if field != "name":
        type_text(qtbot, dialog.name, "Bản Mới")
    type_text(qtbot, getattr(dialog, field), text)
    assert shown_error(dialog, field) == message
    assert not dialog.save_button.isEnabled()
    assert dialog.why.text() == "Sửa các ô có chữ đỏ rồi lưu."
    qtbot.keyClick(getattr(dialog, field), Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert [v["name"] for v in places.villages(reg)] == ["Bản Mòng"]


def test_a_name_typed_then_cleared_is_flagged_next_to_the_field(qtbot, page: PlacesPage) -> None:
    dialog = open_form(qtbot, page, page.villages.add_button)
    assert shown_error(dialog, "name") == ""  # nothing shouted before the officer types
    type_text(qtbot, dialog.name, "Bản")
    dialog.name.selectAll()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Backspace)
    assert shown_error(dialog, "name") == "Tên thôn/bản: không được để trống."


def test_escape_cancels_the_form(qtbot, page: PlacesPage, reg: Register) -> None:
    dialog = open_form(qtbot, page, page.villages.add_button)
    type_text(qtbot, dialog.name, "Bản Bỏ Dở")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert places.villages(reg) == []


def test_the_registers_refusal_lands_next_to_its_field(
    qtbot, page: PlacesPage, reg: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise ValidationError({"households": "Số hộ: nhiều hơn dân số.", "other": "Lỗi khác."})

    monkeypatch.setattr(places, "save_village", refuse)
    dialog = open_form(qtbot, page, page.villages.add_button)
    type_text(qtbot, dialog.name, "Bản Nậm Giôn")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert shown_error(dialog, "households") == "Số hộ: nhiều hơn dân số."
    assert dialog.general_error.text() == "Lỗi khác."


def test_village_counts_come_from_the_figures(
    qtbot, reg: Register, add: Callable[..., str], village: str
) -> None:
    person = add("Lò Văn Đức", birth_date="1990")
    actions.management_decision(reg, person, "10/11/2026", decision_no="01/QĐ-UBND")
    places.save_village(reg, {"name": "Bản Mòng", "drug_free": True,
                              "drug_free_since": "15/03/2024"}, village)  # fmt: skip
    page = PlacesPage(reg)
    qtbot.addWidget(page)
    assert cell(page.villages, 0, "Tổng số") == "1"
    assert cell(page.villages, 0, SHORT_LABELS[Category.USER]) == "1"
    assert cell(page.villages, 0, SHORT_LABELS[Category.ADDICT]) == ""
    assert cell(page.villages, 0, "Không ma túy") == "Đạt, từ 15/03/2024"


def test_edit_a_village_by_double_click(qtbot, page: PlacesPage, reg: Register, village: str):
    page.refresh()
    view = page.villages.view
    rect = view.visualRect(page.villages.model.index(0, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = page.dialog
    assert isinstance(dialog, VillageDialog) and dialog.name.text() == "Bản Mòng"
    dialog.drug_free.check.setChecked(True)
    dialog.drug_free.edit.setDate(dialog.drug_free.edit.date().addDays(-30))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = places.village_by_name(reg, "Bản Mòng")
    assert row["drug_free"] == 1 and row["drug_free_since"] == "2026-10-21"
    assert cell(page.villages, 0, "Không ma túy") == "Đạt, từ 21/10/2026"


def test_hotspot_added_then_marked_cleared(qtbot, page: PlacesPage, reg: Register, village: str):
    page.refresh()
    page.tabs.setCurrentWidget(page.hotspots)
    assert not page.hotspots.extra_button.isEnabled()  # nothing selected
    dialog = open_form(qtbot, page, page.hotspots.add_button)
    assert isinstance(dialog, HotspotDialog)
    type_text(qtbot, dialog.name, "Lán nương bỏ hoang")
    dialog.kind.setCurrentIndex(dialog.kind.findData("harbour"))
    dialog.village.setCurrentIndex(dialog.village.findData(village))
    dialog.found.setDate(dialog.found.date().addDays(-50))  # 01/10/2026
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert cell(page.hotspots, 0, "Thôn/bản") == "Bản Mòng"
    assert cell(page.hotspots, 0, "Tình trạng") == "Đang tồn tại"
    assert page.hotspots.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert page.hotspots.summary.text() == "1 điểm, 1 điểm đang tồn tại"

    assert page.hotspots.extra_button.isEnabled()  # the saved row is selected
    dialog = open_form(qtbot, page, page.hotspots.extra_button)
    assert dialog.cleared.value() == reg.today()
    dialog.cleared.edit.setDate(dialog.found.date().addDays(-1))
    assert shown_error(dialog, "cleared_date") == "Ngày xóa bỏ: trước ngày phát hiện."
    assert not dialog.save_button.isEnabled()
    dialog.cleared.edit.setDate(dialog.found.date().addDays(20))
    with qtbot.waitSignal(page.register_changed):
        qtbot.keyClick(dialog.cleared.edit, Qt.Key.Key_Return)
    hotspot_id = page.hotspots.model.index(0, 0).data(ID_ROLE)
    row = next(r for r in page.hotspots.model.rows() if r["id"] == hotspot_id)
    assert (row["found_date"], row["cleared_date"]) == ("2026-10-01", "2026-10-21")
    assert cell(page.hotspots, 0, "Tình trạng") == "Đã xóa bỏ ngày 21/10/2026"
    assert not page.hotspots.extra_button.isEnabled()


def test_model_added_then_ended(qtbot, page: PlacesPage, reg: Register) -> None:
    page.tabs.setCurrentWidget(page.models)
    dialog = open_form(qtbot, page, page.models.add_button)
    assert isinstance(dialog, ModelDialog)
    type_text(qtbot, dialog.name, "Câu lạc bộ thanh niên nói không với ma túy")
    dialog.start.setDate(dialog.start.date().addYears(-1))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert cell(page.models, 0, "Tình trạng") == "Đang hoạt động"
    dialog = open_form(qtbot, page, page.models.extra_button)
    assert dialog.windowTitle() == "Kết thúc mô hình"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert cell(page.models, 0, "Tình trạng") == "Đã kết thúc ngày 20/11/2026"
    assert page.models.summary.text() == "1 mô hình, 0 đang hoạt động"


def test_plants_incident_with_area(qtbot, page: PlacesPage, reg: Register) -> None:
    page.tabs.setCurrentWidget(page.incidents)
    dialog = open_form(qtbot, page, page.incidents.add_button)
    assert isinstance(dialog, IncidentDialog)
    assert not dialog.area.isEnabled()  # psychosis first: no area
    dialog.kind.setCurrentIndex(dialog.kind.findData("plants"))
    assert dialog.area.isEnabled() and dialog.count_label.text() == "Số cây"
    dialog.count.selectAll()
    qtbot.keyClicks(dialog.count, "3200")
    dialog.area.selectAll()
    qtbot.keyClicks(dialog.area, "760.5")
    qtbot.keyClick(dialog.area, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert cell(page.incidents, 0, "Số lượng") == "3.200"
    assert cell(page.incidents, 0, "Diện tích (m²)") == "760,5"
    assert cell(page.incidents, 0, "Loại vụ việc") == places.INCIDENT_KINDS["plants"]


def test_serious_psychosis_is_shown_in_red(qtbot, page: PlacesPage) -> None:
    page.tabs.setCurrentWidget(page.incidents)
    dialog = open_form(qtbot, page, page.incidents.add_button)
    qtbot.mouseClick(dialog.serious, Qt.MouseButton.LeftButton)
    type_text(qtbot, dialog.notes, "Cầm dao đe dọa người thân")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert cell(page.incidents, 0, "Nghiêm trọng") == "Có"
    index = page.incidents.model.index(0, 0)
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_models_pass_qtmodeltester(qtmodeltester, reg: Register, village: str) -> None:
    places.save_hotspot(reg, {"name": "Quán nước", "found_date": "01/01/2026"})
    places.save_model(reg, {"name": "Mô hình", "start_date": "01/01/2026"})
    places.save_incident(reg, {"kind": "arrest", "incident_date": "01/02/2026", "count": 2})
    page = PlacesPage(reg)
    for tab in (page.villages, page.hotspots, page.models, page.incidents):
        assert tab.model.rowCount() == 1
        qtmodeltester.check(tab.model)


def test_screenshots(qtbot, page: PlacesPage, reg: Register, village: str) -> None:
    places.save_hotspot(reg, {"name": "Lán bỏ hoang", "found_date": "01/11/2026",
                              "village_id": village})  # fmt: skip
    page.refresh()
    SHOTS.mkdir(exist_ok=True)
    for number in range(page.tabs.count()):
        page.tabs.setCurrentIndex(number)
        path = SHOTS / f"test_places_{number}.png"
        assert page.grab().save(str(path))
        assert path.stat().st_size > 0
