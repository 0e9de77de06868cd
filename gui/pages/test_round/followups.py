"""The panel under the round's table: what to do now for each positive, one wrapped row each."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.kit.common import RED
from gui.pages.test_round.model import RoundRow

LINES = 6  # the panel shows at least this many lines of text; past that, it scrolls


class FollowUpPanel(QGroupBox):
    """ "Việc phải làm ngay sau kết quả dương tính": a list whose rows wrap to the panel's width
    (a follow-up with its legal basis runs to two or three lines at 1366×768)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Việc phải làm ngay sau kết quả dương tính"), parent)
        self.setObjectName("followUpPanel")
        self.list_widget = QListWidget()
        self.list_widget.setObjectName("followUpList")
        self.list_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list_widget.setWordWrap(True)
        self.list_widget.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list_widget.setResizeMode(QListView.ResizeMode.Adjust)  # re-wrap on resize
        self.list_widget.setUniformItemSizes(False)
        self.list_widget.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list_widget.setAlternatingRowColors(True)
        self.list_widget.setSpacing(2)
        lines = self.list_widget.fontMetrics().lineSpacing() * LINES
        self.list_widget.setMinimumHeight(lines + 2 * self.list_widget.frameWidth())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addWidget(self.list_widget)
        self.hide()

    def sizeHint(self) -> QSize:
        # As small as it may be: the table takes the room; the officer may drag the panel taller.
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())

    def show_rows(self, rows: list[RoundRow]) -> None:
        """The follow-ups of the positive rows; the panel hides when there is none."""
        self.list_widget.clear()
        for row in rows:
            if row.result != "positive" or row.follow_up is None:
                continue
            item = QListWidgetItem(f"{row.full_name}: {row.follow_up.full}")
            item.setToolTip(row.follow_up.full)
            if row.follow_up.crime:
                item.setForeground(QBrush(RED))
            self.list_widget.addItem(item)
        self.setVisible(bool(self.list_widget.count()))
