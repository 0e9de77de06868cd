"""The register screen's search box, typed as an officer types: each letter narrows the list,
which keeps the Vietnamese order, the status of each row and the count, and a person added or
deleted shows at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from db.commune import places
from db.duties import actions
from db.persons import people
from db.store.register import open_register
from gui.kit.models import PeopleModel
from gui.main_window import MainWindow
from gui.pages.register import RegisterPage
from tests.support.registers import TODAY
from tests.support.typing_helpers import type_text


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, no_message_boxes: list[str]) -> Iterator[MainWindow]:
    reg = open_register(tmp_path / "so.db", create=True, today=lambda: TODAY)
    village = places.save_village(reg, {"name": "Bản Pá Khôm", "population": 500})
    for name, cccd in (
        ("Đặng Văn Đức", "001090123456"), ("Nguyễn Thị Ánh", ""), ("Lò Văn An", ""),
        ("Giàng A Páo", ""), ("Quàng Thị Ân", ""), ("Lò Văn Dũng", "014195004321"),
        ("Nguyễn Văn Dương", ""),
    ):  # fmt: skip
        people.add_person(reg, {"full_name": name, "village_id": village, "id_number": cccd})
    win = MainWindow(reg)
    qtbot.addWidget(win)
    win.resize(1100, 700)
    win.show()
    qtbot.waitExposed(win)
    win.focus_search()
    yield win
    reg.close()


def shown(page: RegisterPage) -> list[tuple[str, str]]:
    """Name and status of every row of the list."""
    model = page.model
    return [
        (model.index(r, PeopleModel.NAME).data(), model.index(r, PeopleModel.STATUS).data())
        for r in range(model.rowCount())
    ]


def type_and_wait(qtbot: QtBot, page: RegisterPage, text: str, names: list[str]) -> None:
    type_text(qtbot, page.search, text)
    qtbot.waitUntil(lambda: [name for name, _ in shown(page)] == names, timeout=3000)


def test_each_letter_narrows_the_list_in_vietnamese_order(qtbot: QtBot, window: MainWindow) -> None:
    page = window.register_page()
    assert page.search.hasFocus()
    # Words starting with d or đ, given name first: Dũng < Dương < Đức.
    type_and_wait(qtbot, page, "d", ["Lò Văn Dũng", "Nguyễn Văn Dương", "Đặng Văn Đức"])
    assert page.count.text() == "3 người"
    type_and_wait(qtbot, page, "u", ["Lò Văn Dũng", "Nguyễn Văn Dương", "Đặng Văn Đức"])
    type_and_wait(qtbot, page, "n", ["Lò Văn Dũng"])  # "dun": Dũng only
    assert page.count.text() == "1 người"
    # What is on screen is the new list, drawn once the search has run.
    first = page.view.indexAt(QPoint(5, 5))
    assert first.isValid() and first.data() == "Lò Văn Dũng"
    qtbot.keyClick(page.search, Qt.Key.Key_Backspace)
    qtbot.keyClick(page.search, Qt.Key.Key_Backspace)
    qtbot.keyClick(page.search, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: page.model.rowCount() == 7, timeout=3000)
    assert [name for name, _ in shown(page)] == [
        "Lò Văn An", "Nguyễn Thị Ánh", "Quàng Thị Ân", "Lò Văn Dũng", "Nguyễn Văn Dương",
        "Đặng Văn Đức", "Giàng A Páo",
    ]  # fmt: skip
    assert page.count.text() == "7 người"


def test_capitals_diacritics_and_the_cccd_find_the_same_people(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.register_page()
    type_and_wait(qtbot, page, "ĐỨC", ["Đặng Văn Đức"])
    page.search.clear()
    type_and_wait(qtbot, page, "4321", ["Lò Văn Dũng"])  # the end of a CCCD
    page.search.clear()
    type_and_wait(qtbot, page, "nguyen a", ["Nguyễn Thị Ánh"])


def test_the_status_of_each_row_shows_in_a_search(qtbot: QtBot, window: MainWindow) -> None:
    reg = window.reg
    duc = reg.db.execute("SELECT id FROM persons WHERE full_name = 'Đặng Văn Đức'").fetchone()[0]
    actions.management_decision(reg, duc, "01/10/2026")
    page = window.register_page()
    page.refresh()
    type_and_wait(qtbot, page, "van", ["Lò Văn An", "Lò Văn Dũng", "Nguyễn Văn Dương",
                                       "Đặng Văn Đức"])  # fmt: skip
    status = dict(shown(page))
    assert status["Đặng Văn Đức"] != status["Lò Văn An"] == "Không còn quản lý"


def test_a_person_added_or_deleted_shows_in_the_search_at_once(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.register_page()
    type_and_wait(qtbot, page, "lo van", ["Lò Văn An", "Lò Văn Dũng"])
    new = people.add_person(window.reg, {"full_name": "Lò Văn Bình"})
    page.refresh()
    assert [name for name, _ in shown(page)] == ["Lò Văn An", "Lò Văn Bình", "Lò Văn Dũng"]
    assert page.count.text() == "3 người"
    people.delete_person(window.reg, new)
    page.refresh()
    assert [name for name, _ in shown(page)] == ["Lò Văn An", "Lò Văn Dũng"]
