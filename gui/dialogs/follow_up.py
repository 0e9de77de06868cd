"""Following a person up: a drug test (whose positive result shows its follow-up at once) and a
contact or residence check. Each asks db/ to check what it would record."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QWidget,
)

from db.duties.crime import positive_follow_up
from db.persons import contacts, drugtests
from db.store.register import Register
from gui.kit.common import date_edit, from_qdate, to_qdate, tr
from gui.kit.forms import RecordDialog, Row, line_edit, refusals, set_notice

# Tested unless the officer unticks them: the panel of the usual urine strip.
USUAL_PANEL = ("MET", "AMP", "MDMA", "KET", "THC", "MOP")


def _tr(text: str) -> str:
    return tr("actions", text)


def _combo(name: str, choices: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for code, label in choices.items():
        combo.addItem(_tr(label), code)
    return combo


class DrugTestDialog(RecordDialog):
    """Record one drug test; a positive result shows its follow-up at once."""

    accept_button = QDialogButtonBox.StandardButton.Ok
    why_says = "first_problem"

    def __init__(self, reg: Register, person_id: str, parent: QWidget | None = None) -> None:
        super().__init__(reg, "testDialog", _tr("Ghi kết quả xét nghiệm"), parent, width=480)
        self.person_id = person_id
        self.follow_up = ""
        self.when = date_edit("field_test_date", self.today)
        self.kind = _combo("field_kind", drugtests.KINDS)
        self.method = _combo("field_method", drugtests.METHODS)
        grid = QGridLayout()
        self.tested: dict[str, QCheckBox] = {}
        self.positive: dict[str, QCheckBox] = {}
        for column, header in enumerate((_tr("Chất"), _tr("Có thử"), _tr("Dương tính"))):
            grid.addWidget(QLabel(header), 0, column)
        for row, (code, label) in enumerate(drugtests.SUBSTANCES.items(), start=1):
            tested, positive = QCheckBox(), QCheckBox()
            tested.setObjectName(f"tested_{code}")
            tested.setChecked(code in USUAL_PANEL)
            tested.toggled.connect(lambda *_: self.touch("substances"))
            positive.setObjectName(f"positive_{code}")
            positive.toggled.connect(self._positive_toggled)
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(tested, row, 1)
            grid.addWidget(positive, row, 2)
            self.tested[code], self.positive[code] = tested, positive
        holder = QWidget()
        holder.setLayout(grid)
        self.officer = line_edit("field_officer")
        self.place = line_edit("field_place")
        self.notes = line_edit("field_notes")
        self.add_field("test_date", _tr("Ngày xét nghiệm"), self.when)
        self.add_field("kind", _tr("Hình thức"), self.kind)
        self.add_field("method", _tr("Phương pháp"), self.method)
        self.add_field("substances", _tr("Kết quả theo chất"), holder)
        self.add_field("officer", _tr("Người thực hiện"), self.officer)
        self.add_field("place", _tr("Nơi xét nghiệm"), self.place)
        self.add_field("notes", _tr("Ghi chú"), self.notes)
        self.follow_label = self.add_notice("followUpLabel", urgent=True)
        self.when.dateChanged.connect(self._positive_toggled)
        self.finish()
        self._positive_toggled()

    def _positive_toggled(self) -> None:
        for code, box in self.positive.items():
            if box.isChecked():
                self.tested[code].setChecked(True)
        positives = [c for c, b in self.positive.items() if b.isChecked()]
        when = from_qdate(self.when.date())
        # The substances ticked positive: the substitution medicine alone during substitution
        # treatment is the treatment, not a sign of a crime (as the due list reads it).
        follow = (
            positive_follow_up(self.reg, self.person_id, when, positives) if positives else None
        )
        self.follow_up = follow.full if follow else ""
        set_notice(self.follow_label, self.follow_up)
        self.schedule_check()

    def values(self) -> Row:
        return {
            "test_date": from_qdate(self.when.date()),
            "kind": self.kind.currentData(),
            "method": self.method.currentData(),
            "substances": [c for c, b in self.tested.items() if b.isChecked()],
            "positives": [c for c, b in self.positive.items() if b.isChecked()],
            "officer": self.officer.text(),
            "place": self.place.text(),
            "notes": self.notes.text(),
        }

    def problems(self, values: Row) -> dict[str, str]:
        found = refusals(drugtests.check_test, self.reg, self.person_id, **values)
        if not values["substances"]:
            # The window's own rule (db records a test with no substance named as negative).
            found.setdefault("substances", _tr("Chọn ít nhất một chất đã thử."))
        return found

    def save(self, values: Row) -> str:
        return drugtests.record_test(self.reg, self.person_id, **values)


class ContactDialog(RecordDialog):
    """Record a home visit, counselling, job support or the monthly residence check."""

    accept_button = QDialogButtonBox.StandardButton.Ok
    why_says = "first_problem"

    def __init__(self, reg: Register, person_id: str, parent: QWidget | None = None) -> None:
        super().__init__(reg, "contactDialog", _tr("Ghi tiếp xúc, kiểm tra cư trú"), parent,
                         width=480)  # fmt: skip
        self.person_id = person_id
        self.when = date_edit("field_contact_date", self.today)
        # db.persons.contacts refuses a day in the future when saving (it has no check to ask
        # beforehand): the calendar does not offer one.
        self.when.setMaximumDate(to_qdate(self.today))
        self.kind = _combo("field_kind", contacts.KINDS)
        self.at_address = QCheckBox(_tr("Có mặt tại nơi cư trú"))
        self.at_address.setObjectName("field_at_address")
        self.at_address.setChecked(True)
        self.officer = line_edit("field_officer")
        self.notes = line_edit("field_notes")
        self.add_field("contact_date", _tr("Ngày"), self.when)
        self.add_field("kind", _tr("Loại"), self.kind)
        self.add_field("at_address", "", self.at_address)
        self.add_field("officer", _tr("Cán bộ"), self.officer)
        self.add_field("notes", _tr("Nội dung"), self.notes)
        self.finish()

    def values(self) -> Row:
        kind = self.kind.currentData()
        return {
            "contact_date": from_qdate(self.when.date()),
            "kind": kind,
            "at_address": self.at_address.isChecked() if kind == "residence_check" else None,
            "officer": self.officer.text(),
            "notes": self.notes.text(),
        }

    def save(self, values: Row) -> str:
        return contacts.add_contact(self.reg, self.person_id, **values)
