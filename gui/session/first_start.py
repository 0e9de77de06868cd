"""The first start: the unit's names for printed headers, and training data if wanted.

if needs_setup(reg):
    SetupDialog(reg, window).exec()
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QWidget

from db.commune.settings import check_setting, get_settings, save_settings
from db.persons.people import count_people
from db.store.register import Register
from gui.kit.common import set_error
from gui.kit.forms import RecordDialog, line_edit
from gui.kit.worker import BackgroundTask, Progress, run_in_background

DEMO_PERSONS = 500
UNIT_PREFIX = "CÔNG AN XÃ "
PROVINCE_PREFIX = "CÔNG AN TỈNH "


def needs_setup(reg: Register) -> bool:
    """Whether the unit's name is still to be entered (the first start)."""
    return not str(get_settings(reg)["unit_name"]).strip()


def register_is_empty(reg: Register) -> bool:
    """Whether nobody is on the register yet (training data goes only into an empty one)."""
    return count_people(reg) == 0


def _fill_demo(worker_reg: Register, progress: Progress) -> Any:
    # Imported when asked for: the demo data (name lists, 500 people) is only for training.
    from db.demo.fill import fill_demo

    return fill_demo(worker_reg, persons=DEMO_PERSONS, progress=progress)


class SetupDialog(RecordDialog):
    """The unit's names, chief and officer; optionally 500 made-up people to train on."""

    register_changed = Signal()

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(reg, "setupDialog", self.tr("Sổ theo dõi — thiết lập lần đầu"), parent)
        self.task: BackgroundTask | None = None
        self.demo_result: Any = None
        values = get_settings(reg)
        intro = QLabel(
            self.tr(
                "Nhập tên đơn vị để in ở đầu các báo cáo. Có thể sửa lại bất cứ lúc nào trong "
                "mục Cài đặt."
            )
        )
        intro.setObjectName("setupIntro")
        intro.setWordWrap(True)
        self.main_layout.insertWidget(0, intro)
        self.commune = line_edit("setupCommune", values["commune_name"])
        self.unit = line_edit("setupUnit", values["unit_name"] or UNIT_PREFIX)
        self.province = line_edit("setupProvince", values["province_name"] or PROVINCE_PREFIX)
        self.place = line_edit("setupPlace", values["place_name"])
        self.chief = line_edit("setupChief", values["chief_name"])
        self.officer = line_edit("setupOfficer", values["officer_name"])
        self.demo = QCheckBox(self.tr("Nạp dữ liệu mẫu để tập huấn (500 người)"))
        self.demo.setObjectName("setupDemo")
        if not register_is_empty(reg):
            self.demo.setEnabled(False)
            self.demo.setToolTip(self.tr("Sổ đã có người: không nạp dữ liệu mẫu vào sổ thật."))
        self.add_field("commune_name", self.tr("Tên xã"), self.commune, required=True)
        self.add_field("unit_name", self.tr("Tên đơn vị"), self.unit, required=True)
        self.add_field("province_name", self.tr("Công an tỉnh"), self.province, required=True)
        self.add_field("place_name", self.tr("Địa danh ghi ngày tháng"), self.place)
        self.add_field("chief_name", self.tr("Trưởng Công an xã"), self.chief)
        self.add_field("officer_name", self.tr("Cán bộ phụ trách"), self.officer)
        self.add_field("demo", self.tr("Tập huấn"), self.demo)
        self.save_button.setText(self.tr("Bắt đầu sử dụng"))
        self.cancel_button.setText(self.tr("Để sau"))
        # The unit and place follow the commune until the officer types in them.
        self._unit_follows = not values["unit_name"]
        self._place_follows = not values["place_name"]
        self.unit.textEdited.connect(lambda *_: setattr(self, "_unit_follows", False))
        self.place.textEdited.connect(lambda *_: setattr(self, "_place_follows", False))
        self.commune.textChanged.connect(self._commune_changed)
        # Headers print in capitals; changed on leaving the field, not under an input method.
        for edit in (self.unit, self.province):
            edit.editingFinished.connect(lambda edit=edit: edit.setText(edit.text().upper()))
        self.finish()

    def _commune_changed(self, text: str) -> None:
        if self._unit_follows:
            self.unit.setText(UNIT_PREFIX + text.strip().upper())
        if self._place_follows:
            self.place.setText(text.strip())

    def values(self) -> dict[str, Any]:
        def named(edit: QLineEdit, prefix: str = "") -> str:
            text = " ".join(edit.text().split())
            return "" if text.upper() == prefix.strip() else text

        return {
            "commune_name": named(self.commune),
            "unit_name": named(self.unit, UNIT_PREFIX).upper(),
            "province_name": named(self.province, PROVINCE_PREFIX).upper(),
            "place_name": named(self.place),
            "chief_name": named(self.chief),
            "officer_name": named(self.officer),
        }

    def problems(self, values: dict[str, Any]) -> dict[str, str]:
        """What the register would refuse in each name (db.commune.settings' own check)."""
        found = {key: check_setting(key, value) for key, value in values.items()}
        return {key: message for key, message in found.items() if message}

    def save(self, values: dict[str, Any]) -> None:
        save_settings(self.reg, values)
        self.register_changed.emit()

    def after_save(self) -> None:
        """Close, or first fill the empty register with training data in the background."""
        if not (self.demo.isChecked() and register_is_empty(self.reg)):
            self.accept()
            return
        self.buttons.setEnabled(False)
        self.task = run_in_background(
            self,
            self.tr("Đang nạp dữ liệu mẫu…"),
            self.reg,
            _fill_demo,
            self._demo_done,
            self._demo_failed,
        )

    def reject(self) -> None:
        """Esc or "Để sau" — but not while training data is being written."""
        if self.task is None:
            super().reject()

    def _demo_done(self, result: Any) -> None:
        self.task = None
        self.demo_result = result
        self.register_changed.emit()
        self.accept()

    def _demo_failed(self, message: str) -> None:
        self.task = None
        self.buttons.setEnabled(True)
        set_error(self.error, message)
