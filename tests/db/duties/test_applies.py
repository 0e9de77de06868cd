"""Which action applies to which status (db.duties.applies): the register refuses an action that
does not apply, whoever calls it, and says which action and which status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from db.core.errors import ValidationError
from db.duties import actions
from db.duties.applies import ACTIONS, applicable_actions, check_action, episodes_for, refusal
from db.persons import episodes
from db.store.register import Register
from tests.support.registers import count

ALWAYS = {"decision", "notice", "move_in"}


def keys(reg: Register, person: str, on: date | None = None) -> set[str]:
    return {a.key for a in applicable_actions(reg, person, on)}


def refused(reg: Register, call: Callable[[], object]) -> ValidationError:
    """The call raises ValidationError and writes nothing (no episode, no log entry)."""
    rows, logged = count(reg, "episodes"), count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        call()
    assert (count(reg, "episodes"), count(reg, "change_log")) == (rows, logged)
    return caught.value


def test_nobody_on_the_register_can_only_be_opened(reg: Register, person: str) -> None:
    assert keys(reg, person) == ALWAYS | {"suspect", "addicted", "treatment"}


def test_a_user_under_management(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    assert keys(reg, person) == ALWAYS | {
        "suspect", "addicted", "treatment", "term", "stop", "move_away", "absconded",
        "prison", "died", "sign_off", "declare",
    }  # fmt: skip


def test_in_compulsory_rehab(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_compulsory", "01/03/2026")
    found = keys(reg, person)
    assert {"release", "stop", "died"} <= found
    # Not quit (leaving it is absconding), not at term (the court sets it), no second treatment.
    assert not {"quit", "term", "treatment", "addicted"} & found
    assert [e["category"] for e in episodes_for(reg, "release", person)] == ["rehab_compulsory"]
    assert episodes_for(reg, "quit", person) == []


def test_on_methadone(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    found = keys(reg, person)
    assert "quit" in found and "release" not in found and "term" not in found
    assert refusal(reg, "quit", person) == ""
    assert "chỉ áp dụng cho người đang cai nghiện;" in refusal(reg, "release", person)


def test_the_table_names_every_action_once() -> None:
    assert len({a.key for a in ACTIONS}) == len(ACTIONS) == 20
    assert all(a.title for a in ACTIONS)
    assert all(a.rule for a in ACTIONS if a.needs or a.excludes)


def test_release_into_post_rehab_is_refused_for_someone_not_in_rehab(
    reg: Register, person: str
) -> None:
    decision = actions.management_decision(reg, person, "10/05/2026")
    assert decision.episode_id is not None
    error = refused(reg, lambda: actions.release_from_rehab(reg, decision.episode_id, "01/09/2026"))
    message = error.errors["episode"]
    assert "“Hoàn thành cai nghiện → quản lý sau cai nghiện”" in message
    assert "chỉ áp dụng cho người đang cai nghiện" in message
    assert "ngày 01/09/2026 người này đang ở diện “Sử dụng trái phép (đang quản lý)”" in message
    assert [e["category"] for e in episodes.open_episodes(reg, person)] == ["user"]


def test_quitting_is_refused_when_not_in_treatment(reg: Register, person: str) -> None:
    decision = actions.management_decision(reg, person, "10/05/2026")
    assert decision.episode_id is not None
    error = refused(reg, lambda: actions.quit_treatment(reg, decision.episode_id, "01/09/2026"))
    assert "“Bỏ cai nghiện / bỏ điều trị”" in error.errors["episode"]
    assert "Sử dụng trái phép" in error.errors["episode"]


def test_an_ended_treatment_cannot_be_quit(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    [methadone] = episodes_for(reg, "quit", person)
    actions.quit_treatment(reg, methadone["id"], "01/08/2026")
    error = refused(reg, lambda: actions.quit_treatment(reg, methadone["id"], "02/08/2026"))
    assert "Nghiện ma túy; Theo dõi 2 năm sau quản lý" in error.errors["episode"]


@pytest.mark.parametrize(
    "call",
    [
        lambda reg, p: actions.died(reg, p, "01/10/2026"),
        lambda reg, p: actions.absconded(reg, p, "01/10/2026"),
        lambda reg, p: actions.imprisoned(reg, p, "01/10/2026"),
        lambda reg, p: actions.move_away(reg, p, "01/10/2026", "Xã Mường Bú"),
    ],
)
def test_ending_everything_needs_something_open(
    reg: Register, person: str, call: Callable[[Register, str], object]
) -> None:
    error = refused(reg, lambda: call(reg, person))
    assert "không còn diện quản lý nào đang mở" in error.errors["person"]


def test_a_second_addiction_or_treatment_is_refused(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_home", "01/03/2026")
    error = refused(reg, lambda: actions.found_addicted(reg, person, "01/04/2026"))
    assert "“Xác định là người nghiện”" in error.errors["person"]
    error = refused(reg, lambda: actions.start_treatment(reg, person, "methadone", "01/04/2026"))
    assert "đang cai nghiện hoặc điều trị methadone" in error.errors["person"]


def test_the_status_is_the_one_on_the_actions_day(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    # Before the decision the person was on no list: absconding then ended nothing.
    error = refused(reg, lambda: actions.absconded(reg, person, "01/05/2026"))
    assert "ngày 01/05/2026 người này không còn diện quản lý" in error.errors["person"]
    assert "absconded" not in keys(reg, person, date(2026, 5, 1))
    assert "absconded" in keys(reg, person)


def test_move_in_only_into_the_categories_that_carry_over(reg: Register, person: str) -> None:
    error = refused(
        reg, lambda: actions.move_in(reg, person, "rehab_compulsory", "01/10/2026", "Xã Bú")
    )
    assert "Chỉ chọn" in error.errors["category"]


def test_sign_off_only_an_open_decision(reg: Register, person: str) -> None:
    decision = actions.management_decision(reg, person, "10/11/2025")
    assert decision.episode_id is not None
    actions.end_at_term(reg, decision.episode_id, "10/11/2026")
    error = refused(reg, lambda: actions.sign_off(reg, decision.episode_id))
    assert "“Chỉ huy duyệt quyết định (ghi vào nhật ký)”" in error.errors["episode"]


def test_check_action_says_what_is_wrong_by_field_and_writes_nothing(
    reg: Register, person: str
) -> None:
    logged = count(reg, "change_log")
    found = check_action(reg, "move_away", person, {"date": date(2026, 11, 23), "moved_to": " "})
    assert found == {
        "date": "Ngày chuyển đi: 23/11/2026 là ngày trong tương lai.",
        "person": found["person"],
        "moved_to": "Nơi chuyển đến: không được để trống.",
    }
    assert "“Chuyển đi nơi khác (Mẫu 08)”" in found["person"]
    assert check_action(reg, "decision", person, {"date": "31/02/2026"})["date"].startswith(
        "Ngày quyết định"
    )
    assert check_action(reg, "decision", person, {"date": date(2026, 11, 1)}) == {}
    assert count(reg, "change_log") == logged


def test_run_action_puts_the_episodes_refusal_under_the_forms_field(
    reg: Register, person: str
) -> None:
    decision = actions.management_decision(reg, person, "10/11/2025")
    values = {"episode": decision.episode_id, "date": date(2025, 11, 1)}
    error = refused(reg, lambda: actions.run_action(reg, "term", person, values))
    assert "trước ngày bắt đầu 10/11/2025" in error.errors["date"]
    outcome = actions.run_action(reg, "term", person, {**values, "date": date(2026, 11, 10)})
    assert outcome.episode_id is None and episodes.open_episodes(reg, person) == []
