"""The commune's places: villages, drug hotspots, prevention models and incidents.

Each kind of record has a table on its own tab and a form (gui/dialogs/places.py) that checks as
the officer types; the db save function has the last word, and its messages land next to the
fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.commune import places
from db.core.dates import show
from db.figures.stats import villages_summary
from db.law.categories import SHORT_LABELS, Category
from db.store.register import Register
from gui.dialogs.places import HotspotDialog, IncidentDialog, ModelDialog, VillageDialog
from gui.kit.common import Column, ListModel, make_table, tr
from gui.kit.forms import RecordDialog
from gui.kit.page import Page

Row = dict[str, Any]


def _tr(text: str) -> str:
    return tr("places", text)


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


class PlacesPage(Page):
    """Villages, hotspots, prevention models and incidents, one tab each."""

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
