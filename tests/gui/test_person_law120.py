"""The person screen lists what Law 120/2025/QH15 and post-rehab management add to a file:
electronic monitoring orders, declared substances and unreported absences (Law 73/2021 Art. 40).
An officer records each through the screen's action button and form; the new row shows in its
list at once, with its dates as dd/mm/yyyy, and the list is brought to the front."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDateEdit, QFormLayout, QLabel, QTableView

from db.duties import actions
from db.persons import absences, declarations, episodes, monitoring
from db.store.register import Register
from gui.dialogs.actions import ActionDialog
from gui.pages.person import PersonPage
from tests.support.typing_helpers import type_text

pytestmark = pytest.mark.usefixtures("no_message_boxes")


@pytest.fixture
def page(qtbot: Any, reg: Register) -> PersonPage:
    shown = PersonPage(reg)
    qtbot.addWidget(shown)
    shown.resize(1100, 640)  # beside the list of screens at 1366×768
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def click_action(
    qtbot: Any, page: PersonPage, key: str, fill: Callable[[ActionDialog], None]
) -> ActionDialog:
    """Click an action's button on the page, fill its form as the officer does, click OK."""
    seen: list[ActionDialog] = []
    deadline = time.monotonic() + 5

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ActionDialog) and dialog.objectName() == f"action_{key}":
            seen.append(dialog)
            fill(dialog)
            assert dialog.save_button.isEnabled(), dialog.why.text()
            qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        elif time.monotonic() < deadline:
            QTimer.singleShot(20, poll)

    button = page.action_buttons[key]
    assert button.isEnabled(), button.toolTip()
    QTimer.singleShot(0, poll)
    with qtbot.waitSignal(page.register_changed, timeout=5000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert seen, f"the form of “{key}” opened"
    return seen[0]


def set_date(dialog: ActionDialog, key: str, day: date) -> None:
    edit = dialog.inputs[key]
    assert isinstance(edit, QDateEdit)
    edit.setDate(QDate(day.year, day.month, day.day))


def rows(page: PersonPage, name: str) -> list[list[str]]:
    view = page.findChild(QTableView, name)
    assert view is not None
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]  # fmt: skip


def in_front(page: PersonPage, name: str) -> bool:
    """The list is the one the officer sees: its tab and its part of the tab are open."""
    box = page.tabs.law120
    return page.tabs.currentWidget() is box and box.currentWidget() is page.tabs.boxes[name]


def identity(page: PersonPage) -> dict[str, str]:
    form = page.identity
    found = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
        value = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
        assert isinstance(label, QLabel) and isinstance(value, QLabel)
        found[label.text()] = value.text()
    return found


def test_a_declaration_shows_in_its_list_and_on_the_file(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    """Law 120/2025: a person under management declares the substances used (02/11/2026)."""
    actions.management_decision(reg, person, "10/05/2026")
    page.show_person(person)
    assert rows(page, "declarationsTable") == []
    assert page.tabs.law120.itemText(1) == "Chất khai báo sử dụng: 0 lần khai báo"

    def fill(dialog: ActionDialog) -> None:
        type_text(qtbot, dialog.inputs["substances"], "ma túy đá, heroin")
        set_date(dialog, "date", date(2026, 11, 2))
        type_text(qtbot, dialog.inputs["notes"], "Tự khai tại trụ sở")

    click_action(qtbot, page, "declare", fill)
    assert rows(page, "declarationsTable") == [
        ["02/11/2026", "Methamphetamine (ma túy đá), Heroin", "Tự khai tại trụ sở"]
    ]
    assert in_front(page, "declarationsTable")
    assert page.tabs.law120.itemText(1) == "Chất khai báo sử dụng: 1 lần khai báo"
    assert identity(page)["Chất khai báo"] == (
        "Methamphetamine (ma túy đá), Heroin (khai ngày 02/11/2026)"
    )
    # A later declaration comes first; the earlier one is kept.
    declarations.declare_substances(reg, person, "20/11/2026", "MET")
    page.refresh()
    assert [r[0] for r in rows(page, "declarationsTable")] == ["20/11/2026", "02/11/2026"]


def test_an_absence_shows_in_its_list_and_moves_the_end_on_the_screen(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    """Law 73/2021 Art. 40: decided end 15/03/2027; absent 01/10–20/10/2026 (20 days, both
    counted): the end is 04/04/2027 in the list of episodes and in the status at once."""
    episodes.open_episode(reg, person, "post_rehab", "15/03/2026", planned="15/03/2027")
    page.show_person(person)
    assert "đến 15/03/2027" in page.status.text()

    def fill(dialog: ActionDialog) -> None:
        set_date(dialog, "date", date(2026, 10, 1))
        set_date(dialog, "until", date(2026, 10, 20))
        type_text(qtbot, dialog.inputs["notes"], "Đi làm ăn xa")

    click_action(qtbot, page, "absence", fill)
    assert rows(page, "absencesTable") == [["01/10/2026", "20/10/2026", "20", "Đi làm ăn xa"]]
    assert in_front(page, "absencesTable")
    assert page.tabs.law120.itemText(2).endswith(": 1 lần")
    assert rows(page, "episodesTable")[0][3] == "04/04/2027"
    assert "đến 04/04/2027" in page.status.text()
    assert "04/04/2027" in page.deadline.text()
    # Taken back (recorded by mistake): the list and the end follow on the next read.
    [absence] = absences.absences_of(reg, person)
    absences.delete_absence(reg, absence["id"])
    page.refresh()
    assert rows(page, "absencesTable") == []
    assert "đến 15/03/2027" in page.status.text()


def test_a_monitoring_order_and_its_end_show_in_the_list(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    """Law 120/2025 (in force 01/07/2026): the head of commune police orders electronic
    monitoring of a person in substitution treatment, 01/07–31/12/2026; it ends on 20/11/2026."""
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    page.show_person(person)
    assert rows(page, "monitoringTable") == []
    assert "giám sát điện tử" not in page.status.text()

    def order(dialog: ActionDialog) -> None:
        type_text(qtbot, dialog.inputs["ordered_by"], "Lò Văn Thắng")
        type_text(qtbot, dialog.inputs["device"], "Vòng GPS số 17")
        set_date(dialog, "date", date(2026, 7, 1))
        set_date(dialog, "from_date", date(2026, 7, 1))
        set_date(dialog, "until", date(2026, 12, 31))

    click_action(qtbot, page, "monitoring", order)
    assert rows(page, "monitoringTable") == [
        ["01/07/2026", "Lò Văn Thắng", "01/07/2026", "31/12/2026", "Vòng GPS số 17",
         "Đang giám sát", ""]
    ]  # fmt: skip
    assert in_front(page, "monitoringTable")
    assert page.tabs.law120.itemText(0) == "Giám sát điện tử (Luật 120/2025): 1 lệnh"
    assert "đang giám sát điện tử đến 31/12/2026" in page.status.text()
    assert page.action_buttons["monitoring_end"].isEnabled()

    def end(dialog: ActionDialog) -> None:
        set_date(dialog, "date", date(2026, 11, 20))
        type_text(qtbot, dialog.inputs["reason_text"], "Chỉ huy cho dừng sớm")

    page.tabs.setCurrentIndex(0)  # the officer was elsewhere: the list comes to the front
    click_action(qtbot, page, "monitoring_end", end)
    assert rows(page, "monitoringTable") == [
        ["01/07/2026", "Lò Văn Thắng", "01/07/2026", "31/12/2026", "Vòng GPS số 17",
         "20/11/2026", "Chỉ huy cho dừng sớm"]
    ]  # fmt: skip
    assert in_front(page, "monitoringTable")
    assert "giám sát điện tử" not in page.status.text()  # ended today: no longer in effect
    assert monitoring.open_orders(reg, person) == []


def test_an_order_past_its_last_day_says_so(page: PersonPage, reg: Register, person: str) -> None:
    """An order for 01/07–31/08/2026 never ended by hand: on 20/11/2026 its term is over."""
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    monitoring.order_monitoring(reg, person, "01/07/2026", ordered_by="Lò Văn Thắng",
                                start="01/07/2026", end="31/08/2026")  # fmt: skip
    page.show_person(person)
    assert rows(page, "monitoringTable")[0][3:6] == ["31/08/2026", "", "Hết thời hạn"]


def test_a_cancelled_form_changes_no_list(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    page.show_person(person)
    front = page.tabs.currentIndex()

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ActionDialog):
            type_text(qtbot, dialog.inputs["substances"], "MET")
            dialog.reject()
        else:
            QTimer.singleShot(20, cancel)

    QTimer.singleShot(0, cancel)
    qtbot.mouseClick(page.action_buttons["declare"], Qt.MouseButton.LeftButton)
    assert rows(page, "declarationsTable") == []
    assert declarations.declarations_of(reg, person) == []
    assert page.tabs.currentIndex() == front


def test_every_tab_title_and_action_title_shows_whole_on_the_smallest_screen(
    qtbot: Any, page: PersonPage, reg: Register, person: str
) -> None:
    """1366×768 at 125 %: the page beside the list of screens is about 848×502. No tab hides
    behind scroll arrows; each action button is as wide as its title."""
    episodes.open_episode(reg, person, "post_rehab", "15/03/2026", planned="15/03/2027")
    page.show_person(person)
    page.resize(848, 502)
    qtbot.wait(20)
    bar = page.tabs.tabBar()
    assert bar.tabRect(bar.count() - 1).right() <= bar.width()
    assert all(bar.tabRect(i).width() >= bar.tabSizeHint(i).width() for i in range(bar.count()))
    box = page.action_buttons["absence"].parentWidget()
    for button in page.action_buttons.values():
        assert button.width() >= button.sizeHint().width(), button.text()
        assert button.geometry().right() <= box.width(), button.text()
