"""The rules tab: where each deadline and duration of the program comes from, and since when."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from db.commune.settings import get_settings, interval_text, test_interval
from db.core.dates import show
from db.law.categories import SHORT_LABELS, Category
from db.law.rules import NOT_IN_LAW, RULES, STATE_LABELS, state
from db.store.register import Register
from gui.kit.common import Column, ListModel, make_table
from gui.pages.settings.common import settings_tr


class RulesTab(QWidget):
    """Căn cứ các thời hạn: every rule with its value, source, effective date and state."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.rules_model = ListModel(
            [
                Column(self.tr("Quy định"), lambda r: r["text"]),
                Column(self.tr("Giá trị"), lambda r: r["value"]),
                Column(self.tr("Căn cứ"), lambda r: r["source"]),
                Column(self.tr("Hiệu lực từ"), lambda r: r["effective"]),
                Column(self.tr("Tình trạng"), lambda r: r["state"]),
            ],
            parent=self,
        )
        self.rules_view = make_table("rulesTable", stretch_last=False)
        self.rules_view.setModel(self.rules_model)
        self.rules_view.setWordWrap(True)
        # A few dozen rows: let the view fit each row to its wrapped text as columns change.
        self.rules_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        header = self.rules_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        for column in (1, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(
            self.tr(
                "Mọi thời hạn, thời gian quản lý trong chương trình đều lấy từ bảng này. Khi luật "
                "thay đổi, quy định mới áp dụng từ ngày có hiệu lực; việc xảy ra trước đó vẫn "
                "tính theo quy định cũ."
            )
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.rules_view)

    def load(self) -> None:
        """Read the rules, and the unit's test intervals, again."""
        today = self.reg.today()
        rows: list[dict[str, Any]] = []
        for r in RULES:
            rows.append({"id": f"{r.key}@{r.effective}", "text": r.text, "value": r.shown(),
                         "source": r.source, "effective": show(r.effective),
                         "state": settings_tr(STATE_LABELS[state(r, today)])})  # fmt: skip
        values = get_settings(self.reg)
        for category in Category:
            shown = settings_tr(interval_text(test_interval(values, category)))
            text = self.tr("Chu kỳ xét nghiệm định kỳ — %1").replace(
                "%1", settings_tr(SHORT_LABELS[category])
            )
            rows.append({"id": f"test_interval.{category.value}", "text": text, "value": shown,
                         "source": settings_tr(NOT_IN_LAW), "effective": "",
                         "state": settings_tr(STATE_LABELS["in_force"])})  # fmt: skip
        self.rules_model.set_rows(rows)
        self.rules_view.setColumnWidth(2, 200)
