"""Putting a mistake right, never silently: correcting or voiding a test, reopening or
correcting an episode, deleting a person entered by mistake, merging two records of one person
and undoing it. Each form asks for the reason and asks db/ (db.persons.corrections,
db.persons.merging) what it would refuse; the Save button says why it is disabled."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QWidget,
)

from db.core.dates import from_iso, show
from db.law.categories import END_KINDS, LABELS, Category
from db.persons import corrections, drugtests, merging
from db.store import records
from db.store.register import Register
from gui.kit.common import date_edit, from_qdate, set_error, to_qdate, tr
from gui.kit.forms import OptionalDate, RecordDialog, Row, WhySays, intro_label, line_edit


def _tr(text: str) -> str:
    return tr("corrections", text)


class _ReasonDialog(RecordDialog):
    """A correction form: its own fields, then the reason (required, kept in the log)."""

    accept_button = QDialogButtonBox.StandardButton.Ok
    why_says: ClassVar[WhySays] = "first_problem"

    def add_reason(self, *, required: bool = True) -> None:
        """The reason (required unless db/ has one to give), last before the buttons."""
        self.reason = line_edit("field_reason")
        self.reason.setPlaceholderText(_tr("Vì sao: được lưu vào nhật ký"))
        self.add_field("reason", _tr("Lý do"), self.reason, required=required)

    def check(self) -> bool:
        ok = super().check()
        # "Nothing changed yet" disables Save and says so beside it; it is not an error in red.
        if self.error.text() == corrections.NOTHING_CHANGED:
            set_error(self.error, None)
        return ok


def _check(name: str, text: str) -> QCheckBox:
    box = QCheckBox(text)
    box.setObjectName(f"field_{name}")
    return box


class CorrectTestDialog(_ReasonDialog):
    """Correct a test's date, form and result by substance, or void it, with a reason."""

    def __init__(self, reg: Register, test_id: str, parent: QWidget | None = None) -> None:
        super().__init__(reg, "testCorrectionDialog", _tr("Sửa / hủy kết quả xét nghiệm"),
                         parent, width=700)  # fmt: skip
        self.test_id = test_id
        test = records.get(reg, "drug_tests", test_id)
        self.main_layout.addWidget(intro_label(
            _tr("Đang sửa: %1. Sửa các ô sai, hoặc chọn hủy nếu kết quả này nhập nhầm; ghi lý "
                "do. Giá trị cũ và lý do được giữ trong nhật ký; báo cáo tháng đã gửi không bị "
                "sửa, báo cáo tháng sau sẽ ghi việc sửa này.")
            .replace("%1", corrections.describe_test(test))))  # fmt: skip
        self.void = _check("void", _tr("Hủy kết quả này (nhập nhầm)"))
        self.when = date_edit("field_test_date", from_iso(test["test_date"]))
        self.when.setMaximumDate(to_qdate(self.today))
        self.kind = QComboBox()
        self.kind.setObjectName("field_kind")
        for code, label in drugtests.KINDS.items():
            self.kind.addItem(_tr(label), code)
        self.kind.setCurrentIndex(self.kind.findData(test["kind"]))
        tested, positive = set(test["substances"].split(",")), set(test["positives"].split(","))
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        self.tested: dict[str, QCheckBox] = {}
        self.positive: dict[str, QCheckBox] = {}
        half = (len(drugtests.SUBSTANCES) + 1) // 2
        for column in (0, 3):
            grid.addWidget(QLabel(_tr("Chất")), 0, column)
            grid.addWidget(QLabel(_tr("Có thử")), 0, column + 1)
            grid.addWidget(QLabel(_tr("Dương tính")), 0, column + 2)
        for n, (code, label) in enumerate(drugtests.SUBSTANCES.items()):
            row, column = n % half + 1, 3 * (n // half)
            was_tested, was_positive = _check(f"tested_{code}", ""), _check(f"positive_{code}", "")
            was_tested.setChecked(code in tested)
            was_positive.setChecked(code in positive)
            was_tested.toggled.connect(lambda *_: self.touch("substances"))
            was_positive.toggled.connect(self._positive_toggled)
            grid.addWidget(QLabel(label.split(" (")[0]), row, column)
            grid.addWidget(was_tested, row, column + 1)
            grid.addWidget(was_positive, row, column + 2)
            self.tested[code], self.positive[code] = was_tested, was_positive
        self.panel = QWidget()
        self.panel.setObjectName("substancesPanel")
        self.panel.setLayout(grid)
        self.add_field("void", "", self.void)
        self.add_field("test_date", _tr("Ngày xét nghiệm"), self.when)
        self.add_field("kind", _tr("Hình thức"), self.kind)
        self.add_field("substances", _tr("Kết quả theo chất"), self.panel)
        self.add_reason()
        self.void.toggled.connect(self._voiding)
        self.finish()

    def _voiding(self, void: bool) -> None:
        for widget in (self.when, self.kind, self.panel):
            widget.setEnabled(not void)
        self.save_button.setText(_tr("Hủy kết quả") if void else _tr("Lưu"))

    def _positive_toggled(self) -> None:
        for code, box in self.positive.items():
            if box.isChecked():
                self.tested[code].setChecked(True)
        self.touch("positives")

    def values(self) -> Row:
        if self.void.isChecked():
            return {"void": True, "reason": self.reason.text()}
        positives = [c for c, b in self.positive.items() if b.isChecked()]
        return {
            "test_date": from_qdate(self.when.date()),
            "kind": self.kind.currentData(),
            "substances": [c for c, b in self.tested.items() if b.isChecked()],
            "positives": positives,
            "result": "positive" if positives else "negative",
            "reason": self.reason.text(),
        }

    def problems(self, values: Row) -> dict[str, str]:
        return corrections.check_test_correction(self.reg, self.test_id, values)

    def save(self, values: Row) -> str:
        corrections.correct_test(self.reg, self.test_id, values)
        return self.test_id


class CorrectEpisodeDialog(_ReasonDialog):
    """Reopen an episode closed by mistake, correct its dates and decision, or void it."""

    def __init__(self, reg: Register, episode_id: str, parent: QWidget | None = None) -> None:
        super().__init__(reg, "episodeCorrectionDialog", _tr("Mở lại / sửa diện quản lý"),
                         parent, width=560)  # fmt: skip
        self.episode_id = episode_id
        episode = records.get(reg, "episodes", episode_id)
        self.closed = episode["end_date"] is not None
        said = corrections.describe_episode(episode)
        if self.closed:
            said += _tr(", kết thúc ngày %1 (%2)").replace("%1", show(episode["end_date"])).replace(
                "%2", END_KINDS.get(episode["end_kind"] or "", ""))  # fmt: skip
        self.main_layout.addWidget(intro_label(
            _tr("Đang sửa: %1. Ghi lý do; giá trị cũ và lý do được giữ trong nhật ký.")
            .replace("%1", said)))  # fmt: skip
        self.reopen = _check("reopen", _tr("Mở lại diện này (kết thúc nhầm)"))
        self.void = _check("void", _tr("Hủy diện này (nhập nhầm)"))
        self.start = date_edit("field_start_date", from_iso(episode["start_date"]))
        self.start.setMaximumDate(to_qdate(self.today))
        self.decision_no = line_edit("field_decision_no", episode["decision_no"])
        self.decision_date = OptionalDate("field_decision_date", _tr("có"), self.today,
                                          from_iso(episode["decision_date"]))  # fmt: skip
        self.end: QDateEdit | None = None
        self.planned: OptionalDate | None = None
        if self.closed:
            self.add_field("reopen", "", self.reopen)
        self.add_field("void", "", self.void)
        self.add_field("start_date", _tr("Ngày bắt đầu"), self.start)
        self.add_field("decision_no", _tr("Số quyết định"), self.decision_no)
        self.add_field("decision_date", _tr("Ngày quyết định"), self.decision_date)
        if self.closed:
            self.end = date_edit("field_end_date", from_iso(episode["end_date"]))
            self.end.setMaximumDate(to_qdate(self.today))
            self.add_field("end_date", _tr("Ngày kết thúc"), self.end)
        category = Category(episode["category"])
        if category in corrections.SET_BY_DECISION or episode["moved_from"]:
            self.planned = OptionalDate("field_planned_end", _tr("có"), self.today,
                                        from_iso(episode["planned_end"]))  # fmt: skip
            self.planned.edit.setMaximumDate(to_qdate(date(self.today.year + 30, 12, 31)))
            self.add_field("planned_end", _tr("Ngày kết thúc dự kiến"), self.planned)
        self.add_reason()
        self.reopen.toggled.connect(self._modes)
        self.void.toggled.connect(self._modes)
        self.setWindowTitle(f"{self.windowTitle()} — {LABELS[category]}")
        self.finish()

    def _modes(self) -> None:
        void = self.void.isChecked()
        self.reopen.setEnabled(not void)
        for widget in (self.start, self.decision_no, self.decision_date, self.planned):
            if widget is not None:
                widget.setEnabled(not void)
        if self.end is not None:
            self.end.setEnabled(not void and not self.reopen.isChecked())
        text = _tr("Hủy diện") if void else _tr("Mở lại") if self.reopen.isChecked() else _tr("Lưu")
        self.save_button.setText(text)

    def values(self) -> Row:
        if self.void.isChecked():
            return {"void": True, "reason": self.reason.text()}
        out: Row = {
            "reopen": self.closed and self.reopen.isChecked(),
            "start_date": from_qdate(self.start.date()),
            "decision_no": self.decision_no.text(),
            "decision_date": self.decision_date.value(),
            "reason": self.reason.text(),
        }
        if self.end is not None and not self.reopen.isChecked():
            out["end_date"] = from_qdate(self.end.date())
        if self.planned is not None:
            out["planned_end"] = self.planned.value()
        return out

    def problems(self, values: Row) -> dict[str, str]:
        return corrections.check_episode_correction(self.reg, self.episode_id, values)

    def save(self, values: Row) -> str:
        corrections.correct_episode(self.reg, self.episode_id, values)
        return self.episode_id


class DeletePersonDialog(_ReasonDialog):
    """Delete a person entered by mistake, with their rows (the chief's), with a reason."""

    def __init__(self, reg: Register, person_id: str, parent: QWidget | None = None) -> None:
        super().__init__(reg, "deletePersonDialog", _tr("Xóa người nhập nhầm"), parent)
        self.person_id = person_id
        person = records.get(reg, "persons", person_id)
        self.main_layout.addWidget(intro_label(
            _tr("Xóa “%1” khỏi sổ cùng mọi quyết định, xét nghiệm, tiếp xúc và tổ quản lý của "
                "người này. Chỉ dùng khi người này bị nhập nhầm; việc xóa và lý do được ghi vào "
                "nhật ký.").replace("%1", person["full_name"])))  # fmt: skip
        self.add_reason()
        self.save_button.setText(_tr("Xóa"))
        self.finish()

    def values(self) -> Row:
        return {"reason": self.reason.text()}

    def problems(self, values: Row) -> dict[str, str]:
        return corrections.check_delete_person(self.reg, self.person_id, values["reason"])

    def save(self, values: Row) -> str:
        corrections.delete_person(self.reg, self.person_id, values["reason"])
        return self.person_id


class MergeDialog(_ReasonDialog):
    """Merge two records of one person (the chief's): which one to keep, and why."""

    def __init__(self, reg: Register, first: dict[str, Any], second: dict[str, Any],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(reg, "mergeDialog", _tr("Gộp hai hồ sơ của cùng một người"), parent)
        self.kept = QComboBox()
        self.kept.setObjectName("field_kept")
        for card, other in ((first, second), (second, first)):
            text = _tr("Giữ hồ sơ “%1” (%2)").replace("%1", card["full_name"]).replace(
                "%2", show(card["birth_date"]) or _tr("chưa rõ năm sinh"))  # fmt: skip
            self.kept.addItem(text, f"{card['id']}|{other['id']}")
        self.main_layout.addWidget(intro_label(_tr(
            "Quyết định, xét nghiệm, tiếp xúc và tổ quản lý của hồ sơ kia chuyển sang hồ sơ được "
            "giữ (bản ghi nhập ở cả hai chỉ giữ một); ô còn trống của hồ sơ được giữ lấy từ hồ sơ "
            "kia. Có thể tách lại cho đến khi làm gói bàn giao tiếp theo.")))  # fmt: skip
        self.add_field("kept", _tr("Hồ sơ giữ lại"), self.kept)
        self.add_reason(required=False)
        self.save_button.setText(_tr("Gộp"))
        self.finish()

    def values(self) -> Row:
        kept, merged = str(self.kept.currentData()).split("|")
        return {"kept": kept, "merged": merged, "reason": self.reason.text()}

    def problems(self, values: Row) -> dict[str, str]:
        return merging.check_merge(self.reg, values["kept"], values["merged"])

    def save(self, values: Row) -> str:
        return merging.merge(self.reg, values["kept"], values["merged"], values["reason"])


class UnmergeDialog(_ReasonDialog):
    """Undo a merge (the chief's, before the next handover bundle), with a reason."""

    def __init__(self, reg: Register, merge: dict[str, Any], parent: QWidget | None = None
                 ) -> None:  # fmt: skip
        super().__init__(reg, "unmergeDialog", _tr("Tách hồ sơ đã gộp"), parent)
        self.merge_id = str(merge["id"])
        self.main_layout.addWidget(intro_label(
            _tr("Tách “%1” khỏi hồ sơ “%2”: các bản ghi đã chuyển trở về hồ sơ cũ.")
            .replace("%1", merge["merged_name"]).replace("%2", merge["kept_name"])))  # fmt: skip
        self.add_reason(required=False)
        self.save_button.setText(_tr("Tách lại"))
        self.finish()

    def values(self) -> Row:
        return {"reason": self.reason.text()}

    def problems(self, values: Row) -> dict[str, str]:
        refused = merging.unmerge_refusal(self.reg, self.merge_id)
        return {"merge": refused} if refused else {}

    def save(self, values: Row) -> str:
        merging.unmerge(self.reg, self.merge_id, values["reason"])
        return self.merge_id
