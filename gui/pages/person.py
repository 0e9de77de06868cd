"""A person: identity, current status, the actions the law prescribes, and tabs for episodes,
tests, contacts, the management team and the history of changes; mistakes are put right here
(a test corrected or voided, an episode reopened or corrected, a person entered by mistake
deleted), each with a reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import show
from db.core.errors import NotFound
from db.duties.applies import ACTIONS, Action, applicable_actions, refusal
from db.law.categories import END_KINDS, LABELS, Category
from db.persons import contacts, corrections, drugtests, episodes, history_view, people
from db.security import auth
from db.store.register import Register
from gui.dialogs.actions import ActionDialog, deadline_text
from gui.dialogs.corrections import (
    CorrectEpisodeDialog,
    CorrectTestDialog,
    DeletePersonDialog,
)
from gui.dialogs.follow_up import ContactDialog, DrugTestDialog
from gui.dialogs.person_form import PersonDialog
from gui.dialogs.team import TeamPanel
from gui.kit.common import ID_ROLE, Column, ListModel, make_table, named_button, tr
from gui.kit.forms import notice_label, set_notice
from gui.kit.page import Page


def _category(row: dict[str, Any]) -> str:
    return LABELS[Category(row["category"])]


EPISODE_COLUMNS = (
    Column(tr("person", "Diện"), _category),
    Column(tr("person", "Số quyết định"), lambda r: r["decision_no"]),
    Column(tr("person", "Bắt đầu"), lambda r: show(r["start_date"])),
    Column(tr("person", "Dự kiến kết thúc"), lambda r: show(r["planned_end"])),
    Column(tr("person", "Kết thúc"), lambda r: show(r["end_date"])),
    Column(tr("person", "Chỉ huy duyệt"), lambda r: r.get("signed", "")),
    Column(tr("person", "Hình thức kết thúc"),
           lambda r: " — ".join(x for x in (END_KINDS.get(r["end_kind"] or "", ""),
                                            r["end_reason"], r["moved_to"]) if x)),
)  # fmt: skip
TEST_COLUMNS = (
    Column(tr("person", "Ngày"), lambda r: show(r["test_date"])),
    Column(tr("person", "Hình thức"), lambda r: drugtests.KINDS.get(r["kind"], r["kind"])),
    Column(tr("person", "Kết quả"), lambda r: drugtests.RESULTS[r["result"]]),
    Column(tr("person", "Chất dương tính"), lambda r: r["positives"].replace(",", ", ")),
    Column(tr("person", "Chất đã thử"), lambda r: r["substances"].replace(",", ", ")),
    Column(tr("person", "Người thực hiện"), lambda r: r["officer"]),
)
CONTACT_COLUMNS = (
    Column(tr("person", "Ngày"), lambda r: show(r["contact_date"])),
    Column(tr("person", "Loại"), lambda r: contacts.KINDS.get(r["kind"], r["kind"])),
    Column(tr("person", "Có mặt"),
           lambda r: {None: "", 1: tr("person", "Có"), 0: tr("person", "Không")}[r["at_address"]]),
    Column(tr("person", "Cán bộ"), lambda r: r["officer"]),
    Column(tr("person", "Nội dung"), lambda r: r["notes"]),
)  # fmt: skip
# db.persons.history_view says it all in words: local time, the account's name, no ids.
HISTORY_COLUMNS = (
    Column(tr("person", "Thời điểm"), lambda r: r["at"]),
    Column(tr("person", "Người làm"), lambda r: r["who"]),
    Column(tr("person", "Mục"), lambda r: r["what"]),
    Column(tr("person", "Việc"), lambda r: r["action_label"]),
    Column(tr("person", "Nội dung"), lambda r: r["summary"]),
)


def _tab(view: QTableView, *buttons: QPushButton) -> QWidget:
    """A tab: its buttons over its table."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 4, 0, 0)
    if buttons:
        bar = QHBoxLayout()
        for button in buttons:
            bar.addWidget(button)
        bar.addStretch(1)
        layout.addLayout(bar)
    layout.addWidget(view, 1)
    return box


class PersonPage(Page):
    """One person's file on screen; the action buttons that apply are those db/ says apply."""

    back_requested = Signal()

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personPage")
        self.reg = reg
        self.person_id: str | None = None

        back = named_button("backButton", self.tr("← Quay lại"))
        back.clicked.connect(self.back_requested)
        self.name = QLabel()
        self.name.setObjectName("personName")
        self.name.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.status = QLabel()
        self.status.setObjectName("personStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 11pt; color: #0b4f8a;")
        edit = named_button("editPerson", self.tr("Sửa thông tin"))
        edit.clicked.connect(self.edit)
        self.delete_button = named_button("deletePerson", self.tr("Xóa người nhập nhầm"))
        self.delete_button.clicked.connect(self.delete)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.name, 1)
        top.addWidget(edit)
        top.addWidget(self.delete_button)

        self.identity = QFormLayout()
        identity_box = QWidget()
        identity_box.setLayout(self.identity)

        self.action_grid = QGridLayout()
        test = named_button("action_test", self.tr("Ghi xét nghiệm"))
        test.clicked.connect(self.record_test)
        contact = named_button("action_contact", self.tr("Ghi tiếp xúc / kiểm tra cư trú"))
        contact.clicked.connect(self.record_contact)
        self.action_buttons: dict[str, QPushButton] = {}
        self.action_grid.addWidget(test, 0, 0)
        self.action_grid.addWidget(contact, 0, 1)
        for i, spec in enumerate(ACTIONS, start=2):
            button = named_button(f"action_{spec.key}", tr("actions", spec.title))
            button.clicked.connect(lambda _=False, s=spec: self.run_action(s))
            self.action_grid.addWidget(button, i // 2, i % 2)
            self.action_buttons[spec.key] = button
        actions_box = QWidget()
        actions_box.setLayout(self.action_grid)
        # The deadline the last action created: said on the page, no box to click away.
        self.deadline = notice_label("deadlineNotice", urgent=True)

        self.episodes = ListModel(EPISODE_COLUMNS, red=lambda r: r["end_date"] is None)
        self.tests = ListModel(TEST_COLUMNS, red=lambda r: r["result"] == "positive")
        self.contacts = ListModel(CONTACT_COLUMNS)
        self.history = ListModel(HISTORY_COLUMNS)
        self.views: dict[str, QTableView] = {}
        for model, name in (
            (self.episodes, "episodesTable"),
            (self.tests, "testsTable"),
            (self.contacts, "contactsTable"),
            (self.history, "historyTable"),
        ):
            self.views[name] = make_table(name)
            self.views[name].setModel(model)
        # A change's summary can be long: it wraps (rows follow the column's width), never cut.
        history = self.views["historyTable"]
        history.setWordWrap(True)
        history.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.correct_episode_button = named_button("correctEpisode", self.tr("Mở lại / sửa"))
        self.correct_episode_button.clicked.connect(self.correct_episode)
        self.correct_test_button = named_button("correctTest", self.tr("Sửa / hủy kết quả"))
        self.correct_test_button.clicked.connect(self.correct_test)
        for name, button in (
            ("episodesTable", self.correct_episode_button),
            ("testsTable", self.correct_test_button),
        ):
            view = self.views[name]
            view.selectionModel().selectionChanged.connect(self._selection_changed)
            view.doubleClicked.connect(lambda *_, b=button: b.click())
        self.team = TeamPanel(reg)
        self.team.changed.connect(self._team_changed)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("personTabs")
        self.tabs.addTab(
            _tab(self.views["episodesTable"], self.correct_episode_button),
            self.tr("Quyết định, diện quản lý"),
        )
        self.tabs.addTab(
            _tab(self.views["testsTable"], self.correct_test_button), self.tr("Xét nghiệm")
        )
        self.tabs.addTab(_tab(self.views["contactsTable"]), self.tr("Tiếp xúc, kiểm tra cư trú"))
        self.tabs.addTab(self.team, self.tr("Tổ quản lý"))
        self.tabs.addTab(_tab(self.views["historyTable"]), self.tr("Lịch sử thay đổi"))

        middle = QHBoxLayout()
        middle.addWidget(identity_box, 1)
        middle.addWidget(actions_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.deadline)
        layout.addLayout(middle)
        layout.addWidget(self.tabs, 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return
        super().keyPressEvent(event)

    def show_person(self, person_id: str) -> None:
        """Load a person into the page."""
        self.person_id = person_id
        set_notice(self.deadline, "")
        self.refresh()

    def refresh(self) -> None:
        """Read the person again."""
        if self.person_id is None:
            return
        try:
            person = people.get_person(self.reg, self.person_id)
        except NotFound:
            self.person_id = None
            self.back_requested.emit()
            return
        self.name.setText(person["full_name"])
        open_now = episodes.open_episodes(self.reg, self.person_id)
        parts = [
            f"{LABELS[Category(e['category'])]} "
            + self.tr("(từ %1%2)")
            .replace("%1", show(e["start_date"]))
            .replace(
                "%2",
                self.tr(", đến %1").replace("%1", show(e["planned_end"]))
                if e["planned_end"]
                else "",
            )
            for e in open_now
        ]
        self.status.setText(
            self.tr("Tình trạng: ") + ("; ".join(parts) or self.tr("không còn diện quản lý"))
        )
        while self.identity.rowCount():
            self.identity.removeRow(0)
        sex = {"M": self.tr("Nam"), "F": self.tr("Nữ")}.get(person["sex"] or "", "")
        for label, value in (
            (self.tr("Tên gọi khác"), person["other_names"]),
            (self.tr("Ngày sinh"), show(person["birth_date"])),
            (self.tr("Giới tính"), sex),
            (self.tr("Dân tộc"), person["ethnicity"]),
            (self.tr("Số CCCD/CMND"), person["id_number"]),
            (self.tr("Thôn/bản"), person["village"] or ""),
            (self.tr("Nơi thường trú"), person["permanent_address"]),
            (self.tr("Nơi ở hiện tại"), person["current_address"]),
            (self.tr("Nghề nghiệp"), person["occupation"]),
            (self.tr("Điện thoại"), person["phone"]),
            (self.tr("Người thân"), person["family_contact"]),
        ):
            text = QLabel(value or "—")
            text.setWordWrap(True)
            self.identity.addRow(label, text)
        applies = {a.key for a in applicable_actions(self.reg, self.person_id)}
        for key, button in self.action_buttons.items():
            button.setEnabled(key in applies)
            # A greyed-out action says why, in the register's words.
            button.setToolTip("" if key in applies else refusal(self.reg, key, self.person_id))
        # Signing off is the chief's (db/ refuses others too): say so on the button.
        if getattr(self.reg, "role", "chief") != "chief":
            self.action_buttons["sign_off"].setEnabled(False)
            self.action_buttons["sign_off"].setToolTip(self.tr("Chỉ chỉ huy được duyệt."))
        rows = episodes.history(self.reg, self.person_id)
        for row in rows:
            signed = auth.signed_off(self.reg, row["id"])
            row["signed"] = (
                ""
                if signed is None
                else self.tr("%1, %2%3")
                .replace("%1", signed["by"])
                .replace("%2", show(signed["at"][:10]))
                .replace(
                    "%3", self.tr(" (đã sửa sau khi duyệt)") if signed["changed_since"] else ""
                )
            )
        self.episodes.set_rows(rows)
        self.tests.set_rows(drugtests.tests_of(self.reg, self.person_id))
        self.contacts.set_rows(contacts.contacts_of(self.reg, self.person_id))
        self.history.set_rows(history_view.person_history(self.reg, self.person_id))
        self.team.show_person(self.person_id)
        for view in self.views.values():
            view.resizeColumnsToContents()
        # Deleting a person entered by mistake is the chief's: the button says why not.
        refused = corrections.chief_refusal(self.reg, corrections.DELETE_WHAT)
        self.delete_button.setEnabled(not refused)
        self.delete_button.setToolTip(refused)
        self._selection_changed()

    def _selected(self, name: str) -> str | None:
        rows = self.views[name].selectionModel().selectedRows()
        return str(self.views[name].model().index(rows[0].row(), 0).data(ID_ROLE)) if rows else None

    def _selection_changed(self, *_: object) -> None:
        for name, button, what in (
            ("episodesTable", self.correct_episode_button, self.tr("Chọn một quyết định, diện.")),
            ("testsTable", self.correct_test_button, self.tr("Chọn một lần xét nghiệm.")),
        ):
            chosen = self._selected(name) is not None
            button.setEnabled(chosen)
            button.setToolTip("" if chosen else what)

    def _team_changed(self) -> None:
        self.history.set_rows(history_view.person_history(self.reg, self.person_id or ""))
        self.register_changed.emit()

    def _after(self, dialog: QDialog) -> bool:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        set_notice(self.deadline, "")
        self.refresh()
        self.register_changed.emit()
        return True

    def edit(self) -> None:
        """Change the person's identity."""
        if self.person_id:
            self._after(PersonDialog(self.reg, self.person_id, self))

    def delete(self) -> None:
        """Delete a person entered by mistake (the chief's), with a reason; the page then goes
        back (the person is no longer there to show)."""
        if self.person_id:
            self._after(DeletePersonDialog(self.reg, self.person_id, self))

    def correct_test(self) -> None:
        """Correct or void the selected test, with a reason."""
        test_id = self._selected("testsTable")
        if test_id:
            self._after(CorrectTestDialog(self.reg, test_id, self))

    def correct_episode(self) -> None:
        """Reopen or correct the selected episode, with a reason."""
        episode_id = self._selected("episodesTable")
        if episode_id:
            self._after(CorrectEpisodeDialog(self.reg, episode_id, self))

    def record_test(self) -> None:
        """Record a drug test."""
        if self.person_id:
            self._after(DrugTestDialog(self.reg, self.person_id, self))

    def record_contact(self) -> None:
        """Record a contact or residence check."""
        if self.person_id:
            self._after(ContactDialog(self.reg, self.person_id, self))

    def run_action(self, spec: Action) -> None:
        """Open the dialog of one legal action; then say the deadline it created, if any."""
        if self.person_id:
            dialog = ActionDialog(self.reg, self.person_id, spec, self)
            if self._after(dialog):
                set_notice(self.deadline, deadline_text(dialog.outcome))
