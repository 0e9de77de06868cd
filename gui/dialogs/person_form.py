"""The person form: identity fields checked as the officer types, duplicates shown before saving."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from db.commune.places import villages
from db.core.dates import show
from db.core.errors import ValidationError
from db.persons import people
from db.store.register import Register
from gui.kit.common import error_label, place_errors, set_error, show_failure

ETHNIC_GROUPS = (
    "Kinh", "Thái", "H'Mông", "Mường", "Dao", "Tày", "Nùng", "Khơ Mú", "Lào", "Kháng",
    "Xinh Mun", "Hà Nhì", "Lô Lô", "Giáy", "Sán Chay", "Sán Dìu", "Hoa", "Khmer",
)  # fmt: skip
CHECK_DELAY_MS = 120


class PersonDialog(QDialog):
    """Add or change a person. Save stays disabled, saying why, while a field is wrong."""

    def __init__(
        self, reg: Register, person_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.reg = reg
        self.person_id = person_id
        self.saved_id: str | None = None
        self.setObjectName("personDialog")
        self.setWindowTitle(self.tr("Sửa thông tin") if person_id else self.tr("Thêm người"))
        self.setMinimumWidth(560)

        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        labels = people.FIELDS

        def line(key: str, placeholder: str = "") -> QLineEdit:
            edit = QLineEdit()
            edit.setObjectName(f"field_{key}")
            edit.setPlaceholderText(placeholder)
            edit.textChanged.connect(self._schedule_check)
            self._add(form, key, labels[key], edit)
            return edit

        line("full_name", self.tr("Họ, chữ đệm và tên"))
        line("other_names", self.tr("Tên gọi khác, biệt danh"))
        line("birth_date", self.tr("dd/mm/yyyy, mm/yyyy hoặc chỉ năm sinh"))
        sex = QComboBox()
        sex.setObjectName("field_sex")
        sex.addItem(self.tr("— chưa rõ —"), None)
        sex.addItem(self.tr("Nam"), "M")
        sex.addItem(self.tr("Nữ"), "F")
        sex.currentIndexChanged.connect(self._schedule_check)
        self._add(form, "sex", labels["sex"], sex)
        ethnicity = QComboBox()
        ethnicity.setObjectName("field_ethnicity")
        ethnicity.setEditable(True)
        ethnicity.addItems(["", *ETHNIC_GROUPS])
        self._add(form, "ethnicity", labels["ethnicity"], ethnicity)
        line("id_number", self.tr("12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ)"))
        village = QComboBox()
        village.setObjectName("field_village_id")
        village.addItem(self.tr("— chưa chọn —"), None)
        for v in villages(reg):
            village.addItem(v["name"], v["id"])
        village.currentIndexChanged.connect(self._schedule_check)
        self._add(form, "village_id", labels["village_id"], village)
        line("permanent_address")
        line("current_address")
        line("occupation")
        line("phone")
        line("family_contact", self.tr("Họ tên, quan hệ, số điện thoại"))
        notes = QPlainTextEdit()
        notes.setObjectName("field_notes")
        notes.setFixedHeight(60)
        notes.setTabChangesFocus(True)
        self._add(form, "notes", labels["notes"], notes)

        self.duplicates = QLabel()
        self.duplicates.setObjectName("duplicatesLabel")
        self.duplicates.setWordWrap(True)
        self.duplicates.setStyleSheet("color: #8a4b00;")
        self.duplicates.hide()
        self.why_disabled = QLabel()
        self.why_disabled.setObjectName("whyDisabled")
        self.why_disabled.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Lưu"))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("saveButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Hủy"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.why_disabled)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        if person_id:
            self._load(people.get_person(reg, person_id))
        self.check()

    def _add(self, form: QFormLayout, key: str, label: str, widget: QWidget) -> None:
        error = error_label(f"error_{key}")
        box = QVBoxLayout()
        box.setSpacing(1)
        box.addWidget(widget)
        box.addWidget(error)
        form.addRow(label + (" *" if key == "full_name" else ""), box)
        self.fields[key] = widget
        self.errors[key] = error

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

    def values(self) -> dict[str, Any]:
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

    def _schedule_check(self) -> None:
        self._timer.start()

    def check(self) -> bool:
        """Check every field, show each message next to its field; True when it can be saved."""
        self._timer.stop()
        data = self.values()
        _, errors = people.check_person(self.reg, data)
        for key, label in self.errors.items():
            set_error(label, errors.get(key))
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not errors)
        first = next(iter(errors.values()), "")
        self.why_disabled.setText(
            self.tr("Chưa lưu được: %1").replace("%1", first) if first else ""
        )
        self.why_disabled.setVisible(bool(first))
        save.setToolTip(first)
        dupes = [] if errors else people.possible_duplicates(self.reg, data, self.person_id)
        if dupes:
            lines = [
                f"{d['full_name']} ({show(d['birth_date']) or '?'}, "
                f"{d.get('village') or self.tr('chưa rõ thôn')}) — {d['reason']}"
                for d in dupes[:5]
            ]
            self.duplicates.setText(
                self.tr("Có thể trùng với người đã có trong sổ:\n") + "\n".join(lines)
            )
        self.duplicates.setVisible(bool(dupes))
        return not errors

    def save(self) -> None:
        """Save, or show what is wrong; the register is unchanged when it fails."""
        if not self.check():
            return
        try:
            if self.person_id:
                people.update_person(self.reg, self.person_id, self.values())
                self.saved_id = self.person_id
            else:
                self.saved_id = people.add_person(self.reg, self.values())
        except ValidationError as exc:
            place_errors(self.errors, exc.errors)
            show_failure(self, exc)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the officer, nothing half-written
            show_failure(self, exc)
            return
        self.accept()
