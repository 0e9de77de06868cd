"""A round typed the way an officer types it: one key, one result, one move; Enter never skips;
a stray key past the last person changes nothing; the last entry can be undone.

The rule (the hint above the table says it): a result key sets the result and moves to the next
person; an Enter right after it only confirms; any other Enter moves on. After the last person
the keys do nothing until the officer moves back with ↑ or a click.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLineEdit

from db.duties import actions
from db.law.categories import Category
from db.persons import drugtests, episodes
from db.store.register import Register
from gui.pages.test_round import RoundModel, TestRoundPage

NAMES = ("Lò Văn An", "Quàng Văn Bình", "Cầm Văn Cường", "Hà Văn Dũng", "Lường Văn Em")
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def people(reg: Register, add: Callable[..., str]) -> dict[str, str]:
    """Five managed people of "Bản Mòng", in the round's order An, Bình, Cường, Dũng, Em."""
    ids = {}
    for name in NAMES:
        ids[name.split()[-1]] = person = add(name, birth_date="1990", sex="Nam")
        actions.management_decision(reg, person, "01/10/2026", decision_no=f"{name[:2]}/QĐ")
    return ids


@pytest.fixture
def page(qtbot, reg: Register, people: dict[str, str]) -> TestRoundPage:
    widget = TestRoundPage(reg)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.source_combo.setCurrentIndex(widget.source_combo.findData("managed"))
    widget.village_combo.setCurrentIndex(widget.village_combo.findText("Bản Mòng"))
    assert [r.full_name for r in widget.model.rows()] == [
        "Lò Văn An", "Quàng Văn Bình", "Cầm Văn Cường", "Hà Văn Dũng", "Lường Văn Em",
    ]  # fmt: skip
    widget.view.setFocus()
    return widget


def at(page: TestRoundPage) -> int:
    """The row the officer is on."""
    return page.view.currentIndex().row()


def results(page: TestRoundPage) -> list[tuple[str | None, list[str]]]:
    return [(r.result, r.positives) for r in page.model.rows()]


def substances(qtbot, page: TestRoundPage, typed: str, key: Qt.Key = Qt.Key.Key_Return) -> None:
    """Type the substances into the editor a positive key opened, then Enter (or Esc)."""
    editor = page.view.indexWidget(page.view.currentIndex())
    assert isinstance(editor, QLineEdit), "a positive key opens the substances editor"
    qtbot.keyClicks(editor, typed)
    qtbot.keyClick(editor, key)
    qtbot.waitUntil(lambda: page.view.indexWidget(page.model.index(at(page), 5)) is None,
                    timeout=2000)  # fmt: skip
    qtbot.waitUntil(lambda: page.view.currentIndex().column() == RoundModel.RESULT, timeout=2000)


def enter(qtbot, page: TestRoundPage) -> None:
    qtbot.keyClick(page.view, Qt.Key.Key_Return)


def test_the_hint_says_the_rule(page: TestRoundPage) -> None:
    hint = page.hint.text()
    assert "Mỗi kết quả tự chuyển xuống người tiếp theo" in hint
    assert "ngay sau đó chỉ xác nhận, không bỏ qua ai" in hint
    assert "Ctrl+Z" in hint and "Sau người cuối cùng các phím không đổi gì nữa" in hint


def test_a_then_enter_never_skips_a_person(qtbot, page: TestRoundPage) -> None:
    qtbot.keyClick(page.view, "a")  # An: negative, on to Bình
    assert at(page) == 1
    enter(qtbot, page)  # confirms An: still on Bình
    assert at(page) == 1
    qtbot.keyClicks(page.view, "a")  # Bình
    enter(qtbot, page)
    assert at(page) == 2
    enter(qtbot, page)  # a second Enter: Cường is passed over on purpose
    assert at(page) == 3
    assert [r for r, _ in results(page)] == ["negative", "negative", None, None, None]


def test_a_key_on_a_row_reached_by_enter_or_arrows_is_one_move(qtbot, page: TestRoundPage):
    qtbot.keyClick(page.view, Qt.Key.Key_Down)
    enter(qtbot, page)  # moved by the arrow, not by a result: Enter moves on
    assert at(page) == 2
    qtbot.keyClick(page.view, "a")
    assert at(page) == 3
    assert [r for r, _ in results(page)] == [None, None, "negative", None, None]


def test_the_last_row_never_changes_on_a_stray_key(qtbot, page: TestRoundPage) -> None:
    qtbot.keyClicks(page.view, "aaaa")
    assert at(page) == 4
    qtbot.keyClick(page.view, "d")  # Em: positive
    substances(qtbot, page, "met")
    assert page.keys.at_end and page.end_notice.isVisible()
    assert "người cuối danh sách" in page.end_notice.text()
    for key in ("a", "0", "d", " ", "x"):
        qtbot.keyClick(page.view, key)
    for special in (Qt.Key.Key_Return, Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Down):
        qtbot.keyClick(page.view, special)
    assert page.view.indexWidget(page.model.index(4, RoundModel.POSITIVES)) is None
    assert results(page)[4] == ("positive", ["MET"])
    assert at(page) == 4
    # Back up with the arrows: the keys count again.
    qtbot.keyClick(page.view, Qt.Key.Key_Up)
    assert at(page) == 3 and not page.keys.at_end and page.end_notice.isHidden()
    qtbot.keyClick(page.view, Qt.Key.Key_Down)
    qtbot.keyClick(page.view, "a")  # Em, on purpose this time
    assert results(page)[4] == ("negative", [])
    assert page.keys.at_end


def test_a_click_on_the_last_row_lets_it_be_changed(qtbot, page: TestRoundPage) -> None:
    qtbot.keyClicks(page.view, "aaaaa")
    assert page.keys.at_end
    qtbot.keyClick(page.view, " ")
    assert results(page)[4] == ("negative", [])
    rect = page.view.visualRect(page.model.index(4, RoundModel.NAME))
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not page.keys.at_end
    qtbot.keyClick(page.view, Qt.Key.Key_Space)  # negative → positive
    assert results(page)[4] == ("positive", [])


def test_undo_puts_the_last_entry_back_and_goes_back_there(qtbot, page: TestRoundPage) -> None:
    assert not page.undo_button.isEnabled()
    qtbot.keyClicks(page.view, "aa")
    assert page.undo_button.isEnabled()
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert results(page)[:2] == [("negative", []), (None, [])]
    assert at(page) == 1
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert results(page)[0] == (None, [])
    assert at(page) == 0
    assert not page.undo_button.isEnabled()
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)  # nothing left: nothing changes
    assert at(page) == 0
    # A positive with its substances is one entry; the button does what Ctrl+Z does.
    qtbot.keyClick(page.view, "d")
    substances(qtbot, page, "met thc")
    assert at(page) == 1
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert results(page)[0] == (None, [])
    assert at(page) == 0 and page.view.hasFocus()


def test_undo_after_the_last_row_reopens_it(qtbot, page: TestRoundPage) -> None:
    qtbot.keyClicks(page.view, "aaaa")
    qtbot.keyClick(page.view, "+")
    substances(qtbot, page, "ket")
    assert page.keys.at_end
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert results(page)[4] == (None, [])
    assert not page.keys.at_end and page.end_notice.isHidden()
    qtbot.keyClick(page.view, "a")
    assert results(page)[4] == ("negative", [])


def test_a_round_typed_with_mistakes_ends_with_exactly_the_results_meant(
    qtbot, page: TestRoundPage, reg: Register, people: dict[str, str]
) -> None:
    """Meant: An negative, Bình positive MET+THC, Cường negative, Dũng not tested (absent),
    Em positive KET."""
    qtbot.keyClick(page.view, "a")  # An
    qtbot.keyClick(page.view, "a")  # Bình — wrong key
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)  # back to Bình, as he was
    assert at(page) == 1 and results(page)[1] == (None, [])
    qtbot.keyClick(page.view, "d")  # Bình: positive
    substances(qtbot, page, "met thc")
    enter(qtbot, page)  # out of habit: confirms, no skip
    assert at(page) == 2
    qtbot.keyClick(page.view, "d")  # Cường — wrong key
    substances(qtbot, page, "", key=Qt.Key.Key_Escape)
    qtbot.keyClick(page.view, Qt.Key.Key_Z, CTRL)
    assert at(page) == 2 and results(page)[2] == (None, [])
    qtbot.keyClick(page.view, "0")  # Cường: negative
    enter(qtbot, page)  # confirms Cường
    enter(qtbot, page)  # Dũng is absent: on to Em
    assert at(page) == 4
    qtbot.keyClick(page.view, "+")  # Em
    substances(qtbot, page, "ket")
    qtbot.keyClicks(page.view, "a")  # a stray key after the last person
    enter(qtbot, page)
    assert results(page) == [
        ("negative", []), ("positive", ["MET", "THC"]), ("negative", []), (None, []),
        ("positive", ["KET"]),
    ]  # fmt: skip
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    saved = {key: [(t["result"], t["positives"]) for t in drugtests.tests_of(reg, person)]
             for key, person in people.items()}  # fmt: skip
    assert saved == {
        "An": [("negative", "")], "Bình": [("positive", "MET,THC")],
        "Cường": [("negative", "")], "Dũng": [], "Em": [("positive", "KET")],
    }  # fmt: skip
    assert page.summary_label.text() == "Đã lưu 4 xét nghiệm, 2 dương tính."
    assert not page.undo_button.isEnabled(), "a saved result is corrected, not undone"


def test_the_positives_panel_wraps_each_follow_up_and_scrolls(
    qtbot, page: TestRoundPage, reg: Register, people: dict[str, str]
) -> None:
    """At 1366×768 the page beside the list of screens is about 1100×640: each follow-up shows
    whole, wrapped over as many lines as it needs."""
    episodes.open_episode(reg, people["Cường"], Category.WATCH, "01/03/2026")
    page.resize(1100, 640)
    qtbot.keyClick(page.view, "d")
    substances(qtbot, page, "met")
    qtbot.keyClick(page.view, "d")
    substances(qtbot, page, "")
    panel = page.follow_up_list
    assert page.follow_up_box.isVisible() and panel.count() == 2
    line = panel.fontMetrics().lineSpacing()
    assert panel.height() >= 5 * line, "the panel is more than one squeezed line"
    assert panel.wordWrap() and not panel.horizontalScrollBar().isVisible()
    width = panel.viewport().width()
    for number in range(panel.count()):
        item = panel.item(number)
        rect = panel.visualItemRect(item)
        needed = QFontMetrics(panel.font()).boundingRect(
            QRect(0, 0, rect.width(), 10_000), Qt.TextFlag.TextWordWrap, item.text()
        )
        assert rect.width() <= width, "no row runs past the panel"
        assert rect.height() >= needed.height(), "every line of the row is shown"
