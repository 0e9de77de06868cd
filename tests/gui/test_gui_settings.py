"""The settings page and the first-start dialog, driven by keyboard and mouse."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QSpinBox, QWidget

from db.commune import holidays
from db.commune.settings import SETTINGS, get_settings, save_settings
from db.law.rules import RULES
from db.persons.listing import PersonFilter, person_ids
from db.store.register import Register
from gui.kit.common import to_qdate
from gui.pages.settings import SettingsPage
from gui.session.first_start import SetupDialog, needs_setup
from tests.support.typing_helpers import type_text

SHOTS = Path("/tmp/shots")


pytestmark = pytest.mark.usefixtures("no_message_boxes")


@pytest.fixture
def page(qtbot, reg: Register) -> SettingsPage:
    page = SettingsPage(reg)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def replace_text(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    type_text(qtbot, edit, text)


def column(model, number: int) -> list[str]:
    return [model.index(r, number).data() for r in range(model.rowCount())]


# --- Settings. ----------------------------------------------------------------------------------


def test_every_setting_has_a_field_with_its_label(page: SettingsPage) -> None:
    for setting in SETTINGS:
        widget = page.findChild(QWidget, f"setting_{setting.key}")
        assert widget is not None, setting.key
        if isinstance(widget, QCheckBox):
            assert widget.text() == setting.label
        else:
            texts = [label.text() for label in page.findChildren(QLabel)]
            assert setting.label in texts, setting.key
    assert page.fields["chief_title"].text() == "TRƯỞNG CÔNG AN XÃ"
    assert page.fields["test_interval.user"].text() == "30"
    assert page.fields["test_interval.methadone"].text() == ""  # not tested periodically


def test_settings_typed_and_saved(qtbot, page: SettingsPage, reg: Register) -> None:
    type_text(qtbot, page.fields["unit_name"], "CÔNG AN XÃ CHIỀNG MUNG")
    type_text(qtbot, page.fields["baseline_date"], "15/03/2024")
    population = page.fields["population"]
    assert isinstance(population, QSpinBox)
    population.selectAll()
    qtbot.keyClicks(population, "15230")
    replace_text(qtbot, page.fields["test_interval.post_rehab"], "")
    qtbot.keyClick(page.fields["remote_area"], Qt.Key.Key_Space)
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    values = get_settings(reg)
    assert values["unit_name"] == "CÔNG AN XÃ CHIỀNG MUNG"
    assert values["baseline_date"] == "2024-03-15"
    assert values["population"] == 15230
    assert values["test_interval.post_rehab"] is None
    assert values["remote_area"] is True
    assert page.status.text() == "Đã lưu 5 mục."
    assert page.fields["baseline_date"].text() == "15/03/2024"
    assert population.text() == "15.230"


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("test_interval.user", "800", "từ 0 đến 730 ngày, hoặc để trống (không định kỳ)"),
        ("test_interval.addict", "hai tuần", "phải là số ngày"),
        ("baseline_date", "31/02/2026", "ngày 31/2/2026 không có trong lịch"),
    ],
)
def test_a_wrong_setting_saves_nothing_and_says_why(
    qtbot, page: SettingsPage, reg: Register, key: str, text: str, message: str
) -> None:
    type_text(qtbot, page.fields["chief_name"], "Lò Văn Thắng")
    replace_text(qtbot, page.fields[key], text)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    error = page.errors[key]
    assert error.isVisible() and message in error.text()
    assert page.status.text() == "Chưa lưu: sửa các ô có chữ đỏ rồi lưu lại."
    assert get_settings(reg)["chief_name"] == ""  # nothing saved, not even the good field
    type_text(qtbot, page.fields[key], "x")
    assert not error.isVisible()  # the message goes once the officer corrects the field


def test_revert_shows_the_stored_values(qtbot, page: SettingsPage, reg: Register) -> None:
    save_settings(reg, {"officer_name": "Cầm Văn Bình"})
    page.refresh()
    replace_text(qtbot, page.fields["officer_name"], "Ai đó")
    qtbot.mouseClick(page.revert_button, Qt.MouseButton.LeftButton)
    assert page.fields["officer_name"].text() == "Cầm Văn Bình"
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.status.text() == "Không có thay đổi nào để lưu."


# --- Holidays. ----------------------------------------------------------------------------------


def row_of(model, day: str) -> list[str]:
    """The cells of the row of `day` (dd/mm/yyyy)."""
    row = column(model, 0).index(day)
    return [model.index(row, c).data() for c in range(model.columnCount())]


def test_built_in_holidays_of_the_year(page: SettingsPage) -> None:
    page.holidays.year.setValue(2026)
    days = column(page.holidays.days_off_model, 0)
    assert "02/09/2026" in days and "01/01/2026" in days
    assert row_of(page.holidays.days_off_model, "02/09/2026") == [
        "02/09/2026", "Thứ Tư", "Ngày nghỉ", "Quốc khánh", "Lịch đã công bố",
    ]  # fmt: skip
    page.holidays.year.setValue(2027)
    assert row_of(page.holidays.days_off_model, "02/09/2027")[2:] == [
        "Ngày nghỉ",
        "Quốc khánh",
        "Luật định",
    ]


def test_each_year_says_what_its_days_are_counted_on(page: SettingsPage) -> None:
    """A decided year names its source; a year beyond the data falls back to Art. 112."""
    page.holidays.year.setValue(2025)
    assert page.holidays.basis.text().startswith(
        "Theo lịch nghỉ đã công bố (nguồn: thư viện holidays 0.1"
    )
    # The decided swap of 2025: Friday 2/5 off, Saturday 26/4 worked.
    assert row_of(page.holidays.days_off_model, "26/04/2025") == [
        "26/04/2025", "Thứ Bảy", "Ngày làm bù", "Làm bù cho ngày nghỉ 02/05/2025",
        "Lịch đã công bố",
    ]  # fmt: skip
    assert row_of(page.holidays.days_off_model, "02/05/2025")[2] == "Ngày nghỉ"
    page.holidays.year.setValue(2027)
    assert (
        page.holidays.basis.text()
        == "Chưa có lịch nghỉ công bố: tính theo Bộ luật Lao động Điều 112"
    )
    assert not page.holidays.year_entered.isChecked()


def tick(qtbot, box: QCheckBox) -> None:
    """Click a check box on its box (its centre may lie past its text in a wide layout)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


def test_a_year_entered_by_the_unit_replaces_the_program_days(
    qtbot, page: SettingsPage, reg: Register
) -> None:
    page.tabs.setCurrentIndex(1)
    page.holidays.day.setDate(to_qdate(date(2027, 2, 4)))
    type_text(qtbot, page.holidays.day_name, "Nghỉ Tết")
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.holidays.add_day, Qt.MouseButton.LeftButton)
    assert "11/02/2027" in column(page.holidays.days_off_model, 0)  # Art. 112's guess, still there
    with qtbot.waitSignal(page.register_changed):
        tick(qtbot, page.holidays.year_entered)
    assert holidays.entered_years(reg) == {2027}
    assert page.holidays.basis.text().startswith("Theo lịch nghỉ đơn vị nhập")
    assert column(page.holidays.days_off_model, 0) == ["04/02/2027"]
    assert column(page.holidays.days_off_model, 4) == ["Đơn vị nhập"]
    assert holidays.work_calendar(reg).is_working_day(date(2027, 2, 11))
    page.holidays.year.setValue(2026)
    assert not page.holidays.year_entered.isChecked()
    page.holidays.year.setValue(2027)
    assert page.holidays.year_entered.isChecked()
    tick(qtbot, page.holidays.year_entered)
    assert holidays.entered_years(reg) == set()
    assert "11/02/2027" in column(page.holidays.days_off_model, 0)


def test_add_then_remove_a_day_off(qtbot, page: SettingsPage, reg: Register) -> None:
    page.tabs.setCurrentIndex(1)
    page.holidays.day.setDate(to_qdate(date(2027, 1, 4)))
    type_text(qtbot, page.holidays.day_name, "Nghỉ Tết Dương lịch theo thông báo")
    with qtbot.waitSignal(page.register_changed):
        qtbot.keyClick(page.holidays.day_name, Qt.Key.Key_Return)
    assert [(o.day, o.kind, o.name) for o in holidays.overrides(reg)] == [
        (date(2027, 1, 4), "holiday", "Nghỉ Tết Dương lịch theo thông báo")
    ]
    assert page.holidays.year.value() == 2027  # the tables follow the day just entered
    assert column(page.holidays.overrides_model, 0) == ["04/01/2027"]
    assert row_of(page.holidays.days_off_model, "04/01/2027")[4] == "Đơn vị nhập"
    assert page.holidays.day_name.text() == ""

    assert not page.holidays.remove_day.isEnabled()
    page.holidays.overrides_view.selectRow(0)
    assert page.holidays.remove_day.isEnabled()
    qtbot.mouseClick(page.holidays.remove_day, Qt.MouseButton.LeftButton)
    assert holidays.overrides(reg) == []
    assert page.holidays.overrides_model.rowCount() == 0
    assert "04/01/2027" not in column(page.holidays.days_off_model, 0)


def test_a_make_up_working_day_removes_a_day_off(qtbot, page: SettingsPage, reg: Register):
    page.holidays.day.setDate(to_qdate(date(2026, 9, 1)))
    page.holidays.day_kind.setCurrentIndex(page.holidays.day_kind.findData("workday"))
    qtbot.mouseClick(page.holidays.add_day, Qt.MouseButton.LeftButton)
    assert column(page.holidays.overrides_model, 2) == ["Ngày làm bù"]
    assert "01/09/2026" not in column(page.holidays.days_off_model, 0)


# --- Rules. -------------------------------------------------------------------------------------


def test_rules_in_force_are_listed_with_their_source(page: SettingsPage) -> None:
    model = page.rules.rules_model
    assert model.rowCount() == len(RULES) + 9  # every rule, then a test interval per category
    texts = column(model, 0)
    # From 01/07/2026 Law 120/2025/QH15 restates the rule (same value): both rows, each its state.
    rows = [r for r, text in enumerate(texts)
            if text == "Công an xã kiểm tra hồ sơ đăng ký cai nghiện tự nguyện"]  # fmt: skip
    assert [[model.index(row, c).data() for c in range(1, 5)] for row in rows] == [
        ["3 ngày làm việc", "NĐ 116/2021 Điều 30", "01/01/2022", "Đã được thay thế"],
        ["3 ngày làm việc", "Luật 120/2025/QH15", "01/07/2026", "Đang áp dụng"],
    ]
    moves = [r for r in range(model.rowCount()) if model.row(r)["id"].startswith("move_notice")]
    states = {model.index(r, 1).data(): model.index(r, 4).data() for r in moves}
    assert states == {"5 ngày làm việc": "Đã được thay thế", "24 giờ": "Đang áp dụng"}
    interval = texts.index("Chu kỳ xét nghiệm định kỳ — Methadone")
    assert model.index(interval, 1).data() == "Không định kỳ"
    assert model.index(interval, 2).data().startswith("Pháp luật không quy định")


def test_models_pass_qtmodeltester(qtmodeltester, page: SettingsPage) -> None:
    for model in (
        page.rules.rules_model,
        page.holidays.days_off_model,
        page.holidays.overrides_model,
    ):
        qtmodeltester.check(model)


def test_screenshots(qtbot, page: SettingsPage) -> None:
    SHOTS.mkdir(exist_ok=True)
    for number in range(page.tabs.count()):
        page.tabs.setCurrentIndex(number)
        path = SHOTS / f"test_settings_{number}.png"
        assert page.grab().save(str(path))


# --- First start. -------------------------------------------------------------------------------


@pytest.fixture
def setup(qtbot, reg: Register) -> SetupDialog:
    dialog = SetupDialog(reg)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_first_start_fills_the_unit_from_the_commune(qtbot, setup: SetupDialog, reg: Register):
    assert needs_setup(reg)
    assert not setup.save_button.isEnabled()
    assert setup.why.text() == "Chưa nhập: Tên xã, Tên đơn vị, Công an tỉnh."
    type_text(qtbot, setup.commune, "Chiềng Mung")
    assert setup.unit.text() == "CÔNG AN XÃ CHIỀNG MUNG"
    assert setup.place.text() == "Chiềng Mung"
    qtbot.mouseClick(setup.province, Qt.MouseButton.LeftButton)
    assert setup.focusWidget() is setup.province
    setup.province.end(False)
    type_text(qtbot, setup.province, "Sơn La")
    qtbot.keyClick(setup.province, Qt.Key.Key_Tab)  # leaving the field puts it in capitals
    assert setup.focusWidget() is setup.place
    assert setup.province.text() == "CÔNG AN TỈNH SƠN LA"
    type_text(qtbot, setup.chief, "Lò Văn Thắng")
    type_text(qtbot, setup.officer, "Cầm Thị Hoa")
    assert setup.save_button.isEnabled()
    qtbot.keyClick(setup.officer, Qt.Key.Key_Return)
    assert setup.result() == SetupDialog.DialogCode.Accepted
    values = get_settings(reg)
    assert values["unit_name"] == "CÔNG AN XÃ CHIỀNG MUNG"
    assert values["province_name"] == "CÔNG AN TỈNH SƠN LA"
    assert (values["commune_name"], values["place_name"]) == ("Chiềng Mung", "Chiềng Mung")
    assert (values["chief_name"], values["officer_name"]) == ("Lò Văn Thắng", "Cầm Thị Hoa")
    assert not needs_setup(reg)
    assert person_ids(reg, PersonFilter()) == []  # no training data unless asked


def test_a_unit_name_typed_by_hand_stays(qtbot, setup: SetupDialog) -> None:
    type_text(qtbot, setup.commune, "Mường")
    replace_text(qtbot, setup.unit, "CÔNG AN PHƯỜNG TÔ HIỆU")
    type_text(qtbot, setup.commune, " Bú")
    assert setup.unit.text() == "CÔNG AN PHƯỜNG TÔ HIỆU"


def test_escape_leaves_the_register_untouched(qtbot, setup: SetupDialog, reg: Register):
    type_text(qtbot, setup.commune, "Chiềng Mung")
    qtbot.keyClick(setup.commune, Qt.Key.Key_Escape)
    assert setup.result() == SetupDialog.DialogCode.Rejected
    assert needs_setup(reg)


def test_training_data_loads_in_the_background(qtbot, setup: SetupDialog, reg: Register):
    type_text(qtbot, setup.commune, "Chiềng Mung")
    setup.province.end(False)
    type_text(qtbot, setup.province, "Sơn La")
    qtbot.mouseClick(setup.demo, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(setup.accepted, timeout=60_000):
        qtbot.mouseClick(setup.save_button, Qt.MouseButton.LeftButton)
        assert not setup.buttons.isEnabled()  # no second click, no Esc while it runs
    assert setup.demo_result["persons"] == 500
    assert len(person_ids(reg, PersonFilter())) == 500
    values = get_settings(reg)
    assert values["unit_name"] == "CÔNG AN XÃ CHIỀNG MUNG"  # the officer's names are kept
    assert values["province_name"] == "CÔNG AN TỈNH SƠN LA"


def test_no_training_data_into_a_register_with_people(
    qtbot, reg: Register, add: Callable[..., str]
) -> None:
    add("Lò Văn An")
    dialog = SetupDialog(reg)
    qtbot.addWidget(dialog)
    assert not dialog.demo.isEnabled()
    assert "Sổ đã có người" in dialog.demo.toolTip()


def test_wizard_screenshot(qtbot, setup: SetupDialog) -> None:
    type_text(qtbot, setup.commune, "Chiềng Mung")
    SHOTS.mkdir(exist_ok=True)
    assert setup.grab().save(str(SHOTS / "test_setup.png"))
