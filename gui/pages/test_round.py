"""A test round (đợt xét nghiệm): pick the people, type each result from the keyboard, save all.

Keys on a row: a / â / 0 / - negative, d / đ / 1 / + positive (then type the substances, e.g.
"MET THC", Enter), space cycles, Delete clears, Enter / Down go to the next person. A positive
result shows its follow-up and deadline at once, in the row and in the panel under the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from db.commune.places import villages
from db.commune.settings import get_settings
from db.core.dates import is_future, show
from db.duties.due import FollowUp, positive_follow_up
from db.figures.rounds import round_people
from db.law.categories import SHORT_LABELS, Category
from db.persons.drugtests import KINDS, METHODS, SUBSTANCES, parse_substances, record_round
from db.store.register import Register
from gui.kit.common import (
    ID_ROLE,
    RED,
    Index,
    TableModel,
    date_edit,
    error_label,
    from_qdate,
    make_table,
    set_error,
    show_failure,
)
from gui.kit.page import Page

NEGATIVE_KEYS = frozenset({"a", "â", "0", "-"})
POSITIVE_KEYS = frozenset({"d", "đ", "1", "+"})
CYCLE: tuple[str | None, ...] = (None, "negative", "positive")
DEFAULT_SUBSTANCES = ("MET", "AMP", "MDMA", "KET", "THC", "MOP")
POSITIVE_BACKGROUND = QColor("#fde8e8")
SAVED_COLOR = QColor("#5f6368")
FOLLOW_UP_ROWS = 4  # the panel scrolls past this many positives


def _tr(text: str) -> str:
    return QCoreApplication.translate("TestRoundPage", text)


@dataclass
class RoundRow:
    """One person of the round and what was typed for them."""

    person_id: str
    full_name: str
    birth: str = ""
    village: str = ""
    status: str = ""
    result: str | None = None
    positives: list[str] = field(default_factory=list)
    follow_up: FollowUp | None = None
    saved_id: str | None = None


def parse_positive_text(text: str) -> list[str]:
    """Substance codes from what was typed: "MET THC", "met, ma túy đá", "MET+KET"."""
    parts: list[str] = []
    for part in re.split(r"[,;+]", text):
        words = part.split()
        if len(words) > 1 and all(w.upper() in SUBSTANCES for w in words):
            parts.extend(words)
        else:
            parts.append(part)
    return parse_substances(parts)


class RoundModel(TableModel):
    """The people of a round, one row each, with the result typed for them."""

    NAME, BIRTH, VILLAGE, STATUS, RESULT, POSITIVES, FOLLOW_UP = range(7)
    changed = Signal()

    def __init__(
        self,
        rows: list[RoundRow] | None = None,
        follow_up: Callable[[RoundRow], FollowUp | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows = list(rows or [])
        self._follow_up = follow_up
        self._headers = [
            _tr("Họ và tên"), _tr("Ngày sinh"), _tr("Thôn/bản"), _tr("Tình trạng"),
            _tr("Kết quả"), _tr("Chất dương tính"), _tr("Việc phải làm"),
        ]  # fmt: skip

    def set_rows(self, rows: list[RoundRow]) -> None:
        """Replace the people."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()
        self.changed.emit()

    def row(self, index: int) -> RoundRow:
        """The row behind a table row."""
        return self._rows[index]

    def rows(self) -> list[RoundRow]:
        """All rows."""
        return list(self._rows)

    def unsaved(self) -> list[int]:
        """Rows with a result typed and not yet saved."""
        return [i for i, r in enumerate(self._rows) if r.result and not r.saved_id]

    def set_result(self, row: int, result: str | None) -> bool:
        """Set a row's result (None: not tested); positives go when the result is not positive."""
        target = self._rows[row]
        if target.saved_id or result not in CYCLE:
            return False
        target.result = result
        if result != "positive":
            target.positives = []
        self._update(row)
        return True

    def set_positives(self, row: int, codes: list[str]) -> bool:
        """Set the positive substances; any substance makes the result positive."""
        target = self._rows[row]
        if target.saved_id:
            return False
        target.positives = list(codes)
        if codes:
            target.result = "positive"
        self._update(row)
        return True

    def mark_saved(self, row: int, test_id: str) -> None:
        """The row's test is in the register."""
        self._rows[row].saved_id = test_id
        self._emit_row(row)

    def recompute(self) -> None:
        """Recompute every follow-up (the round's date changed)."""
        for i in range(len(self._rows)):
            self._update(i)

    def _update(self, row: int) -> None:
        target = self._rows[row]
        follow_up = self._follow_up
        positive = target.result == "positive" and follow_up is not None
        target.follow_up = follow_up(target) if follow_up is not None and positive else None
        self._emit_row(row)

    def _emit_row(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._headers) - 1))
        self.changed.emit()

    def row_count(self) -> int:
        return len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base
        editable = index.column() in (self.RESULT, self.POSITIVES)
        if editable and not self._rows[index.row()].saved_id:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return row.person_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.EditRole:
            if column == self.RESULT:
                return row.result or ""
            if column == self.POSITIVES:
                return ", ".join(row.positives)
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.FOLLOW_UP and row.follow_up:
            return row.follow_up.full
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.result == "positive" and column in (self.RESULT, self.FOLLOW_UP):
                return QBrush(RED)
            if row.saved_id:
                return QBrush(SAVED_COLOR)
        if role == Qt.ItemDataRole.BackgroundRole and row.result == "positive":
            return QBrush(POSITIVE_BACKGROUND)
        return None

    def _display(self, row: RoundRow, column: int) -> str:
        if column == self.NAME:
            return row.full_name
        if column == self.BIRTH:
            return row.birth
        if column == self.VILLAGE:
            return row.village
        if column == self.STATUS:
            return row.status
        if column == self.RESULT:
            label = {
                None: _tr("Chưa làm"),
                "negative": _tr("Âm tính"),
                "positive": _tr("Dương tính"),
            }[row.result]
            return label + (_tr(" ✓ đã lưu") if row.saved_id else "")
        if column == self.POSITIVES:
            return ", ".join(row.positives)
        if column == self.FOLLOW_UP:
            return row.follow_up.short if row.follow_up else ""
        return ""

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if index.column() == self.RESULT:
            return self.set_result(index.row(), value or None)
        if index.column() == self.POSITIVES:
            codes = value if isinstance(value, list) else parse_positive_text(str(value or ""))
            if not codes and self._rows[index.row()].result == "positive":
                # Emptied: still positive, the substances not written down yet.
                return self.set_positives(index.row(), [])
            return self.set_positives(index.row(), codes)
        return False


class PositivesDelegate(QStyledItemDelegate):
    """A line to type the positive substances into: codes or names, e.g. "MET THC"."""

    def createEditor(self, parent: QWidget, option: Any, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("positivesEditor")
        editor.setPlaceholderText(_tr("MET, THC…"))
        editor.setToolTip(
            _tr("Gõ mã hoặc tên chất dương tính, cách nhau bằng dấu phẩy hoặc dấu cách; Enter.")
        )
        return editor


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
        substances = QHBoxLayout()
        substances.setSpacing(10)
        for code, label in SUBSTANCES.items():
            box = QCheckBox(code)
            box.setObjectName(f"substance_{code}")
            box.setToolTip(self.tr(label))
            box.setChecked(code in DEFAULT_SUBSTANCES)
            self.substance_boxes[code] = box
            substances.addWidget(box)
        substances.addStretch(1)

        form = QGridLayout()
        form.addWidget(QLabel(self.tr("Danh sách:")), 0, 0)
        form.addWidget(self.source_combo, 0, 1)
        form.addWidget(QLabel(self.tr("Thôn/bản:")), 0, 2)
        form.addWidget(self.village_combo, 0, 3)
        form.addWidget(self.reload_button, 0, 4)
        form.addWidget(QLabel(self.tr("Ngày xét nghiệm:")), 1, 0)
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_edit)
        date_row.addWidget(self.date_error, 1)
        form.addLayout(date_row, 1, 1)
        form.addWidget(QLabel(self.tr("Hình thức:")), 1, 2)
        form.addWidget(self.kind_combo, 1, 3)
        form.addWidget(QLabel(self.tr("Phương pháp:")), 1, 4)
        form.addWidget(self.method_combo, 1, 5)
        form.addWidget(QLabel(self.tr("Cán bộ:")), 2, 0)
        form.addWidget(self.officer_edit, 2, 1)
        form.addWidget(QLabel(self.tr("Địa điểm:")), 2, 2)
        form.addWidget(self.place_edit, 2, 3, 1, 3)
        form.addWidget(QLabel(self.tr("Chất xét nghiệm:")), 3, 0)
        form.addLayout(substances, 3, 1, 1, 5)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        self.hint = QLabel(
            self.tr(
                "Gõ a, â, 0 hoặc - : âm tính · d, 1 hoặc + : dương tính, rồi gõ chất (ví dụ MET) "
                "và Enter · dấu cách: đổi kết quả · Delete: chưa làm · Enter, ↓: người tiếp theo "
                "· nhấp đúp: mở hồ sơ"
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
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.installEventFilter(self)

        self.follow_up_box = QGroupBox(self.tr("Việc phải làm ngay sau kết quả dương tính"))
        self.follow_up_box.setObjectName("followUpPanel")
        # A list, not a wrapped label: it grows with each positive without relayout surprises.
        self.follow_up_list = QListWidget()
        self.follow_up_list.setObjectName("followUpList")
        self.follow_up_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QVBoxLayout(self.follow_up_box).addWidget(self.follow_up_list)
        self.follow_up_box.hide()

        self.count_label = QLabel()
        self.count_label.setObjectName("roundCount")
        self.summary_label = QLabel()
        self.summary_label.setObjectName("saveSummary")
        self.summary_label.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.save_reason = QLabel()
        self.save_reason.setObjectName("saveReason")
        self.save_reason.setStyleSheet("color: #b00020;")
        self.save_button = QPushButton(self.tr("Lưu kết quả"))
        self.save_button.setObjectName("saveButton")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.save_reason)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.follow_up_box)
        layout.addLayout(bottom)

        self._choice = (0, 0)  # (list, village) the table was loaded for
        self.source_combo.currentIndexChanged.connect(self._list_chosen)
        self.village_combo.currentIndexChanged.connect(self._list_chosen)
        self.reload_button.clicked.connect(self._list_chosen)
        self.date_edit.dateChanged.connect(self._date_changed)
        for box in self.substance_boxes.values():
            box.toggled.connect(self.validate)
        self.model.changed.connect(self._model_changed)
        self.view.doubleClicked.connect(self._open_person)
        self.delegate.closeEditor.connect(self._editor_closed)
        self.save_button.clicked.connect(self.save)
        self.refresh()

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

    # Results from the keyboard.

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        if not self.model.rowCount():
            return False
        index = self.view.currentIndex()
        row = index.row() if index.isValid() else 0
        column = index.column() if index.isValid() else RoundModel.RESULT
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            current = self.model.index(row, column)
            if self.view.indexWidget(current) is not None:
                return True  # the editor's own Enter, passed on: it is closing already
            if column == RoundModel.POSITIVES and not self.model.row(row).saved_id:
                self.view.edit(current)
            else:
                self._go_to(row + 1)
            return True
        blocked = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        if column == RoundModel.POSITIVES or event.modifiers() & blocked:
            return False  # typing there opens the substances editor
        text = event.text().lower()
        if text in NEGATIVE_KEYS:
            if self.model.set_result(row, "negative"):
                self._go_to(row + 1)
            return True
        if text in POSITIVE_KEYS:
            if self.model.set_result(row, "positive"):
                positives = self.model.index(row, RoundModel.POSITIVES)
                self.view.setCurrentIndex(positives)
                self.view.edit(positives)
            return True
        if text == " ":
            now = CYCLE.index(self.model.row(row).result)
            self.model.set_result(row, CYCLE[(now + 1) % len(CYCLE)])
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.model.set_result(row, None)
            return True
        return False

    def _go_to(self, row: int) -> None:
        row = min(row, self.model.rowCount() - 1)
        self.view.setCurrentIndex(self.model.index(row, RoundModel.RESULT))

    def _editor_closed(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        row = self.view.currentIndex().row()
        if hint == QAbstractItemDelegate.EndEditHint.RevertModelCache:
            self._go_to(row)
        else:
            self._go_to(row + 1)
        self.view.setFocus()

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
        self.follow_up_list.clear()
        for r in positive:
            if r.follow_up is None:
                continue
            item = QListWidgetItem(f"{r.full_name}: {r.follow_up.full}")
            if r.follow_up.crime:
                item.setForeground(QBrush(RED))
            self.follow_up_list.addItem(item)
        shown = self.follow_up_list.count()
        if shown:
            height = min(shown, FOLLOW_UP_ROWS) * self.follow_up_list.sizeHintForRow(0)
            self.follow_up_list.setFixedHeight(height + 2 * self.follow_up_list.frameWidth() + 2)
        self.follow_up_box.setVisible(bool(shown))
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
            self.summary_label.setText(
                self.tr("Đã lưu %1 xét nghiệm, %2 dương tính.")
                .replace("%1", str(saved))
                .replace("%2", str(positive))
            )
            self.register_changed.emit()
        self.validate()
