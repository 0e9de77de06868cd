"""A test round (đợt xét nghiệm): pick the people, type each result from the keyboard, save all.

The page holds the round's details, the table and the saving; the keyboard (one key, one result,
one move; undo) is keys.py, the table's model model.py, the positives' panel followups.py. A
positive result shows its follow-up and deadline at once, in the row and in the panel.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from db.commune.places import villages
from db.commune.settings import get_settings
from db.core.dates import is_future, show
from db.duties.due import FollowUp, positive_follow_up
from db.figures.rounds import round_people
from db.law.categories import SHORT_LABELS, Category
from db.persons.drugtests import KINDS, METHODS, SUBSTANCES, record_round
from db.store.register import Register
from gui.kit.common import (
    ID_ROLE,
    date_edit,
    error_label,
    from_qdate,
    make_table,
    set_error,
    show_failure,
)
from gui.kit.forms import notice_label, set_notice
from gui.kit.page import Page
from gui.pages.test_round.details import boxes_row, field_row
from gui.pages.test_round.followups import FollowUpPanel
from gui.pages.test_round.keys import RoundKeys
from gui.pages.test_round.model import PositivesDelegate, RoundModel, RoundRow

DEFAULT_SUBSTANCES = ("MET", "AMP", "MDMA", "KET", "THC", "MOP")


class TestRoundPage(Page):
    """Xét nghiệm: one round of tests for a village or for the people due."""

    __test__ = False  # a page, not a pytest class, despite its name

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setObjectName("testRoundPage")
        settings = get_settings(reg)
        self._window_days = int(settings["due_window_days"])

        self.source_combo = QComboBox()
        self.source_combo.setObjectName("sourceCombo")
        self.source_combo.addItem(
            self.tr("Người đến hạn xét nghiệm trong %1 ngày tới").replace(
                "%1", str(self._window_days)
            ),
            "due",
        )
        self.source_combo.addItem(self.tr("Tất cả người đang quản lý của thôn"), "managed")
        self.village_combo = QComboBox()
        self.village_combo.setObjectName("villageCombo")
        self.village_combo.setMinimumContentsLength(18)
        self.reload_button = QPushButton(self.tr("Tải lại danh sách"))
        self.reload_button.setObjectName("reloadButton")

        self.date_edit = date_edit("roundDate", reg.today())
        self.date_error = error_label("roundDateError")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        for code, label in KINDS.items():
            self.kind_combo.addItem(self.tr(label), code)
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("methodCombo")
        for code, label in METHODS.items():
            self.method_combo.addItem(self.tr(label), code)
        self.officer_edit = QLineEdit(str(settings["officer_name"]))
        self.officer_edit.setObjectName("officerEdit")
        self.officer_edit.setPlaceholderText(self.tr("Họ tên cán bộ thực hiện"))
        self.place_edit = QLineEdit()
        self.place_edit.setObjectName("placeEdit")
        self.place_edit.setPlaceholderText(self.tr("Ví dụ: Trụ sở Công an xã"))
        self.substance_boxes: dict[str, QCheckBox] = {}
        for code, label in SUBSTANCES.items():
            box = QCheckBox(code)
            box.setObjectName(f"substance_{code}")
            box.setToolTip(self.tr(label))
            box.setChecked(code in DEFAULT_SUBSTANCES)
            self.substance_boxes[code] = box

        self.hint = QLabel(
            self.tr(
                "<b>a</b> (â, 0, -): âm tính · <b>d</b> (đ, 1, +): dương tính, gõ chất (ví dụ MET) "
                "rồi Enter · Mỗi kết quả tự chuyển xuống người tiếp theo; <b>Enter</b> ngay sau đó "
                "chỉ xác nhận, không bỏ qua ai; Enter ở lúc khác: sang người tiếp theo · Dấu cách: "
                "đổi kết quả · Delete: xóa kết quả · <b>Ctrl+Z</b>: hoàn tác · Sau người cuối cùng "
                "các phím không đổi gì nữa: bấm ↑ hoặc nhấp chuột để sửa · Nhấp đúp: mở hồ sơ"
            )
        )
        self.hint.setObjectName("keyHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #5f6368;")

        self.model = RoundModel(follow_up=self._follow_up, parent=self)
        self.view = make_table("roundTable")
        self.view.setModel(self.model)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.delegate = PositivesDelegate(self.view)
        self.view.setItemDelegateForColumn(RoundModel.POSITIVES, self.delegate)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.keys = RoundKeys(self.view, self.model, self.delegate)
        self.end_notice = notice_label("endNotice")
        self.follow_up_box = FollowUpPanel()
        self.follow_up_list = self.follow_up_box.list_widget
        # The officer may give the panel more room; neither part can be squeezed away.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("roundSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.follow_up_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)

        layout = QVBoxLayout(self)
        layout.addLayout(self._details())
        layout.addWidget(self.hint)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.end_notice)
        layout.addLayout(self._bottom())

        self._choice = (0, 0)  # (list, village) the table was loaded for
        self.source_combo.currentIndexChanged.connect(self._list_chosen)
        self.village_combo.currentIndexChanged.connect(self._list_chosen)
        self.reload_button.clicked.connect(self._list_chosen)
        self.date_edit.dateChanged.connect(self._date_changed)
        for box in self.substance_boxes.values():
            box.toggled.connect(self.validate)
        self.model.changed.connect(self._model_changed)
        self.keys.changed.connect(self._keys_changed)
        self.view.doubleClicked.connect(self._open_person)
        self.undo_button.clicked.connect(self.keys.undo)
        self.save_button.clicked.connect(self.save)
        self.refresh()

    def _details(self) -> QVBoxLayout:
        """The round's list, date, kind, method, officer, place and substances tested."""
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_edit)
        date_row.addWidget(self.date_error, 1)
        details = QVBoxLayout()
        for line in (
            field_row((self.tr("Danh sách:"), self.source_combo),
                      (self.tr("Thôn/bản:"), self.village_combo), end=self.reload_button),
            field_row((self.tr("Ngày xét nghiệm:"), date_row),
                      (self.tr("Hình thức:"), self.kind_combo),
                      (self.tr("Phương pháp:"), self.method_combo)),
            field_row((self.tr("Cán bộ:"), self.officer_edit),
                      (self.tr("Địa điểm:"), self.place_edit)),
            boxes_row(self.tr("Chất xét nghiệm:"), self.substance_boxes.values()),
        ):  # fmt: skip
            details.addLayout(line)
        return details

    def _bottom(self) -> QHBoxLayout:
        """Counts, what was saved, why Save is off, Undo and Save."""
        self.count_label = QLabel()
        self.count_label.setObjectName("roundCount")
        self.summary_label = QLabel()
        self.summary_label.setObjectName("saveSummary")
        self.summary_label.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.save_reason = QLabel()
        self.save_reason.setObjectName("saveReason")
        self.save_reason.setStyleSheet("color: #b00020;")
        self.undo_button = QPushButton(self.tr("Hoàn tác"))
        self.undo_button.setObjectName("undoButton")
        self.undo_button.setToolTip(self.tr("Trả lại kết quả vừa nhập như trước (Ctrl+Z)"))
        self.undo_button.setEnabled(False)
        self.save_button = QPushButton(self.tr("Lưu kết quả"))
        self.save_button.setObjectName("saveButton")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.save_reason)
        bottom.addWidget(self.undo_button)
        bottom.addWidget(self.save_button)
        return bottom

    # The list of people.

    def refresh(self) -> None:
        """Read the villages again; the people too, unless results are being typed or shown."""
        current = self.village_combo.currentData()
        self.village_combo.blockSignals(True)
        self.village_combo.clear()
        self.village_combo.addItem(self.tr("Tất cả thôn, bản"), None)
        for village in villages(self.reg):
            self.village_combo.addItem(village["name"], village["id"])
        found = self.village_combo.findData(current)
        self.village_combo.setCurrentIndex(max(found, 0))
        self.village_combo.blockSignals(False)
        if not any(r.result for r in self.model.rows()):
            self.load_people()
        self.validate()

    def round_date(self) -> date:
        """The date of the round."""
        return from_qdate(self.date_edit.date())

    def _list_chosen(self) -> None:
        unsaved = len(self.model.unsaved())
        if unsaved:
            answer = QMessageBox.question(
                self,
                self.tr("Kết quả chưa lưu"),
                self.tr(
                    "Có %1 kết quả chưa lưu. Bỏ các kết quả này để lấy danh sách khác?"
                ).replace("%1", str(unsaved)),
            )
            if answer != QMessageBox.StandardButton.Yes:
                for combo, index in zip((self.source_combo, self.village_combo), self._choice,
                                        strict=True):  # fmt: skip
                    combo.blockSignals(True)
                    combo.setCurrentIndex(index)
                    combo.blockSignals(False)
                return
        self.load_people()

    def load_people(self) -> None:
        """Fill the table from the chosen list and village (typed, unsaved results are lost)."""
        self._choice = (self.source_combo.currentIndex(), self.village_combo.currentIndex())
        village_id = self.village_combo.currentData()
        # Who is in the round, and in which order, is db's answer: the printed sheet asks the same.
        due = self.source_combo.currentData() == "due"
        ordered = round_people(self.reg, self.reg.today(), village_id, due=due)
        self.model.set_rows([self._round_row(p) for p in ordered])
        self.view.resizeColumnsToContents()
        for column, width in ((RoundModel.RESULT, 130), (RoundModel.POSITIVES, 130)):
            self.view.setColumnWidth(column, max(width, self.view.columnWidth(column)))
        self.summary_label.clear()
        self.keys.reset()
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, RoundModel.RESULT))

    @staticmethod
    def _round_row(person: dict[str, Any]) -> RoundRow:
        status = ", ".join(SHORT_LABELS[Category(c)] for c in person["categories"])
        return RoundRow(
            person_id=person["id"],
            full_name=person["full_name"],
            birth=show(person["birth_date"]),
            village=person["village"] or "",
            status=status,
        )

    def _keys_changed(self) -> None:
        self.undo_button.setEnabled(self.keys.can_undo)
        set_notice(self.end_notice, self.tr(
            "Đã nhập đến người cuối danh sách: các phím kết quả không còn tác dụng. Bấm ↑ hoặc "
            "nhấp chuột vào một người để sửa; bấm «Lưu kết quả» để lưu."
        ) if self.keys.at_end else "")  # fmt: skip
        if self.keys.at_end:  # the notice takes a line from the table: keep the last row in view
            QTimer.singleShot(0, lambda: self.view.scrollTo(self.view.currentIndex()))

    def _open_person(self, index: QModelIndex) -> None:
        person_id = index.data(ID_ROLE)
        if person_id:
            self.person_requested.emit(person_id)

    # Follow-ups and validation.

    def _follow_up(self, row: RoundRow) -> FollowUp:
        return positive_follow_up(self.reg, row.person_id, min(self.round_date(), self.reg.today()))

    def _date_changed(self) -> None:
        self.model.recompute()
        self.validate()

    def _model_changed(self) -> None:
        rows = self.model.rows()
        done = [r for r in rows if r.result]
        positive = [r for r in done if r.result == "positive"]
        self.count_label.setText(
            self.tr("%1 người · đã nhập %2 · dương tính %3")
            .replace("%1", str(len(rows)))
            .replace("%2", str(len(done)))
            .replace("%3", str(len(positive)))
        )
        self.follow_up_box.show_rows(positive)
        self.undo_button.setEnabled(self.keys.can_undo)
        self.validate()

    def save_blocked_reason(self) -> str:
        """Why the results cannot be saved now ("" when they can)."""
        day = self.round_date()
        future = is_future(day, self.reg.today())
        set_error(
            self.date_error,
            self.tr("Ngày %1 là ngày trong tương lai.").replace("%1", show(day))
            if future
            else None,
        )
        if future:
            return self.tr("Không lưu được: ngày xét nghiệm ở tương lai.")
        if not any(box.isChecked() for box in self.substance_boxes.values()):
            return self.tr("Chọn ít nhất một chất được xét nghiệm.")
        if not self.model.unsaved():
            if any(r.saved_id for r in self.model.rows()):
                return self.tr("Không còn kết quả nào chưa lưu.")
            return self.tr("Chưa nhập kết quả nào.")
        return ""

    def validate(self) -> None:
        """Enable Save, or say why it is disabled."""
        reason = self.save_blocked_reason()
        self.save_button.setEnabled(not reason)
        self.save_button.setToolTip(reason)
        self.save_reason.setText(reason)

    def save(self) -> None:
        """Record every typed, unsaved result of the round."""
        if self.save_blocked_reason():
            return
        day = self.round_date()
        tested = [code for code, box in self.substance_boxes.items() if box.isChecked()]
        pending = self.model.unsaved()
        entries = [
            {
                "person_id": self.model.row(index).person_id,
                "test_date": day,
                "kind": self.kind_combo.currentData(),
                "method": self.method_combo.currentData(),
                "substances": tested,
                "positives": self.model.row(index).positives,
                "result": self.model.row(index).result,
                "officer": self.officer_edit.text(),
                "place": self.place_edit.text(),
            }
            for index in pending
        ]
        saved = positive = 0
        try:
            # One transaction for the whole round: all of it is saved, or nothing.
            for index, test_id in zip(pending, record_round(self.reg, entries), strict=True):
                self.model.mark_saved(index, test_id)
                saved += 1
                positive += self.model.row(index).result == "positive"
        except Exception as exc:  # noqa: BLE001 - shown to the officer; nothing was written
            show_failure(self, exc)
        if saved:
            self.keys.reset()  # a saved result is not undone from here (corrections are)
            self.summary_label.setText(
                self.tr("Đã lưu %1 xét nghiệm, %2 dương tính.")
                .replace("%1", str(saved))
                .replace("%2", str(positive))
            )
            self.register_changed.emit()
        self.validate()
