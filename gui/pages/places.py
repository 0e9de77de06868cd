"""The commune's places: villages, drug hotspots, prevention models and incidents.

Each kind of record has a table on its own tab and a form (a dialog) that checks as the officer
types; the db save function has the last word, and its messages land next to the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
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
from db.figures.stats import villages_summary
from db.law.categories import SHORT_LABELS, Category
from db.store.register import Register
from gui.kit.common import (
    Column,
    ListModel,
    date_edit,
    from_qdate,
    make_table,
    to_qdate,
    tr,
)
from gui.kit.forms import OptionalDate, RecordDialog

Row = dict[str, Any]


def _tr(text: str) -> str:
    return tr("places", text)


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
