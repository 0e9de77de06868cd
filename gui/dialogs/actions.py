"""The actions the law prescribes, as small forms: the fields and the check come from
db.duties.applies (the same check the action makes before it writes), the action is one call to
db.duties.actions.run_action, and the deadline it creates is kept in `outcome` for the screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QDateEdit, QDialogButtonBox, QLineEdit, QSpinBox, QWidget

from db.core.dates import show
from db.duties.actions import Outcome, run_action
from db.duties.applies import Action, check_action, episodes_for
from db.law.categories import LABELS, STOP_REASONS, Category
from db.store.register import Register
from gui.kit.common import date_edit, from_qdate, tr
from gui.kit.forms import RecordDialog, Row


def _tr(text: str) -> str:
    return tr("actions", text)


def deadline_text(outcome: Outcome | None) -> str:
    """The deadline an action created, as the officer reads it ("" when there is none)."""
    if outcome is None or outcome.deadline is None:
        return ""
    return (
        _tr("Thời hạn tiếp theo — %1: trước %2 (%3).")
        .replace("%1", outcome.deadline_text)
        .replace("%2", show(outcome.deadline))
        .replace("%3", outcome.rule.source if outcome.rule else "")
    )


class ActionDialog(RecordDialog):
    """The form of one action of db.duties.applies.ACTIONS for one person."""

    accept_button = QDialogButtonBox.StandardButton.Ok
    why_says = "first_problem"

    def __init__(
        self, reg: Register, person_id: str, spec: Action, parent: QWidget | None = None
    ) -> None:
        super().__init__(reg, f"action_{spec.key}", _tr(spec.title), parent, width=480)
        self.spec = spec
        self.person_id = person_id
        self.outcome: Outcome | None = None
        self.inputs = self.fields  # the form's widgets by db key
        for key in spec.fields:
            widget, label = self._widget(key)
            widget.setObjectName(f"field_{key}")
            self.add_field(key, label, widget)
        self.finish()

    def _widget(self, key: str) -> tuple[QWidget, str]:
        if key in ("date", "planned"):
            edit = date_edit(f"field_{key}", self.today)
            if key == "date":
                return edit, _tr("Ngày")
            edit.setSpecialValueText(_tr("— theo luật —"))  # shown at the minimum date: none
            edit.setDate(edit.minimumDate())
            return edit, _tr("Ngày kết thúc (nếu có)")
        if key in ("episode", "category", "reason"):
            combo = QComboBox()
            if key == "episode":
                for e in episodes_for(self.reg, self.spec.key, self.person_id, self.today):
                    text = f"{LABELS[Category(e['category'])]} — {show(e['start_date'])}"
                    combo.addItem(text, e["id"])
                return combo, _tr("Diện")
            if key == "category":
                for c in self.spec.choices:
                    combo.addItem(_tr(LABELS[c]), c.value)
                return combo, _tr("Diện / hình thức")
            combo.setEditable(True)
            combo.addItem("", "")
            for code, text in STOP_REASONS.items():
                combo.addItem(_tr(text), code)
            return combo, _tr("Lý do dừng")
        if key == "duration":
            spin = QSpinBox()
            spin.setRange(0, 36)
            spin.setSpecialValueText(_tr("— theo luật / tòa án —"))
            spin.setSuffix(_tr(" tháng"))
            return spin, _tr("Thời hạn")
        label = {
            "decision_no": _tr("Số quyết định"),
            "signer": _tr("Người ký"),
            "moved_to": _tr("Nơi chuyển đến"),
            "moved_from": _tr("Chuyển đến từ"),
            "notes": _tr("Ghi chú"),
            "reason_text": _tr("Lý do"),
        }[key]
        return QLineEdit(), label

    def values(self) -> Row:
        """The entered values, keyed as db.duties.actions.run_action takes them."""
        out: dict[str, Any] = {}
        for key, w in self.fields.items():
            if isinstance(w, QDateEdit):
                picked = from_qdate(w.date())
                out[key] = None if key == "planned" and w.date() == w.minimumDate() else picked
            elif isinstance(w, QSpinBox):
                out[key] = w.value() or None
            elif isinstance(w, QComboBox) and w.isEditable():
                # A reason picked from the list is its code; one typed in is its text.
                listed = w.currentData() and w.currentText() == w.itemText(w.currentIndex())
                out[key] = w.currentData() if listed else w.currentText()
            elif isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, QLineEdit):
                out[key] = w.text()
        return out

    def problems(self, values: Row) -> dict[str, str]:
        return check_action(self.reg, self.spec.key, self.person_id, values)

    def save(self, values: Row) -> None:
        self.outcome = run_action(self.reg, self.spec.key, self.person_id, values)
