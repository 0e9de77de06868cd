"""The form toolkit: a field with its error label, an optional date, a checking dialog.

A dialog built on `RecordDialog` checks as the officer types, says why Save is disabled, and puts
the register's own refusal (a `ValidationError` from db/) next to the field it names.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.core.errors import ValidationError
from db.store.register import Register
from gui.kit.common import (
    date_edit,
    error_label,
    from_qdate,
    place_errors,
    set_error,
    show_failure,
    to_qdate,
)

Row = dict[str, Any]


def field_box(widget: QWidget, error: QLabel) -> QWidget:
    """A field with its error label right under it."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(error)
    return box


def on_change(widget: QWidget, slot: Callable[[], None]) -> None:
    """Call `slot` whenever the value shown by `widget` changes."""
    if isinstance(widget, QLineEdit):
        widget.textChanged.connect(lambda *_: slot())
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda *_: slot())
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(lambda *_: slot())
    elif isinstance(widget, QDateEdit):
        widget.dateChanged.connect(lambda *_: slot())
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        widget.valueChanged.connect(lambda *_: slot())
    elif isinstance(widget, OptionalDate):
        widget.changed.connect(slot)


class OptionalDate(QWidget):
    """A date that may be absent (cleared, ended, recognised): a tick box says it is there."""

    changed = Signal()

    def __init__(self, name: str, text: str, today: date, value: date | None = None) -> None:
        super().__init__()
        self.setObjectName(f"{name}Box")
        self.check = QCheckBox(text)
        self.check.setObjectName(f"{name}Set")
        self.edit = date_edit(name, value or today)
        self.edit.setMaximumDate(to_qdate(today))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(lambda *_: self.changed.emit())
        self.edit.dateChanged.connect(lambda *_: self.changed.emit())
        self.set_value(value)

    def value(self) -> date | None:
        """The date, or None when the box is not ticked."""
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        """Tick the box and show the date, or untick it."""
        if value is not None:
            self.edit.setDate(to_qdate(value))
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)

    def focus_widgets(self) -> list[QWidget]:
        """The widgets Tab visits, in order."""
        return [self.check, self.edit]


class RecordDialog(QDialog):
    """A form for one record: checks as the officer types; Save says why it is disabled.

    Subclasses add fields with `add_field`, call `finish_form()`, and give `values()`,
    `check(values)` (messages by field, beyond required fields left empty) and `save(values)`.
    Enter saves (Save is the default button), Esc cancels.
    """

    def __init__(self, reg: Register, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.today = reg.today()
        self.saved_id: str | None = None
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._errors: dict[str, QLabel] = {}
        self._names: dict[str, str] = {}
        self._required: list[str] = []
        self._touched: set[str] = set()
        self._chain: list[QWidget] = []
        self.general_error = error_label("generalError")
        self.why = QLabel()
        self.why.setObjectName("whyDisabled")
        self.why.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setText(self.tr("Lưu"))
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setText(self.tr("Hủy"))
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        self.main_layout = QVBoxLayout(self)
        self.main_layout.addLayout(self.form)
        self.main_layout.addWidget(self.general_error)
        bottom = QHBoxLayout()
        bottom.addWidget(self.why, 1)
        bottom.addWidget(self.buttons)
        self.main_layout.addLayout(bottom)

    def add_field(self, key: str, label: str, widget: QWidget, *, required: bool = False) -> QLabel:
        """A labelled field with its error label; returns the label (its text may change)."""
        error = error_label(f"{key}Error")
        focus = widget.focus_widgets() if isinstance(widget, OptionalDate) else [widget]
        caption = QLabel(label)
        caption.setBuddy(focus[-1])
        self.form.addRow(caption, field_box(widget, error))
        self._errors[key] = error
        self._names[key] = label
        self._chain += focus
        if required:
            self._required.append(key)

        def touched() -> None:
            self._touched.add(key)
            self.refresh_state()

        on_change(widget, touched)
        return caption

    def finish_form(self) -> None:
        """Tab follows the form, then Save, then Cancel; check the initial values."""
        chain = [*self._chain, self.save_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        if self._chain:
            self._chain[0].setFocus()
        self.refresh_state()

    def values(self) -> Row:
        """What the form says, as the db save function takes it."""
        raise NotImplementedError

    def check(self, values: Row) -> dict[str, str]:
        """Quick checks as the officer types (the save function checks everything again)."""
        return {}

    def save(self, values: Row) -> str | None:
        """Write the record; ValidationError keeps the form open with its messages."""
        raise NotImplementedError

    def finish(self) -> None:
        """After a successful save: close (a subclass may do more first)."""
        self.accept()

    def refresh_state(self) -> None:
        """Show each field's message; enable Save only when nothing is missing or wrong."""
        values = self.values()
        errors = self.check(values)
        missing = [k for k in self._required if values.get(k) in (None, "")]
        for key in missing:
            if key in self._touched:
                errors.setdefault(
                    key, self.tr("%1: không được để trống.").replace("%1", self._names[key])
                )
        for key, label in self._errors.items():
            set_error(label, errors.get(key))
        set_error(self.general_error, None)
        if missing:
            names = ", ".join(self._names[k] for k in missing)
            reason = self.tr("Chưa nhập: %1.").replace("%1", names)
        elif errors:
            reason = self.tr("Sửa các ô có chữ đỏ rồi lưu.")
        else:
            reason = ""
        self.why.setText(reason)
        self.save_button.setEnabled(not reason)
        self.save_button.setToolTip(reason)

    def try_save(self) -> None:
        """Save; the register's own check can still refuse, field by field."""
        self.refresh_state()
        if not self.save_button.isEnabled():
            return
        try:
            self.saved_id = self.save(self.values())
        except ValidationError as exc:
            unplaced = place_errors(self._errors, exc.errors)
            set_error(self.general_error, "\n".join(unplaced) or None)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the officer; the form stays open
            show_failure(self, exc)
            return
        self.finish()
