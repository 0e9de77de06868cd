"""The management team (db.persons.team) and the person's history in words
(db.persons.history_view)."""

from __future__ import annotations

import json
import re

import pytest

from db.core.errors import ValidationError
from db.duties import actions
from db.persons import corrections, drugtests, episodes, history_view, team
from db.store import records
from db.store.register import Register
from tests.support.registers import log_entries

LEADER = {"role": "leader", "name": "Lò Văn Thắng", "relation": "Công an xã",
          "phone": "0912 345 678", "from_date": "10/05/2026"}  # fmt: skip


def test_members_with_their_roles_and_dates(reg: Register, person: str) -> None:
    leader = team.add_member(reg, person, LEADER)
    team.add_member(reg, person, {"role": "family", "name": "Nguyễn Thị Hoa", "relation": "Vợ"})
    rows = team.members_of(reg, person)
    assert [(r["role_label"], r["name"], r["active"]) for r in rows] == [
        ("Tổ trưởng (cán bộ Công an xã)", "Lò Văn Thắng", True),
        ("Thành viên gia đình", "Nguyễn Thị Hoa", True),
    ]
    team.end_member(reg, leader, "15/11/2026")
    ended = [r for r in team.members_of(reg, person) if not r["active"]]
    assert [(r["name"], r["to_date"]) for r in ended] == [("Lò Văn Thắng", "2026-11-15")]
    assert [r["name"] for r in team.members_of(reg, person, ended=False)] == ["Nguyễn Thị Hoa"]
    assert log_entries(reg, leader)[-1]["changes"] == {"to_date": [None, "2026-11-15"]}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": " "}, "name", "Họ và tên: không được để trống."),
        ({"phone": "12ab"}, "phone", "Số điện thoại: “12ab” không hợp lệ."),
        ({"from_date": "01/12/2026"}, "from_date", "Từ ngày: 01/12/2026 là ngày trong tương lai."),
        ({"to_date": "01/01/2026"}, "to_date",
         "Đến ngày: 01/01/2026 trước ngày bắt đầu 10/05/2026."),
        ({"role": "boss"}, "role", "Vai trò “boss” không hợp lệ."),
    ],
)  # fmt: skip
def test_a_member_is_checked(
    reg: Register, person: str, values: dict[str, str], field: str, message: str
) -> None:
    _, errors = team.check_member(reg, person, {**LEADER, **values})
    assert errors[field] == message
    with pytest.raises(ValidationError):
        team.add_member(reg, person, {**LEADER, **values})


def test_one_leader_at_a_time(reg: Register, person: str) -> None:
    first = team.add_member(reg, person, LEADER)
    _, errors = team.check_member(reg, person, {**LEADER, "name": "Cầm Văn Hùng"})
    assert errors["role"].startswith("Tổ đã có tổ trưởng: Lò Văn Thắng (từ 10/05/2026)")
    team.end_member(reg, first, "19/11/2026")
    team.add_member(reg, person, {**LEADER, "name": "Cầm Văn Hùng", "from_date": "19/11/2026"})
    # Editing the one leader is not "a second leader".
    assert team.check_end(reg, first, "18/11/2026") == {}


def test_a_team_typed_with_an_old_decision_shows_alongside(reg: Register, person: str) -> None:
    old = [{"role": "Tổ phó", "name": "Quàng Văn Ẳm", "unit": "Bản Mòng"}]
    episodes.open_episode(reg, person, "user", "10/05/2026", team=old)
    team.add_member(reg, person, LEADER)
    rows = team.members_of(reg, person)
    assert [(r["name"], r["source"], r["id"] is None) for r in rows] == [
        ("Lò Văn Thắng", "team", False), ("Quàng Văn Ẳm", "episode", True)]  # fmt: skip
    assert rows[1]["role"] == "deputy" and rows[1]["relation"] == "Bản Mòng"


# --- The history in words. ---------------------------------------------------------------------

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def test_the_history_says_it_in_words_without_ids(reg: Register, person: str, village: str) -> None:
    actions.management_decision(reg, person, "10/05/2026", decision_no="5/QĐ")
    test = drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    corrections.void_test(reg, test, "Nhập nhầm người")
    team.add_member(reg, person, LEADER)
    rows = history_view.person_history(reg, person)
    text = json.dumps(rows, ensure_ascii=False)
    assert not _ID.search(text), text
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", r["at"]) for r in rows)
    (void,) = [r for r in rows if r["action_label"] == "Hủy kết quả xét nghiệm"]
    assert void["what"] == "Xét nghiệm ngày 16/11/2026"
    assert "Kết quả: Dương tính" in void["summary"]
    assert void["summary"].endswith("Lý do: Nhập nhầm người")
    # The deletion the note explains is not a second line; the log's own code is kept too.
    assert not [r for r in rows if r["action_label"] == "Xóa"]
    assert void["action"] == "correct" and rows[-1]["action"] == "insert"
    (added,) = [r for r in rows if r["what"] == "Tổ quản lý: Lò Văn Thắng"]
    assert "Vai trò: Tổ trưởng (cán bộ Công an xã)" in added["summary"]
    person_row = rows[-1]
    assert person_row["action_label"] == "Thêm" and "Thôn/bản: Bản Mòng" in person_row["summary"]
    assert "Giới tính: Nam" in person_row["summary"]
    episode = [r for r in rows if r["what"].startswith("Sử dụng trái phép")]
    assert "Ngày bắt đầu: 10/05/2026" in episode[-1]["summary"]


def test_the_history_names_the_account(reg: Register, person: str) -> None:
    reg.db["accounts"].insert({
        "id": "a1", "login": reg.user, "full_name": "Lò Văn Thắng", "role": "chief",
        "created_at": "x", "created_by": "x", "updated_at": "x", "updated_by": "x",
        "device_id": "x"})  # fmt: skip
    records.update(reg, "persons", person, {"phone": "0912345678"})
    # Every entry of the login, those from before the account was named too.
    assert {r["who"] for r in history_view.person_history(reg, person)} == {"Lò Văn Thắng"}
