"""The commune's places: villages, drug hotspots, prevention models and incidents.

Each kind of record has a table on its own tab and a form (a dialog) that checks as the officer
types; the db save function has the last word, and its messages land next to the fields.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
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
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.commune import places
from db.core.dates import from_iso, show
from db.core.errors import ValidationError
from db.figures.stats import villages_summary
from db.law.categories import SHORT_LABELS, Category
from db.store.register import Register
from gui.kit.common import (
    Column,
    ListModel,
    date_edit,
    error_label,
    from_qdate,
    make_table,
    place_errors,
    set_error,
    show_failure,
    to_qdate,
    tr,
)

Row = dict[str, Any]


def _tr(text: str) -> str:
    return tr("places", text)


# --- The form kit: a field with its error label, an optional date, a checking dialog. ---------


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


# --- The forms. -------------------------------------------------------------------------------


def village_combo(reg: Register, name: str, current: str | None) -> QComboBox:
    """A choice of the commune's villages (or none)."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(_tr("— Không gắn với thôn/bản nào —"), None)
    for village in places.villages(reg):
        combo.addItem(village["name"], village["id"])
    combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
    return combo


def _count_error(text: str, label: str) -> str | None:
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        return _tr("%1: phải là số nguyên.").replace("%1", label)
    return _tr("%1: không được âm.").replace("%1", label) if number < 0 else None


class VillageDialog(RecordDialog):
    """Add or change a village: name, kind, population, households, drug-free status."""

    def __init__(self, reg: Register, row: Row | None = None, parent: QWidget | None = None):
        title = self.tr("Sửa thôn/bản") if row else self.tr("Thêm thôn/bản")
        super().__init__(reg, "villageDialog", title, parent)
        row = row or {}
        self.record_id: str | None = row.get("id")
        self.name = QLineEdit(row.get("name", ""))
        self.name.setObjectName("villageName")
        self.kind = QComboBox()
        self.kind.setObjectName("villageKind")
        kinds = list(places.VILLAGE_KINDS)
        if row.get("kind") and row["kind"] not in kinds:
            kinds.append(row["kind"])
        self.kind.addItems(kinds)
        self.kind.setCurrentText(row.get("kind") or kinds[0])
        self.population = QLineEdit(str(row.get("population") or ""))
        self.population.setObjectName("villagePopulation")
        self.households = QLineEdit(str(row.get("households") or ""))
        self.households.setObjectName("villageHouseholds")
        since = from_iso(row.get("drug_free_since"))
        self.drug_free = OptionalDate(
            "villageDrugFreeSince", self.tr("Đã được công nhận, từ ngày"), self.today, since
        )
        if row.get("drug_free") and since is None:
            self.drug_free.check.setChecked(True)
        self.notes = QLineEdit(row.get("notes", ""))
        self.notes.setObjectName("villageNotes")
        self.add_field("name", self.tr("Tên thôn/bản"), self.name, required=True)
        self.add_field("kind", self.tr("Loại"), self.kind)
        self.add_field("population", self.tr("Dân số"), self.population)
        self.add_field("households", self.tr("Số hộ"), self.households)
        self.add_field("drug_free_since", self.tr("Không ma túy"), self.drug_free)
        self.add_field("notes", self.tr("Ghi chú"), self.notes)
        self.finish_form()

    def values(self) -> Row:
        return {
            "name": self.name.text().strip(),
            "kind": self.kind.currentText(),
            "population": self.population.text().strip(),
            "households": self.households.text().strip(),
            "drug_free": self.drug_free.check.isChecked(),
            "drug_free_since": self.drug_free.value(),
            "notes": self.notes.text(),
        }

    def check(self, values: Row) -> dict[str, str]:
        errors: dict[str, str] = {}
        if values["name"]:
            other = places.village_by_name(self.reg, values["name"])
            if other and other["id"] != self.record_id:
                errors["name"] = self.tr("Tên thôn/bản: “%1” đã có.").replace("%1", values["name"])
        for key, label in (("population", self.tr("Dân số")), ("households", self.tr("Số hộ"))):
            message = _count_error(values[key], label)
            if message:
                errors[key] = message
        return errors

    def save(self, values: Row) -> str:
        return places.save_village(self.reg, values, self.record_id)


class HotspotDialog(RecordDialog):
    """Add or change a drug hotspot; `closing` opens it to record the day it was cleared."""

    def __init__(
        self,
        reg: Register,
        row: Row | None = None,
        parent: QWidget | None = None,
        closing: bool = False,
    ) -> None:
        title = self.tr("Sửa điểm phức tạp") if row else self.tr("Thêm điểm phức tạp")
        if closing:
            title = self.tr("Ghi nhận đã xóa bỏ điểm phức tạp")
        super().__init__(reg, "hotspotDialog", title, parent)
        row = row or {}
        self.record_id: str | None = row.get("id")
        self.name = QLineEdit(row.get("name", ""))
        self.name.setObjectName("hotspotName")
        self.kind = QComboBox()
        self.kind.setObjectName("hotspotKind")
        for key, label in places.HOTSPOT_KINDS.items():
            self.kind.addItem(_tr(label), key)
        self.kind.setCurrentIndex(max(self.kind.findData(row.get("kind", "use")), 0))
        self.village = village_combo(reg, "hotspotVillage", row.get("village_id"))
        self.address = QLineEdit(row.get("address", ""))
        self.address.setObjectName("hotspotAddress")
        self.found = date_edit("hotspotFound", from_iso(row.get("found_date")) or self.today)
        self.found.setMaximumDate(to_qdate(self.today))
        cleared = from_iso(row.get("cleared_date"))
        if closing and cleared is None:
            cleared = self.today
        self.cleared = OptionalDate(
            "hotspotCleared", self.tr("Đã xóa bỏ, ngày"), self.today, cleared
        )
        self.notes = QLineEdit(row.get("notes", ""))
        self.notes.setObjectName("hotspotNotes")
        self.add_field("name", self.tr("Tên điểm"), self.name, required=True)
        self.add_field("kind", self.tr("Loại điểm"), self.kind)
        self.add_field("village_id", self.tr("Thôn/bản"), self.village)
        self.add_field("address", self.tr("Địa chỉ"), self.address)
        self.add_field("found_date", self.tr("Ngày phát hiện"), self.found)
        self.add_field("cleared_date", self.tr("Xóa bỏ"), self.cleared)
        self.add_field("notes", self.tr("Ghi chú"), self.notes)
        self.finish_form()
        if closing:
            self.cleared.edit.setFocus()

    def values(self) -> Row:
        return {
            "name": self.name.text().strip(),
            "kind": self.kind.currentData(),
            "village_id": self.village.currentData(),
            "address": self.address.text(),
            "found_date": from_qdate(self.found.date()),
            "cleared_date": self.cleared.value(),
            "notes": self.notes.text(),
        }

    def check(self, values: Row) -> dict[str, str]:
        cleared = values["cleared_date"]
        if cleared is not None and cleared < values["found_date"]:
            return {"cleared_date": self.tr("Ngày xóa bỏ: trước ngày phát hiện.")}
        return {}

    def save(self, values: Row) -> str:
        return places.save_hotspot(self.reg, values, self.record_id)


class ModelDialog(RecordDialog):
    """Add or change a drug-prevention model; `closing` opens it to record the day it ended."""

    def __init__(
        self,
        reg: Register,
        row: Row | None = None,
        parent: QWidget | None = None,
        closing: bool = False,
    ) -> None:
        title = self.tr("Sửa mô hình") if row else self.tr("Thêm mô hình phòng, chống ma túy")
        if closing:
            title = self.tr("Kết thúc mô hình")
        super().__init__(reg, "modelDialog", title, parent)
        row = row or {}
        self.record_id: str | None = row.get("id")
        self.name = QLineEdit(row.get("name", ""))
        self.name.setObjectName("modelName")
        self.village = village_combo(reg, "modelVillage", row.get("village_id"))
        self.start = date_edit("modelStart", from_iso(row.get("start_date")) or self.today)
        self.start.setMaximumDate(to_qdate(self.today))
        end = from_iso(row.get("end_date"))
        if closing and end is None:
            end = self.today
        self.end = OptionalDate("modelEnd", self.tr("Đã kết thúc, ngày"), self.today, end)
        self.notes = QLineEdit(row.get("notes", ""))
        self.notes.setObjectName("modelNotes")
        self.add_field("name", self.tr("Tên mô hình"), self.name, required=True)
        self.add_field("village_id", self.tr("Thôn/bản"), self.village)
        self.add_field("start_date", self.tr("Ngày bắt đầu"), self.start)
        self.add_field("end_date", self.tr("Kết thúc"), self.end)
        self.add_field("notes", self.tr("Ghi chú"), self.notes)
        self.finish_form()
        if closing:
            self.end.edit.setFocus()

    def values(self) -> Row:
        return {
            "name": self.name.text().strip(),
            "village_id": self.village.currentData(),
            "start_date": from_qdate(self.start.date()),
            "end_date": self.end.value(),
            "notes": self.notes.text(),
        }

    def check(self, values: Row) -> dict[str, str]:
        end = values["end_date"]
        if end is not None and end < values["start_date"]:
            return {"end_date": self.tr("Ngày kết thúc: trước ngày bắt đầu.")}
        return {}

    def save(self, values: Row) -> str:
        return places.save_model(self.reg, values, self.record_id)


class IncidentDialog(RecordDialog):
    """Add or change an incident: drug psychosis, arrests, drug plants destroyed."""

    def __init__(self, reg: Register, row: Row | None = None, parent: QWidget | None = None):
        title = self.tr("Sửa vụ việc") if row else self.tr("Thêm vụ việc")
        super().__init__(reg, "incidentDialog", title, parent)
        row = row or {}
        self.record_id: str | None = row.get("id")
        self.kind = QComboBox()
        self.kind.setObjectName("incidentKind")
        for key, label in places.INCIDENT_KINDS.items():
            self.kind.addItem(_tr(label), key)
        self.kind.setCurrentIndex(max(self.kind.findData(row.get("kind", "psychosis")), 0))
        self.day = date_edit("incidentDate", from_iso(row.get("incident_date")) or self.today)
        self.day.setMaximumDate(to_qdate(self.today))
        self.village = village_combo(reg, "incidentVillage", row.get("village_id"))
        self.count = QSpinBox()
        self.count.setObjectName("incidentCount")
        self.count.setRange(0, 10_000_000)
        self.count.setValue(int(row.get("count", 1)))
        self.area = QDoubleSpinBox()
        self.area.setObjectName("incidentArea")
        self.area.setRange(0, 10_000_000)
        self.area.setDecimals(1)
        self.area.setSuffix(" m²")
        self.area.setValue(float(row.get("area_m2") or 0))
        self.serious = QCheckBox(self.tr("Gây án hoặc hậu quả nghiêm trọng"))
        self.serious.setObjectName("incidentSerious")
        self.serious.setChecked(bool(row.get("serious")))
        self.notes = QLineEdit(row.get("notes", ""))
        self.notes.setObjectName("incidentNotes")
        self.add_field("kind", self.tr("Loại vụ việc"), self.kind)
        self.add_field("incident_date", self.tr("Ngày xảy ra"), self.day)
        self.add_field("village_id", self.tr("Thôn/bản"), self.village)
        self.count_label = self.add_field("count", self.tr("Số người"), self.count)
        self.add_field("area_m2", self.tr("Diện tích"), self.area)
        self.add_field("serious", self.tr("Mức độ"), self.serious)
        self.add_field("notes", self.tr("Ghi chú"), self.notes)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.finish_form()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        captions = {
            "psychosis": self.tr("Số người"),
            "arrest": self.tr("Số đối tượng bị bắt"),
            "plants": self.tr("Số cây"),
        }
        self.count_label.setText(captions.get(kind, self.tr("Số lượng")))
        self.area.setEnabled(kind == "plants")

    def values(self) -> Row:
        plants = self.kind.currentData() == "plants"
        return {
            "kind": self.kind.currentData(),
            "incident_date": from_qdate(self.day.date()),
            "village_id": self.village.currentData(),
            "count": self.count.value(),
            "area_m2": self.area.value() if plants else 0,
            "serious": self.serious.isChecked(),
            "notes": self.notes.text(),
        }

    def save(self, values: Row) -> str:
        return places.save_incident(self.reg, values, self.record_id)


# --- The page. ----------------------------------------------------------------------------------


def _number(value: int | None) -> str:
    """1250 → "1.250" (Vietnamese thousands), None → ""."""
    return "" if value is None else f"{value:,}".replace(",", ".")


def _category_count(category: Category) -> Callable[[Row], Any]:
    """A village's count of people in one category (blank for none, so numbers stand out)."""
    return lambda row: row["categories"].get(category.value) or ""


def _always(row: Row) -> bool:
    return True


class ListTab(QWidget):
    """A table of records with Add / Edit (and one more action) buttons and a summary line."""

    add_requested = Signal()
    edit_requested = Signal(object)
    extra_requested = Signal(object)

    def __init__(
        self,
        name: str,
        columns: Sequence[Column],
        add_text: str,
        red: Callable[[Row], bool] | None = None,
        extra: tuple[str, str] | None = None,
        extra_enabled: Callable[[Row], bool] | None = None,
    ) -> None:
        super().__init__()
        self.model = ListModel(columns, red=red, parent=self)
        self.view = make_table(f"{name}Table")
        self.view.setModel(self.model)
        self.summary = QLabel()
        self.summary.setObjectName(f"{name}Summary")
        self.add_button = QPushButton(add_text)
        self.add_button.setObjectName(f"{name}Add")
        self.edit_button = QPushButton(self.tr("Sửa…"))
        self.edit_button.setObjectName(f"{name}Edit")
        self.extra_button = QPushButton(extra[0] if extra else "")
        self.extra_button.setObjectName(extra[1] if extra else f"{name}Extra")
        self.extra_button.setVisible(extra is not None)
        self._extra_enabled = extra_enabled or _always
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.extra_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view)
        self.add_button.clicked.connect(self.add_requested)
        self.edit_button.clicked.connect(lambda: self._emit_selected(self.edit_requested))
        self.extra_button.clicked.connect(lambda: self._emit_selected(self.extra_requested))
        self.view.activated.connect(lambda i: self.edit_requested.emit(self.model.row(i.row())))
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def selected(self) -> Row | None:
        """The selected row, if any."""
        rows = self.view.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select(self, row_id: str | None) -> None:
        """Select the row with this id (after a save)."""
        for number, row in enumerate(self.model.rows()):
            if row.get("id") == row_id:
                self.view.selectRow(number)
                return

    def set_rows(self, rows: Sequence[Row], summary: str) -> None:
        """Show new rows, keeping the selection."""
        keep = (self.selected() or {}).get("id")
        self.model.set_rows(rows)
        self.summary.setText(summary)
        self.view.resizeColumnsToContents()
        self.select(keep)
        self._update_buttons()

    def _emit_selected(self, signal: Any) -> None:
        row = self.selected()
        if row is not None:
            signal.emit(row)

    def _update_buttons(self) -> None:
        row = self.selected()
        self.edit_button.setEnabled(row is not None)
        self.extra_button.setEnabled(row is not None and self._extra_enabled(row))


class PlacesPage(QWidget):
    """Villages, hotspots, prevention models and incidents, one tab each."""

    register_changed = Signal()

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName("placesPage")
        self.dialog: RecordDialog | None = None
        self._village_names: dict[str, str] = {}
        self.villages = ListTab("villages", self._village_columns(), self.tr("Thêm thôn/bản…"))
        self.hotspots = ListTab(
            "hotspots",
            self._hotspot_columns(),
            self.tr("Thêm điểm…"),
            red=lambda row: not row["cleared_date"],
            extra=(self.tr("Ghi nhận đã xóa bỏ…"), "hotspotsClear"),
            extra_enabled=lambda row: not row["cleared_date"],
        )
        self.models = ListTab(
            "models",
            self._model_columns(),
            self.tr("Thêm mô hình…"),
            extra=(self.tr("Kết thúc mô hình…"), "modelsEnd"),
            extra_enabled=lambda row: not row["end_date"],
        )
        self.incidents = ListTab(
            "incidents",
            self._incident_columns(),
            self.tr("Thêm vụ việc…"),
            red=lambda row: bool(row["serious"]),
        )
        for tab, form in (
            (self.villages, VillageDialog),
            (self.hotspots, HotspotDialog),
            (self.models, ModelDialog),
            (self.incidents, IncidentDialog),
        ):
            self._connect(tab, form)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("placesTabs")
        self.tabs.addTab(self.villages, self.tr("Thôn/bản"))
        self.tabs.addTab(self.hotspots, self.tr("Điểm phức tạp"))
        self.tabs.addTab(self.models, self.tr("Mô hình"))
        self.tabs.addTab(self.incidents, self.tr("Vụ việc"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.refresh()

    def _village_name(self, row: Row) -> str:
        return self._village_names.get(row.get("village_id") or "", "")

    def _village_columns(self) -> list[Column]:
        def drug_free(row: Row) -> str:
            if not row["drug_free"]:
                return self.tr("Chưa đạt")
            since = row["drug_free_since"]
            return self.tr("Đạt, từ %1").replace("%1", show(since)) if since else self.tr("Đạt")

        return [
            Column(self.tr("Tên thôn/bản"), lambda r: r["name"]),
            Column(self.tr("Loại"), lambda r: r["kind"]),
            Column(self.tr("Dân số"), lambda r: _number(r["population"]), align_right=True),
            Column(self.tr("Số hộ"), lambda r: _number(r["households"]), align_right=True),
            Column(self.tr("Không ma túy"), drug_free),
            Column(self.tr("Tổng số"), lambda r: r["people"], align_right=True),
            *(Column(_tr(SHORT_LABELS[c]), _category_count(c), True) for c in Category),
        ]

    def _hotspot_columns(self) -> list[Column]:
        def state(row: Row) -> str:
            if row["cleared_date"]:
                return self.tr("Đã xóa bỏ ngày %1").replace("%1", show(row["cleared_date"]))
            return self.tr("Đang tồn tại")

        return [
            Column(self.tr("Tên điểm"), lambda r: r["name"]),
            Column(self.tr("Loại"), lambda r: _tr(places.HOTSPOT_KINDS.get(r["kind"], r["kind"]))),
            Column(self.tr("Thôn/bản"), self._village_name),
            Column(self.tr("Địa chỉ"), lambda r: r["address"]),
            Column(self.tr("Ngày phát hiện"), lambda r: show(r["found_date"])),
            Column(self.tr("Tình trạng"), state),
        ]

    def _model_columns(self) -> list[Column]:
        def state(row: Row) -> str:
            if row["end_date"]:
                return self.tr("Đã kết thúc ngày %1").replace("%1", show(row["end_date"]))
            return self.tr("Đang hoạt động")

        return [
            Column(self.tr("Tên mô hình"), lambda r: r["name"]),
            Column(self.tr("Thôn/bản"), self._village_name),
            Column(self.tr("Ngày bắt đầu"), lambda r: show(r["start_date"])),
            Column(self.tr("Tình trạng"), state),
            Column(self.tr("Ghi chú"), lambda r: r["notes"]),
        ]

    def _incident_columns(self) -> list[Column]:
        def area(row: Row) -> str:
            return f"{row['area_m2']:g}".replace(".", ",") if row["area_m2"] else ""

        return [
            Column(self.tr("Ngày xảy ra"), lambda r: show(r["incident_date"])),
            Column(self.tr("Loại vụ việc"), lambda r: _tr(places.INCIDENT_KINDS[r["kind"]])),
            Column(self.tr("Thôn/bản"), self._village_name),
            Column(self.tr("Số lượng"), lambda r: _number(r["count"]), align_right=True),
            Column(self.tr("Diện tích (m²)"), area, align_right=True),
            Column(self.tr("Nghiêm trọng"), lambda r: self.tr("Có") if r["serious"] else ""),
            Column(self.tr("Ghi chú"), lambda r: r["notes"]),
        ]

    def refresh(self) -> None:
        """Read the villages, their counts, hotspots, models and incidents again."""
        today = self.reg.today()
        counted = {v["id"]: v for v in villages_summary(self.reg, today)}
        rows = []
        for village in places.villages(self.reg):
            counts = counted.get(village["id"], {})
            rows.append({**village, "people": counts.get("people", 0),
                         "categories": counts.get("categories", {})})  # fmt: skip
        self._village_names = {v["id"]: v["name"] for v in rows}
        free = sum(1 for v in rows if v["drug_free"])
        self.villages.set_rows(
            rows,
            self.tr("%1 thôn/bản, %2 đạt không ma túy")
            .replace("%1", str(len(rows)))
            .replace("%2", str(free)),
        )
        spots = places.hotspots(self.reg)
        active = sum(
            1 for s in spots if places.active_on(s["found_date"], s["cleared_date"], today)
        )
        self.hotspots.set_rows(
            spots,
            self.tr("%1 điểm, %2 điểm đang tồn tại")
            .replace("%1", str(len(spots)))
            .replace("%2", str(active)),
        )
        models = places.prevention_models(self.reg)
        running = sum(1 for m in models if places.active_on(m["start_date"], m["end_date"], today))
        self.models.set_rows(
            models,
            self.tr("%1 mô hình, %2 đang hoạt động")
            .replace("%1", str(len(models)))
            .replace("%2", str(running)),
        )
        incidents = places.incidents(self.reg)
        self.incidents.set_rows(incidents, self.tr("%1 vụ việc").replace("%1", str(len(incidents))))

    def _connect(self, tab: ListTab, form: Callable[..., RecordDialog]) -> None:
        reg = self.reg
        tab.add_requested.connect(lambda: self._open(form(reg, None, self), tab))
        tab.edit_requested.connect(lambda row: self._open(form(reg, row, self), tab))
        tab.extra_requested.connect(lambda row: self._open(form(reg, row, self, True), tab))

    def _open(self, dialog: RecordDialog, tab: ListTab) -> None:
        """Show a form without blocking; after a save, re-read and select the saved row."""
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._saved(dialog, tab))
        dialog.finished.connect(lambda *_: self._closed(dialog))
        dialog.open()

    def _saved(self, dialog: RecordDialog, tab: ListTab) -> None:
        self.refresh()
        tab.select(dialog.saved_id)
        self.register_changed.emit()

    def _closed(self, dialog: RecordDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
