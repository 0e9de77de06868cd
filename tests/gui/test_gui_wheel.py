"""The mouse wheel scrolls the page; it changes a field only once the officer has focused it.

Scrolling Settings with the wheel once changed the baseline count under the pointer (67 → 53),
and it was saved. The wheel guard (gui.kit.common.WheelGuard) holds for every spin box, date
field and combo box of the program; the sign-in form puts it on the application.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from db.commune.settings import get_settings, save_settings
from db.store.register import Register
from gui.kit.common import WheelGuard, install_wheel_guard
from gui.kit.forms import FormDialog
from gui.pages.settings import SettingsPage
from gui.pages.test_round import TestRoundPage

pytestmark = pytest.mark.usefixtures("no_message_boxes")

DOWN, UP = -120, 120  # one notch of a mouse wheel, towards the officer / away


def wheel(widget: QWidget, notch: int) -> None:
    """One notch of the wheel with the pointer on the middle of `widget`, delivered as Qt does a
    real one: to the widget under the pointer (a spin box's own line edit), then up to its
    parents until one takes it."""
    centre = widget.mapToGlobal(widget.rect().center())
    receiver: QWidget | None = widget.childAt(widget.rect().center()) or widget
    while receiver is not None:
        event = QWheelEvent(
            QPointF(receiver.mapFromGlobal(centre)), QPointF(centre), QPoint(0, 0),
            QPoint(0, notch), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        event.ignore()
        QApplication.sendEvent(receiver, event)
        if event.isAccepted() or receiver.isWindow():
            return
        receiver = receiver.parentWidget()


def guards() -> list[WheelGuard]:
    app = QApplication.instance()
    assert app is not None
    return app.findChildren(WheelGuard)


@pytest.fixture
def guarded() -> None:
    """The wheel guard on the application, as the sign-in form leaves it."""
    install_wheel_guard()


@pytest.fixture
def settings(qtbot, reg: Register, guarded: None) -> SettingsPage:
    save_settings(reg, {"baseline_users": 67})
    page = SettingsPage(reg)
    qtbot.addWidget(page)
    page.resize(900, 420)  # short enough for the settings to scroll
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitActive(page)
    return page


def focus(qtbot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


def test_the_wheel_over_an_unfocused_count_scrolls_the_page_and_saves_nothing(
    qtbot, settings: SettingsPage, reg: Register
) -> None:
    count = settings.fields["baseline_users"]
    assert isinstance(count, QSpinBox) and count.value() == 67
    scroll = settings.findChild(QScrollArea, "settingsScroll")
    scroll.ensureWidgetVisible(count)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0, "the page must be able to scroll for this test"
    before = bar.value()
    focus(qtbot, settings.save_button)
    for _ in range(3):
        wheel(count, DOWN)
    assert count.value() == 67
    assert not count.hasFocus(), "the wheel gives no focus"
    assert bar.value() > before, "the page scrolled instead"
    qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)
    assert settings.status.text() == "Không có thay đổi nào để lưu."
    assert get_settings(reg)["baseline_users"] == 67


def test_a_focused_count_steps_with_the_wheel(qtbot, settings: SettingsPage) -> None:
    count = settings.fields["baseline_users"]
    assert isinstance(count, QSpinBox)
    scroll = settings.findChild(QScrollArea, "settingsScroll")
    scroll.ensureWidgetVisible(count)
    bar = scroll.verticalScrollBar()
    at = bar.value()
    qtbot.mouseClick(count, Qt.MouseButton.LeftButton)  # the officer clicks into the field
    assert count.hasFocus()
    wheel(count, UP)
    wheel(count, UP)
    assert count.value() == 69
    assert bar.value() == at, "the page stays where it is while the field steps"


def test_fields_take_focus_by_click_or_tab_never_by_the_wheel(settings: SettingsPage) -> None:
    for widget in (settings.fields["population"], settings.holidays.year,
                   settings.holidays.day, settings.holidays.day_kind):  # fmt: skip
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus, widget.objectName()


def test_combo_boxes_and_date_fields_keep_their_value_under_the_wheel(
    qtbot, reg: Register, add: Callable[..., str], guarded: None
) -> None:
    page = TestRoundPage(reg)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitActive(page)
    focus(qtbot, page.view)
    kind, day = page.kind_combo, page.date_edit
    assert isinstance(kind, QComboBox) and isinstance(day, QDateEdit)
    chosen, dated = kind.currentIndex(), day.date()
    for widget in (kind, day):
        wheel(widget, DOWN)
        wheel(widget, UP)
        wheel(widget, UP)
    assert (kind.currentIndex(), day.date()) == (chosen, dated)
    focus(qtbot, day)
    wheel(day, DOWN)
    assert day.date() != dated, "focused, the date field steps"


def test_the_sign_in_form_puts_the_guard_on_the_application(qtbot) -> None:
    app = QApplication.instance()
    assert app is not None
    for guard in guards():  # start from a bare application
        app.removeEventFilter(guard)
        guard.setParent(None)
        guard.deleteLater()
    assert guards() == []
    dialog = FormDialog("anyForm", "Đăng nhập")
    qtbot.addWidget(dialog)
    assert len(guards()) == 1
    FormDialog("secondForm", "Khóa màn hình").deleteLater()
    assert len(guards()) == 1, "installed once"
