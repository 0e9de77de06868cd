"""The new actions on the person screen, driven as an officer drives them: an unreported absence
(Law 73/2021 Art. 40), a move-in that carries the old decision over, electronic monitoring and
declared substances (Law 120/2025/QH15). The forms say what db/ refuses, next to the field."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit

from db.duties import actions
from db.duties.applies import BY_KEY
from db.persons import declarations, episodes, monitoring
from db.store.register import OFFICER, Register
from gui.dialogs.actions import ActionDialog, deadline_text
from gui.pages.person import PersonPage
from tests.support.typing_helpers import type_text

pytestmark = pytest.mark.usefixtures("no_message_boxes")


def dialog_for(qtbot, reg: Register, person: str, key: str) -> ActionDialog:
    dialog = ActionDialog(reg, person, BY_KEY[key])
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def set_date(dialog: ActionDialog, key: str, day: date) -> None:
    edit = dialog.inputs[key]
    assert isinstance(edit, QDateEdit)
    edit.setDate(QDate(day.year, day.month, day.day))


def test_an_absence_from_the_person_screen_moves_the_decided_end(
    qtbot, reg: Register, person: str
) -> None:
    """Decided end 15/03/2027; absent 01/10–20/10/2026 (20 days): the end is now 04/04/2027."""
    post = episodes.open_episode(reg, person, "post_rehab", "15/03/2026", planned="15/03/2027")
    page = PersonPage(reg)
    qtbot.addWidget(page)
    page.show_person(person)
    assert page.action_buttons["absence"].isEnabled()
    dialog = dialog_for(qtbot, reg, person, "absence")
    set_date(dialog, "date", date(2026, 10, 10))
    set_date(dialog, "until", date(2026, 10, 1))
    assert not dialog.save_button.isEnabled()
    assert "trước ngày 10/10/2026" in dialog.errors["until"].text()
    set_date(dialog, "date", date(2026, 10, 1))
    set_date(dialog, "until", date(2026, 10, 20))
    type_text(qtbot, dialog.inputs["notes"], "Đi làm ăn xa")
    assert dialog.save_button.isEnabled(), dialog.why.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert reg.db["episodes"].get(post)["planned_end"] == "2027-04-04"
    assert "04/04/2027" in deadline_text(dialog.outcome)


def test_the_move_in_form_asks_for_the_old_decision(qtbot, reg: Register, person: str) -> None:
    """Art. 23: a moved-in user's year counts from the old decision (10/02/2026 → 10/02/2027)."""
    dialog = dialog_for(qtbot, reg, person, "move_in")
    type_text(qtbot, dialog.inputs["moved_from"], "Xã Mường Bú")
    set_date(dialog, "date", date(2026, 10, 1))
    assert not dialog.save_button.isEnabled()
    # The two empty dates are not shouted at; the line beside the button says what is missing.
    assert "ngày quyết định cũ hoặc ngày kết thúc" in dialog.why.text()
    set_date(dialog, "decision_date", date(2026, 2, 10))
    assert dialog.save_button.isEnabled(), dialog.why.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [user] = episodes.open_episodes(reg, person)
    assert (user["start_date"], user["planned_end"]) == ("2026-10-01", "2027-02-10")


def test_a_moved_in_post_rehab_asks_for_the_earlier_rehab(
    qtbot, reg: Register, person: str
) -> None:
    dialog = dialog_for(qtbot, reg, person, "move_in")
    combo = dialog.inputs["category"]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("post_rehab"))
    type_text(qtbot, dialog.inputs["moved_from"], "Xã Mường Bú")
    set_date(dialog, "decision_date", date(2026, 2, 10))
    assert "Hình thức cai nghiện trước đó" in dialog.why.text()
    prior = dialog.inputs["prior_rehab"]
    assert isinstance(prior, QComboBox)
    prior.setCurrentIndex(prior.findData("rehab_compulsory"))
    assert dialog.save_button.isEnabled(), dialog.why.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert episodes.open_episodes(reg, person)[0]["planned_end"] == "2028-02-10"


def test_monitoring_is_refused_before_law_120_and_recorded_after(
    qtbot, reg: Register, person: str
) -> None:
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    dialog = dialog_for(qtbot, reg, person, "monitoring")
    type_text(qtbot, dialog.inputs["ordered_by"], "Lò Văn Thắng")
    type_text(qtbot, dialog.inputs["device"], "GPS 17")
    for key, day in (("date", date(2026, 6, 30)), ("from_date", date(2026, 6, 30)),
                     ("until", date(2026, 12, 31))):  # fmt: skip
        set_date(dialog, key, day)
    assert not dialog.save_button.isEnabled()
    assert "01/07/2026" in dialog.why.text() and "Luật 120/2025/QH15" in dialog.why.text()
    set_date(dialog, "date", date(2026, 7, 1))
    set_date(dialog, "from_date", date(2026, 7, 1))
    assert dialog.save_button.isEnabled(), dialog.why.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [order] = monitoring.orders_of(reg, person)
    assert (order["from_date"], order["to_date"], order["device"]) == (
        "2026-07-01", "2026-12-31", "GPS 17")  # fmt: skip
    # The end of the order, with its reason.
    ending = dialog_for(qtbot, reg, person, "monitoring_end")
    assert ending.inputs["order"].currentData() == order["id"]  # type: ignore[attr-defined]
    type_text(qtbot, ending.inputs["reason_text"], "Hết thời hạn")
    set_date(ending, "date", date(2026, 11, 20))
    qtbot.mouseClick(ending.save_button, Qt.MouseButton.LeftButton)
    assert monitoring.orders_of(reg, person)[0]["end_reason"] == "Hết thời hạn"


def test_an_officer_sees_why_monitoring_is_greyed_out(qtbot, reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    reg.role = OFFICER
    page = PersonPage(reg)
    qtbot.addWidget(page)
    page.show_person(person)
    button = page.action_buttons["monitoring"]
    assert not button.isEnabled()
    assert "Chỉ tài khoản chỉ huy" in button.toolTip()


def test_declared_substances_from_the_form(qtbot, reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    dialog = dialog_for(qtbot, reg, person, "declare")
    assert not dialog.save_button.isEnabled()
    type_text(qtbot, dialog.inputs["substances"], "ma túy đá, heroin")
    set_date(dialog, "date", date(2026, 11, 2))
    assert dialog.save_button.isEnabled(), dialog.why.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    latest = declarations.latest_declaration(reg, person)
    assert latest is not None
    assert (latest["declared_on"], latest["codes"]) == ("2026-11-02", ["MET", "HER"])
