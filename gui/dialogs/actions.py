"""The actions the law prescribes, as small dialogs: each checks as the officer types, calls one
db.duties.actions function, and then shows the deadline that the action creates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import show
from db.core.errors import ValidationError
from db.duties import actions
from db.duties.actions import Outcome
from db.duties.due import positive_follow_up
from db.law.categories import LABELS, STOP_REASONS, TREATMENT, Category
from db.persons import contacts, drugtests
from db.persons.episodes import open_episodes
from db.security import auth
from db.store.register import Register
from gui.kit.common import (
    date_edit,
    error_label,
    from_qdate,
    place_errors,
    set_error,
    show_failure,
    tr,
)


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName("okButton")
    box.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("actions", "Hủy"))
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class _CheckedDialog(QDialog):
    """A dialog whose OK stays disabled, saying why, while something is wrong."""

    def __init__(self, reg: Register, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.reg = reg
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.form = QFormLayout()
        self.why = QLabel()
        self.why.setObjectName("whyDisabled")
        self.why.setStyleSheet("color: #b00020;")
        self.why.setWordWrap(True)
        self.buttons = _buttons(self, tr("actions", "Lưu"))
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.why)
        layout.addWidget(self.buttons)
        self.errors: dict[str, QLabel] = {}

    def add_row(self, key: str, label: str, widget: QWidget) -> None:
        error = error_label(f"error_{key}")
        box = QVBoxLayout()
        box.setSpacing(1)
        box.addWidget(widget)
        box.addWidget(error)
        self.form.addRow(label, box)
        self.errors[key] = error

    def problems(self) -> dict[str, str]:
        """Field → message for what is wrong now (override)."""
        return {}

    def check(self) -> bool:
        """Show each problem next to its field; True when OK can be pressed."""
        found = self.problems()
        for key, label in self.errors.items():
            set_error(label, found.get(key))
        first = next(iter(found.values()), "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not found)
        self.why.setText(tr("actions", "Chưa lưu được: %1").replace("%1", first) if first else "")
        self.why.setVisible(bool(first))
        return not found

    def future(self, key: str, when: date, found: dict[str, str]) -> None:
        if when > self.reg.today():
            found[key] = tr("actions", "Ngày %1 là ngày trong tương lai.").replace("%1", show(when))

    def accept(self) -> None:
        if not self.check():
            return
        try:
            self.run()
        except ValidationError as exc:
            place_errors(self.errors, exc.errors)
            show_failure(self, exc)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the officer, nothing half-written
            show_failure(self, exc)
            return
        super().accept()

    def run(self) -> None:
        """Do the action (override)."""


class DrugTestDialog(_CheckedDialog):
    """Record one drug test; a positive result shows its follow-up at once."""

    def __init__(self, reg: Register, person_id: str, parent: QWidget | None = None) -> None:
        super().__init__(reg, tr("actions", "Ghi kết quả xét nghiệm"), parent)
        self.setObjectName("testDialog")
        self.person_id = person_id
        self.follow_up = ""
        self.when = date_edit("field_test_date", reg.today())
        self.add_row("test_date", tr("actions", "Ngày xét nghiệm"), self.when)
        self.kind = QComboBox()
        self.kind.setObjectName("field_kind")
        for code, label in drugtests.KINDS.items():
            self.kind.addItem(tr("actions", label), code)
        self.add_row("kind", tr("actions", "Hình thức"), self.kind)
        self.method = QComboBox()
        self.method.setObjectName("field_method")
        for code, label in drugtests.METHODS.items():
            self.method.addItem(tr("actions", label), code)
        self.add_row("method", tr("actions", "Phương pháp"), self.method)
        grid = QGridLayout()
        self.tested: dict[str, QCheckBox] = {}
        self.positive: dict[str, QCheckBox] = {}
        grid.addWidget(QLabel(tr("actions", "Chất")), 0, 0)
        grid.addWidget(QLabel(tr("actions", "Có thử")), 0, 1)
        grid.addWidget(QLabel(tr("actions", "Dương tính")), 0, 2)
        for row, (code, label) in enumerate(drugtests.SUBSTANCES.items(), start=1):
            grid.addWidget(QLabel(label), row, 0)
            tested = QCheckBox()
            tested.setObjectName(f"tested_{code}")
            tested.setChecked(code in ("MET", "AMP", "MDMA", "KET", "THC", "MOP"))
            positive = QCheckBox()
            positive.setObjectName(f"positive_{code}")
            positive.toggled.connect(self._positive_toggled)
            grid.addWidget(tested, row, 1)
            grid.addWidget(positive, row, 2)
            self.tested[code] = tested
            self.positive[code] = positive
        holder = QWidget()
        holder.setLayout(grid)
        self.add_row("substances", tr("actions", "Kết quả theo chất"), holder)
        self.officer = QLineEdit()
        self.officer.setObjectName("field_officer")
        self.add_row("officer", tr("actions", "Người thực hiện"), self.officer)
        self.place = QLineEdit()
        self.place.setObjectName("field_place")
        self.add_row("place", tr("actions", "Nơi xét nghiệm"), self.place)
        self.notes = QLineEdit()
        self.notes.setObjectName("field_notes")
        self.add_row("notes", tr("actions", "Ghi chú"), self.notes)
        self.follow_label = QLabel()
        self.follow_label.setObjectName("followUpLabel")
        self.follow_label.setWordWrap(True)
        self.follow_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.layout().insertWidget(1, self.follow_label)
        self.when.dateChanged.connect(self._positive_toggled)
        self._positive_toggled()

    def _positive_toggled(self) -> None:
        for code, box in self.positive.items():
            if box.isChecked():
                self.tested[code].setChecked(True)
        positives = [c for c, b in self.positive.items() if b.isChecked()]
        when = from_qdate(self.when.date())
        follow = positive_follow_up(self.reg, self.person_id, when) if positives else None
        self.follow_up = follow.full if follow else ""
        self.follow_label.setText(self.follow_up)
        self.follow_label.setVisible(bool(positives))
        self.check()

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        self.future("test_date", from_qdate(self.when.date()), found)
        if not any(b.isChecked() for b in self.tested.values()):
            found["substances"] = tr("actions", "Chọn ít nhất một chất đã thử.")
        return found

    def run(self) -> None:
        drugtests.record_test(
            self.reg,
            self.person_id,
            from_qdate(self.when.date()),
            kind=self.kind.currentData(),
            method=self.method.currentData(),
            substances=[c for c, b in self.tested.items() if b.isChecked()],
            positives=[c for c, b in self.positive.items() if b.isChecked()],
            officer=self.officer.text(),
            place=self.place.text(),
            notes=self.notes.text(),
        )


class ContactDialog(_CheckedDialog):
    """Record a home visit, counselling, job support or the monthly residence check."""

    def __init__(self, reg: Register, person_id: str, parent: QWidget | None = None) -> None:
        super().__init__(reg, tr("actions", "Ghi tiếp xúc, kiểm tra cư trú"), parent)
        self.setObjectName("contactDialog")
        self.person_id = person_id
        self.when = date_edit("field_contact_date", reg.today())
        self.when.dateChanged.connect(self.check)
        self.add_row("contact_date", tr("actions", "Ngày"), self.when)
        self.kind = QComboBox()
        self.kind.setObjectName("field_kind")
        for code, label in contacts.KINDS.items():
            self.kind.addItem(tr("actions", label), code)
        self.add_row("kind", tr("actions", "Loại"), self.kind)
        self.at_address = QCheckBox(tr("actions", "Có mặt tại nơi cư trú"))
        self.at_address.setObjectName("field_at_address")
        self.at_address.setChecked(True)
        self.add_row("at_address", "", self.at_address)
        self.officer = QLineEdit()
        self.officer.setObjectName("field_officer")
        self.add_row("officer", tr("actions", "Cán bộ"), self.officer)
        self.notes = QLineEdit()
        self.notes.setObjectName("field_notes")
        self.add_row("notes", tr("actions", "Nội dung"), self.notes)
        self.check()

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        self.future("contact_date", from_qdate(self.when.date()), found)
        return found

    def run(self) -> None:
        kind = self.kind.currentData()
        contacts.add_contact(
            self.reg, self.person_id, from_qdate(self.when.date()), kind,
            at_address=self.at_address.isChecked() if kind == "residence_check" else None,
            officer=self.officer.text(), notes=self.notes.text(),
        )  # fmt: skip


@dataclass(frozen=True)
class ActionSpec:
    """One action of the person screen: its fields, when it applies, and what it calls."""

    key: str
    title: str
    fields: tuple[str, ...]
    applies: Callable[[set[str]], bool]
    run: Callable[[Register, str, dict[str, Any]], Outcome]
    episode_categories: tuple[Category, ...] = ()
    categories: tuple[Category, ...] = ()


_REHAB = (Category.REHAB_HOME, Category.REHAB_FACILITY, Category.REHAB_COMPULSORY)
_DECISION = ("decision_no", "signer")


def _episode_run(fn: Callable[..., Outcome]) -> Callable[[Register, str, dict[str, Any]], Outcome]:
    def run(reg: Register, person_id: str, v: dict[str, Any]) -> Outcome:
        extra = {k: v[k] for k in ("decision_no", "signer") if k in v}
        return fn(reg, v["episode"], v["date"], **extra)

    return run


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("suspect", "Đưa vào danh sách nghi sử dụng (cần xét nghiệm)", ("date", "notes"),
               lambda c: "suspect" not in c,
               lambda r, p, v: actions.suspected(r, p, v["date"], v.get("notes", ""))),
    ActionSpec("decision", "Quyết định quản lý người sử dụng trái phép (Mẫu 07)",
               ("date", *_DECISION), lambda c: True,
               lambda r, p, v: actions.management_decision(
                   r, p, v["date"], decision_no=v["decision_no"], signer=v["signer"])),
    ActionSpec("addicted", "Xác định là người nghiện", ("date", *_DECISION),
               lambda c: "addict" not in c,
               lambda r, p, v: actions.found_addicted(
                   r, p, v["date"], decision_no=v["decision_no"], signer=v["signer"])),
    ActionSpec("treatment", "Bắt đầu cai nghiện / điều trị methadone",
               ("category", "date", *_DECISION, "duration", "planned"),
               lambda c: not (set(c) & {t.value for t in TREATMENT}),
               lambda r, p, v: actions.start_treatment(
                   r, p, v["category"], v["date"], decision_no=v["decision_no"],
                   signer=v["signer"], duration_months=v.get("duration"),
                   planned=v.get("planned")),
               categories=TREATMENT),
    ActionSpec("release", "Hoàn thành cai nghiện → quản lý sau cai nghiện",
               ("episode", "date", *_DECISION), lambda c: bool(set(c) & {r.value for r in _REHAB}),
               _episode_run(actions.release_from_rehab), episode_categories=_REHAB),
    ActionSpec("quit", "Bỏ cai nghiện / bỏ điều trị", ("episode", "date", "reason_text"),
               lambda c: bool(set(c) & {"rehab_home", "rehab_facility", "methadone"}),
               lambda r, p, v: actions.quit_treatment(r, v["episode"], v["date"],
                                                      v.get("reason_text", "")),
               episode_categories=(Category.REHAB_HOME, Category.REHAB_FACILITY,
                                   Category.METHADONE)),
    ActionSpec("term", "Chấm dứt khi hết thời hạn (Mẫu 10)", ("episode", "date"),
               lambda c: bool(set(c) & {"user", "post_rehab", "watch", "rehab_home"}),
               lambda r, p, v: actions.end_at_term(r, v["episode"], v["date"]),
               episode_categories=(Category.USER, Category.POST_REHAB, Category.WATCH,
                                   Category.REHAB_HOME)),
    ActionSpec("stop", "Dừng quản lý trước thời hạn (Mẫu 09)", ("episode", "date", "reason"),
               lambda c: bool(c),
               lambda r, p, v: actions.stop(r, v["episode"], v["date"], v["reason"]),
               episode_categories=tuple(Category)),
    ActionSpec("move_away", "Chuyển đi nơi khác (Mẫu 08)", ("date", "moved_to"),
               lambda c: bool(c),
               lambda r, p, v: actions.move_away(r, p, v["date"], v["moved_to"])),
    ActionSpec("notice", "Đã gửi thông báo / hồ sơ cho nơi chuyển đến", ("date",),
               lambda c: True,
               lambda r, p, v: (actions.mark_notice_sent(r, p, v["date"]), Outcome(None))[1]),
    ActionSpec("move_in", "Chuyển đến từ nơi khác (tính tiếp thời hạn còn lại)",
               ("category", "date", "moved_from", "planned", *_DECISION), lambda c: True,
               lambda r, p, v: actions.move_in(
                   r, p, v["category"], v["date"], v["moved_from"], v.get("planned"),
                   decision_no=v["decision_no"], signer=v["signer"]),
               categories=(Category.USER, Category.POST_REHAB, Category.ADDICT,
                           Category.REHAB_HOME, Category.METHADONE)),
    ActionSpec("absconded", "Bỏ trốn", ("date",), lambda c: bool(c),
               lambda r, p, v: actions.absconded(r, p, v["date"])),
    ActionSpec("prison", "Đi tù, chấp hành án", ("date",), lambda c: bool(c),
               lambda r, p, v: actions.imprisoned(r, p, v["date"])),
    ActionSpec("died", "Chết", ("date",), lambda c: bool(c),
               lambda r, p, v: actions.died(r, p, v["date"])),
    ActionSpec("sign_off", "Chỉ huy duyệt quyết định (ghi vào nhật ký)", ("episode",),
               lambda c: bool(c),
               lambda r, p, v: (auth.sign_off(r, v["episode"]), Outcome(None))[1],
               episode_categories=tuple(Category)),
)  # fmt: skip


class ActionDialog(_CheckedDialog):
    """The dialog for one ActionSpec."""

    def __init__(
        self, reg: Register, person_id: str, spec: ActionSpec, parent: QWidget | None = None
    ) -> None:
        super().__init__(reg, tr("actions", spec.title), parent)
        self.setObjectName(f"action_{spec.key}")
        self.spec = spec
        self.person_id = person_id
        self.outcome: Outcome | None = None
        self.inputs: dict[str, QWidget] = {}
        today = reg.today()
        for key in spec.fields:
            widget: QWidget
            if key == "date":
                widget = date_edit("field_date", today)
                widget.dateChanged.connect(self.check)
                label = tr("actions", "Ngày")
            elif key == "planned":
                widget = date_edit("field_planned", today)
                widget.setSpecialValueText(tr("actions", "— theo luật —"))
                widget.setMinimumDate(widget.minimumDate())
                widget.setDate(widget.minimumDate())
                label = tr("actions", "Ngày kết thúc (nếu có)")
            elif key == "episode":
                widget = QComboBox()
                for e in open_episodes(reg, person_id, today):
                    if Category(e["category"]) in spec.episode_categories:
                        text = f"{LABELS[Category(e['category'])]} — {show(e['start_date'])}"
                        widget.addItem(text, e["id"])
                widget.currentIndexChanged.connect(self.check)
                label = tr("actions", "Diện")
            elif key == "category":
                widget = QComboBox()
                for c in spec.categories:
                    widget.addItem(tr("actions", LABELS[c]), c.value)
                widget.currentIndexChanged.connect(self.check)
                label = tr("actions", "Diện / hình thức")
            elif key == "reason":
                widget = QComboBox()
                widget.setEditable(True)
                widget.addItem("", "")
                for code, text in STOP_REASONS.items():
                    widget.addItem(tr("actions", text), code)
                widget.currentTextChanged.connect(self.check)
                label = tr("actions", "Lý do dừng")
            elif key == "duration":
                widget = QSpinBox()
                widget.setRange(0, 36)
                widget.setSpecialValueText(tr("actions", "— theo luật / tòa án —"))
                widget.setSuffix(tr("actions", " tháng"))
                widget.valueChanged.connect(self.check)
                label = tr("actions", "Thời hạn")
            else:
                widget = QLineEdit()
                widget.textChanged.connect(self.check)
                label = {
                    "decision_no": tr("actions", "Số quyết định"),
                    "signer": tr("actions", "Người ký"),
                    "moved_to": tr("actions", "Nơi chuyển đến"),
                    "moved_from": tr("actions", "Chuyển đến từ"),
                    "notes": tr("actions", "Ghi chú"),
                    "reason_text": tr("actions", "Lý do"),
                }[key]
            widget.setObjectName(f"field_{key}")
            self.inputs[key] = widget
            self.add_row(key, label, widget)
        self.check()

    def values(self) -> dict[str, Any]:
        """The entered values, keyed as ActionSpec.run expects."""
        out: dict[str, Any] = {}
        for key, w in self.inputs.items():
            if key == "planned":
                picked = from_qdate(w.date())  # type: ignore[attr-defined]
                out[key] = None if w.date() == w.minimumDate() else picked  # type: ignore[attr-defined]
            elif key == "date":
                out[key] = from_qdate(w.date())  # type: ignore[attr-defined]
            elif key == "duration":
                out[key] = w.value() or None  # type: ignore[attr-defined]
            elif key == "reason":
                box: QComboBox = w  # type: ignore[assignment]
                data = box.currentData()
                out[key] = (
                    data
                    if data and box.currentText() == box.itemText(box.currentIndex())
                    else box.currentText()
                )
            elif isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, QLineEdit):
                out[key] = w.text()
        return out

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        v = self.values()
        if "date" in v:
            self.future("date", v["date"], found)
        if "episode" in v and not v["episode"]:
            found["episode"] = tr("actions", "Không có diện nào đang mở phù hợp.")
        for key, message in (
            ("moved_to", "Nơi chuyển đến: không được để trống."),
            ("moved_from", "Chuyển đến từ: không được để trống."),
            ("reason", "Lý do dừng: phải ghi lý do (Mẫu 09)."),
        ):
            if key in v and not str(v[key] or "").strip():
                found[key] = tr("actions", message)
        return found

    def run(self) -> None:
        self.outcome = self.spec.run(self.reg, self.person_id, self.values())

    def accept(self) -> None:
        super().accept()
        if self.result() == QDialog.DialogCode.Accepted and self.outcome and self.outcome.deadline:
            QMessageBox.information(
                self.parentWidget() or self,
                tr("actions", "Thời hạn tiếp theo"),
                tr("actions", "%1: trước %2 (%3).")
                .replace("%1", self.outcome.deadline_text)
                .replace("%2", show(self.outcome.deadline))
                .replace("%3", self.outcome.rule.source if self.outcome.rule else ""),
            )
