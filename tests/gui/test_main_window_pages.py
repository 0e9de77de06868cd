"""The main window talks to its screens only through gui.kit.page.Page: it opens the person a
page asks for, and refreshes the other pages when one changed the register."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from db.store.register import Register
from gui import main_window
from gui.kit.page import Page
from gui.main_window import MainWindow, page_factories
from gui.pages.person import PersonPage


class Probe(Page):
    """A screen that counts how often it was asked to read the register again."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


@pytest.fixture
def window(qtbot: Any, reg: Register, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    screens = [("today", "Một", Probe), ("register", "Hai", Probe), ("other", "Ba", Probe)]
    monkeypatch.setattr(main_window, "page_factories", lambda: screens)
    shown = MainWindow(reg)
    qtbot.addWidget(shown)
    for row in range(3):
        shown.nav.setCurrentRow(row)
    return shown


def _refreshed(window: MainWindow) -> dict[str, int]:
    counts = {}
    for key, page in window.pages.items():
        assert isinstance(page, Probe)
        counts[key] = page.refreshed
    return counts


def test_a_change_refreshes_the_current_screen_now_and_the_others_when_shown(
    window: MainWindow,
) -> None:
    assert _refreshed(window) == {"today": 0, "register": 0, "other": 0}
    window.pages["today"].register_changed.emit()  # while "other" is on screen
    assert _refreshed(window) == {"today": 0, "register": 0, "other": 1}
    window.nav.setCurrentRow(1)
    window.nav.setCurrentRow(0)  # the screen that made the change is not stale
    window.nav.setCurrentRow(1)  # refreshed once, not each time it is shown
    assert _refreshed(window) == {"today": 0, "register": 1, "other": 1}


def test_f5_refreshes_the_screen_on_show(window: MainWindow) -> None:
    window.refresh_current()
    assert _refreshed(window) == {"today": 0, "register": 0, "other": 1}


def test_a_screen_opens_the_person_it_asks_for(window: MainWindow, person: str) -> None:
    window.pages["register"].person_requested.emit(person)
    assert window.stack.currentWidget() is window.person
    assert window.person.person_id == person


def test_every_screen_is_a_page() -> None:
    for key, _title, factory in page_factories():
        assert isinstance(factory, type) and issubclass(factory, Page), key
    assert issubclass(PersonPage, Page)
