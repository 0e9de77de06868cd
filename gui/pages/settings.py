"""Settings: the unit's names and figures, the working calendar, and the rules in force.

Every setting of `db.commune.settings.SETTINGS` has a field built from its kind and range there;
a field is checked by db's own check when the officer leaves it, and `save_settings` checks them
all and saves nothing while one is wrong. The holidays tab shows the year's days off and days
worked, what they are counted on (the decided days shipped with the program, the Labour Code's
Art. 112 for a year not decided yet, or the unit's own days for a year it marked as entered) and
the days the officer has entered; the rules tab shows where each deadline comes from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.commune import holidays
from db.commune.settings import (
    SETTINGS,
    Setting,
    check_setting,
    get_settings,
    interval_text,
    may_change_settings,
    save_settings,
    test_interval,
)
from db.core.dates import show
from db.core.errors import ValidationError
from db.law.categories import SHORT_LABELS, Category
from db.law.rules import NOT_IN_LAW, RULES, STATE_LABELS, state
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
    tr,
)
from gui.kit.forms import field_box, on_change
from gui.kit.page import Page

_INTERVALS = tuple(s.key for s in SETTINGS if s.kind == "days")
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Đơn vị và văn bản", (
        "province_name", "unit_name", "commune_name", "place_name", "chief_name", "chief_title",
        "officer_name", "report_prefix", "report_cutoff_day", "upload_url",
    )),
    ("Địa bàn và mốc đăng ký xã không ma túy", (
        "remote_area", "population", "baseline_date", "baseline_users", "baseline_addicts",
    )),
    ("Chu kỳ xét nghiệm định kỳ (để trống: không xét nghiệm định kỳ)", _INTERVALS),
    ("Nhắc việc", ("due_window_days", "ending_soon_days")),
    ("Bảo mật và sao lưu", ("idle_lock_minutes", "backup_keep")),
)  # fmt: skip
VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
DAY_KINDS = {"holiday": "Ngày nghỉ", "workday": "Ngày làm bù"}
ORIGINS = {"entered": "Đơn vị nhập", "decided": "Lịch đã công bố", "labour_code": "Luật định"}


def _tr(text: str) -> str:
    return tr("settings", text)


def weekday(day: date) -> str:
    """The Vietnamese name of the day of the week."""
    return _tr(WEEKDAYS[day.weekday()])


def _groups() -> list[tuple[str, list[Setting]]]:
    """The settings by group; a setting no group names lands in "Khác" (nothing is hidden)."""
    by_key = {s.key: s for s in SETTINGS}
    groups = [(title, [by_key[k] for k in keys if k in by_key]) for title, keys in GROUPS]
    placed = {k for _, keys in GROUPS for k in keys}
    rest = [s for s in SETTINGS if s.key not in placed]
    return groups + ([("Khác", rest)] if rest else [])


class SettingsPage(Page):
    """The settings, the working calendar and the rules in force, one tab each."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName("settingsPage")
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._loaded: dict[str, Any] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.addTab(self._settings_tab(), self.tr("Thông tin đơn vị"))
        self.tabs.addTab(self._holidays_tab(), self.tr("Ngày nghỉ, ngày làm bù"))
        self.tabs.addTab(self._rules_tab(), self.tr("Căn cứ các thời hạn"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.refresh()

    # --- Settings. ------------------------------------------------------------------------------

    def _editor(self, setting: Setting) -> QWidget:
        """The field for a setting's kind; a number's limits are the register's."""
        widget: QWidget
        if setting.kind == "flag":
            widget = QCheckBox(self.tr(setting.label))
        elif setting.kind == "number":
            spin = QSpinBox()
            spin.setRange(setting.low, setting.high)
            spin.setGroupSeparatorShown(True)
            spin.setLocale(VIETNAMESE)
            spin.setMaximumWidth(160)
            widget = spin
        else:
            line = QLineEdit()
            if setting.kind == "date":
                line.setPlaceholderText(self.tr("dd/mm/yyyy — để trống nếu chưa đăng ký"))
            elif setting.kind == "days":
                line.setPlaceholderText(self.tr("để trống: không định kỳ"))
                line.setMaximumWidth(160)
            widget = line
        widget.setObjectName(f"setting_{setting.key}")
        return widget

    def _add_setting(self, form: QFormLayout, setting: Setting) -> None:
        widget = self._editor(setting)
        error = error_label(f"error_{setting.key}")
        self.fields[setting.key] = widget
        self.errors[setting.key] = error
        on_change(widget, lambda: set_error(error, None))
        if isinstance(widget, QLineEdit):
            # Checked by the register's rule for the setting when the officer leaves the field.
            widget.editingFinished.connect(lambda: self._check_field(setting.key))
        if isinstance(widget, QCheckBox):
            form.addRow(field_box(widget, error))
            return
        caption = QLabel(self.tr(setting.label))
        caption.setWordWrap(True)
        caption.setMinimumWidth(280)
        caption.setBuddy(widget)
        form.addRow(caption, field_box(widget, error))

    def _settings_tab(self) -> QWidget:
        # One column: the page sits beside the window's list of screens (about 840 px wide).
        boxes = QWidget()
        boxes.setMaximumWidth(900)
        column = QVBoxLayout(boxes)
        for number, (title, settings) in enumerate(_groups()):
            box = QGroupBox(self.tr(title))
            box.setObjectName(f"settingsGroup{number}")
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for setting in settings:
                self._add_setting(form, setting)
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(boxes)
        self.status = QLabel()
        self.status.setObjectName("settingsStatus")
        self.save_button = QPushButton(self.tr("Lưu cài đặt"))
        self.save_button.setObjectName("saveSettings")
        self.revert_button = QPushButton(self.tr("Bỏ thay đổi"))
        self.revert_button.setObjectName("revertSettings")
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.refresh)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(scroll)
        layout.addLayout(bottom)
        return tab

    def _read(self, key: str) -> Any:
        widget = self.fields[key]
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QSpinBox):
            return widget.value()
        assert isinstance(widget, QLineEdit)
        return widget.text().strip()

    def _show(self, setting: Setting, value: Any) -> None:
        widget = self.fields[setting.key]
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value or 0))
        elif isinstance(widget, QLineEdit):
            shown = show(value) if setting.kind == "date" else "" if value is None else str(value)
            widget.setText(shown)

    def _check_field(self, key: str) -> None:
        """Say at once what is wrong with a changed field (db's check, db's words)."""
        value = self._read(key)
        if value != self._loaded.get(key):
            set_error(self.errors[key], check_setting(key, value))

    def _load_settings(self) -> None:
        # Settings are the station chief's (db/ refuses others too); say so rather than fail.
        chief = may_change_settings(self.reg)
        self.save_button.setEnabled(chief)
        if not chief:
            self.save_button.setToolTip(self.tr("Chỉ chỉ huy được sửa cài đặt."))
            self.status.setText(self.tr("Chỉ chỉ huy được sửa cài đặt; cán bộ chỉ xem."))
        values = get_settings(self.reg)
        for setting in SETTINGS:
            if setting.key in self.fields:
                self._show(setting, values[setting.key])
                set_error(self.errors[setting.key], None)
        self._loaded = {key: self._read(key) for key in self.fields}

    def save(self) -> None:
        """Save what changed; one wrong field saves nothing and says why next to it."""
        changes = {k: v for k in self.fields if (v := self._read(k)) != self._loaded[k]}
        if not changes:
            self.status.setText(self.tr("Không có thay đổi nào để lưu."))
            return
        try:
            save_settings(self.reg, changes)
        except ValidationError as exc:
            place_errors(self.errors, exc.errors)
            self.status.setText(self.tr("Chưa lưu: sửa các ô có chữ đỏ rồi lưu lại."))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the officer; nothing was saved
            show_failure(self, exc)
            return
        self.refresh()
        self.status.setText(self.tr("Đã lưu %1 mục.").replace("%1", str(len(changes))))
        self.register_changed.emit()

    # --- Holidays. ------------------------------------------------------------------------------

    def _holidays_tab(self) -> QWidget:
        today = self.reg.today()
        self.year = QSpinBox()
        self.year.setObjectName("holidayYear")
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.year.valueChanged.connect(lambda *_: self._load_holidays())
        self.days_off_model = ListModel(
            [
                Column(self.tr("Ngày"), lambda r: show(r["day"])),
                Column(self.tr("Thứ"), lambda r: weekday(r["day"])),
                Column(self.tr("Loại"), lambda r: _tr(DAY_KINDS[r["kind"]])),
                Column(self.tr("Tên"), lambda r: r["name"]),
                Column(self.tr("Nguồn"), lambda r: _tr(ORIGINS[r["origin"]])),
            ],
            parent=self,
        )
        self.days_off_view = make_table("daysOffTable")
        self.days_off_view.setModel(self.days_off_model)
        self.overrides_model = ListModel(
            [
                Column(self.tr("Ngày"), lambda r: show(r["day"])),
                Column(self.tr("Thứ"), lambda r: weekday(r["day"])),
                Column(self.tr("Loại"), lambda r: _tr(DAY_KINDS[r["kind"]])),
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
            self.day_kind.addItem(_tr(label), kind)
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

        tables_views = (self.days_off_view, self.overrides_view)
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
        # What the year is counted on, and the unit's choice to enter the whole year itself.
        self.basis = QLabel()
        self.basis.setObjectName("holidayBasis")
        self.basis.setWordWrap(True)
        self.year_entered = QCheckBox(
            self.tr("Đơn vị tự nhập toàn bộ lịch nghỉ năm này (bỏ lịch có sẵn của chương trình)")
        )
        self.year_entered.setObjectName("holidayYearEntered")
        self.year_entered.clicked.connect(self._set_year_entered)
        tables = QGridLayout()
        captions = (
            self.tr("Ngày nghỉ và ngày làm bù trong năm"),
            self.tr("Ngày đơn vị nhập theo thông báo của Nhà nước"),
        )
        for number, (text, view) in enumerate(zip(captions, tables_views, strict=True)):
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
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(year_row)
        layout.addWidget(self.basis)
        layout.addWidget(self.year_entered)
        layout.addLayout(tables)
        layout.addLayout(add_row)
        return tab

    def _load_holidays(self) -> None:
        year = self.year.value()
        entered = [o for o in holidays.overrides(self.reg) if o.day.year == year]
        self.basis.setText(_tr(holidays.year_basis(self.reg, year).label))
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
        self._load_holidays()
        self.register_changed.emit()

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
            self._load_holidays()
        self._load_rules()
        self.register_changed.emit()

    def _remove_day(self) -> None:
        rows = self.overrides_view.selectionModel().selectedRows()
        if not rows:
            return
        try:
            holidays.clear_day(self.reg, self.overrides_model.row(rows[0].row())["day"])
        except Exception as exc:  # noqa: BLE001 - shown to the officer
            show_failure(self, exc)
            return
        self._load_holidays()
        self.register_changed.emit()

    # --- Rules. ---------------------------------------------------------------------------------

    def _rules_tab(self) -> QWidget:
        self.rules_model = ListModel(
            [
                Column(self.tr("Quy định"), lambda r: r["text"]),
                Column(self.tr("Giá trị"), lambda r: r["value"]),
                Column(self.tr("Căn cứ"), lambda r: r["source"]),
                Column(self.tr("Hiệu lực từ"), lambda r: r["effective"]),
                Column(self.tr("Tình trạng"), lambda r: r["state"]),
            ],
            parent=self,
        )
        self.rules_view = make_table("rulesTable", stretch_last=False)
        self.rules_view.setModel(self.rules_model)
        self.rules_view.setWordWrap(True)
        # A few dozen rows: let the view fit each row to its wrapped text as columns change.
        self.rules_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        header = self.rules_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        for column in (1, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(
            self.tr(
                "Mọi thời hạn, thời gian quản lý trong chương trình đều lấy từ bảng này. Khi luật "
                "thay đổi, quy định mới áp dụng từ ngày có hiệu lực; việc xảy ra trước đó vẫn "
                "tính theo quy định cũ."
            )
        )
        note.setWordWrap(True)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(note)
        layout.addWidget(self.rules_view)
        return tab

    def _load_rules(self) -> None:
        today = self.reg.today()
        rows: list[dict[str, Any]] = []
        for r in RULES:
            rows.append({"id": f"{r.key}@{r.effective}", "text": r.text, "value": r.shown(),
                         "source": r.source, "effective": show(r.effective),
                         "state": _tr(STATE_LABELS[state(r, today)])})  # fmt: skip
        values = get_settings(self.reg)
        for category in Category:
            shown = _tr(interval_text(test_interval(values, category)))
            text = self.tr("Chu kỳ xét nghiệm định kỳ — %1").replace(
                "%1", _tr(SHORT_LABELS[category])
            )
            rows.append({"id": f"test_interval.{category.value}", "text": text, "value": shown,
                         "source": _tr(NOT_IN_LAW), "effective": "",
                         "state": _tr(STATE_LABELS["in_force"])})  # fmt: skip
        self.rules_model.set_rows(rows)
        self.rules_view.setColumnWidth(2, 200)

    def refresh(self) -> None:
        """Read the settings, the calendar and the rules again."""
        self._load_settings()
        self._load_holidays()
        self._load_rules()
        self.status.setText("")
