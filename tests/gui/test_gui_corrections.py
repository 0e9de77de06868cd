"""Putting mistakes right on the person screen, clicked as an officer does: a test corrected or
voided, an episode reopened, a person entered by mistake deleted, the management team; each
asserts what the screen and the register then hold."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QTableView, QWidget

from db.duties import actions
from db.duties.due import due_items
from db.persons import drugtests, episodes, people, team
from db.store.register import OFFICER, Register
from gui.dialogs.corrections import CorrectEpisodeDialog, CorrectTestDialog
from gui.dialogs.team import MemberDialog
from gui.pages.person import PersonPage
from reports.sheets import person_sheet
from reports.typeface import load_fonts
from tests.support.typing_helpers import type_text

pytestmark = pytest.mark.usefixtures("no_message_boxes")


FAILED: list[BaseException] = []


def when_shown(name: str, act: Callable[[Any], None], timeout: float = 5.0) -> None:
    """Act on the modal dialog `name` once its exec() has shown it; a failed check closes the
    dialog (so exec() returns) and fails the test (`_dialog_checks`)."""
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
            if widget is not None:
                widget.reject()

    QTimer.singleShot(0, poll)


@pytest.fixture(autouse=True)
def _dialog_checks() -> Iterator[None]:
    FAILED.clear()
    yield
    if FAILED:
        raise FAILED[0]


@pytest.fixture
def page(qtbot: Any, reg: Register) -> PersonPage:
    shown = PersonPage(reg)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    return shown


def table(page: PersonPage, name: str) -> list[list[str]]:
    view = page.findChild(QTableView, name)
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]  # fmt: skip


def tick(qtbot: Any, box: QCheckBox) -> None:
    """Click a tick box where its box is (a wide one's middle is empty space)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def choose_row(qtbot: Any, page: PersonPage, name: str, row: int = 0) -> None:
    view = page.findChild(QTableView, name)
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_voiding_a_positive_test_with_a_reason(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    assert "positive" in {i.kind for i in due_items(reg)}
    page.show()
    page.show_person(person)
    assert not page.correct_test_button.isEnabled()  # nothing chosen yet
    assert page.correct_test_button.toolTip() == "Chọn một lần xét nghiệm."
    page.tabs.setCurrentIndex(1)
    choose_row(qtbot, page, "testsTable")
    assert page.correct_test_button.isEnabled()

    def void(dialog: CorrectTestDialog) -> None:
        tick(qtbot, dialog.void)
        assert not dialog.save_button.isEnabled()
        assert dialog.why.text() == "Chưa nhập: Lý do."
        type_text(qtbot, dialog.reason, "Nhập nhầm người")
        assert dialog.save_button.text() == "Hủy kết quả" and dialog.save_button.isEnabled()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_shown("testCorrectionDialog", void)
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.correct_test_button, Qt.MouseButton.LeftButton)

    assert "positive" not in {i.kind for i in due_items(reg)}
    assert drugtests.tests_of(reg, person) == [] and table(page, "testsTable") == []
    history = table(page, "historyTable")
    when, who, what, action, summary = history[0]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", when) and who == reg.user
    assert (what, action) == ("Xét nghiệm ngày 16/11/2026", "Hủy kết quả xét nghiệm")
    assert "Kết quả: Dương tính" in summary and summary.endswith("Lý do: Nhập nhầm người")


def test_correcting_a_result_by_unticking_the_positive(
    qtbot: Any, reg: Register, person: str
) -> None:
    test = drugtests.record_test(reg, person, "16/11/2026", substances="MET,THC", positives="MET")
    dialog = CorrectTestDialog(reg, test)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.findChild(QLabel, "formError").isHidden()  # "nothing changed" is not red
    tick(qtbot, dialog.positive["MET"])
    type_text(qtbot, dialog.reason, "Đọc nhầm que thử")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    (row,) = drugtests.tests_of(reg, person)
    assert (row["result"], row["positives"], row["substances"]) == ("negative", "", "MET,THC")


def test_a_future_date_is_refused_next_to_the_date(qtbot: Any, reg: Register, person: str) -> None:
    test = drugtests.record_test(reg, person, "16/11/2026")
    dialog = CorrectTestDialog(reg, test)
    qtbot.addWidget(dialog)
    dialog.when.setMaximumDate(dialog.when.date().addYears(1))
    dialog.when.setDate(dialog.when.date().addDays(30))
    type_text(qtbot, dialog.reason, "x")
    error = dialog.errors["test_date"]
    assert error.text() == "Ngày xét nghiệm: 16/12/2026 là ngày trong tương lai."
    assert not dialog.save_button.isEnabled()


def test_reopening_a_wrongly_closed_episode(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    actions.management_decision(reg, person, "10/05/2026", decision_no="5/QĐ")
    episode = episodes.open_episodes(reg, person)[0]["id"]
    actions.stop(reg, episode, "15/11/2026", "prison")
    page.show()
    page.show_person(person)
    assert table(page, "episodesTable")[0][4] == "15/11/2026"
    choose_row(qtbot, page, "episodesTable")

    def reopen(dialog: CorrectEpisodeDialog) -> None:
        tick(qtbot, dialog.reopen)
        assert not dialog.end.isEnabled() and dialog.save_button.text() == "Mở lại"
        type_text(qtbot, dialog.reason, "Nhầm người đi tù")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_shown("episodeCorrectionDialog", reopen)
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.correct_episode_button, Qt.MouseButton.LeftButton)
    assert [e["id"] for e in episodes.open_episodes(reg, person)] == [episode]
    assert table(page, "episodesTable")[0][4] == ""
    assert page.status.text().startswith("Tình trạng: Sử dụng trái phép")
    assert table(page, "historyTable")[0][3] == "Mở lại diện quản lý"


def test_deleting_a_person_is_the_chiefs(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    reg.role = OFFICER
    page.show_person(person)
    assert not page.delete_button.isEnabled()
    assert page.delete_button.toolTip().startswith("Chỉ tài khoản chỉ huy mới được xóa")
    reg.role = "chief"
    page.refresh()

    def delete(dialog: Any) -> None:
        type_text(qtbot, dialog.reason, "Nhập trùng")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_shown("deletePersonDialog", delete)
    with qtbot.waitSignal(page.back_requested):
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert people.count_people(reg) == 0 and page.person_id is None


def test_a_team_member_added_on_the_tab_is_on_the_printed_sheet(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    page.show()
    page.show_person(person)
    page.tabs.setCurrentWidget(page.team)

    def fill(dialog: MemberDialog) -> None:
        assert dialog.relation_caption.text() == "Đơn vị, tổ chức"
        type_text(qtbot, dialog.name, "Lò Văn Thắng")
        type_text(qtbot, dialog.relation, "Công an xã")
        type_text(qtbot, dialog.phone, "0912345678")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_shown("memberDialog", fill)
    with qtbot.waitSignal(page.register_changed):
        qtbot.mouseClick(page.team.add_button, Qt.MouseButton.LeftButton)
    rows = table(page.team, "teamTable")  # type: ignore[arg-type]
    assert rows == [["Tổ trưởng (cán bộ Công an xã)", "Lò Văn Thắng", "Công an xã",
                     "0912345678", "20/11/2026", "đang tham gia"]]  # fmt: skip
    assert table(page, "historyTable")[0][2] == "Tổ quản lý: Lò Văn Thắng"

    pdf = person_sheet(reg, person, load_fonts())
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "Tổ quản lý, giúp đỡ:" in text
    assert "Lò Văn Thắng" in text and "0912345678" in text and "Tổ trưởng" in text


def test_ending_a_member_keeps_them_with_their_dates(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    member = team.add_member(reg, person, {"role": "helper", "name": "Cầm Thị Ơn",
                                           "from_date": "01/06/2026"})  # fmt: skip
    page.show()
    page.show_person(person)
    page.tabs.setCurrentWidget(page.team)
    view = page.team.view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(0, 0)).center())  # fmt: skip

    def end(dialog: Any) -> None:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_shown("endMemberDialog", end)
    with qtbot.waitSignal(page.team.changed):
        qtbot.mouseClick(page.team.end_button, Qt.MouseButton.LeftButton)
    assert team.members_of(reg, person)[0]["to_date"] == "2026-11-20"
    assert table(page.team, "teamTable")[0][5] == "20/11/2026"  # type: ignore[arg-type]
    assert member and team.members_of(reg, person, ended=False) == []


def test_screenshots_at_1366x768(qtbot: Any, page: PersonPage, reg: Register, person: str) -> None:
    """The corrections form and the team tab, for a person to look at (/tmp)."""
    test = drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    team.add_member(reg, person, {"role": "leader", "name": "Lò Văn Thắng",
                                  "relation": "Công an xã", "phone": "0912 345 678"})  # fmt: skip
    team.add_member(reg, person, {"role": "family", "name": "Nguyễn Thị Hoa", "relation": "Vợ"})
    dialog = CorrectTestDialog(reg, test)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(50)
    # Nothing is cut off: the window is at least as big as what it holds, and fits the screen.
    hint: QWidget = dialog
    assert hint.width() >= hint.sizeHint().width() and hint.height() >= hint.sizeHint().height()
    assert hint.sizeHint().height() <= 700 and hint.sizeHint().width() <= 1366
    assert dialog.grab().save("/tmp/sua_ket_qua_xet_nghiem.png")
    actions.management_decision(reg, person, "10/05/2026", decision_no="5/QĐ")
    episode = episodes.open_episodes(reg, person)[0]["id"]
    actions.stop(reg, episode, "15/11/2026", "prison")
    other = CorrectEpisodeDialog(reg, episode)
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    qtbot.wait(50)
    assert other.width() >= other.sizeHint().width() and other.sizeHint().height() <= 700
    assert other.grab().save("/tmp/mo_lai_sua_dien.png")
    page.show()
    page.show_person(person)
    page.tabs.setCurrentWidget(page.team)
    qtbot.waitExposed(page)
    qtbot.wait(50)
    assert page.grab().save("/tmp/to_quan_ly.png")
