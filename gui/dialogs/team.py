"""The management team (Tổ quản lý) of a person: the tab on the person screen, and the forms to
add a member, change one and end their service. The forms ask db.persons.team's check."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import from_iso, show
from db.persons import team
from db.store import records
from db.store.register import Register
from gui.kit.common import Column, ListModel, date_edit, from_qdate, make_table, named_button, tr
from gui.kit.forms import OptionalDate, RecordDialog, Row, intro_label, line_edit


def _tr(text: str) -> str:
    return tr("team", text)


class MemberDialog(RecordDialog):
    """Add a member to a person's team, or change one."""

    accept_button = QDialogButtonBox.StandardButton.Ok
    why_says = "first_problem"

    def __init__(self, reg: Register, person_id: str, member_id: str | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        title = _tr("Sửa thành viên tổ quản lý") if member_id else _tr("Thêm thành viên tổ quản lý")
        super().__init__(reg, "memberDialog", title, parent)
        self.person_id = person_id
        self.member_id = member_id
        current = records.get(reg, "management_team", member_id) if member_id else {}
        self.role = QComboBox()
        self.role.setObjectName("field_role")
        for code, label in team.ROLES.items():
            self.role.addItem(_tr(label), code)
        self.role.setCurrentIndex(max(0, self.role.findData(current.get("role", "leader"))))
        self.name = line_edit("field_name", current.get("name", ""))
        self.relation = line_edit("field_relation", current.get("relation", ""))
        self.phone = line_edit("field_phone", current.get("phone", ""))
        self.from_date = OptionalDate("field_from_date", _tr("có"), self.today,
                                      from_iso(current.get("from_date")) or self.today)  # fmt: skip
        self.to_date = OptionalDate("field_to_date", _tr("đã thôi"), self.today,
                                    from_iso(current.get("to_date")))  # fmt: skip
        self.notes = line_edit("field_notes", current.get("notes", ""))
        self.add_field("role", team.FIELDS["role"], self.role, required=True)
        self.add_field("name", team.FIELDS["name"], self.name, required=True)
        self.relation_caption = self.add_field("relation", "", self.relation)
        self.add_field("phone", team.FIELDS["phone"], self.phone)
        self.add_field("from_date", team.FIELDS["from_date"], self.from_date)
        self.add_field("to_date", team.FIELDS["to_date"], self.to_date)
        self.add_field("notes", team.FIELDS["notes"], self.notes)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        self.finish()

    def _role_changed(self) -> None:
        self.relation_caption.setText(_tr(team.relation_label(self.role.currentData())))

    def values(self) -> Row:
        return {
            "role": self.role.currentData(),
            "name": self.name.text(),
            "relation": self.relation.text(),
            "phone": self.phone.text(),
            "from_date": self.from_date.value(),
            "to_date": self.to_date.value(),
            "notes": self.notes.text(),
        }

    def problems(self, values: Row) -> dict[str, str]:
        return team.check_member(self.reg, self.person_id, values, self.member_id)[1]

    def save(self, values: Row) -> str:
        if self.member_id:
            team.update_member(self.reg, self.member_id, values)
            return self.member_id
        return team.add_member(self.reg, self.person_id, values)


class EndMemberDialog(RecordDialog):
    """A member stops serving on the team from a day (kept, with their dates)."""

    accept_button = QDialogButtonBox.StandardButton.Ok
    why_says = "first_problem"

    def __init__(self, reg: Register, member_id: str, parent: QWidget | None = None) -> None:
        super().__init__(reg, "endMemberDialog", _tr("Thôi tham gia tổ quản lý"), parent)
        self.member_id = member_id
        member = records.get(reg, "management_team", member_id)
        self.main_layout.addWidget(
            intro_label(
                _tr("%1 (%2) thôi tham gia tổ quản lý từ ngày:")
                .replace("%1", member["name"])
                .replace("%2", _tr(team.ROLES[member["role"]]))
            )
        )
        self.day = date_edit("field_to_date", self.today)
        self.add_field("to_date", team.FIELDS["to_date"], self.day, required=True)
        self.finish()

    def values(self) -> Row:
        return {"to_date": from_qdate(self.day.date())}

    def problems(self, values: Row) -> dict[str, str]:
        return team.check_end(self.reg, self.member_id, values["to_date"])

    def save(self, values: Row) -> str:
        team.end_member(self.reg, self.member_id, values["to_date"])
        return self.member_id


COLUMNS = (
    Column(_tr("Vai trò"), lambda r: r["role_label"]),
    Column(_tr("Họ và tên"), lambda r: r["name"]),
    Column(_tr("Quan hệ / đơn vị"), lambda r: r["relation"]),
    Column(_tr("Điện thoại"), lambda r: r["phone"]),
    Column(_tr("Từ ngày"), lambda r: show(r["from_date"])),
    Column(_tr("Đến ngày"), lambda r: show(r["to_date"]) or _tr("đang tham gia")),
)


class TeamPanel(QWidget):
    """The person screen's "Tổ quản lý" tab: the team, serving members first; add, edit, end."""

    changed = Signal()  # a member was added, changed or ended

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamPanel")
        self.reg = reg
        self.person_id: str | None = None
        self.model = ListModel(COLUMNS)
        self.view = make_table("teamTable")
        self.view.setModel(self.model)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.view.doubleClicked.connect(lambda *_: self.edit())
        self.add_button = named_button("addMember", _tr("Thêm thành viên"))
        self.edit_button = named_button("editMember", _tr("Sửa"))
        self.end_button = named_button("endMember", _tr("Thôi tham gia"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.end_button.clicked.connect(self.end)
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.end_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._selected()

    def show_person(self, person_id: str) -> None:
        """The team of this person."""
        self.person_id = person_id
        self.refresh()

    def refresh(self) -> None:
        """Read the team again."""
        if self.person_id is None:
            return
        self.model.set_rows(team.members_of(self.reg, self.person_id))
        self.view.resizeColumnsToContents()
        self._selected()

    def current(self) -> dict[str, object] | None:
        """The member selected, if any."""
        rows = self.view.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _selected(self, *_: object) -> None:
        member = self.current()
        own = member is not None and member["source"] == "team"
        self.edit_button.setEnabled(own)
        self.end_button.setEnabled(own and member is not None and bool(member["active"]))
        why = _tr("Thành viên ghi theo quyết định: sửa ở quyết định.") if (
            member is not None and not own) else ""  # fmt: skip
        self.edit_button.setToolTip(why)
        self.end_button.setToolTip(why)

    def _run(self, dialog: QDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def add(self) -> None:
        """Add a member."""
        if self.person_id:
            self._run(MemberDialog(self.reg, self.person_id, parent=self))

    def edit(self) -> None:
        """Change the selected member."""
        member = self.current()
        if self.person_id and member and member["source"] == "team":
            self._run(MemberDialog(self.reg, self.person_id, str(member["id"]), self))

    def end(self) -> None:
        """End the selected member's service."""
        member = self.current()
        if member and member["source"] == "team" and member["active"]:
            self._run(EndMemberDialog(self.reg, str(member["id"]), self))
