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
from db.persons.episodes import PRIOR_REHAB
from db.persons.monitoring import open_orders
from db.store.register import Register
from gui.kit.common import date_edit, from_qdate, tr
from gui.kit.forms import RecordDialog, Row


def _tr(text: str) -> str:
    return tr("actions", text)


# Dates a form may leave out: shown as "— …" at the field's minimum date (None to db/).
_OPTIONAL_DATES = {
    "planned": "— theo luật —",
    "decision_date": "— không rõ —",
}
_DATE_LABELS = {
    "planned": "Ngày kết thúc (nếu có)",
    "decision_date": "Ngày quyết định cũ (nơi chuyển đi)",
    "until": "Đến ngày",
    "from_date": "Giám sát từ ngày",
}
_TEXT_LABELS = {
    "decision_no": "Số quyết định",
    "signer": "Người ký",
    "moved_to": "Nơi chuyển đến",
    "moved_from": "Chuyển đến từ",
    "notes": "Ghi chú",
    "reason_text": "Lý do",
    "ordered_by": "Người ra quyết định (Trưởng Công an xã)",
    "device": "Thiết bị giám sát",
    "substances": "Chất sử dụng (khai báo)",
}


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
        if key == "date" or key in _DATE_LABELS:
            edit = date_edit(f"field_{key}", self.today)
            if key == "date":
                return edit, _tr(self.spec.date_label)
            if key in _OPTIONAL_DATES:
                edit.setSpecialValueText(_tr(_OPTIONAL_DATES[key]))  # at the minimum date: none
                edit.setDate(edit.minimumDate())
            return edit, _tr(_DATE_LABELS[key])
        if key == "order":
            combo = QComboBox()
            for o in open_orders(self.reg, self.person_id):
                shown = f"{show(o['from_date'])} – {show(o['to_date'])} {o['device']}".strip()
                combo.addItem(shown, o["id"])
            return combo, _tr("Lệnh giám sát")
        if key == "prior_rehab":
            combo = QComboBox()
            combo.addItem(_tr("— không rõ / không áp dụng —"), "")
            for c in PRIOR_REHAB:
                combo.addItem(_tr(LABELS[c]), c.value)
            return combo, _tr("Hình thức cai nghiện trước đó (quản lý sau cai)")
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
        return QLineEdit(), _tr(_TEXT_LABELS[key])

    def values(self) -> Row:
        """The entered values, keyed as db.duties.actions.run_action takes them."""
        out: dict[str, Any] = {}
        for key, w in self.fields.items():
            if isinstance(w, QDateEdit):
                picked = from_qdate(w.date())
                absent = key in _OPTIONAL_DATES and w.date() == w.minimumDate()
                out[key] = None if absent else picked
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
