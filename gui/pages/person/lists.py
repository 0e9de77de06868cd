"""The person screen's tabs: each list of what was recorded about the person (episodes, tests,
contacts, electronic monitoring, declared substances, absences, the history of changes) and the
management team. The page connects the buttons; this reads the register and shows it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolBox,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import show
from db.persons import (
    absences,
    contacts,
    declarations,
    drugtests,
    episodes,
    history_view,
    monitoring,
)
from db.security import auth
from db.store.register import Register
from gui.dialogs.team import TeamPanel
from gui.kit.common import ID_ROLE, ListModel, make_table, named_button
from gui.pages.person.columns import (
    ABSENCE_COLUMNS,
    CONTACT_COLUMNS,
    DECLARATION_COLUMNS,
    EPISODE_COLUMNS,
    HISTORY_COLUMNS,
    MONITORING_COLUMNS,
    TEST_COLUMNS,
    order_state,
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


class PersonTabs(QTabWidget):
    """The tabs under a person's identity and actions; `views` by objectName."""

    selection_changed = Signal()

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personTabs")
        self.reg = reg
        self.episodes = ListModel(EPISODE_COLUMNS, red=lambda r: r["end_date"] is None)
        self.tests = ListModel(TEST_COLUMNS, red=lambda r: r["result"] == "positive")
        self.contacts = ListModel(CONTACT_COLUMNS)
        self.orders = ListModel(MONITORING_COLUMNS)
        self.declarations = ListModel(DECLARATION_COLUMNS)
        self.absences = ListModel(ABSENCE_COLUMNS)
        self.history = ListModel(HISTORY_COLUMNS)
        self.views: dict[str, QTableView] = {}
        for model, name in (
            (self.episodes, "episodesTable"),
            (self.tests, "testsTable"),
            (self.contacts, "contactsTable"),
            (self.orders, "monitoringTable"),
            (self.declarations, "declarationsTable"),
            (self.absences, "absencesTable"),
            (self.history, "historyTable"),
        ):
            self.views[name] = make_table(name)
            self.views[name].setModel(model)
        # A change's summary, a reason or a note can be long: it wraps (rows follow the last
        # column's width), never cut.
        for name in ("historyTable", "monitoringTable", "declarationsTable", "absencesTable"):
            self.views[name].setWordWrap(True)
            header = self.views[name].verticalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setMinimumSectionSize(header.defaultSectionSize())  # as tall as other lists
        self.correct_episode_button = named_button("correctEpisode", self.tr("Mở lại / sửa"))
        self.correct_test_button = named_button("correctTest", self.tr("Sửa / hủy kết quả"))
        # Each table in its tab's box; the two that can be corrected with their button above.
        over = {
            "episodesTable": self.correct_episode_button,
            "testsTable": self.correct_test_button,
        }
        for name, button in over.items():
            view = self.views[name]
            view.selectionModel().selectionChanged.connect(self.selection_changed)
            view.doubleClicked.connect(lambda *_, b=button: b.click())
        self.boxes = {
            name: _tab(view, *[over[name]] if name in over else [])
            for name, view in self.views.items()
        }
        self.team = TeamPanel(reg)
        # Short tab titles: every tab shows beside the list of screens at 1366×768 and 125 %.
        self.addTab(self.boxes["episodesTable"], self.tr("Quyết định, diện"))
        self.addTab(self.boxes["testsTable"], self.tr("Xét nghiệm"))
        self.addTab(self.boxes["contactsTable"], self.tr("Tiếp xúc, cư trú"))
        self.addTab(self.team, self.tr("Tổ quản lý"))
        # Three short lists in one tab, one open at a time; each title says how many rows.
        self.law120 = QToolBox()
        self.law120.setObjectName("law120Box")
        for name in ("monitoringTable", "declarationsTable", "absencesTable"):
            self.law120.addItem(self.boxes[name], "")
        self.addTab(self.law120, self.tr("Giám sát, khai báo, vắng mặt"))
        # The history stays the last tab: the place to look for what changed.
        self.addTab(self.boxes["historyTable"], self.tr("Lịch sử thay đổi"))
        self._count()

    def _count(self) -> None:
        """Each short list's title says how many rows it holds: an empty one need not be opened."""
        for name, title in (
            ("monitoringTable", self.tr("Giám sát điện tử (Luật 120/2025): %1 lệnh")),
            ("declarationsTable", self.tr("Chất khai báo sử dụng: %1 lần khai báo")),
            ("absencesTable", self.tr("Vắng mặt không báo cáo (không tính vào thời hạn): %1 lần")),
        ):
            rows = self.views[name].model().rowCount()
            index = self.law120.indexOf(self.boxes[name])
            self.law120.setItemText(index, title.replace("%1", str(rows)))

    def fill(self, person_id: str) -> None:
        """Read every list of the person again."""
        rows = episodes.history(self.reg, person_id)
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
        self.tests.set_rows(drugtests.tests_of(self.reg, person_id))
        self.contacts.set_rows(contacts.contacts_of(self.reg, person_id))
        today = self.reg.today().isoformat()
        orders = monitoring.orders_of(self.reg, person_id)
        self.orders.set_rows([{**o, "state": order_state(o, today)} for o in orders])
        self.declarations.set_rows(declarations.declarations_of(self.reg, person_id))
        self.absences.set_rows(absences.absences_of(self.reg, person_id))
        self.history.set_rows(history_view.person_history(self.reg, person_id))
        self.team.show_person(person_id)
        for view in self.views.values():
            if view.wordWrap():  # the last column takes the room left and wraps in it
                for column in range(view.model().columnCount() - 1):
                    view.resizeColumnToContents(column)
            else:
                view.resizeColumnsToContents()
        self._count()

    def show_history(self, person_id: str) -> None:
        """Read the history of changes again (after a change made in the team tab)."""
        self.history.set_rows(history_view.person_history(self.reg, person_id))

    def show_list(self, name: str) -> None:
        """Bring one list to the front (its tab, and its part of the short lists' tab)."""
        box = self.boxes[name]
        if self.law120.indexOf(box) >= 0:
            self.law120.setCurrentWidget(box)
            box = self.law120
        self.setCurrentWidget(box)

    def selected(self, name: str) -> str | None:
        """The id of the row chosen in one list, if any."""
        rows = self.views[name].selectionModel().selectedRows()
        return str(self.views[name].model().index(rows[0].row(), 0).data(ID_ROLE)) if rows else None
