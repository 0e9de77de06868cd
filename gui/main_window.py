"""The main window: the today screen and the register, keyboard first."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.due import due_items
from db.listing import PersonFilter
from db.register import Register
from gui.common import make_table
from gui.models import DueModel, PeopleModel

SEARCH_DELAY_MS = 150


class MainWindow(QMainWindow):
    """One window for the whole register."""

    def __init__(self, reg: Register) -> None:
        super().__init__()
        self.reg = reg
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Sổ theo dõi — %1").replace("%1", reg.path.name))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.setCentralWidget(self.tabs)

        # Today: what is due, overdue first.
        today = QWidget()
        self.due_summary = QLabel()
        self.due_summary.setObjectName("dueSummary")
        self.due_model = DueModel(parent=self)
        self.due_view = make_table("dueTable")
        self.due_view.setModel(self.due_model)
        layout = QVBoxLayout(today)
        layout.addWidget(self.due_summary)
        layout.addWidget(self.due_view)
        self.tabs.addTab(today, self.tr("Việc cần làm"))

        # The register: search as you type, sorted in SQL.
        people = QWidget()
        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText(
            self.tr("Tìm theo tên, tên gọi khác, số CCCD, thôn/bản (không cần gõ dấu)")
        )
        self.people_model = PeopleModel(reg, parent=self)
        self.people_view = make_table("peopleTable")
        self.people_view.setModel(self.people_model)
        self.people_view.setSortingEnabled(True)
        # Qt's header starts with a descending indicator; the register reads A to Z.
        self.people_view.sortByColumn(PeopleModel.NAME, Qt.SortOrder.AscendingOrder)
        self.people_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.people_count = QLabel()
        self.people_count.setObjectName("peopleCount")
        layout = QVBoxLayout(people)
        layout.addWidget(self.search)
        layout.addWidget(self.people_view)
        layout.addWidget(self.people_count)
        self.tabs.addTab(people, self.tr("Sổ đối tượng"))

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.statusBar().showMessage(str(reg.path))
        self.refresh_due()
        self._update_count()
        self._restore()

    def refresh_due(self) -> None:
        """Recompute what is due today."""
        items = due_items(self.reg)
        self.due_model.set_items(items)
        overdue = sum(1 for i in items if i.overdue)
        self.due_summary.setText(
            self.tr("Hôm nay có %1 việc, trong đó %2 việc quá hạn.")
            .replace("%1", str(len(items)))
            .replace("%2", str(overdue))
        )
        self.due_view.resizeColumnsToContents()

    def apply_search(self) -> None:
        """Filter the register by the search box."""
        self._search_timer.stop()
        current = self.people_model._filter
        self.people_model.set_filter(
            PersonFilter(**{**current.__dict__, "text": self.search.text()})
        )
        self._update_count()

    def _update_count(self) -> None:
        self.people_count.setText(
            self.tr("%1 người").replace("%1", str(self.people_model.rowCount()))
        )

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 700)
        self.tabs.setCurrentIndex(int(settings.value("window/tab", 0)))

    def closeEvent(self, event) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/tab", self.tabs.currentIndex())
        super().closeEvent(event)
