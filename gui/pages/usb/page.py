"""Handover on a USB stick: make a bundle, read one in (preview first), settle conflicts.

Three tabs: the export and the import (gui/pages/usb/transfer.py), and the conflicts an import left
—
both values, who changed each and when — where the station chief keeps one; the choice is
written like any change, so it travels back in the next bundle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from db.handover import conflicts, receive
from db.store.register import Register
from gui.kit.common import Column, ListModel, make_table, show_failure, tr
from gui.kit.page import Page
from gui.kit.worker import BackgroundTask
from gui.pages.usb.receive import ImportTab
from gui.pages.usb.send import ExportTab
from gui.pages.usb.transfer import fill, preview_model

__all__ = ["UsbPage", "conflict_model", "preview_model"]


def _tr(text: str) -> str:
    return tr("usb", text)


def conflict_model(parent: Any = None) -> ListModel:
    """Rows: open conflicts with both values, who and when."""
    return ListModel(
        [
            Column(_tr("Dữ liệu"), lambda r: r["table_label"]),
            Column(_tr("Bản ghi"), lambda r: r["record"]),
            Column(_tr("Thông tin"), lambda r: r["field_label"]),
            Column(_tr("Giá trị ở máy này"), lambda r: r["local_shown"]),
            Column(_tr("Người sửa, lúc"), lambda r: f"{r['local_by']}, {r['local_when']}"),
            Column(_tr("Giá trị nhận được"), lambda r: r["remote_shown"]),
            Column(_tr("Người sửa, lúc"), lambda r: f"{r['remote_by']}, {r['remote_when']}"),
        ],
        parent=parent,
    )


class UsbPage(Page):
    """Export, import (with preview) and conflicts of the USB handover."""

    CONFLICTS = 2  # the tab's index

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usbPage")
        self.reg = reg
        self.export_tab = ExportTab(reg)
        self.import_tab = ImportTab(reg)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("usbTabs")
        self.tabs.addTab(self.export_tab, self.tr("Xuất gói dữ liệu"))
        self.tabs.addTab(self.import_tab, self.tr("Nhập gói dữ liệu"))
        self.tabs.addTab(self._build_conflicts(), self.tr("Xung đột"))
        QVBoxLayout(self).addWidget(self.tabs)
        self.export_tab.changed.connect(self.refresh)
        self.import_tab.imported.connect(self._imported)
        self.refresh()

    def open_bundle(self, path: Path) -> None:
        """Show the import tab with this bundle chosen (a .sotd file opened from Windows)."""
        self.tabs.setCurrentWidget(self.import_tab)
        self.import_tab.set_bundle(path)

    @property
    def task(self) -> BackgroundTask | None:
        """The background job running on either tab, if any."""
        return self.export_tab.task or self.import_tab.task

    def _build_conflicts(self) -> QWidget:
        tab = QWidget()
        self.conflict_rows = conflict_model(self)
        self.conflict_view = make_table("conflictTable")
        self.conflict_view.setModel(self.conflict_rows)
        self.conflict_view.selectionModel().selectionChanged.connect(lambda *_: self._validate())
        self.conflict_label = QLabel()
        self.conflict_label.setObjectName("conflictCount")
        self.conflict_label.setWordWrap(True)
        self.keep_local = QPushButton(self.tr("Giữ giá trị ở máy này"))
        self.keep_local.setObjectName("keepLocal")
        self.keep_local.clicked.connect(lambda *_: self.resolve("local"))
        self.take_remote = QPushButton(self.tr("Lấy giá trị nhận được"))
        self.take_remote.setObjectName("takeRemote")
        self.take_remote.clicked.connect(lambda *_: self.resolve("remote"))
        layout = QVBoxLayout(tab)
        layout.addWidget(self.conflict_label)
        layout.addWidget(self.conflict_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.keep_local)
        row.addWidget(self.take_remote)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    def refresh(self) -> None:
        """Receivers, drives and conflicts as the register has them now."""
        self.export_tab.refresh()
        rows = conflicts.open_conflicts(self.reg)
        self.conflict_rows.set_rows(rows)
        self.conflict_view.resizeColumnsToContents()
        self.conflict_view.horizontalHeader().setStretchLastSection(True)
        if rows:
            self.conflict_label.setText(fill(self.tr(
                "%1 xung đột chờ chỉ huy quyết định: cùng một thông tin được sửa khác nhau ở "
                "hai máy. Chọn một dòng rồi giữ một trong hai giá trị."), len(rows)))  # fmt: skip
            self.tabs.setTabText(self.CONFLICTS, fill(self.tr("Xung đột (%1)"), len(rows)))
        else:
            self.conflict_label.setText(self.tr("Không có xung đột nào chờ giải quyết."))
            self.tabs.setTabText(self.CONFLICTS, self.tr("Xung đột"))
        self._validate()

    def _validate(self) -> None:
        chosen = bool(self.conflict_view.selectionModel().selectedRows())
        self.keep_local.setEnabled(chosen)
        self.take_remote.setEnabled(chosen)

    def _imported(self, result: receive.Preview) -> None:
        self.refresh()
        self.register_changed.emit()
        if result.total.conflicts:
            self.tabs.setCurrentIndex(self.CONFLICTS)

    def resolve(self, choice: str) -> None:
        """Keep this laptop's value or the other's for the chosen conflict (chief only)."""
        rows = self.conflict_view.selectionModel().selectedRows()
        if not rows:
            return
        chosen = self.conflict_rows.row(rows[0].row())
        try:
            conflicts.resolve_conflict(self.reg, int(chosen["id"]), choice)
        except Exception as exc:  # noqa: BLE001 - a UserError as its message, else a bug
            show_failure(self, exc)
            return
        self.refresh()
        self.register_changed.emit()
