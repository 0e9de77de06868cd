"""The test round page driven from the keyboard, as an officer enters a village's results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QLineEdit, QMessageBox, QWidget

from db.commune import places
from db.duties import actions
from db.duties.due import FollowUp
from db.law.categories import Category
from db.persons import drugtests, episodes
from db.store.register import Register
from gui.kit.common import ID_ROLE, RED
from gui.pages import test_round as round_page

RoundModel = round_page.RoundModel
RoundRow = round_page.RoundRow
SHOTS = Path("/tmp/shots")


@pytest.fixture
def managed(reg: Register, add: Callable[..., str]) -> dict[str, str]:
    """Three managed people in "Bản Mòng" (one in the 2-year watch window), one elsewhere."""
    ids = {
        "an": add("Lò Văn An", birth_date="1990", sex="Nam"),
        "binh": add("Quàng Văn Bình", birth_date="1988", sex="Nam"),
        "cuong": add("Cầm Văn Cường", birth_date="1985", sex="Nam"),
    }
    for key in ("an", "binh"):
        actions.management_decision(reg, ids[key], "01/10/2026", decision_no=f"0{key}/QĐ")
    episodes.open_episode(reg, ids["cuong"], Category.WATCH, "01/03/2026")
    other = places.save_village(reg, {"name": "Bản Khác", "population": 300})
    elsewhere = add("Điêu Văn Dũng", birth_date="1992", sex="Nam", village_id=other)
    actions.management_decision(reg, elsewhere, "01/10/2026", decision_no="05/QĐ")
    return ids


@pytest.fixture
def page(qtbot, reg: Register, managed: dict[str, str]) -> round_page.TestRoundPage:
    widget = round_page.TestRoundPage(reg)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose_village(page: round_page.TestRoundPage, name: str, source: str = "managed") -> None:
    page.source_combo.setCurrentIndex(page.source_combo.findData(source))
    page.village_combo.setCurrentIndex(page.village_combo.findText(name))


def editor_of(page: round_page.TestRoundPage) -> QLineEdit:
    """The substances editor open on the current cell."""
    editor = page.view.indexWidget(page.view.currentIndex())
    assert isinstance(editor, QLineEdit), "no editor open on the current cell"
    return editor


def shot(widget: QWidget, name: str) -> None:
    """An offscreen screenshot to look at, after pending layout work is done."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    QApplication.processEvents()  # a layout change can post another one
    widget.grab().save(str(SHOTS / name))


def type_text(widget: QWidget, text: str) -> None:
    """Type text as a Vietnamese keyboard does (QTest.keyClicks aborts on letters past ASCII)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def names(page: round_page.TestRoundPage) -> list[str]:
    model = page.model
    return [model.index(r, RoundModel.NAME).data() for r in range(model.rowCount())]


def test_models_pass_qtmodeltester(qtmodeltester) -> None:
    rows = [RoundRow("p1", "Lò Văn An"), RoundRow("p2", "Cầm Văn Cường", result="negative")]
    model = RoundModel(rows, follow_up=lambda r: FollowUp("decision", "ngắn", "dài"))
    model.set_positives(0, ["MET"])
    qtmodeltester.check(model)


def test_model_without_widgets_keeps_results_consistent() -> None:
    rows = [RoundRow("p1", "Lò Văn An"), RoundRow("p2", "Cầm Văn Cường")]
    model = RoundModel(rows, follow_up=lambda r: FollowUp("decision", "ra quyết định", "đầy đủ"))
    assert model.setData(model.index(0, RoundModel.POSITIVES), "met thc")
    assert model.row(0).result == "positive"
    assert model.row(0).positives == ["MET", "THC"]
    assert model.index(0, RoundModel.FOLLOW_UP).data() == "ra quyết định"
    assert model.index(0, RoundModel.FOLLOW_UP).data(Qt.ItemDataRole.ToolTipRole) == "đầy đủ"
    assert model.set_result(0, "negative")
    assert model.row(0).positives == []
    assert model.index(0, RoundModel.FOLLOW_UP).data() == ""
    assert model.unsaved() == [0]
    model.mark_saved(0, "t1")
    assert not model.set_result(0, "positive"), "a saved result is not changed from the table"
    assert not model.flags(model.index(0, RoundModel.RESULT)) & Qt.ItemFlag.ItemIsEditable
    assert model.unsaved() == []
    assert model.index(1, RoundModel.RESULT).data() == "Chưa làm"
    assert model.index(1, RoundModel.NAME).data(ID_ROLE) == "p2"


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("MET THC", ["MET", "THC"]),
        ("met, ma túy đá", ["MET"]),
        ("MET+KET", ["MET", "KET"]),
        ("cần sa", ["THC"]),
        ("", []),
    ],
)
def test_positive_substances_from_what_is_typed(typed: str, codes: list[str]) -> None:
    assert round_page.parse_positive_text(typed) == codes


def test_keyboard_round_is_saved_with_the_deadline_shown(
    qtbot, reg: Register, page: round_page.TestRoundPage, managed: dict[str, str]
) -> None:
    choose_village(page, "Bản Mòng")
    # Vietnamese order, given name first: An, Bình, Cường; Dũng lives in another village.
    assert names(page) == ["Lò Văn An", "Quàng Văn Bình", "Cầm Văn Cường"]
    assert not page.save_button.isEnabled()
    assert page.save_reason.text() == "Chưa nhập kết quả nào."

    page.view.setFocus()
    qtbot.keyClick(page.view, "a")  # An: negative, on to Bình
    qtbot.keyClick(page.view, "d")  # Bình: positive, the substances editor opens
    editor = editor_of(page)
    assert editor.objectName() == "positivesEditor" and editor.isVisible()
    qtbot.keyClicks(editor, "met thc")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # Enter goes on to the next person (the editor closes on the next turn of the event loop).
    qtbot.waitUntil(lambda: page.view.currentIndex().row() == 2, timeout=2000)
    assert page.view.indexWidget(page.model.index(1, RoundModel.POSITIVES)) is None
    qtbot.keyClick(page.view, "+")  # Cường: positive while in the watch window
    qtbot.keyClick(editor_of(page), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.view.currentIndex().column() == RoundModel.RESULT, timeout=2000)

    model = page.model
    assert model.index(0, RoundModel.RESULT).data() == "Âm tính"
    assert model.index(1, RoundModel.RESULT).data() == "Dương tính"
    assert model.index(1, RoundModel.POSITIVES).data() == "MET, THC"
    # Friday 20/11/2026 + 3 working days = Wednesday 25/11/2026.
    assert (
        model.index(1, RoundModel.FOLLOW_UP).data()
        == "Báo cáo ngay; ra quyết định trước 25/11/2026"
    )
    panel = page.follow_up_list
    texts = [panel.item(i).text() for i in range(panel.count())]
    assert texts[0] == (
        "Quàng Văn Bình: Báo cáo ngay Chủ tịch UBND xã; ra quyết định quản lý trước 25/11/2026 "
        "(Luật 120/2025/QH15)"
    )
    # Cường, in the 2 years after his post-rehab period: a decision now, and the sign to watch.
    assert texts[1].startswith(
        "Cầm Văn Cường: Báo cáo ngay Chủ tịch UBND xã; ra quyết định quản lý trước 25/11/2026"
    )
    assert "điểm c khoản 1 Điều 256a Bộ luật Hình sự" in texts[1]
    assert len(texts) == 2
    assert page.follow_up_box.isVisible()
    assert page.save_button.isEnabled()
    shot(page, "test_round.png")

    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    an, binh, cuong = (drugtests.tests_of(reg, managed[k]) for k in ("an", "binh", "cuong"))
    assert [(t["test_date"], t["result"], t["positives"]) for t in an] == [
        ("2026-11-20", "negative", "")
    ]
    assert [(t["result"], t["positives"]) for t in binh] == [("positive", "MET,THC")]
    assert binh[0]["substances"] == "MET,AMP,MDMA,KET,THC,MOP"
    assert binh[0]["kind"] == "periodic" and binh[0]["method"] == "urine_strip"
    assert [t["result"] for t in cuong] == ["positive"]
    assert page.summary_label.text() == "Đã lưu 3 xét nghiệm, 2 dương tính."
    assert model.index(1, RoundModel.RESULT).data() == "Dương tính ✓ đã lưu"
    assert not page.save_button.isEnabled(), "nothing left to save: no second copy"
    assert page.save_reason.text() == "Không còn kết quả nào chưa lưu."
    shot(page, "test_round_saved.png")


def test_surprise_round_keeps_the_chosen_kind_and_place(
    qtbot, reg: Register, page: round_page.TestRoundPage, managed: dict[str, str]
) -> None:
    choose_village(page, "Bản Mòng")
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("surprise"))
    page.substance_boxes["MOP"].setChecked(False)
    type_text(page.place_edit, "Nhà văn hóa bản")
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Down)
    qtbot.keyClick(page.view, "0")  # Bình
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    [test] = drugtests.tests_of(reg, managed["binh"])
    assert test["kind"] == "surprise" and test["result"] == "negative"
    assert test["place"] == "Nhà văn hóa bản"
    assert "MOP" not in test["substances"].split(",")
    assert drugtests.tests_of(reg, managed["an"]) == []


@pytest.mark.parametrize("answer", ["Yes", "No"])
def test_changing_the_list_asks_before_dropping_typed_results(
    qtbot, page: round_page.TestRoundPage, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    choose_village(page, "Bản Mòng")
    page.view.setFocus()
    qtbot.keyClick(page.view, "a")
    asked = []

    def question(*args: object) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return getattr(QMessageBox.StandardButton, answer)

    monkeypatch.setattr(QMessageBox, "question", question)
    page.village_combo.setCurrentIndex(page.village_combo.findText("Bản Khác"))
    assert asked == ["Có 1 kết quả chưa lưu. Bỏ các kết quả này để lấy danh sách khác?"]
    if answer == "Yes":
        assert names(page) == ["Điêu Văn Dũng"]
    else:
        assert page.village_combo.currentText() == "Bản Mòng"
        assert page.model.row(0).result == "negative"


def test_space_cycles_and_delete_clears(qtbot, page: round_page.TestRoundPage) -> None:
    choose_village(page, "Bản Mòng")
    page.view.setFocus()
    seen = []
    for _ in range(3):
        qtbot.keyClick(page.view, Qt.Key.Key_Space)
        seen.append(page.model.row(0).result)
    assert seen == ["negative", "positive", None]
    type_text(page.view, "â")
    assert page.model.row(0).result == "negative"
    qtbot.keyClick(page.view, Qt.Key.Key_Up)
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    assert page.model.row(0).result is None


def test_due_list_holds_the_people_due_for_a_test(page: round_page.TestRoundPage) -> None:
    choose_village(page, "Tất cả thôn, bản", source="due")
    # Managed since 01/10 and never tested: due (overdue); the watch window has no test schedule.
    assert sorted(names(page)) == sorted(["Lò Văn An", "Quàng Văn Bình", "Điêu Văn Dũng"])
    choose_village(page, "Bản Mòng", source="due")
    assert names(page) == ["Lò Văn An", "Quàng Văn Bình"]


def test_future_date_disables_save_with_the_reason(qtbot, page: round_page.TestRoundPage) -> None:
    choose_village(page, "Bản Mòng")
    page.view.setFocus()
    qtbot.keyClick(page.view, "a")
    assert page.save_button.isEnabled()
    page.date_edit.setFocus()
    page.date_edit.setSelectedSection(QDateTimeEdit.Section.DaySection)
    qtbot.keyClicks(page.date_edit, "21")
    assert page.round_date() == date(2026, 11, 21)
    assert not page.save_button.isEnabled()
    assert page.save_reason.text() == "Không lưu được: ngày xét nghiệm ở tương lai."
    assert page.save_button.toolTip() == page.save_reason.text()
    assert page.date_error.isVisible()
    assert page.date_error.text() == "Ngày 21/11/2026 là ngày trong tương lai."
    shot(page, "test_round_future.png")
    page.date_edit.setDate(QDate(2026, 11, 19))
    assert page.save_button.isEnabled()
    assert page.date_error.isHidden()


def test_no_substance_ticked_disables_save(qtbot, page: round_page.TestRoundPage) -> None:
    choose_village(page, "Bản Mòng")
    page.view.setFocus()
    qtbot.keyClick(page.view, "a")
    for box in page.substance_boxes.values():
        box.setChecked(False)
    assert not page.save_button.isEnabled()
    assert page.save_reason.text() == "Chọn ít nhất một chất được xét nghiệm."


def test_positive_of_a_person_in_treatment_is_a_crime_sign_in_red(
    qtbot, reg: Register, page: round_page.TestRoundPage, managed: dict[str, str]
) -> None:
    actions.start_treatment(reg, managed["an"], Category.METHADONE, "02/10/2026")
    choose_village(page, "Bản Mòng")
    page.view.setFocus()
    qtbot.keyClick(page.view, "1")
    qtbot.keyClick(editor_of(page), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.view.currentIndex().row() == 1, timeout=2000)
    text = page.model.index(0, RoundModel.FOLLOW_UP).data()
    # Art. 256a(1)(a) (Law 86/2025/QH15): using while on substitution treatment.
    assert text == "Dấu hiệu tội phạm — điểm a khoản 1 Điều 256a BLHS"
    assert page.follow_up_list.item(0).foreground().color() == RED


def test_double_click_opens_the_person(
    qtbot, page: round_page.TestRoundPage, managed: dict[str, str]
) -> None:
    choose_village(page, "Bản Mòng")
    rect = page.view.visualRect(page.model.index(1, RoundModel.NAME))
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.person_requested, timeout=2000) as signal:
        qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [managed["binh"]]
