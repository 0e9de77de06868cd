"""A person: identity, current status, the actions the law prescribes, and tabs for episodes,
tests, contacts, the management team, electronic monitoring, declared substances, unreported
absences and the history of changes; mistakes are put right here (a test corrected or voided,
an episode reopened or corrected, a person entered by mistake deleted), each with a reason.

On a station laptop at 125 % the page beside the list of screens is about 850×500: the identity
and the actions scroll inside their own boxes, the actions wrap in rows with their full titles,
and the officer can drag the line between them and the tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import show
from db.core.errors import NotFound
from db.duties.applies import ACTIONS, Action, applicable_actions, refusal
from db.law.categories import LABELS, Category
from db.persons import corrections, episodes, people
from db.store.register import Register
from gui.dialogs.actions import ActionDialog, deadline_text
from gui.dialogs.corrections import (
    CorrectEpisodeDialog,
    CorrectTestDialog,
    DeletePersonDialog,
)
from gui.dialogs.follow_up import ContactDialog, DrugTestDialog
from gui.dialogs.person_form import PersonDialog
from gui.kit.common import named_button, tr
from gui.kit.forms import notice_label, set_notice
from gui.kit.page import Page
from gui.pages.person.flow import FlowLayout
from gui.pages.person.lists import PersonTabs

TABS_ROOM = 250  # the least height the tabs get at first (a list's header and six rows)
# The list an action adds a row to: the page shows that tab once the action is saved.
TAB_OF_ACTION = {
    "test": "testsTable",
    "contact": "contactsTable",
    "monitoring": "monitoringTable",
    "monitoring_end": "monitoringTable",
    "declare": "declarationsTable",
    "absence": "absencesTable",
}


def _scrolled(name: str, content: QWidget) -> QScrollArea:
    """A frameless box that scrolls up and down when `content` is taller than the room."""
    scroll = QScrollArea()
    scroll.setObjectName(name)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    return scroll


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
        # The deadline the last action created: said on the page, no box to click away.
        self.deadline = notice_label("deadlineNotice", urgent=True)

        self.identity = QFormLayout()
        identity_box = QWidget()
        identity_box.setLayout(self.identity)
        self.identity.setContentsMargins(0, 0, 6, 0)
        self.tabs = tabs = PersonTabs(reg)
        self.tabs.selection_changed.connect(self._selection_changed)
        self.tabs.team.changed.connect(self._team_changed)
        self.tabs.correct_episode_button.clicked.connect(self.correct_episode)
        self.tabs.correct_test_button.clicked.connect(self.correct_test)
        # What tests and the main window reach for on the page itself.
        self.views = self.tabs.views
        self.episodes, self.tests, self.contacts = tabs.episodes, tabs.tests, tabs.contacts
        self.orders, self.declarations = tabs.orders, tabs.declarations
        self.absences, self.history, self.team = tabs.absences, tabs.history, tabs.team
        self.correct_episode_button = self.tabs.correct_episode_button
        self.correct_test_button = self.tabs.correct_test_button
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("personSplitter")
        self.splitter.setChildrenCollapsible(False)
        upper = QWidget()
        middle = QHBoxLayout(upper)
        middle.setContentsMargins(0, 0, 0, 0)
        self._identity_box, self._actions_box = identity_box, self._actions()
        self._actions_scroll = _scrolled("actionsScroll", self._actions_box)
        middle.addWidget(_scrolled("identityScroll", identity_box), 2)
        middle.addWidget(self._actions_scroll, 3)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.tabs)
        # The identity and the actions get the height they need where there is room (_split),
        # until the officer drags the line between them and the tabs; the tabs take the rest.
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self._dragged = False
        self.splitter.splitterMoved.connect(self._drag)
        self._split_later = QTimer(self)
        self._split_later.setSingleShot(True)
        self._split_later.timeout.connect(self._split)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.deadline)
        layout.addWidget(self.splitter, 1)

    def _actions(self) -> QWidget:
        """The buttons of the actions, in rows that wrap to the room there is."""
        flow = FlowLayout()
        test = named_button("action_test", self.tr("Ghi xét nghiệm"))
        test.clicked.connect(self.record_test)
        contact = named_button("action_contact", self.tr("Ghi tiếp xúc / kiểm tra cư trú"))
        contact.clicked.connect(self.record_contact)
        flow.addWidget(test)
        flow.addWidget(contact)
        self.action_buttons: dict[str, QPushButton] = {}
        for spec in ACTIONS:
            button = named_button(f"action_{spec.key}", tr("actions", spec.title))
            button.clicked.connect(lambda _=False, s=spec: self.run_action(s))
            flow.addWidget(button)
            self.action_buttons[spec.key] = button
        box = QWidget()
        box.setObjectName("actionsBox")
        box.setLayout(flow)
        return box

    def _drag(self) -> None:
        self._dragged = True

    def _split(self) -> None:
        """Give the identity and the actions the height they need, as far as there is room."""
        total = sum(self.splitter.sizes())
        if self._dragged or total <= 0:
            return
        width = self._actions_scroll.viewport().width()
        needed = max(
            self._identity_box.sizeHint().height(), self._actions_box.heightForWidth(width)
        )
        # At most half; the tabs keep TABS_ROOM. The splitter keeps each part's minimum.
        upper = min(needed, total - max(TABS_ROOM, total // 2))
        self.splitter.setSizes([upper, total - upper])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._split_later.start(0)

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
        self.tabs.fill(self.person_id)
        watched = [o for o in self.tabs.orders.rows() if o["in_effect"]]
        self.status.setText(
            self.tr("Tình trạng: ")
            + ("; ".join(parts) or self.tr("không còn diện quản lý"))
            + "".join(
                self.tr("; đang giám sát điện tử đến %1").replace("%1", show(o["to_date"]))
                for o in watched[:1]
            )
        )
        self._show_identity(person)
        applies = {a.key for a in applicable_actions(self.reg, self.person_id)}
        for key, button in self.action_buttons.items():
            button.setEnabled(key in applies)
            # A greyed-out action says why, in the register's words.
            button.setToolTip("" if key in applies else refusal(self.reg, key, self.person_id))
        # Signing off is the chief's (db/ refuses others too): say so on the button.
        if getattr(self.reg, "role", "chief") != "chief":
            self.action_buttons["sign_off"].setEnabled(False)
            self.action_buttons["sign_off"].setToolTip(self.tr("Chỉ chỉ huy được duyệt."))
        # Deleting a person entered by mistake is the chief's: the button says why not.
        refused = corrections.chief_refusal(self.reg, corrections.DELETE_WHAT)
        self.delete_button.setEnabled(not refused)
        self.delete_button.setToolTip(refused)
        self._selection_changed()
        self._split_later.start(0)

    def _show_identity(self, person: dict[str, str]) -> None:
        while self.identity.rowCount():
            self.identity.removeRow(0)
        sex = {"M": self.tr("Nam"), "F": self.tr("Nữ")}.get(person["sex"] or "", "")
        declared = next(iter(self.tabs.declarations.rows()), None)  # the latest (Law 120/2025)
        substances = (
            self.tr("%1 (khai ngày %2)")
            .replace("%1", declared["text"])
            .replace("%2", show(declared["declared_on"]))
            if declared
            else ""
        )
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
            (self.tr("Chất khai báo"), substances),
        ):
            text = QLabel(value or "—")
            text.setWordWrap(True)
            self.identity.addRow(label, text)

    def _selection_changed(self, *_: object) -> None:
        for name, button, what in (
            ("episodesTable", self.correct_episode_button, self.tr("Chọn một quyết định, diện.")),
            ("testsTable", self.correct_test_button, self.tr("Chọn một lần xét nghiệm.")),
        ):
            chosen = self.tabs.selected(name) is not None
            button.setEnabled(chosen)
            button.setToolTip("" if chosen else what)

    def _team_changed(self) -> None:
        self.tabs.show_history(self.person_id or "")
        self.register_changed.emit()

    def _after(self, dialog: QDialog, key: str = "") -> bool:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        set_notice(self.deadline, "")
        self.refresh()
        if key in TAB_OF_ACTION:  # the new row in sight
            self.tabs.show_list(TAB_OF_ACTION[key])
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
        test_id = self.tabs.selected("testsTable")
        if test_id:
            self._after(CorrectTestDialog(self.reg, test_id, self))

    def correct_episode(self) -> None:
        """Reopen or correct the selected episode, with a reason."""
        episode_id = self.tabs.selected("episodesTable")
        if episode_id:
            self._after(CorrectEpisodeDialog(self.reg, episode_id, self))

    def record_test(self) -> None:
        """Record a drug test."""
        if self.person_id:
            self._after(DrugTestDialog(self.reg, self.person_id, self), "test")

    def record_contact(self) -> None:
        """Record a contact or residence check."""
        if self.person_id:
            self._after(ContactDialog(self.reg, self.person_id, self), "contact")

    def run_action(self, spec: Action) -> None:
        """Open the dialog of one legal action; then say the deadline it created, if any."""
        if self.person_id:
            dialog = ActionDialog(self.reg, self.person_id, spec, self)
            if self._after(dialog, spec.key):
                set_notice(self.deadline, deadline_text(dialog.outcome))
