"""The round's details above its table, laid out to fit the page beside the list of screens at
1366×768 and 125 %: rows of captioned fields, and the substances in rows of seven."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QLayout, QWidget

PER_ROW = 7  # substances per row: 13 codes in two rows, each whole


def field_row(*pairs: tuple[str, QWidget | QLayout], end: QWidget | None = None) -> QHBoxLayout:
    """One row of "caption: field" pairs, the fields sharing the width; `end` at the right."""
    line = QHBoxLayout()
    for caption, field in pairs:
        line.addWidget(QLabel(caption))
        if isinstance(field, QLayout):
            line.addLayout(field, 1)
        else:
            line.addWidget(field, 1)
        line.addSpacing(8)
    if end is not None:
        line.addWidget(end)
    return line


def boxes_row(caption: str, boxes: Iterable[QCheckBox]) -> QHBoxLayout:
    """A caption and its tick boxes in rows of PER_ROW (each code whole; its name a tooltip)."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(10)
    for number, box in enumerate(boxes):
        grid.addWidget(box, number // PER_ROW, number % PER_ROW)
    grid.setColumnStretch(PER_ROW, 1)
    line = QHBoxLayout()
    line.addWidget(QLabel(caption), 0, Qt.AlignmentFlag.AlignTop)
    line.addLayout(grid, 1)
    return line
