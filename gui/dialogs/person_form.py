"""The person form: identity fields checked as the officer types (db.persons.people's own check),
possible duplicates shown before saving."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from db.commune.places import villages
from db.core.dates import show
from db.persons import people
from db.store.register import Register
from gui.kit.forms import RecordDialog, Row, line_edit, set_notice

ETHNIC_GROUPS = (
    "Kinh", "Thái", "H'Mông", "Mường", "Dao", "Tày", "Nùng", "Khơ Mú", "Lào", "Kháng",
    "Xinh Mun", "Hà Nhì", "Lô Lô", "Giáy", "Sán Chay", "Sán Dìu", "Hoa", "Khmer",
)  # fmt: skip


class PersonDialog(RecordDialog):
    """Add or change a person. Save stays disabled, saying why, while a field is wrong."""

    check_delay_ms = 300  # the check looks up the village and possible duplicates
    why_says = "first_problem"

    def __init__(
        self, reg: Register, person_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        title = self.tr("Sửa thông tin") if person_id else self.tr("Thêm người")
        super().__init__(reg, "personDialog", title, parent, width=560)
        self.person_id = person_id
        self.why_disabled = self.why
        labels = people.FIELDS

        def line(key: str, placeholder: str = "", *, required: bool = False) -> None:
            edit = line_edit(f"field_{key}")
            edit.setPlaceholderText(placeholder)
            self.add_field(key, labels[key], edit, required=required)

        line("full_name", self.tr("Họ, chữ đệm và tên"), required=True)
        line("other_names", self.tr("Tên gọi khác, biệt danh"))
        line("birth_date", self.tr("dd/mm/yyyy, mm/yyyy hoặc chỉ năm sinh"))
        sex = QComboBox()
        sex.setObjectName("field_sex")
        sex.addItem(self.tr("— chưa rõ —"), None)
        sex.addItem(self.tr("Nam"), "M")
        sex.addItem(self.tr("Nữ"), "F")
        self.add_field("sex", labels["sex"], sex)
        ethnicity = QComboBox()
        ethnicity.setObjectName("field_ethnicity")
        ethnicity.setEditable(True)
        ethnicity.addItems(["", *ETHNIC_GROUPS])
        self.add_field("ethnicity", labels["ethnicity"], ethnicity)
        line("id_number", self.tr("12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ)"))
        village = QComboBox()
        village.setObjectName("field_village_id")
        village.addItem(self.tr("— chưa chọn —"), None)
        for v in villages(reg):
            village.addItem(v["name"], v["id"])
        self.add_field("village_id", labels["village_id"], village)
        line("permanent_address")
        line("current_address")
        line("occupation")
        line("phone")
        line("family_contact", self.tr("Họ tên, quan hệ, số điện thoại"))
        notes = QPlainTextEdit()
        notes.setObjectName("field_notes")
        notes.setFixedHeight(60)
        notes.setTabChangesFocus(True)
        self.add_field("notes", labels["notes"], notes)
        self.duplicates = self.add_notice("duplicatesLabel")
        if person_id:
            self._load(people.get_person(reg, person_id))
        self.finish()

    def _load(self, person: dict[str, Any]) -> None:
        for key, widget in self.fields.items():
            value = person.get(key)
            if isinstance(widget, QLineEdit):
                widget.setText(show(value) if key == "birth_date" else (value or ""))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            elif isinstance(widget, QComboBox):
                if widget.isEditable():
                    widget.setCurrentText(value or "")
                else:
                    widget.setCurrentIndex(max(widget.findData(value), 0))

    def values(self) -> Row:
        """What the form says now."""
        data: dict[str, Any] = {}
        for key, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                data[key] = widget.text()
            elif isinstance(widget, QPlainTextEdit):
                data[key] = widget.toPlainText()
            elif isinstance(widget, QComboBox):
                data[key] = widget.currentText() if widget.isEditable() else widget.currentData()
        return data

    def problems(self, values: Row) -> dict[str, str]:
        return people.check_person(self.reg, values)[1]

    def check(self) -> bool:
        """Check every field; when nothing is wrong, show the people it may duplicate."""
        fine = super().check()
        data = self.values()
        dupes = people.possible_duplicates(self.reg, data, self.person_id) if fine else []
        lines = [
            f"{d['full_name']} ({show(d['birth_date']) or '?'}, "
            f"{d.get('village') or self.tr('chưa rõ thôn')}) — {d['reason']}"
            for d in dupes[:5]
        ]
        heading = self.tr("Có thể trùng với người đã có trong sổ:\n")
        set_notice(self.duplicates, heading + "\n".join(lines) if lines else "")
        return fine

    def save(self, values: Row) -> str:
        """Save; the register is unchanged when it refuses."""
        if self.person_id:
            people.update_person(self.reg, self.person_id, values)
            return self.person_id
        return people.add_person(self.reg, values)
