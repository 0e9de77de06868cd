"""Việc cần làm: what is due and overdue on a day, overdue first and in red."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from db.duties.due import DueItem, due_items
from db.store.register import Register
from gui.kit.common import ID_ROLE, date_edit, from_qdate, make_table, to_qdate
from gui.kit.models import DueModel
from gui.kit.page import Page
from gui.kit.worker import run_in_background


class TodayPage(Page):
    """The start screen."""

    loaded = Signal()  # the list for the chosen day is on screen

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todayPage")
        self.reg = reg
        self.day = date_edit("dueDate", reg.today())
        self.day.dateChanged.connect(self.refresh)
        today = QPushButton(self.tr("Hôm nay"))
        today.setObjectName("dueToday")
        today.clicked.connect(lambda: self.day.setDate(to_qdate(self.reg.today())))
        tomorrow = QPushButton(self.tr("Ngày mai"))
        tomorrow.setObjectName("dueTomorrow")
        tomorrow.clicked.connect(
            lambda: self.day.setDate(to_qdate(self.reg.today() + timedelta(days=1)))
        )
        self.summary = QLabel()
        self.summary.setObjectName("dueSummary")
        self.summary.setStyleSheet("font-size: 11pt;")
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Việc cần làm đến ngày")))
        bar.addWidget(self.day)
        bar.addWidget(today)
        bar.addWidget(tomorrow)
        bar.addWidget(self.summary, 1)
        self.model = DueModel(parent=self)
        self.view = make_table("dueTable")
        self.view.setModel(self.model)
        self.view.doubleClicked.connect(self._open)
        self.view.activated.connect(self._open)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._generation = 0
        self.refresh()

    def refresh(self) -> None:
        """Recompute what is due on the chosen day, off the UI thread (a second on a big
        register); the list stays usable meanwhile."""
        on = from_qdate(self.day.date())
        self.summary.setText(self.tr("Đang tính việc cần làm…"))
        self._generation += 1
        run_in_background(
            self,
            self.tr("Đang tính việc cần làm…"),
            self.reg,
            lambda reg, progress: due_items(reg, on),
            partial(self._show, self._generation),
        )

    def _show(self, generation: int, items: list[DueItem]) -> None:
        if generation != self._generation:
            return  # a newer request (another day, a change) is on its way
        self.model.set_items(items)
        overdue = sum(1 for i in items if i.overdue)
        self.summary.setText(
            self.tr("%1 việc, trong đó %2 việc quá hạn.")
            .replace("%1", str(len(items)))
            .replace("%2", str(overdue))
        )
        for column, width in enumerate((160, 230, 190, 150)):
            self.view.setColumnWidth(column, width)
        self.loaded.emit()

    def _open(self, index: QModelIndex) -> None:
        person_id = index.data(ID_ROLE)
        if person_id:
            self.person_requested.emit(person_id)
