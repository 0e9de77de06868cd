"""The register: every person, searched as the officer types, filtered and sorted in SQL."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.commune.places import villages
from db.law.categories import LABELS, Category
from db.persons.listing import PersonFilter
from db.store.register import Register
from gui.dialogs.person_form import PersonDialog
from gui.kit.common import ID_ROLE, make_table
from gui.kit.models import PeopleModel
from gui.kit.page import Page

SEARCH_DELAY_MS = 150


class RegisterPage(Page):
    """Sổ đối tượng."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerPage")
        self.reg = reg
        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            self.tr("Tìm theo tên, tên gọi khác, số CCCD, thôn/bản (không cần gõ dấu)")
        )
        self.category = QComboBox()
        self.category.setObjectName("categoryFilter")
        self.category.addItem(self.tr("Mọi diện"), None)
        for c in Category:
            self.category.addItem(self.tr(LABELS[c]), c.value)
        self.village = QComboBox()
        self.village.setObjectName("villageFilter")
        self.active = QCheckBox(self.tr("Chỉ người đang quản lý"))
        self.active.setObjectName("activeFilter")
        add = QPushButton(self.tr("Thêm người (Ctrl+N)"))
        add.setObjectName("addPerson")
        add.clicked.connect(self.add_person)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.category, 2)
        filters.addWidget(self.village, 1)
        filters.addWidget(self.active)
        filters.addWidget(add)

        self.model = PeopleModel(reg, parent=self)
        self.view = make_table("peopleTable")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        # Qt's header starts with a descending indicator; the register reads A to Z.
        self.view.sortByColumn(PeopleModel.NAME, Qt.SortOrder.AscendingOrder)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((220, 90, 120, 150, 220)):
            self.view.setColumnWidth(column, width)
        self.view.doubleClicked.connect(self._open)
        self.view.activated.connect(self._open)
        self.count = QLabel()
        self.count.setObjectName("peopleCount")

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._timer.start)
        self.category.currentIndexChanged.connect(self.apply_filter)
        self.village.currentIndexChanged.connect(self.apply_filter)
        self.active.toggled.connect(self.apply_filter)
        self._fill_villages()
        self._update_count()

    def _fill_villages(self) -> None:
        current = self.village.currentData()
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(self.tr("Mọi thôn, bản"), None)
        for v in villages(self.reg):
            self.village.addItem(v["name"], v["id"])
        self.village.setCurrentIndex(max(self.village.findData(current), 0))
        self.village.blockSignals(False)

    def current_filter(self) -> PersonFilter:
        """The filter the screen shows, keeping the column sort."""
        old = self.model.current_filter()
        return PersonFilter(
            text=self.search.text(),
            village_id=self.village.currentData(),
            category=self.category.currentData(),
            only_active=self.active.isChecked(),
            sort=old.sort,
            descending=old.descending,
        )

    def apply_filter(self) -> None:
        """Show the people matching the search box and filters."""
        self._timer.stop()
        self.model.set_filter(self.current_filter())
        # Lay the new rows out now: otherwise the next paint draws the old layout and the
        # view's queued relayout paints the whole table a second time.
        self.view.doItemsLayout()
        self._update_count()

    def refresh(self) -> None:
        """Read the register again."""
        self._fill_villages()
        self.model.refresh()
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(
            self.tr("%1 người").replace("%1", f"{self.model.rowCount():,}".replace(",", "."))
        )

    def _open(self, index: QModelIndex) -> None:
        person_id = index.siblingAtColumn(0).data(ID_ROLE)
        if person_id:
            self.person_requested.emit(person_id)

    def add_person(self) -> None:
        """The person form; the new person opens when saved."""
        dialog = PersonDialog(self.reg, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved_id:
            self.refresh()
            self.register_changed.emit()
            self.person_requested.emit(dialog.saved_id)
