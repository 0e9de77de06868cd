"""Settings: the unit's names and figures (this module), the working calendar (holidays.py)
and the rules in force (rules.py), one tab each; the province's upload credential sits with the
upload address (upload.py).

Every setting of `db.commune.settings.SETTINGS` has a field built from its kind and range there;
a field is checked by db's own check when the officer leaves it, and `save_settings` checks them
all and saves nothing while one is wrong. Scrolling the page with the wheel never changes a
number under the pointer (gui.kit.common.WheelGuard).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.commune.settings import (
    SETTINGS,
    Setting,
    check_setting,
    get_settings,
    may_change_settings,
    save_settings,
)
from db.core.dates import show
from db.core.errors import ValidationError
from db.store.register import Register
from gui.kit.common import error_label, place_errors, set_error, show_failure
from gui.kit.forms import field_box, on_change
from gui.kit.page import Page
from gui.pages.settings.holidays import HolidaysTab
from gui.pages.settings.rules import RulesTab
from gui.pages.settings.upload import TITLE as UPLOAD_TITLE
from gui.pages.settings.upload import UploadFields

_INTERVALS = tuple(s.key for s in SETTINGS if s.kind == "days")
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Đơn vị và văn bản", (
        "province_name", "unit_name", "commune_name", "place_name", "chief_name", "chief_title",
        "officer_name", "report_prefix", "report_cutoff_day",
    )),
    ("Địa bàn và mốc đăng ký xã không ma túy", (
        "remote_area", "population", "baseline_date", "baseline_users", "baseline_addicts",
    )),
    ("Chu kỳ xét nghiệm định kỳ (để trống: không xét nghiệm định kỳ)", _INTERVALS),
    ("Nhắc việc", ("due_window_days", "ending_soon_days")),
    ("Bảo mật và sao lưu", ("idle_lock_minutes", "backup_keep")),
    (UPLOAD_TITLE, ("upload_url",)),  # and the credential's rows (upload.py)
)  # fmt: skip
VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


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
        self.upload = UploadFields(reg, self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.addTab(self._settings_tab(), self.tr("Thông tin đơn vị"))
        self.holidays = HolidaysTab(reg)
        self.holidays.changed.connect(self._calendar_changed)
        self.tabs.addTab(self.holidays, self.tr("Ngày nghỉ, ngày làm bù"))
        self.rules = RulesTab(reg)
        self.tabs.addTab(self.rules, self.tr("Căn cứ các thời hạn"))
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
            if title == UPLOAD_TITLE:
                self.upload.add_rows(form)
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
        self.upload.load()

    def save(self) -> None:
        """Save what changed; one wrong field saves nothing and says why next to it."""
        changes = {k: v for k in self.fields if (v := self._read(k)) != self._loaded[k]}
        credential = self.upload.changed()
        if not changes and not credential:
            self.status.setText(self.tr("Không có thay đổi nào để lưu."))
            return
        if credential and self.upload.check_fields() is None:
            for key, value in changes.items():  # the other wrong fields, at the same time
                set_error(self.errors[key], check_setting(key, value))
            self.status.setText(self.tr("Chưa lưu: sửa các ô có chữ đỏ rồi lưu lại."))
            return
        try:
            if changes:
                save_settings(self.reg, changes)
            if credential:
                self.upload.save()
        except ValidationError as exc:
            place_errors(self.errors, exc.errors)
            self.status.setText(self.tr("Chưa lưu: sửa các ô có chữ đỏ rồi lưu lại."))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the officer; nothing was saved
            show_failure(self, exc)
            return
        self.refresh()
        saved = len(changes) + credential
        self.status.setText(self.tr("Đã lưu %1 mục.").replace("%1", str(saved)))
        self.register_changed.emit()

    def refresh(self) -> None:
        """Read the settings, the calendar and the rules again."""
        self._load_settings()
        self.holidays.load()
        self.rules.load()
        self.status.setText("")

    def _calendar_changed(self) -> None:
        self.rules.load()  # the rules' working days follow the calendar
        self.register_changed.emit()
