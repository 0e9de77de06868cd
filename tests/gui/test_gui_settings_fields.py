"""The settings screen takes each field's kind, limits and check from db's settings table."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QSpinBox

from db.commune.settings import SETTINGS, check_setting, get_settings
from db.store.register import OFFICER, Register
from gui.kit.page import Page
from gui.pages.settings import SettingsPage
from tests.support.typing_helpers import type_text

pytestmark = pytest.mark.usefixtures("no_message_boxes")

EDITORS = {"text": QLineEdit, "date": QLineEdit, "days": QLineEdit, "flag": QCheckBox,
           "number": QSpinBox}  # fmt: skip


@pytest.fixture
def page(qtbot, reg: Register) -> SettingsPage:
    page = SettingsPage(reg)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_each_field_is_of_its_settings_kind_with_the_registers_limits(page: SettingsPage) -> None:
    assert isinstance(page, Page)
    for s in SETTINGS:
        widget = page.fields[s.key]
        assert isinstance(widget, EDITORS[s.kind]), s.key
        if isinstance(widget, QSpinBox):
            assert (widget.minimum(), widget.maximum()) == (s.low, s.high), s.key
    # Security settings cannot be turned off from the screen: the lowest value is the register's.
    assert page.fields["idle_lock_minutes"].minimum() == 1


@pytest.mark.parametrize(
    ("key", "text"),
    [("test_interval.user", "800"), ("test_interval.addict", "hai tuần"),
     ("baseline_date", "31/02/2026")],
)  # fmt: skip
def test_leaving_a_wrong_field_says_why_at_once_in_the_registers_words(
    qtbot, page: SettingsPage, reg: Register, key: str, text: str
) -> None:
    field = page.fields[key]
    assert isinstance(field, QLineEdit)
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    type_text(qtbot, field, text)
    error = page.errors[key]
    assert not error.isVisible()  # not while typing
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    message = check_setting(key, text)
    assert message and error.isVisible() and error.text() == message
    assert get_settings(reg)[key] != text  # nothing saved by leaving the field


def test_leaving_an_unchanged_or_good_field_shows_nothing(qtbot, page: SettingsPage) -> None:
    field = page.fields["test_interval.user"]
    assert isinstance(field, QLineEdit)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert not page.errors["test_interval.user"].isVisible()
    field.setFocus()
    type_text(qtbot, field, "0")  # 300 days
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert not page.errors["test_interval.user"].isVisible()


def test_an_officer_sees_why_save_is_off(qtbot, reg: Register) -> None:
    reg.role = OFFICER
    page = SettingsPage(reg)
    qtbot.addWidget(page)
    assert not page.save_button.isEnabled()
    assert page.save_button.toolTip() == "Chỉ chỉ huy được sửa cài đặt."
