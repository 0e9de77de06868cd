"""The holidays tab: the year's days off and days worked, what they are counted on, and the days
the officer enters.

What a year is counted on: the decided days shipped with the program, the Labour Code's Art. 112
for a year not decided yet, or the unit's own days for a year it marked as entered.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.commune import holidays
from db.core.dates import show
from db.store.register import Register
from gui.kit.common import Column, ListModel, date_edit, from_qdate, make_table, show_failure
from gui.pages.settings.common import settings_tr, weekday

DAY_KINDS = {"holiday": "Ngày nghỉ", "workday": "Ngày làm bù"}
ORIGINS = {"entered": "Đơn vị nhập", "decided": "Lịch đã công bố", "labour_code": "Luật định"}


class HolidaysTab(QWidget):
    """Ngày nghỉ, ngày làm bù: a year's calendar, and the days the unit enters itself."""

    changed = Signal()  # a day or a year's choice was written to the register

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        today = reg.today()
        self.year = QSpinBox()
        self.year.setObjectName("holidayYear")
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.year.valueChanged.connect(lambda *_: self.load())
        self.days_off_model = ListModel(
            [
                Column(self.tr("Ngày"), lambda r: show(r["day"])),
                Column(self.tr("Thứ"), lambda r: weekday(r["day"])),
                Column(self.tr("Loại"), lambda r: settings_tr(DAY_KINDS[r["kind"]])),
                Column(self.tr("Tên"), lambda r: r["name"]),
                Column(self.tr("Nguồn"), lambda r: settings_tr(ORIGINS[r["origin"]])),
            ],
            parent=self,
        )
        self.days_off_view = make_table("daysOffTable")
        self.days_off_view.setModel(self.days_off_model)
        self.overrides_model = ListModel(
            [
                Column(self.tr("Ngày"), lambda r: show(r["day"])),
                Column(self.tr("Thứ"), lambda r: weekday(r["day"])),
                Column(self.tr("Loại"), lambda r: settings_tr(DAY_KINDS[r["kind"]])),
                Column(self.tr("Tên"), lambda r: r["name"]),
            ],
            parent=self,
        )
        self.overrides_view = make_table("overridesTable")
        self.overrides_view.setModel(self.overrides_model)
        self.day = date_edit("holidayDay", today)
        self.day_kind = QComboBox()
        self.day_kind.setObjectName("holidayKind")
        for kind, label in DAY_KINDS.items():
            self.day_kind.addItem(settings_tr(label), kind)
        self.day_name = QLineEdit()
        self.day_name.setObjectName("holidayName")
        self.day_name.setPlaceholderText(self.tr("Tên ngày, ví dụ: Nghỉ Tết"))
        self.add_day = QPushButton(self.tr("Thêm ngày"))
        self.add_day.setObjectName("addHoliday")
        self.remove_day = QPushButton(self.tr("Bỏ ngày đã chọn"))
        self.remove_day.setObjectName("removeHoliday")
        self.add_day.clicked.connect(self._add_day)
        self.day_name.returnPressed.connect(self._add_day)
        self.remove_day.clicked.connect(self._remove_day)
        self.overrides_view.selectionModel().selectionChanged.connect(self._update_remove)
        # What the year is counted on, and the unit's choice to enter the whole year itself.
        self.basis = QLabel()
        self.basis.setObjectName("holidayBasis")
        self.basis.setWordWrap(True)
        self.year_entered = QCheckBox(
            self.tr("Đơn vị tự nhập toàn bộ lịch nghỉ năm này (bỏ lịch có sẵn của chương trình)")
        )
        self.year_entered.setObjectName("holidayYearEntered")
        self.year_entered.clicked.connect(self._set_year_entered)
        self._lay_out()

    def _lay_out(self) -> None:
        year_row = QHBoxLayout()
        year_label = QLabel(self.tr("Năm"))
        year_label.setBuddy(self.year)
        year_row.addWidget(year_label)
        year_row.addWidget(self.year)
        note = QLabel(
            self.tr(
                "Thời hạn tính theo ngày làm việc bỏ qua thứ Bảy, Chủ nhật và các ngày nghỉ "
                "dưới đây, trừ ngày làm bù. Ngày nào khác với thông báo của Nhà nước: nhập ở "
                "dòng dưới cùng."
            )
        )
        note.setWordWrap(True)
        year_row.addWidget(note, 1)
        tables = QGridLayout()
        captions = (
            self.tr("Ngày nghỉ và ngày làm bù trong năm"),
            self.tr("Ngày đơn vị nhập theo thông báo của Nhà nước"),
        )
        views = (self.days_off_view, self.overrides_view)
        for number, (text, view) in enumerate(zip(captions, views, strict=True)):
            caption = QLabel(text)
            caption.setWordWrap(True)
            caption.setBuddy(view)
            tables.addWidget(caption, 0, number)
            tables.addWidget(view, 1, number)
        tables.setColumnStretch(0, 3)
        tables.setColumnStretch(1, 2)
        add_row = QHBoxLayout()
        for widget in (self.day, self.day_kind, self.day_name, self.add_day, self.remove_day):
            add_row.addWidget(widget, 1 if widget is self.day_name else 0)
        layout = QVBoxLayout(self)
        layout.addLayout(year_row)
        layout.addWidget(self.basis)
        layout.addWidget(self.year_entered)
        layout.addLayout(tables)
        layout.addLayout(add_row)

    def load(self) -> None:
        """Read the chosen year's days again."""
        year = self.year.value()
        entered = [o for o in holidays.overrides(self.reg) if o.day.year == year]
        self.basis.setText(settings_tr(holidays.year_basis(self.reg, year).label))
        self.year_entered.setChecked(year in holidays.entered_years(self.reg))
        self.days_off_model.set_rows([{"id": x.day.isoformat(), **x._asdict()}
                                      for x in holidays.year_days(self.reg, year)])  # fmt: skip
        self.overrides_model.set_rows(
            [{"id": o.day.isoformat(), "day": o.day, "kind": o.kind, "name": o.name}
             for o in entered]
        )  # fmt: skip
        for view in (self.days_off_view, self.overrides_view):
            view.resizeColumnsToContents()
        self._update_remove()

    def _set_year_entered(self, checked: bool) -> None:
        try:
            holidays.set_year_entered(self.reg, self.year.value(), checked)
        except Exception as exc:  # noqa: BLE001 - shown to the officer
            show_failure(self, exc)
        self.load()
        self.changed.emit()

    def _update_remove(self) -> None:
        self.remove_day.setEnabled(self.overrides_view.selectionModel().hasSelection())

    def _add_day(self) -> None:
        day = from_qdate(self.day.date())
        try:
            holidays.set_day(self.reg, day, self.day_kind.currentData(), self.day_name.text())
        except Exception as exc:  # noqa: BLE001 - shown to the officer
            show_failure(self, exc)
            return
        self.day_name.clear()
        if self.year.value() != day.year:
            self.year.setValue(day.year)  # reloads
        else:
            self.load()
        self.changed.emit()

    def _remove_day(self) -> None:
        rows = self.overrides_view.selectionModel().selectedRows()
        if not rows:
            return
        try:
            holidays.clear_day(self.reg, self.overrides_model.row(rows[0].row())["day"])
        except Exception as exc:  # noqa: BLE001 - shown to the officer
            show_failure(self, exc)
            return
        self.load()
        self.changed.emit()
