"""Corrections with reasons (db.persons.corrections): nothing changes silently, the change log
keeps the old values and the reason, and the due list and the figures follow at once."""

from __future__ import annotations

import json
from datetime import date

import pytest

from db.core.errors import ValidationError
from db.duties import actions
from db.duties.due import due_items
from db.figures.stats import figures
from db.persons import corrections, drugtests, episodes, people
from db.persons.correction_log import CORRECT
from db.store.register import OFFICER, Register
from tests.support.registers import count, log_entries


def kinds_due(reg: Register, person: str) -> set[str]:
    return {i.kind for i in due_items(reg) if i.person_id == person}


def notes(reg: Register, row_id: str) -> list[dict[str, object]]:
    return [e["changes"] for e in log_entries(reg, row_id) if e["action"] == CORRECT]


# --- Tests. ------------------------------------------------------------------------------------


def test_voiding_a_positive_takes_it_off_the_due_list_and_the_figures(
    reg: Register, person: str
) -> None:
    test = drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    assert "positive" in kinds_due(reg, person)
    assert figures(reg)["tests"]["positive"] == 1

    corrections.void_test(reg, test, "Nhập nhầm người")

    assert "positive" not in kinds_due(reg, person)
    assert figures(reg)["tests"]["positive"] == 0
    assert drugtests.tests_of(reg, person) == []
    # The row stays (deleted), the log holds its old values and the reason.
    assert count(reg, "drug_tests", "id = ? AND deleted = 1", [test]) == 1
    (note,) = notes(reg, test)
    assert note["kind"] == "void_test" and note["reason"] == "Nhập nhầm người"
    assert note["fields"] == {"old": {"test_date": "2026-11-16", "result": "positive",
                                      "positives": "MET", "substances": "MET"}}  # fmt: skip


def test_correcting_a_result_to_negative_logs_old_and_new_with_the_reason(
    reg: Register, person: str
) -> None:
    test = drugtests.record_test(reg, person, "16/11/2026", substances="MET,THC", positives="MET")
    diff = corrections.correct_test(reg, test, {"result": "negative", "reason": "Đọc sai que"})
    assert diff == {"positives": ["MET", ""], "result": ["positive", "negative"]}
    assert "positive" not in kinds_due(reg, person)
    update, note = log_entries(reg, test)[-2:]
    assert update["action"] == "update" and update["changes"] == diff
    assert note["action"] == CORRECT
    assert note["changes"]["reason"] == "Đọc sai que"
    assert note["changes"]["month"] == "2026-11-01"


def test_a_corrected_test_is_checked_as_a_new_one(reg: Register, person: str) -> None:
    test = drugtests.record_test(reg, person, "16/11/2026")
    errors = corrections.check_test_correction(
        reg, test, {"test_date": "25/11/2026", "kind": "yearly", "reason": "x"}
    )
    assert errors["test_date"] == "Ngày xét nghiệm: 25/11/2026 là ngày trong tương lai."
    assert errors["kind"].startswith("Hình thức xét nghiệm “yearly” không hợp lệ")
    with pytest.raises(ValidationError):
        corrections.correct_test(reg, test, {"test_date": "25/11/2026", "reason": "x"})
    assert drugtests.tests_of(reg, person)[0]["test_date"] == "2026-11-16"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_no_correction_without_a_reason(reg: Register, person: str, reason: str | None) -> None:
    test = drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    log = count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        corrections.correct_test(reg, test, {"void": True, "reason": reason})
    assert caught.value.errors == {"reason": "Lý do: phải ghi lý do (được lưu vào nhật ký)."}
    assert count(reg, "change_log") == log and drugtests.tests_of(reg, person)


def test_nothing_changed_is_not_a_correction(reg: Register, person: str) -> None:
    test = drugtests.record_test(reg, person, "16/11/2026")
    errors = corrections.check_test_correction(reg, test, {"test_date": "16/11/2026",
                                                           "reason": "x"})  # fmt: skip
    assert errors == {"changes": corrections.NOTHING_CHANGED}


# --- Episodes. ---------------------------------------------------------------------------------


def _managed(reg: Register, person: str) -> str:
    actions.management_decision(reg, person, "10/05/2026", decision_no="5/QĐ")
    return episodes.open_episodes(reg, person)[0]["id"]


def test_reopening_a_wrongly_closed_episode(reg: Register, person: str) -> None:
    episode = _managed(reg, person)
    actions.stop(reg, episode, "15/11/2026", "died")
    assert episodes.open_episodes(reg, person) == []

    diff = corrections.reopen_episode(reg, episode, "Nhầm người chết")

    (row,) = episodes.open_episodes(reg, person)
    assert row["id"] == episode and row["end_date"] is None and row["end_kind"] is None
    assert diff["end_date"] == ["2026-11-15", None] and diff["end_kind"] == ["stopped", None]
    (note,) = notes(reg, episode)
    assert note["kind"] == "reopen_episode" and note["month"] == "2026-11-01"
    # Its deadlines are back at once: the period's end within the warning window, the checks.
    assert "residence" in kinds_due(reg, person)


def test_reopening_refused_when_a_later_decision_of_the_same_kind_runs(
    reg: Register, person: str
) -> None:
    first = _managed(reg, person)
    actions.management_decision(reg, person, "01/10/2026", decision_no="9/QĐ")  # supersedes
    errors = corrections.check_episode_correction(reg, first, {"reopen": True, "reason": "x"})
    assert errors == {"reopen": "Người này đang trong diện “Sử dụng trái phép (đang quản lý)” "
                                "từ 01/10/2026; hãy kết thúc diện đó trước."}  # fmt: skip


def test_correcting_the_start_moves_the_planned_end_and_logs_the_decision(
    reg: Register, person: str
) -> None:
    episode = _managed(reg, person)
    assert episodes.open_episodes(reg, person)[0]["planned_end"] == "2027-05-10"
    diff = corrections.correct_episode(reg, episode, {
        "start_date": date(2026, 5, 12), "decision_no": "6/QĐ", "decision_date": "12/05/2026",
        "reason": "Gõ nhầm ngày và số quyết định"})  # fmt: skip
    assert diff["start_date"] == ["2026-05-10", "2026-05-12"]
    assert diff["planned_end"] == ["2027-05-10", "2027-05-12"]
    assert diff["decision_no"] == ["5/QĐ", "6/QĐ"]
    (note,) = notes(reg, episode)
    assert note["month"] == "2026-05-01" and note["reason"] == "Gõ nhầm ngày và số quyết định"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"start_date": "01/12/2026"}, "start_date",
         "Ngày bắt đầu: 01/12/2026 là ngày trong tương lai."),
        ({"decision_date": "31/02/2026"}, "decision_date", "Ngày quyết định"),
        ({"end_date": "01/11/2026"}, "end_date", "Diện này chưa kết thúc"),
    ],
)  # fmt: skip
def test_an_episode_correction_is_checked(
    reg: Register, person: str, values: dict[str, str], field: str, message: str
) -> None:
    episode = _managed(reg, person)
    errors = corrections.check_episode_correction(reg, episode, {**values, "reason": "x"})
    assert errors[field].startswith(message)


def test_an_end_before_the_start_is_refused_as_when_closing(reg: Register, person: str) -> None:
    episode = _managed(reg, person)
    actions.stop(reg, episode, "15/11/2026", "prison")
    errors = corrections.check_episode_correction(
        reg, episode, {"end_date": "01/05/2026", "reason": "x"}
    )
    assert errors == {"end_date": "Ngày kết thúc: 01/05/2026 trước ngày bắt đầu 10/05/2026."}


def test_voiding_an_episode_entered_by_mistake(reg: Register, person: str) -> None:
    episode = _managed(reg, person)
    corrections.correct_episode(reg, episode, {"void": True, "reason": "Nhập nhầm"})
    assert episodes.history(reg, person) == []
    assert figures(reg)["categories"]["user"] == 0


# --- People. -----------------------------------------------------------------------------------


def test_only_the_chief_deletes_a_person_and_says_so(reg: Register, person: str) -> None:
    reg.role = OFFICER
    errors = corrections.check_delete_person(reg, person, "Nhập trùng")
    assert errors["person"].startswith("Chỉ tài khoản chỉ huy mới được xóa người nhập nhầm")
    with pytest.raises(ValidationError):
        corrections.delete_person(reg, person, "Nhập trùng")
    assert people.count_people(reg) == 1


def test_deleting_a_person_entered_by_mistake_takes_their_rows(reg: Register, person: str) -> None:
    _managed(reg, person)
    test = drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    assert figures(reg)["people_total"] == 1
    gone = corrections.delete_person(reg, person, "Nhập nhầm: người xã khác")
    assert gone == 2
    assert people.count_people(reg) == 0 and figures(reg)["people_total"] == 0
    assert count(reg, "drug_tests", "id = ? AND deleted = 1", [test]) == 1
    assert due_items(reg) == []
    (note,) = notes(reg, person)
    assert note["kind"] == "delete_person" and note["month"] == "2026-05-01"
    assert note["fields"] == {}
    assert note["detail"] == {"rows": {t: int(t in ("episodes", "drug_tests"))
                                       for t in people.person_tables(reg)}}  # fmt: skip


# --- For the monthly report. -------------------------------------------------------------------


def test_corrections_since_say_what_when_who_and_for_which_month(
    reg: Register, person: str
) -> None:
    test = drugtests.record_test(reg, person, "16/10/2026", positives="MET")
    corrections.correct_test(reg, test, {"test_date": "17/10/2026", "reason": "Sai ngày"})
    found = corrections.corrections_since(reg, date.today())
    (one,) = found
    assert one.kind == "correct_test" and one.label == "Sửa kết quả xét nghiệm"
    assert one.what == "Xét nghiệm ngày 16/10/2026 (Dương tính: MET)"
    assert one.reason == "Sai ngày" and one.by == reg.user
    assert one.month == date(2026, 10, 1)
    assert one.person_name == "Nguyễn Văn An"
    # Nothing from after the day asked.
    later = date.fromordinal(date.today().toordinal() + 1)
    assert corrections.corrections_since(reg, later) == []


def test_a_correction_note_names_the_account(reg: Register, person: str) -> None:
    reg.db["accounts"].insert({
        "id": "a1", "login": reg.user, "full_name": "Lò Văn Thắng", "role": "chief",
        "created_at": "x", "created_by": "x", "updated_at": "x", "updated_by": "x",
        "device_id": "x"})  # fmt: skip
    test = drugtests.record_test(reg, person, "16/10/2026")
    corrections.void_test(reg, test, "Trùng")
    assert [c.by for c in corrections.corrections_since(reg, date(2026, 1, 1))] == ["Lò Văn Thắng"]
    assert (
        json.loads(
            reg.db.execute("SELECT changes FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()[0]
        )["person"]
        == "Nguyễn Văn An"
    )
