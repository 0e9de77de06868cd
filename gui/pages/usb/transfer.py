"""What the export and import tabs of the USB handover screen share: named widgets, one
background job at a time with its progress bar, the handover record, and the preview model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from db.store.register import Register
from gui.kit.common import Column, ListModel, tr
from gui.kit.worker import BackgroundTask, run_in_background
from reports.handover import write_handover_record

BUNDLE_FILTER = "Gói dữ liệu Sổ theo dõi (*.sotd);;Mọi tệp (*)"
COUNT_KEYS = ("new", "changed", "unchanged", "conflicts", "skipped")
W = TypeVar("W", bound=QWidget)


def usb_tr(text: str) -> str:
    """Translate in the "usb" context (module-level texts)."""
    return tr("usb", text)


def fill(text: str, *values: object) -> str:
    """A translated text with %1, %2… replaced by the values."""
    for number, value in enumerate(values, start=1):
        text = text.replace(f"%{number}", str(value))
    return text


def grouped(sha: str) -> str:
    """A SHA-256 in groups of eight, to read out."""
    return " ".join(sha[i : i + 8] for i in range(0, len(sha), 8))


def _count(key: str) -> Callable[[dict[str, Any]], Any]:
    """A row's count under `key` (a function per column: a lambda in a loop would share `key`)."""
    return lambda row: row[key]


def preview_model(parent: Any = None) -> ListModel:
    """Rows: one per table, the counts of what the import does."""
    headers = (
        usb_tr("Mới"),
        usb_tr("Thay đổi"),
        usb_tr("Không đổi"),
        usb_tr("Xung đột"),
        usb_tr("Bỏ qua"),
    )
    columns = [Column(usb_tr("Loại dữ liệu"), lambda r: r["label"])]
    columns += [
        Column(h, _count(k), align_right=True) for h, k in zip(headers, COUNT_KEYS, strict=True)
    ]
    return ListModel(columns, red=lambda r: bool(r["conflicts"]), parent=parent)


class HandoverTab(QWidget):
    """What both halves share: named widgets, and one background job at a time."""

    changed = Signal()  # the register changed (a bundle made or read): lists to refresh

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.task: BackgroundTask | None = None

    def _widget(self, widget: W, name: str) -> W:
        widget.setObjectName(name)
        return widget

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = self._widget(QPushButton(text), name)
        button.clicked.connect(lambda *_: slot())
        return button

    def _label(self, name: str) -> QLabel:
        label = self._widget(QLabel(), name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _secret(self, name: str) -> QLineEdit:
        edit = self._widget(QLineEdit(), name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textChanged.connect(lambda *_: self._validate())
        return edit

    def _validate(self) -> None:
        raise NotImplementedError

    def _run(
        self,
        title: str,
        job: Callable[[Register, Any], Any],
        done: Callable[[Any], None],
        bar: QProgressBar,
        said: QLabel,
    ) -> None:
        def finished(result: Any) -> None:
            self.task = None  # the worker keeps it alive until Qt has deleted it
            bar.setValue(bar.maximum())
            done(result)
            self._validate()

        def failed(message: str) -> None:
            self.task = None
            bar.setValue(0)
            said.setText(message)
            said.setStyleSheet("color: #b00020;")
            self._validate()

        def progressed(text: str, count: int, total: int) -> None:
            bar.setMaximum(max(total, 1))
            bar.setValue(min(count, max(total, 1)))
            bar.setFormat(f"{text} %p%")

        said.setStyleSheet("")
        said.clear()
        bar.setValue(0)
        self.task = run_in_background(self, title, self.reg, job, finished, failed)
        self.task.progressed.connect(progressed)
        self._validate()

    def _record(
        self, facts: Callable[[Register], Any], name: str, bar: QProgressBar, said: QLabel
    ) -> None:
        target, _ = QFileDialog.getSaveFileName(
            self, self.tr("Lưu biên bản bàn giao"), name, self.tr("Tệp PDF (*.pdf)")
        )
        if not target:
            return
        before = said.text()

        def job(reg: Register, progress: Any) -> Path:
            return write_handover_record(reg, facts(reg), Path(target))

        self._run(
            self.tr("Đang lập biên bản…"),
            job,
            lambda path: said.setText(
                before + "\n" + fill(self.tr("Đã lưu biên bản bàn giao: %1"), path)
            ),
            bar,
            said,
        )
