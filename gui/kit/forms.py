"""The form toolkit every dialog uses: fields with their reason, why the button is disabled.

`FormDialog` lays out captioned fields (an asterisk marks the required ones) with the reason
under each, a line saying why the main button is disabled, a line for a refusal that names no
field, and inline notices that inform without blocking. Its check is `problems(values)`, which
asks db/ about the same record (a `check_*` function, or the save's own `ValidationError` through
`refusals`); it never re-types a rule. Checks that query the register may wait for a pause in the
typing (`check_delay_ms`). `RecordDialog` adds Save and Cancel and the values → check → save
round: the register's own refusal lands next to the field it names.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, Literal

from PySide6.QtCore import QTimer, Signal
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
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.core.errors import UserError, ValidationError
from db.store.register import Register
from gui.kit.common import (
    date_edit,
    error_label,
    from_qdate,
    install_wheel_guard,
    named_button,
    place_errors,
    set_error,
    show_failure,
    to_qdate,
)
from gui.kit.screen import scrolling

Row = dict[str, Any]
WhySays = Literal["fix_red", "first_problem", "problem"]


def line_edit(name: str, text: str = "") -> QLineEdit:
    """A one-line text field with an objectName."""
    edit = QLineEdit(text)
    edit.setObjectName(name)
    return edit


def password_field(name: str) -> QLineEdit:
    """A text field that shows dots."""
    edit = line_edit(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def intro_label(text: str, name: str = "intro") -> QLabel:
    """A paragraph at the top of a form."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def notice_label(name: str, *, urgent: bool = False) -> QLabel:
    """An inline notice: information the officer should see, without a box to click away."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020; font-weight: bold;" if urgent else "color: #8a4b00;")
    label.hide()
    return label


def refusals(call: Callable[..., object], *args: Any, **kwargs: Any) -> dict[str, str]:
    """What a db/ check that raises refuses (field → message); {} when it passes."""
    try:
        call(*args, **kwargs)
    except ValidationError as exc:
        return exc.errors
    return {}


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
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        widget.textChanged.connect(lambda *_: slot())
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda *_: slot())
        if widget.isEditable():
            widget.editTextChanged.connect(lambda *_: slot())
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


class ButtonRow(QDialogButtonBox):
    """The dialog's buttons, right-aligned in the order they are added."""

    def addWidget(self, button: QPushButton) -> None:  # QHBoxLayout's name: lock.py uses it
        """Add a button of the dialog's own (it does what its `clicked` is connected to)."""
        self.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)


class FormDialog(QDialog):
    """A form: fields with their reasons, a main button that says why it is disabled.

    Subclasses add fields (`add_field`) and buttons (`add_button`), call `finish()`, and give
    `values()` and `problems(values)` — the db check of the same record, field → message.
    `why_says` words the line beside the buttons: "fix_red" (point at the red fields),
    "first_problem" ("Chưa lưu được: …") or "problem" (the first problem alone).
    """

    check_delay_ms: ClassVar[int] = 0  # > 0: check after a pause in the typing (queries)
    why_says: ClassVar[WhySays] = "fix_red"

    def __init__(self, name: str, title: str, parent: QWidget | None = None, *,
                 width: int = 460) -> None:  # fmt: skip
        super().__init__(parent)
        # The first form of a session (the sign-in) guards the wheel app-wide: see WheelGuard.
        install_wheel_guard()
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(width)
        self.main_layout = QVBoxLayout(self)
        self.layout_ = self.main_layout  # the name gui/session/lock.py uses
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.notices: list[QLabel] = []
        self.error = error_label("formError")  # a refusal that names no field
        self.why = QLabel()
        self.why.setObjectName("whyDisabled")
        self.why.setWordWrap(True)
        self.buttons = ButtonRow()
        self.main_button: QPushButton | None = None
        self._names: dict[str, str] = {}
        self._required: list[str] = []
        self._touched: set[str] = set()
        self._chain: list[QWidget] = []
        self._live_error = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.check_delay_ms)
        self._timer.timeout.connect(self.check)

    # --- Building the form. -------------------------------------------------------------------

    def add_field(self, key: str, label: str, widget: QWidget, *, required: bool = False) -> QLabel:
        """A captioned field (keyed as db/ names it) with its reason under it; the caption comes
        back (its text may change)."""
        error = error_label(f"{key}Error")
        focus = widget.focus_widgets() if isinstance(widget, OptionalDate) else [widget]
        caption = QLabel(f"{label} *" if required else label)
        caption.setBuddy(focus[-1])
        self.form.addRow(caption, field_box(widget, error))
        self.fields[key] = widget
        self.errors[key] = error
        self._names[key] = label
        self._chain += focus
        if required:
            self._required.append(key)
        on_change(widget, lambda: self.touch(key))
        return caption

    def add_notice(self, name: str, *, urgent: bool = False) -> QLabel:
        """An inline notice under the fields (shown with `set_notice`)."""
        label = notice_label(name, urgent=urgent)
        self.notices.append(label)
        return label

    def add_button(self, name: str, text: str, slot: Callable[[], object] | None = None, *,
                   main: bool = False) -> QPushButton:  # fmt: skip
        """A button in the row; the main one is the default and is disabled while a problem
        remains."""
        button = named_button(name, text)
        self.buttons.addWidget(button)
        if slot is not None:
            button.clicked.connect(lambda *_: slot())
        if main:
            button.setDefault(True)
            self.main_button = button
        return button

    def finish(self) -> None:
        """Lay the form out, Tab through the fields then the buttons, check the initial values."""
        self.main_layout.addWidget(scrolling(self.form))  # scrolls when the screen is small
        for notice in self.notices:
            self.main_layout.addWidget(notice)
        self.main_layout.addWidget(self.error)
        bottom = QHBoxLayout()
        bottom.addWidget(self.why, 1)
        bottom.addWidget(self.buttons)
        self.main_layout.addLayout(bottom)
        chain = [*self._chain, *self.buttons.buttons()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        if self._chain:
            self._chain[0].setFocus()
        self.check()

    # --- Checking. ----------------------------------------------------------------------------

    def values(self) -> Row:
        """What the form says, keyed as db/ takes it."""
        return {}

    def problems(self, values: Row) -> dict[str, str]:
        """What db/ finds wrong with these values (field → message)."""
        return {}

    def touch(self, key: str) -> None:
        """The officer changed a field: its messages may show now; check (after a pause)."""
        self._touched.add(key)
        self.schedule_check()

    def schedule_check(self) -> None:
        """Check now, or after a pause in the typing when the check queries the register."""
        if self.check_delay_ms > 0:
            self._timer.start()
        else:
            self.check()

    def check(self) -> bool:
        """Show each problem next to its field (an empty field the officer has not reached yet
        is left alone); enable the main button only when nothing is missing or wrong."""
        self._timer.stop()
        values = self.values()
        found = dict(self.problems(values))
        blank = {k for k, v in values.items() if v in (None, "") and k not in self._touched}
        missing = [k for k in self._required if values.get(k) in (None, "")]
        for key in missing:
            if key not in blank:
                found.setdefault(key, self.tr("%1: không được để trống.").replace(
                    "%1", self._names[key]))  # fmt: skip
        for key, label in self.errors.items():
            set_error(label, None if key in blank else found.get(key))
        # A problem with no field of its own shows on the refusal line while it lasts (a refusal
        # put there by `fail` stays until the next try).
        unplaced = [m for k, m in found.items() if k not in self.errors]
        if unplaced or self._live_error:
            set_error(self.error, "\n".join(unplaced) or None)
        self._live_error = bool(unplaced)
        if missing:
            names = ", ".join(self._names[k] for k in missing)
            reason = self.tr("Chưa nhập: %1.").replace("%1", names)
        elif found:
            reason = self._why(next(iter(found.values())))
        else:
            reason = ""
        self.why.setText(reason)
        if self.main_button is not None:
            self.main_button.setEnabled(not reason)
            self.main_button.setToolTip(reason)
        return not reason

    def _why(self, first: str) -> str:
        if self.why_says == "first_problem":
            return self.tr("Chưa lưu được: %1").replace("%1", first)
        if self.why_says == "problem":
            return first
        return self.tr("Sửa các ô có chữ đỏ rồi lưu.")

    def fail(self, exc: UserError) -> None:
        """The register refused: each message next to the field it names, the rest below."""
        self._live_error = False
        if isinstance(exc, ValidationError):
            unplaced = place_errors(self.errors, exc.errors)
            set_error(self.error, "\n".join(unplaced) or None)
        else:
            set_error(self.error, exc.message)


def set_notice(label: QLabel, text: str) -> None:
    """Show an inline notice, or hide it when there is nothing to say."""
    label.setText(text)
    label.setVisible(bool(text))


class RecordDialog(FormDialog):
    """A form for one record with Save and Cancel: Enter saves, Esc cancels.

    Subclasses add fields, call `finish()`, and give `values()`, `problems(values)` and
    `save(values)`; a `ValidationError` from the save keeps the form open with its messages.
    """

    accept_button: ClassVar[QDialogButtonBox.StandardButton] = QDialogButtonBox.StandardButton.Save

    def __init__(self, reg: Register, name: str, title: str, parent: QWidget | None = None,
                 *, width: int = 520) -> None:  # fmt: skip
        super().__init__(name, title, parent, width=width)
        self.reg = reg
        self.today = reg.today()
        self.saved_id: str | None = None
        self.general_error = self.error
        std = QDialogButtonBox.StandardButton
        self.buttons.setStandardButtons(self.accept_button | std.Cancel)
        self.save_button = self.buttons.button(self.accept_button)
        ok = self.accept_button == std.Ok
        self.save_button.setObjectName("okButton" if ok else "saveButton")
        self.save_button.setText(self.tr("Lưu"))
        self.save_button.setDefault(True)
        self.main_button = self.save_button
        self.cancel_button = self.buttons.button(std.Cancel)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setText(self.tr("Hủy"))
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)

    def save(self, values: Row) -> str | None:
        """Write the record (its id, if any); ValidationError keeps the form open."""
        raise NotImplementedError

    def after_save(self) -> None:
        """After a successful save: close (a subclass may do more first)."""
        self.accept()

    def try_save(self) -> None:
        """Save; the register's own check can still refuse, field by field."""
        if not self.check():
            return
        try:
            self.saved_id = self.save(self.values())
        except UserError as exc:
            self.fail(exc)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the officer; the form stays open
            show_failure(self, exc)
            return
        self.after_save()
