"""The audit trail on screen: every change and event, newest first, filtered by person, by who
and by date, with the state of the hash chain (which shows an edited or removed entry).

Filtering happens in SQL (db.store.audit.audit_log); the page holds the newest 1,000 matches. An
entry reads as the person's history does (db.persons.history_view.log_rows): the laptop's local
time dd/mm/yyyy hh:mm, the account's full name, Vietnamese field names and values, the person's
or the record's name and never an internal id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.commune.places import HOTSPOT_KINDS, INCIDENT_KINDS
from db.commune.settings import SETTINGS
from db.core.dates import parse_date
from db.core.errors import UserError
from db.persons.history_view import account_names, log_rows
from db.store import audit
from db.store.register import Register
from gui.kit.common import Column, Index, ListModel, error_label, make_table, set_error, tr
from gui.kit.page import Page

LIMIT = 1000
# Codes of the layers above db.persons, for the log to name them.
WORDS = {
    ("settings", "key"): {s.key: s.label for s in SETTINGS},
    ("hotspots", "kind"): HOTSPOT_KINDS,
    ("incidents", "kind"): INCIDENT_KINDS,
}
TIME, WHO, ACTION, WHAT, PERSON, SUMMARY = range(6)


def _tr(text: str) -> str:
    return tr("audit", text)


COLUMNS = [
    Column(_tr("Thời gian"), lambda r: r["at"]),
    Column(_tr("Người làm"), lambda r: r["who"]),
    Column(_tr("Việc"), lambda r: r["action"]),
    Column(_tr("Mục"), lambda r: r["what"]),
    Column(_tr("Người trong sổ"), lambda r: r["person"]),
    Column(_tr("Nội dung (cũ → mới)"), lambda r: r["summary"]),
]


class AuditModel(ListModel):
    """The log's rows; a long summary or record name shows whole in its tooltip."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (WHAT, SUMMARY):
            return super().data(index, Qt.ItemDataRole.DisplayRole) or None
        return super().data(index, role)


class AuditPage(Page):
    """The whole change log with filters; double-click opens the person concerned."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName("auditPage")
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.person = QLineEdit()
        self.person.setObjectName("auditPerson")
        self.person.setPlaceholderText(self.tr("Tên người trong sổ (không cần dấu)"))
        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.since = QLineEdit()
        self.since.setObjectName("auditSince")
        self.since.setPlaceholderText(self.tr("từ ngày dd/mm/yyyy"))
        self.until = QLineEdit()
        self.until.setObjectName("auditUntil")
        self.until.setPlaceholderText(self.tr("đến ngày dd/mm/yyyy"))
        for widget in (self.person, self.user, self.since, self.until):
            filters.addWidget(widget)
        layout.addLayout(filters)
        self.filter_error = error_label("auditFilterError")
        layout.addWidget(self.filter_error)
        self.model = AuditModel(COLUMNS)
        self.table = make_table("auditTable")
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(self._open)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The time, who and what was done always show whole; the summary takes the rest.
        for column in (TIME, WHO, ACTION):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.count = QLabel()
        self.count.setObjectName("auditCount")
        self.chain = QLabel()
        self.chain.setObjectName("chainStatus")
        self.chain.setWordWrap(True)
        self.verify_button = QPushButton(self.tr("Kiểm tra chuỗi nhật ký"))
        self.verify_button.setObjectName("verifyChainButton")
        bottom.addWidget(self.count)
        bottom.addWidget(self.chain, 1)
        bottom.addWidget(self.verify_button)
        layout.addLayout(bottom)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.load)
        for edit in (self.person, self.since, self.until):
            edit.textChanged.connect(lambda *_: self._debounce.start())
        self.user.currentIndexChanged.connect(lambda *_: self.load())
        self.verify_button.clicked.connect(self.verify)
        self.refresh()

    def refresh(self) -> None:
        """Users, the rows and the chain, read again."""
        chosen = self.user.currentData()
        self.user.blockSignals(True)
        self.user.clear()
        self.user.addItem(self.tr("Mọi người"), "")
        names = account_names(self.reg)
        for login in audit.log_users(self.reg):
            self.user.addItem(names.get(login, login), login)
        self.user.setCurrentIndex(max(0, self.user.findData(chosen)) if chosen else 0)
        self.user.blockSignals(False)
        self.load()
        self.verify()

    def _day(self, edit: QLineEdit, label: str) -> date | None:
        return parse_date(edit.text(), label) if edit.text().strip() else None

    def load(self) -> None:
        """The rows matching the filters."""
        try:
            since = self._day(self.since, self.tr("Từ ngày"))
            until = self._day(self.until, self.tr("Đến ngày"))
        except UserError as exc:
            set_error(self.filter_error, exc.message)
            return
        set_error(self.filter_error, None)
        entries = audit.audit_log(
            self.reg, person=self.person.text(), user=str(self.user.currentData() or ""),
            since=since, until=until, limit=LIMIT,
        )  # fmt: skip
        rows = log_rows(self.reg, entries, WORDS)
        self.model.set_rows([{**r, "id": str(r["seq"])} for r in rows])
        for column, width in ((WHAT, 280), (PERSON, 160)):
            self.table.setColumnWidth(column, width)
        self.count.setText(
            self.tr("%1 mục mới nhất").replace("%1", str(LIMIT))
            if len(rows) >= LIMIT
            else self.tr("%1 mục").replace("%1", str(len(rows)))
        )

    def verify(self) -> None:
        """Check the hash chain and say where it breaks."""
        total, problems = audit.chain_summary(self.reg)
        if not problems:
            self.chain.setStyleSheet("")
            self.chain.setText(
                self.tr("Chuỗi nhật ký toàn vẹn: %1 mục, không mục nào bị sửa hay xóa.").replace(
                    "%1", f"{total:,}".replace(",", ".")
                )
            )
            return
        self.chain.setStyleSheet("color: #b00020;")
        self.chain.setText(
            self.tr("NHẬT KÝ BỊ CAN THIỆP: %1").replace(
                "%1", "; ".join(f"{p.what} ({p.detail})" for p in problems[:3])
            )
        )

    def _open(self, index: QModelIndex) -> None:
        person = self.model.row(index.row()).get("person_id")
        if person:
            self.person_requested.emit(str(person))
