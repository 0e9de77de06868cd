"""The people of a test round and the result typed for each: the table model and the line the
positive substances are typed into."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QWidget

from db.duties.due import FollowUp
from db.persons.drugtests import SUBSTANCES, parse_substances
from gui.kit.common import ID_ROLE, RED, Index, TableModel

CYCLE: tuple[str | None, ...] = (None, "negative", "positive")
POSITIVE_BACKGROUND = QColor("#fde8e8")
SAVED_COLOR = QColor("#5f6368")


def _tr(text: str) -> str:
    return QCoreApplication.translate("TestRoundPage", text)


@dataclass
class RoundRow:
    """One person of the round and what was typed for them."""

    person_id: str
    full_name: str
    birth: str = ""
    village: str = ""
    status: str = ""
    result: str | None = None
    positives: list[str] = field(default_factory=list)
    follow_up: FollowUp | None = None
    saved_id: str | None = None


def parse_positive_text(text: str) -> list[str]:
    """Substance codes from what was typed: "MET THC", "met, ma túy đá", "MET+KET"."""
    parts: list[str] = []
    for part in re.split(r"[,;+]", text):
        words = part.split()
        if len(words) > 1 and all(w.upper() in SUBSTANCES for w in words):
            parts.extend(words)
        else:
            parts.append(part)
    return parse_substances(parts)


class RoundModel(TableModel):
    """The people of a round, one row each, with the result typed for them.

    A result is set from the keyboard (gui.pages.test_round.keys), never typed as text into its
    cell: the result column is not editable; the positives column is.
    """

    NAME, BIRTH, VILLAGE, STATUS, RESULT, POSITIVES, FOLLOW_UP = range(7)
    changed = Signal()

    def __init__(
        self,
        rows: list[RoundRow] | None = None,
        follow_up: Callable[[RoundRow], FollowUp | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows = list(rows or [])
        self._follow_up = follow_up
        self._headers = [
            _tr("Họ và tên"), _tr("Ngày sinh"), _tr("Thôn/bản"), _tr("Tình trạng"),
            _tr("Kết quả"), _tr("Chất dương tính"), _tr("Việc phải làm"),
        ]  # fmt: skip

    def set_rows(self, rows: list[RoundRow]) -> None:
        """Replace the people."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()
        self.changed.emit()

    def row(self, index: int) -> RoundRow:
        """The row behind a table row."""
        return self._rows[index]

    def rows(self) -> list[RoundRow]:
        """All rows."""
        return list(self._rows)

    def unsaved(self) -> list[int]:
        """Rows with a result typed and not yet saved."""
        return [i for i, r in enumerate(self._rows) if r.result and not r.saved_id]

    def set_result(self, row: int, result: str | None) -> bool:
        """Set a row's result (None: not tested); positives go when the result is not positive."""
        target = self._rows[row]
        if target.saved_id or result not in CYCLE:
            return False
        target.result = result
        if result != "positive":
            target.positives = []
        self._update(row)
        return True

    def set_positives(self, row: int, codes: list[str]) -> bool:
        """Set the positive substances; any substance makes the result positive."""
        target = self._rows[row]
        if target.saved_id:
            return False
        target.positives = list(codes)
        if codes:
            target.result = "positive"
        self._update(row)
        return True

    def entry(self, row: int) -> tuple[str | None, tuple[str, ...]]:
        """What is typed on a row: (result, positives) — what an undo puts back."""
        target = self._rows[row]
        return target.result, tuple(target.positives)

    def put_back(self, row: int, entry: tuple[str | None, tuple[str, ...]]) -> bool:
        """Put a row's result and positives back as `entry` had them (an unsaved row only)."""
        target = self._rows[row]
        if target.saved_id:
            return False
        target.result, target.positives = entry[0], list(entry[1])
        self._update(row)
        return True

    def mark_saved(self, row: int, test_id: str) -> None:
        """The row's test is in the register."""
        self._rows[row].saved_id = test_id
        self._emit_row(row)

    def recompute(self) -> None:
        """Recompute every follow-up (the round's date changed)."""
        for i in range(len(self._rows)):
            self._update(i)

    def _update(self, row: int) -> None:
        target = self._rows[row]
        follow_up = self._follow_up
        positive = target.result == "positive" and follow_up is not None
        target.follow_up = follow_up(target) if follow_up is not None and positive else None
        self._emit_row(row)

    def _emit_row(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._headers) - 1))
        self.changed.emit()

    def row_count(self) -> int:
        return len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base
        if index.column() == self.POSITIVES and not self._rows[index.row()].saved_id:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return row.person_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.EditRole:
            if column == self.RESULT:
                return row.result or ""
            if column == self.POSITIVES:
                return ", ".join(row.positives)
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.FOLLOW_UP and row.follow_up:
            return row.follow_up.full
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.result == "positive" and column in (self.RESULT, self.FOLLOW_UP):
                return QBrush(RED)
            if row.saved_id:
                return QBrush(SAVED_COLOR)
        if role == Qt.ItemDataRole.BackgroundRole and row.result == "positive":
            return QBrush(POSITIVE_BACKGROUND)
        return None

    def _display(self, row: RoundRow, column: int) -> str:
        if column == self.NAME:
            return row.full_name
        if column == self.BIRTH:
            return row.birth
        if column == self.VILLAGE:
            return row.village
        if column == self.STATUS:
            return row.status
        if column == self.RESULT:
            label = {
                None: _tr("Chưa làm"),
                "negative": _tr("Âm tính"),
                "positive": _tr("Dương tính"),
            }[row.result]
            return label + (_tr(" ✓ đã lưu") if row.saved_id else "")
        if column == self.POSITIVES:
            return ", ".join(row.positives)
        if column == self.FOLLOW_UP:
            return row.follow_up.short if row.follow_up else ""
        return ""

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if index.column() == self.RESULT:
            return self.set_result(index.row(), value or None)
        if index.column() == self.POSITIVES:
            codes = value if isinstance(value, list) else parse_positive_text(str(value or ""))
            if not codes and self._rows[index.row()].result == "positive":
                # Emptied: still positive, the substances not written down yet.
                return self.set_positives(index.row(), [])
            return self.set_positives(index.row(), codes)
        return False


class PositivesDelegate(QStyledItemDelegate):
    """A line to type the positive substances into: codes or names, e.g. "MET THC"."""

    editor_opened = Signal(int)  # the row whose substances are being typed

    def createEditor(self, parent: QWidget, option: Any, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("positivesEditor")
        editor.setPlaceholderText(_tr("MET, THC…"))
        editor.setToolTip(
            _tr("Gõ mã hoặc tên chất dương tính, cách nhau bằng dấu phẩy hoặc dấu cách; Enter.")
        )
        self.editor_opened.emit(index.row())
        return editor
