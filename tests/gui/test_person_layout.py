"""The person screen on a station laptop: beside the list of screens at 1366×768 (about 1100×640
at 100 %) every action shows without scrolling; the line between the file and the tabs stays
where the officer drags it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QScrollArea

from db.persons import episodes
from db.store.register import Register
from gui.pages.person import PersonPage


@pytest.fixture
def page(qtbot: Any, reg: Register, person: str) -> PersonPage:
    episodes.open_episode(reg, person, "post_rehab", "15/03/2026", planned="15/03/2027")
    shown = PersonPage(reg)
    qtbot.addWidget(shown)
    shown.resize(1100, 640)
    shown.show()
    qtbot.waitExposed(shown)
    shown.show_person(person)
    return shown


def actions_scroll(page: PersonPage) -> QScrollArea:
    scroll = page.findChild(QScrollArea, "actionsScroll")
    assert scroll is not None
    return scroll


def test_at_100_percent_every_action_shows_without_scrolling(qtbot: Any, page: PersonPage) -> None:
    scroll = actions_scroll(page)
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() == 0)
    room = scroll.viewport().rect()
    for button in page.action_buttons.values():
        corner = button.mapTo(scroll.viewport(), QPoint(button.width(), button.height()))
        assert room.contains(corner - QPoint(1, 1)), button.text()
    # The tabs keep room for a list: a header and several rows.
    assert page.tabs.height() >= 250


def test_the_line_between_the_file_and_the_tabs_stays_where_the_officer_drags_it(
    qtbot: Any, page: PersonPage, person: str
) -> None:
    splitter = page.splitter
    qtbot.waitUntil(lambda: actions_scroll(page).verticalScrollBar().maximum() == 0)
    before = splitter.sizes()[0]
    handle = splitter.handle(1)
    middle = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(handle, middle + QPoint(0, -80))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=middle + QPoint(0, -80))
    dragged = splitter.sizes()[0]
    assert dragged < before - 40
    page.resize(1000, 600)
    page.show_person(person)
    qtbot.wait(50)
    assert splitter.sizes()[0] == dragged
