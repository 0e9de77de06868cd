"""The legal actions on the person screen, driven as an officer drives them: the menu offers
what db/ says applies, the forms say what db/ refuses next to the field, and the deadline an
action creates is said on the page."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QWidget

from db.duties import actions
from db.duties.applies import BY_KEY, applicable_actions
from db.persons import episodes, people
from db.store.register import Register
from gui.dialogs.actions import ActionDialog
from gui.dialogs.person_form import PersonDialog
from gui.pages.person import PersonPage
from tests.support.registers import count
from tests.support.typing_helpers import type_text

pytestmark = pytest.mark.usefixtures("no_message_boxes")


def when_shown(name: str, act: Callable[[QWidget], None], timeout: float = 5.0) -> None:
    """Act on the modal dialog `name` once its exec() has shown it."""
    deadline = time.monotonic() + timeout

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None and widget.objectName() == name:
            act(widget)
        elif time.monotonic() < deadline:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


@pytest.fixture
def page(qtbot, reg: Register) -> PersonPage:
    page = PersonPage(reg)
    qtbot.addWidget(page)
    return page


def offered(page: PersonPage) -> set[str]:
    return {key for key, button in page.action_buttons.items() if button.isEnabled()}


def _in_rehab(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_compulsory", "01/03/2026")


def _on_methadone(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "methadone", "01/03/2026")


def _managed(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/05/2026", decision_no="5/QĐ")


def _after_rehab(reg: Register, person: str) -> None:
    episodes.open_episode(reg, person, "post_rehab", "01/10/2026", prior_rehab="rehab_home")


@pytest.mark.parametrize(
    "history",
    [lambda reg, p: None, _managed, _in_rehab, _on_methadone, _after_rehab],
    ids=["nobody", "managed", "compulsory rehab", "methadone", "post-rehab"],
)
def test_the_action_menu_is_exactly_what_the_register_says_applies(
    page: PersonPage, reg: Register, person: str, history: Callable[[Register, str], None]
) -> None:
    history(reg, person)
    page.show_person(person)
    assert offered(page) == {a.key for a in applicable_actions(reg, person)}
    # Each button reads the title db/ gives the action.
    for key, button in page.action_buttons.items():
        assert button.text() == BY_KEY[key].title


def test_the_menu_follows_the_status(page: PersonPage, reg: Register, person: str) -> None:
    page.show_person(person)
    assert "release" not in offered(page) and "quit" not in offered(page)
    _on_methadone(reg, person)
    page.refresh()
    assert "quit" in offered(page) and "release" not in offered(page)
    # A greyed-out action says why, in the register's words.
    assert page.action_buttons["quit"].toolTip() == ""
    tip = page.action_buttons["release"].toolTip()
    assert tip.startswith("Không ghi được “Hoàn thành cai nghiện → quản lý sau cai nghiện”")
    assert "chỉ áp dụng cho người đang cai nghiện" in tip and "methadone" in tip


def test_a_form_for_an_action_that_no_longer_applies_says_so_and_saves_nothing(
    qtbot, reg: Register, person: str
) -> None:
    _managed(reg, person)
    dialog = ActionDialog(reg, person, BY_KEY["release"])
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    assert dialog.why.text().startswith("Chưa lưu được: Không ghi được “Hoàn thành cai nghiện")
    assert "Sử dụng trái phép" in dialog.why.text()
    rows = count(reg, "episodes")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert count(reg, "episodes") == rows


def test_the_registers_refusal_lands_next_to_the_date(qtbot, reg: Register, person: str) -> None:
    _managed(reg, person)
    dialog = ActionDialog(reg, person, BY_KEY["term"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.inputs["date"].setDate(dialog.inputs["date"].date().addYears(-1))  # before 10/05/2026
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    error = dialog.findChild(QLabel, "dateError")
    assert error.isVisible() and "trước ngày bắt đầu 10/05/2026" in error.text()
    assert [e["category"] for e in episodes.open_episodes(reg, person)] == ["user"]


def test_a_blank_required_text_is_db_s_message(qtbot, reg: Register, person: str) -> None:
    _managed(reg, person)
    dialog = ActionDialog(reg, person, BY_KEY["move_away"])
    qtbot.addWidget(dialog)
    # The empty field is not shouted at before the officer reaches it; the line beside Save says.
    assert dialog.why.text() == "Chưa lưu được: Nơi chuyển đến: không được để trống."
    assert dialog.errors["moved_to"].isHidden()
    type_text(qtbot, dialog.inputs["moved_to"], "Xã Mường Bú")
    assert dialog.save_button.isEnabled() and dialog.why.text() == ""
    dialog.inputs["moved_to"].clear()
    assert dialog.errors["moved_to"].text() == "Nơi chuyển đến: không được để trống."


def test_the_deadline_of_an_action_is_said_on_the_page(
    qtbot, page: PersonPage, reg: Register, person: str
) -> None:
    page.show_person(person)
    assert page.deadline.isHidden()

    def decide(dialog: QWidget) -> None:
        assert isinstance(dialog, ActionDialog)
        type_text(qtbot, dialog.inputs["decision_no"], "12/QD")
        dialog.save_button.click()

    when_shown("action_decision", decide)
    with qtbot.waitSignal(page.register_changed):
        page.action_buttons["decision"].click()
    assert not page.deadline.isHidden()
    assert page.deadline.text().startswith("Thời hạn tiếp theo — ")
    assert "trước " in page.deadline.text()
    assert [e["decision_no"] for e in episodes.open_episodes(reg, person)] == ["12/QD"]


def test_required_fields_are_marked_and_the_check_waits_for_a_pause(qtbot, reg: Register) -> None:
    dialog = PersonDialog(reg)
    qtbot.addWidget(dialog)
    caption = dialog.form.labelForField(dialog.errors["full_name"].parentWidget())
    assert caption.text() == f"{people.FIELDS['full_name']} *"
    assert dialog.why.text() == f"Chưa nhập: {people.FIELDS['full_name']}."
    type_text(qtbot, dialog.fields["full_name"], "Lò Văn Hùng")
    type_text(qtbot, dialog.fields["id_number"], "123")
    # The check asks the register: it runs once the typing pauses, not at every key.
    assert dialog.errors["id_number"].isHidden()
    qtbot.waitUntil(lambda: not dialog.errors["id_number"].isHidden(), timeout=2000)
    assert "12 chữ số" in dialog.errors["id_number"].text()
    assert not dialog.save_button.isEnabled()
