"""The forms of the commune's places: villages, drug hotspots, prevention models, incidents.

Each checks as the officer types by asking db.commune.places about the same record (the check its
save makes), so the register's message lands next to its field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from db.commune import places
from db.core.dates import from_iso
from db.store.register import Register
from gui.kit.common import date_edit, from_qdate, to_qdate, tr
from gui.kit.forms import OptionalDate, RecordDialog

Row = dict[str, Any]


def _tr(text: str) -> str:
    return tr("places", text)


def village_combo(reg: Register, name: str, current: str | None) -> QComboBox:
    """A choice of the commune's villages (or none)."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(_tr("— Không gắn với thôn/bản nào —"), None)
    for village in places.villages(reg):
        combo.addItem(village["name"], village["id"])
    combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
    return combo


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
        self.finish()

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

    def problems(self, values: Row) -> dict[str, str]:
        return places.check_village(self.reg, values, self.record_id)

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
        self.finish()
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

    def problems(self, values: Row) -> dict[str, str]:
        return places.check_hotspot(self.reg, values)

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
        self.finish()
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

    def problems(self, values: Row) -> dict[str, str]:
        return places.check_model(self.reg, values)

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
        self.finish()

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

    def problems(self, values: Row) -> dict[str, str]:
        return places.check_incident(self.reg, values)

    def save(self, values: Row) -> str:
        return places.save_incident(self.reg, values, self.record_id)
