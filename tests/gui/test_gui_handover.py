"""“Đã chuyển cơ quan điều tra” on the person screen: offered only to a person whose positive
test is a sign of the crime of Art. 256a (db.duties.applies), and once recorded the due list's
crime item for the person is gone. Today is 20/11/2026."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, Qt

from db.duties import actions
from db.duties.applies import BY_KEY
from db.duties.due import due_items
from db.persons import drugtests
from db.store.register import Register
from gui.dialogs.actions import ActionDialog
from gui.pages.person import PersonPage
from tests.support.typing_helpers import type_text

pytestmark = pytest.mark.usefixtures("no_message_boxes")


def button_for(qtbot, reg: Register, person: str) -> tuple[PersonPage, bool, str]:
    page = PersonPage(reg)
    qtbot.addWidget(page)
    page.show_person(person)
    button = page.action_buttons["handover"]
    assert button.text() == "Đã chuyển cơ quan điều tra"
    return page, button.isEnabled(), button.toolTip()


def test_offered_only_for_a_crime_sign(qtbot, reg: Register, add: Callable[..., str]) -> None:
    sign = add("Lò Văn An", birth_date="1990")
    actions.found_addicted(reg, sign, "01/05/2025")
    actions.start_treatment(reg, sign, "methadone", "01/06/2026")
    drugtests.record_test(reg, sign, "18/11/2026", positives="MET")
    user = add("Quàng Văn Bình", birth_date="1990")
    actions.management_decision(reg, user, "15/09/2026")
    drugtests.record_test(reg, user, "18/11/2026", positives="MET")

    _, enabled, _ = button_for(qtbot, reg, sign)
    assert enabled
    _, enabled, why = button_for(qtbot, reg, user)
    assert not enabled
    assert "dấu hiệu tội phạm (Điều 256a Bộ luật Hình sự)" in why

    assert [i.person_id for i in due_items(reg) if i.kind == "crime"] == [sign]
    dialog = ActionDialog(reg, sign, BY_KEY["handover"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.inputs["date"].setDate(QDate(2026, 11, 19))
    type_text(qtbot, dialog.inputs["notes"], "Công văn số 12/CAX")
    assert dialog.save_button.isEnabled(), dialog.why.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [i for i in due_items(reg) if i.kind == "crime"] == []
    _, enabled, _ = button_for(qtbot, reg, sign)
    assert not enabled
