"""Table models over the register: rows come from SQL a page at a time, sorted in SQL."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    Qt,
)
from PySide6.QtGui import QBrush

from db.core.dates import show
from db.duties.due import KIND_LABELS, DueItem
from db.law.categories import SHORT_LABELS, Category
from db.persons.listing import PersonFilter, person_ids, person_rows
from db.store.register import Register
from gui.kit.common import ID_ROLE, RED, Index, TableModel

PAGE = 200


def _tr(text: str) -> str:
    return QCoreApplication.translate("models", text)


class PeopleModel(TableModel):
    """The register: every matching person, fetched from SQL by page as the view scrolls."""

    NAME, BIRTH, ID_NUMBER, VILLAGE, STATUS, LAST_TEST = range(6)
    SORT_KEYS: ClassVar[dict[int, str]] = {
        NAME: "name",
        BIRTH: "birth",
        ID_NUMBER: "id_number",
        VILLAGE: "village",
    }

    def __init__(self, reg: Register, parent: Any = None) -> None:
        super().__init__(parent)
        self._reg = reg
        self._filter = PersonFilter()
        self._rids: list[int] = []
        self._cache: dict[int, dict[str, Any]] = {}
        self._headers = [
            _tr("Họ và tên"), _tr("Ngày sinh"), _tr("Số CCCD"), _tr("Thôn/bản"),
            _tr("Tình trạng"), _tr("Xét nghiệm gần nhất"),
        ]  # fmt: skip
        self.refresh()

    def current_filter(self) -> PersonFilter:
        """The filter (and sort) in force."""
        return self._filter

    def set_filter(self, f: PersonFilter) -> None:
        """Show the people matching `f`."""
        self._filter = f
        self.refresh()

    def refresh(self) -> None:
        """Read the matching ids again (after a change or a new filter)."""
        self.beginResetModel()
        self._rids = person_ids(self._reg, self._filter)
        self._cache.clear()
        self.endResetModel()

    def row_count(self) -> int:
        return len(self._rids)

    def _row(self, row: int) -> dict[str, Any] | None:
        rid = self._rids[row]
        if rid not in self._cache:
            start = row - row % PAGE
            if len(self._cache) > 20 * PAGE:
                self._cache.clear()
            self._cache.update(person_rows(self._reg, self._rids[start : start + PAGE]))
        return self._cache.get(rid)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks each cell for a dozen roles as it paints: answer the unshown ones at once,
        # before finding the row (a search keystroke repaints ~1,800 of them).
        if role != Qt.ItemDataRole.DisplayRole and role != ID_ROLE:
            return None
        if not index.isValid() or not 0 <= index.row() < len(self._rids):
            return None
        person = self._row(index.row())
        if person is None:
            return None
        if role == ID_ROLE:
            return person["id"]
        column = index.column()
        if column == self.NAME:
            return person["full_name"]
        if column == self.BIRTH:
            return show(person["birth_date"])
        if column == self.ID_NUMBER:
            return person["id_number"]
        if column == self.VILLAGE:
            return person["village"] or ""
        if column == self.STATUS:
            cats = person["categories"]
            return ", ".join(SHORT_LABELS[Category(c)] for c in cats) or _tr("Không còn quản lý")
        if column == self.LAST_TEST:
            return show(person["last_test"])
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.SORT_KEYS.get(column)
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self._filter = PersonFilter(**{**self._filter.__dict__, "sort": key,
                                       "descending": descending})  # fmt: skip
        self.refresh()


class DueModel(TableModel):
    """What is due: overdue first, in red."""

    DUE, WHAT, NAME, VILLAGE, DETAIL = range(5)

    def __init__(self, items: list[DueItem] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._items = items or []
        self._headers = [_tr("Hạn"), _tr("Việc"), _tr("Họ và tên"), _tr("Thôn/bản"),
                         _tr("Chi tiết")]  # fmt: skip

    def set_items(self, items: list[DueItem]) -> None:
        """Replace the list."""
        self.beginResetModel()
        self._items = items
        self.endResetModel()

    def row_count(self) -> int:
        return len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == ID_ROLE:
            return item.person_id
        if role == Qt.ItemDataRole.ForegroundRole and item.overdue:
            return QBrush(RED)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.text}\n{item.source}".strip()
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == self.DUE:
            return show(item.due) + (_tr(" (quá hạn)") if item.overdue else "")
        if column == self.WHAT:
            return _tr(KIND_LABELS[item.kind])
        if column == self.NAME:
            return item.person.get("full_name", "")
        if column == self.VILLAGE:
            return item.person.get("village") or ""
        if column == self.DETAIL:
            return item.text
        return None
