"""The duplicates review screen, clicked as the chief (and an officer) would: a pair shown side
by side, merged, unmerged, or marked as two people; what the screen and the register then hold."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QTableView

from db.duties import actions
from db.persons import drugtests, duplicates, merging, people
from db.store.register import OFFICER, Register
from gui.dialogs.corrections import MergeDialog
from gui.pages.duplicates import CARD_ROWS, DuplicatesPage
from gui.pages.person import PersonPage
from tests.support.typing_helpers import type_text

pytestmark = pytest.mark.usefixtures("no_message_boxes")
FAILED: list[BaseException] = []


def when_shown(name: str, act: Callable[[Any], None], timeout: float = 5.0) -> None:
    """Act on the modal dialog `name` once shown; a failed check closes it and fails the test."""
    deadline = time.monotonic() + timeout

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None and widget.objectName() == name:
            try:
                act(widget)
            except BaseException as exc:  # noqa: BLE001 - reported by the fixture
                FAILED.append(exc)
                widget.reject()
        elif time.monotonic() < deadline:
            QTimer.singleShot(20, poll)
        else:
            FAILED.append(AssertionError(f"no dialog {name} was shown"))

    QTimer.singleShot(0, poll)


@pytest.fixture(autouse=True)
def _dialog_checks() -> Iterator[None]:
    FAILED.clear()
    yield
    if FAILED:
        raise FAILED[0]


@pytest.fixture
def twins(reg: Register, add: Callable[..., str]) -> tuple[str, str]:
    kept = add("Nguyễn Văn An", birth_date="1990", sex="Nam")
    other = add("Nguyen Van An", birth_date="1990", phone="0912345678")
    actions.management_decision(reg, kept, "10/05/2026", decision_no="5/QĐ")
    drugtests.record_test(reg, other, "01/11/2026")
    return kept, other


@pytest.fixture
def page(qtbot: Any, reg: Register, twins: tuple[str, str]) -> DuplicatesPage:
    shown = DuplicatesPage(reg)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    return shown


def cells(view: QTableView) -> list[list[str]]:
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]  # fmt: skip


def card_text(page: DuplicatesPage, name: str) -> list[str]:
    card = page.first if name == "first" else page.second
    return [label.text() for label in card.values]


def test_a_pair_is_shown_side_by_side(page: DuplicatesPage, twins: tuple[str, str]) -> None:
    (row,) = cells(page.view)
    assert row[0] == "Trùng họ tên và năm sinh; Họ tên gần giống, cùng thôn/bản; Cùng tên, năm " \
        "sinh và thôn/bản"  # fmt: skip
    assert page.summary.text().startswith("1 cặp hồ sơ có thể là cùng một người")
    both = {card_text(page, "first")[0], card_text(page, "second")[0]}
    assert both == {"Nguyễn Văn An", "Nguyen Van An"}
    shown = dict(zip([c for c, _ in CARD_ROWS], card_text(page, "first"), strict=True))
    assert shown["Ngày sinh"] == "1990"


def test_merge_then_unmerge(qtbot: Any, page: DuplicatesPage, reg: Register,
                            twins: tuple[str, str]) -> None:  # fmt: skip
    kept, other = twins
    assert page.merge_button.isEnabled()

    def merge(dialog: MergeDialog) -> None:
        dialog.kept.setCurrentIndex(dialog.kept.findData(f"{kept}|{other}"))
        assert dialog.kept.currentText().startswith("Giữ hồ sơ “Nguyễn Văn An”")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_shown("mergeDialog", merge)
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.merge_button, Qt.MouseButton.LeftButton)
    assert cells(page.view) == [] and people.count_people(reg) == 1
    assert people.get_person(reg, kept)["phone"] == "0912345678"
    assert len(drugtests.tests_of(reg, kept)) == 1
    (done,) = cells(page.merges_view)
    assert done[:2] == ["Nguyễn Văn An", "Nguyen Van An"] and done[3] == "được"

    view = page.merges_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(0, 0)).center())  # fmt: skip
    assert page.unmerge_button.isEnabled()

    def unmerge(dialog: Any) -> None:
        type_text(qtbot, dialog.reason, "Hai người khác nhau")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_shown("unmergeDialog", unmerge)
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.unmerge_button, Qt.MouseButton.LeftButton)
    assert people.count_people(reg) == 2 and cells(page.merges_view) == []
    assert len(drugtests.tests_of(reg, other)) == 1 and len(cells(page.view)) == 1


def test_not_a_duplicate_is_remembered(qtbot: Any, page: DuplicatesPage, reg: Register) -> None:
    qtbot.mouseClick(page.dismiss_button, Qt.MouseButton.LeftButton)
    assert cells(page.view) == []
    page.refresh()
    assert cells(page.view) == [] and duplicates.possible_pairs(reg) == []
    assert page.summary.text() == "Không thấy hồ sơ nào có thể trùng."


def test_an_officer_sees_why_not(qtbot: Any, reg: Register, twins: tuple[str, str]) -> None:
    reg.role = OFFICER
    page = DuplicatesPage(reg)
    qtbot.addWidget(page)
    assert not page.merge_button.isEnabled()
    assert page.why.text().startswith("Chỉ tài khoản chỉ huy mới được gộp hồ sơ trùng")
    assert page.dismiss_button.isEnabled()


def test_a_person_screen_shows_both_histories_after_a_merge(
    qtbot: Any, reg: Register, twins: tuple[str, str]
) -> None:
    kept, other = twins
    merging.merge(reg, kept, other)
    person = PersonPage(reg)
    qtbot.addWidget(person)
    person.resize(1366, 768)
    person.show()
    person.show_person(kept)
    person.tabs.setCurrentIndex(person.tabs.count() - 1)
    qtbot.waitExposed(person)
    qtbot.wait(50)
    rows = cells(person.findChild(QTableView, "historyTable"))
    assert rows[0][3] == "Gộp hồ sơ trùng"
    assert any(r[2] == "Hồ sơ đã gộp: Nguyen Van An" and r[3] == "Thêm" for r in rows)
    # The time column is wide enough for its text.
    view = person.findChild(QTableView, "historyTable")
    assert view.columnWidth(0) >= view.sizeHintForColumn(0)
    assert person.grab().save("/tmp/lich_su_thay_doi.png")


def test_screenshot_of_the_review(qtbot: Any, page: DuplicatesPage) -> None:
    qtbot.waitExposed(page)
    qtbot.wait(50)
    assert page.findChild(QLabel, "duplicatesSummary").isVisible()
    assert page.grab().save("/tmp/ho_so_trung.png")
