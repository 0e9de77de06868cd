"""The window driven as an officer drives it (offscreen): keyboard into forms, then what the
screen says and what the register holds."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from db.commune import places
from db.duties import actions
from db.duties.applies import ACTIONS
from db.duties.due import due_items
from db.persons import drugtests, episodes, people
from db.store.register import open_register
from gui.dialogs.actions import ActionDialog
from gui.dialogs.follow_up import DrugTestDialog
from gui.dialogs.person_form import PersonDialog
from gui.kit.common import ID_ROLE
from gui.kit.models import DueModel, PeopleModel
from gui.main_window import MainWindow
from tests.support.typing_helpers import type_text

TODAY = date(2026, 11, 20)


@pytest.fixture
def filled(tmp_path, no_message_boxes):
    reg = open_register(tmp_path / "so.db", create=True, today=lambda: TODAY)
    village = places.save_village(reg, {"name": "Bản Pá Khôm", "population": 500})
    names = ["Đặng Văn Đức", "Nguyễn Thị Ánh", "Lò Văn An", "Giàng A Páo", "Quàng Thị Ân"]
    ids = [people.add_person(reg, {"full_name": n, "village_id": village}) for n in names]
    yield reg, ids, village
    reg.close()


def _save(dialog) -> QDialogButtonBox:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Save)


def test_models_pass_qtmodeltester(qtmodeltester, filled):
    reg, ids, _ = filled
    drugtests.record_test(reg, ids[0], "18/11/2026", positives="MET")
    qtmodeltester.check(PeopleModel(reg))
    qtmodeltester.check(DueModel(due_items(reg)))


def test_register_lists_people_in_vietnamese_order(qtbot, filled):
    reg, _, _ = filled
    window = MainWindow(reg)
    qtbot.addWidget(window)
    model = window.page("register").model
    shown = [model.index(r, PeopleModel.NAME).data() for r in range(model.rowCount())]
    # Given name first, Vietnamese alphabet: An < Ánh < Ân < Đức < Páo.
    assert shown == ["Lò Văn An", "Nguyễn Thị Ánh", "Quàng Thị Ân", "Đặng Văn Đức", "Giàng A Páo"]


def test_add_a_person_from_the_keyboard_and_find_them_without_diacritics(qtbot, filled):
    reg, _, village = filled
    dialog = PersonDialog(reg)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.fields["full_name"], "Vàng  Thị Đào")
    type_text(qtbot, dialog.fields["birth_date"], "1998")
    dialog.fields["sex"].setCurrentIndex(2)  # Nữ
    type_text(qtbot, dialog.fields["id_number"], "014198001234")
    dialog.fields["village_id"].setCurrentIndex(dialog.fields["village_id"].findData(village))
    assert dialog.check()
    qtbot.mouseClick(_save(dialog), Qt.MouseButton.LeftButton)
    assert dialog.saved_id
    saved = people.get_person(reg, dialog.saved_id)
    assert saved["full_name"] == "Vàng Thị Đào" and saved["birth_date"] == "1998"

    window = MainWindow(reg)
    qtbot.addWidget(window)
    page = window.page("register")
    type_text(qtbot, page.search, "vang thi dao")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    index = page.model.index(0, PeopleModel.NAME)
    assert index.data() == "Vàng Thị Đào" and index.data(ID_ROLE) == dialog.saved_id
    assert page.count.text() == "1 người"


@pytest.mark.parametrize(
    ("cccd", "birth", "sex", "message"),
    [
        ("01409000123", "1990", 1, "phải có 12 chữ số"),
        ("0140900012AB", "1990", 1, "chỉ được gồm chữ số"),
        ("014090001234", "1991", 1, "năm sinh 1990"),
        ("014090001234", "1990", 2, "giới tính nam"),
    ],
)
def test_bad_cccd_shows_its_message_and_cannot_be_saved(qtbot, filled, cccd, birth, sex, message):
    reg, _, _ = filled
    before = reg.db.execute("SELECT count(*) FROM persons").fetchone()[0]
    dialog = PersonDialog(reg)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.fields["full_name"], "Lò Văn Hùng")
    type_text(qtbot, dialog.fields["birth_date"], birth)
    dialog.fields["sex"].setCurrentIndex(sex)
    type_text(qtbot, dialog.fields["id_number"], cccd)
    dialog.check()
    assert message in dialog.errors["id_number"].text()
    assert not dialog.errors["id_number"].isHidden()
    assert not _save(dialog).isEnabled()
    assert "Chưa lưu được" in dialog.why_disabled.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == before


def test_possible_duplicate_is_shown_before_saving(qtbot, filled):
    reg, _, _ = filled
    people.add_person(reg, {"full_name": "Sùng A Chứ", "birth_date": "1985"})
    dialog = PersonDialog(reg)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.fields["full_name"], "sung a chu")
    type_text(qtbot, dialog.fields["birth_date"], "03/1985")
    dialog.check()
    assert not dialog.duplicates.isHidden()
    assert "Sùng A Chứ" in dialog.duplicates.text()


def test_positive_test_puts_the_decision_deadline_on_the_today_screen(qtbot, filled):
    reg, ids, _ = filled
    window = MainWindow(reg)
    qtbot.addWidget(window)
    window.open_person(ids[0])
    dialog = DrugTestDialog(reg, ids[0], window.person)
    qtbot.addWidget(dialog)
    dialog.when.setDate(dialog.when.date().addDays(-2))  # 18/11/2026, a Wednesday
    dialog.positive["MET"].setChecked(True)
    assert "ra quyết định quản lý trước 23/11/2026" in dialog.follow_label.text()
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert [t["result"] for t in drugtests.tests_of(reg, ids[0])] == ["positive"]
    today = window.page("today")
    with qtbot.waitSignal(today.loaded, timeout=5000):
        today.refresh()
    model = today.model
    details = [model.index(r, DueModel.DETAIL).data() for r in range(model.rowCount())]
    assert any("ra quyết định quản lý trước 23/11/2026" in d for d in details)
    # Two days later it is overdue, shown in red and first.
    with qtbot.waitSignal(today.loaded, timeout=5000):
        today.day.setDate(today.day.date().addDays(5))
    first = model.index(0, DueModel.DUE)
    assert "(quá hạn)" in first.data()
    assert first.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_end_a_management_period_changes_the_status(qtbot, filled):
    reg, ids, _ = filled
    actions.management_decision(reg, ids[1], "10/11/2025", decision_no="05/QĐ-UBND")
    window = MainWindow(reg)
    qtbot.addWidget(window)
    window.open_person(ids[1])
    assert "Sử dụng trái phép" in window.person.status.text()
    assert window.person.action_buttons["term"].isEnabled()
    spec = next(s for s in ACTIONS if s.key == "term")
    dialog = ActionDialog(reg, ids[1], spec, window.person)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    window.person.refresh()
    assert "không còn diện quản lý" in window.person.status.text()
    assert episodes.open_episodes(reg, ids[1]) == []
    history = window.person.history
    assert any(history.row(r)["action"] == "update" for r in range(history.rowCount()))


def test_action_dialog_refuses_a_future_date_and_says_why(qtbot, filled):
    reg, ids, _ = filled
    spec = next(s for s in ACTIONS if s.key == "decision")
    dialog = ActionDialog(reg, ids[2], spec)
    qtbot.addWidget(dialog)
    dialog.inputs["date"].setDate(dialog.inputs["date"].date().addDays(3))
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "tương lai" in dialog.why.text()
    assert episodes.open_episodes(reg, ids[2]) == []


def test_double_click_on_the_register_opens_the_person(qtbot, filled):
    reg, _, _ = filled
    window = MainWindow(reg)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    window.focus_search()
    page = window.page("register")
    page.view.doubleClicked.emit(page.model.index(0, 0))
    assert window.stack.currentWidget() is window.person
    assert window.person.name.text() == "Lò Văn An"
    qtbot.keyClick(window.person, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=2000)


def test_window_opens_on_the_start_screen_alone_and_every_screen_opens(qtbot, filled):
    reg, _, _ = filled
    window = MainWindow(reg)
    qtbot.addWidget(window)
    # Opening builds only the screen it opens on (the last one used; fast on a big register)…
    assert len(window.pages) == 1
    # …and every screen of the list opens when chosen, with its title in the list.
    titles = [window.nav.item(r).text() for r in range(window.nav.count())]
    assert titles[:2] == ["Việc cần làm", "Sổ đối tượng"] and "Cài đặt" in titles
    for row, key in enumerate(window.keys):
        window.nav.setCurrentRow(row)
        assert window.stack.currentWidget() is window.pages[key]
    assert set(window.pages) == set(window.keys)


def test_person_screen_models_pass_qtmodeltester(qtbot, qtmodeltester, filled):
    reg, ids, _ = filled
    actions.management_decision(reg, ids[0], "02/11/2026", decision_no="7/QĐ")
    drugtests.record_test(reg, ids[0], "10/11/2026", positives="MET")
    from db.persons.contacts import add_contact

    add_contact(reg, ids[0], "12/11/2026", "residence_check", at_address=True)
    window = MainWindow(reg)
    qtbot.addWidget(window)
    window.open_person(ids[0])
    page = window.person
    for model in (page.episodes, page.tests, page.contacts, page.history):
        assert model.rowCount() > 0
        qtmodeltester.check(model)


def test_the_chief_signs_off_a_decision_and_the_person_screen_shows_it(qtbot, filled):
    reg, ids, _ = filled
    actions.management_decision(reg, ids[2], "02/11/2026", decision_no="8/QĐ-UBND")
    window = MainWindow(reg)
    qtbot.addWidget(window)
    window.open_person(ids[2])
    page = window.person
    assert page.episodes.row(0)["signed"] == ""
    assert page.action_buttons["sign_off"].isEnabled()
    spec = next(s for s in ACTIONS if s.key == "sign_off")
    dialog = ActionDialog(reg, ids[2], spec, page)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    page.refresh()
    assert page.episodes.row(0)["signed"].startswith(reg.user)
    # A later change to the decision is shown against the signature.
    episode_id = page.episodes.row(0)["id"]
    from db.store import records

    records.update(reg, "episodes", episode_id, {"decision_no": "8b/QĐ-UBND"})
    page.refresh()
    assert "đã sửa sau khi duyệt" in page.episodes.row(0)["signed"]
