"""Episodes and the actions that open and close them (db.persons.episodes, db.duties.actions)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from db.commune import settings
from db.core.errors import NotFound, UserError, ValidationError
from db.duties import actions
from db.law.categories import LABELS, Category
from db.persons import episodes
from db.persons.people import delete_person
from db.store.register import Register
from tests.support.registers import count, episodes_of, log_entries


def status(reg: Register, person_id: str, on: date | None = None) -> list[str]:
    """The person's open categories on a day, most telling first."""
    return [e["category"] for e in episodes.open_episodes(reg, person_id, on)]


def only(reg: Register, person_id: str, category: str) -> dict[str, Any]:
    """The one open episode of a category."""
    [found] = [e for e in episodes.open_episodes(reg, person_id) if e["category"] == category]
    return found


def _refused(reg: Register, call: Callable[[], object]) -> ValidationError:
    """The call raises ValidationError and writes nothing (no episode, no log entry)."""
    rows, logged = count(reg, "episodes"), count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        call()
    assert count(reg, "episodes") == rows
    assert count(reg, "change_log") == logged
    return caught.value


# --- opening and closing ----------------------------------------------------------------------


@pytest.mark.parametrize("category", list(Category))
def test_every_category_can_be_opened(reg: Register, person: str, category: Category) -> None:
    # Post-rehab lasts 1 or 2 years by the rehab before it (Law Art. 40): it must be known.
    prior = {"prior_rehab": "rehab_home"} if category == Category.POST_REHAB else {}
    episode_id = episodes.open_episode(reg, person, category.value, "01/10/2026", **prior)
    assert status(reg, person) == [category.value]
    assert episodes.status_label(status(reg, person)) == LABELS[category]
    row = reg.db["episodes"].get(episode_id)
    assert row["start_date"] == "2026-10-01"
    assert row["end_date"] is None
    # Not yet open the day before it starts.
    assert status(reg, person, date(2026, 9, 30)) == []


def test_category_by_vietnamese_label(reg: Register, person: str) -> None:
    episodes.open_episode(reg, person, "Nghiện", "01/10/2026")
    episodes.open_episode(reg, person, "sau cai", "01/10/2026", prior_rehab="Cai bắt buộc")
    assert status(reg, person) == ["addict", "post_rehab"]


def test_unknown_category_is_refused_in_vietnamese(reg: Register, person: str) -> None:
    with pytest.raises(UserError) as caught:
        episodes.open_episode(reg, person, "nghi ngờ lắm", "01/10/2026")
    assert "Diện quản lý “nghi ngờ lắm” không có" in caught.value.message
    assert count(reg, "episodes") == 0
    with pytest.raises(UserError, match="Diện quản lý"):
        actions.start_treatment(reg, person, "cai ở chùa", "01/10/2026")
    with pytest.raises(ValidationError, match="cai nghiện hoặc methadone"):
        actions.start_treatment(reg, person, "user", "01/10/2026")
    assert count(reg, "episodes") == 0


def test_open_for_a_deleted_or_missing_person(reg: Register, person: str) -> None:
    delete_person(reg, person)
    with pytest.raises(NotFound):
        episodes.open_episode(reg, person, "user", "01/10/2026")
    with pytest.raises(NotFound):
        episodes.open_episode(reg, "no-such-person", "user", "01/10/2026")


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"start": "21/11/2026"}, "start_date", "tương lai"),  # today is 20/11/2026
        ({"start": "31/02/2026"}, "start_date", "Ngày bắt đầu"),
        ({"start": ""}, "start_date", "không được để trống"),
        ({"decision_date": "01/12/2026"}, "decision_date", "tương lai"),
        ({"planned": "30/09/2026", "category": "rehab_facility"}, "planned_end", "trước ngày"),
    ],
)
def test_bad_dates_are_refused(
    reg: Register, person: str, kwargs: dict[str, Any], field: str, words: str
) -> None:
    args = {"category": "user", "start": "01/10/2026", **kwargs}
    error = _refused(reg, lambda: episodes.open_episode(reg, person, **args))
    assert words in error.errors[field]


def test_close_checks_its_dates_and_kind(reg: Register, person: str) -> None:
    eid = episodes.open_episode(reg, person, "user", "01/10/2026")
    error = _refused(reg, lambda: episodes.close_episode(reg, eid, "30/09/2026", "term"))
    assert "trước ngày bắt đầu 01/10/2026" in error.errors["end_date"]
    error = _refused(reg, lambda: episodes.close_episode(reg, eid, "21/11/2026", "term"))
    assert "tương lai" in error.errors["end_date"]
    error = _refused(reg, lambda: episodes.close_episode(reg, eid, "10/10/2026", "vanished"))
    assert "end_kind" in error.errors
    error = _refused(reg, lambda: episodes.close_episode(reg, eid, "10/10/2026", "stopped"))
    assert "Mẫu 09" in error.errors["end_reason"]
    # Ending on the day it started is allowed; ending twice is not.
    episodes.close_episode(reg, eid, "01/10/2026", "term")
    error = _refused(reg, lambda: episodes.close_episode(reg, eid, "02/10/2026", "term"))
    assert "đã kết thúc ngày 01/10/2026" in error.errors["end_date"]


def test_two_open_episodes_of_one_category_are_refused(reg: Register, person: str) -> None:
    episodes.open_episode(reg, person, "user", "01/06/2026")
    error = _refused(reg, lambda: episodes.open_episode(reg, person, "user", "01/09/2026"))
    assert "đang trong diện" in error.errors["category"]
    assert "01/06/2026" in error.errors["category"]
    # Back-dated before the open one is refused as well: they would run side by side.
    _refused(reg, lambda: episodes.open_episode(reg, person, "user", "01/03/2026"))
    # Another category is fine.
    episodes.open_episode(reg, person, "suspect", "01/09/2026")


def test_a_category_can_open_again_after_the_last_one_ended(reg: Register, person: str) -> None:
    first = episodes.open_episode(reg, person, "user", "01/01/2026")
    episodes.close_episode(reg, first, "01/06/2026", "stopped", reason="other")
    episodes.open_episode(reg, person, "user", "01/06/2026")
    assert [e["end_kind"] for e in episodes_of(reg, person)] == ["stopped", None]


def test_planned_end_given_is_kept_only_where_the_law_does_not_fix_it(
    reg: Register, person: str
) -> None:
    user = episodes.open_episode(reg, person, "user", "01/10/2026", planned="01/12/2026")
    assert reg.db["episodes"].get(user)["planned_end"] == "2027-10-01"
    facility = episodes.open_episode(
        reg, person, "rehab_facility", "01/10/2026", planned="01/04/2027"
    )
    assert reg.db["episodes"].get(facility)["planned_end"] == "2027-04-01"
    methadone = episodes.open_episode(reg, person, "methadone", "01/10/2026")
    assert reg.db["episodes"].get(methadone)["planned_end"] is None


def test_team_is_stored_cleaned(reg: Register, person: str) -> None:
    episodes.open_episode(
        reg, person, "user", "01/10/2026",
        team=[{"role": "Tổ trưởng", "name": " Lò Văn Minh ", "unit": "CAX"}, {"name": "  "}],
    )  # fmt: skip
    [row] = episodes.history(reg, person)
    assert row["team"] == [{"role": "Tổ trưởng", "name": "Lò Văn Minh", "unit": "CAX", "phone": ""}]


# --- actions ----------------------------------------------------------------------------------


def test_management_decision_and_a_new_one_restarting_the_year(reg: Register, person: str) -> None:
    out = actions.management_decision(reg, person, "10/01/2026", decision_no="01/QĐ-UBND")
    first = reg.db["episodes"].get(out.episode_id)
    assert (first["category"], first["start_date"]) == ("user", "2026-01-10")
    assert first["decision_no"] == "01/QĐ-UBND"
    assert first["decision_date"] == "2026-01-10"
    assert first["planned_end"] == "2027-01-10"
    # The residence check of a new user: 3 working days (Sat 10/1 → Wed 14/1).
    assert out.deadline == date(2026, 1, 14)
    assert out.rule is not None and out.rule.key == "residence_check_new"

    logged = count(reg, "change_log")
    second = actions.management_decision(reg, person, "10/05/2026", decision_no="02/QĐ-UBND")
    # Exactly two rows changed: the old decision closed, the new one added.
    assert count(reg, "change_log") == logged + 2
    old = reg.db["episodes"].get(out.episode_id)
    assert (old["end_date"], old["end_kind"]) == ("2026-05-10", "superseded")
    new = reg.db["episodes"].get(second.episode_id)
    assert new["planned_end"] == "2027-05-10"  # the year starts again
    assert status(reg, person) == ["user"]
    update = log_entries(reg, out.episode_id)[-1]
    assert update["action"] == "update"
    assert update["changes"] == {
        "end_date": [None, "2026-05-10"],
        "end_kind": [None, "superseded"],
    }
    [insert] = log_entries(reg, second.episode_id)
    assert insert["action"] == "insert"
    assert insert["changes"]["planned_end"] == "2027-05-10"


def test_management_decision_in_a_remote_area(reg: Register, person: str) -> None:
    settings.save_settings(reg, {"remote_area": True})
    out = actions.management_decision(reg, person, "20/11/2026")
    assert out.rule is not None and out.rule.key == "residence_check_new_remote"
    assert out.deadline == date(2026, 12, 4)


def test_management_decision_closes_a_suspicion(reg: Register, person: str) -> None:
    actions.suspected(reg, person, "01/11/2026", notes="Hàng xóm báo")
    assert status(reg, person) == ["suspect"]
    actions.management_decision(reg, person, "05/11/2026")
    assert status(reg, person) == ["user"]
    suspect = next(e for e in episodes_of(reg, person) if e["category"] == "suspect")
    assert (suspect["end_date"], suspect["end_kind"]) == ("2026-11-05", "tested")


def test_back_dated_decision_does_not_run_alongside_the_open_one(
    reg: Register, person: str
) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    _refused(reg, lambda: actions.management_decision(reg, person, "10/03/2026"))
    assert status(reg, person) == ["user"]


def test_found_addicted_stops_management(reg: Register, person: str) -> None:
    decision = actions.management_decision(reg, person, "10/05/2026")
    out = actions.found_addicted(reg, person, "01/06/2026")
    stopped = reg.db["episodes"].get(decision.episode_id)
    assert (stopped["end_date"], stopped["end_kind"]) == ("2026-06-01", "stopped")
    assert stopped["end_reason"] == "Xác định là người nghiện"
    assert status(reg, person) == ["addict"]
    # Register for treatment within 5 working days: Mon 1/6 → Mon 8/6.
    assert out.deadline == date(2026, 6, 8)
    assert out.rule is not None and out.rule.key == "addict_register_treatment"


@pytest.mark.parametrize(
    "category", ["rehab_home", "rehab_facility", "rehab_compulsory", "methadone"]
)
def test_start_treatment_opens_addict_and_treatment(
    reg: Register, person: str, category: str
) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    actions.start_treatment(reg, person, category, "01/06/2026", planned="01/12/2026")
    assert sorted(status(reg, person)) == sorted(["addict", category])
    assert status(reg, person)[0] == category  # the treatment is the status shown
    user = next(e for e in episodes_of(reg, person) if e["category"] == "user")
    assert user["end_kind"] == "stopped"
    expected = (
        "Đưa vào cơ sở cai nghiện bắt buộc"
        if category == "rehab_compulsory"
        else ("Xác định là người nghiện")
    )
    assert user["end_reason"] == expected


def test_start_treatment_keeps_one_addict_episode(reg: Register, person: str) -> None:
    actions.found_addicted(reg, person, "01/06/2026")
    actions.start_treatment(reg, person, "methadone", "05/06/2026")
    assert [e["category"] for e in episodes_of(reg, person)] == ["addict", "methadone"]


def test_start_treatment_ends_a_watch_window(reg: Register, person: str) -> None:
    episodes.open_episode(reg, person, "watch", "01/01/2026")
    actions.start_treatment(reg, person, "rehab_home", "01/06/2026")
    watch = next(e for e in episodes_of(reg, person) if e["category"] == "watch")
    assert (watch["end_date"], watch["end_kind"]) == ("2026-06-01", "stopped")


def test_release_from_voluntary_rehab(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_home", "01/03/2026", duration_months=6)
    rehab = only(reg, person, "rehab_home")
    assert rehab["planned_end"] == "2026-09-01"
    out = actions.release_from_rehab(reg, rehab["id"], "01/09/2026")
    assert status(reg, person) == ["post_rehab"]
    assert [(e["category"], e["end_kind"]) for e in episodes_of(reg, person)] == [
        ("addict", "completed"),
        ("rehab_home", "completed"),
        ("post_rehab", None),
    ]
    # Post-rehab file within 3 working days of 1/9/2026; 1/9 and 2/9 are off (Quốc khánh):
    # Thursday 3/9, Friday 4/9, Monday 7/9.
    assert out.rule is not None and out.rule.key == "post_rehab_file"
    assert out.deadline == date(2026, 9, 7)


def test_release_from_compulsory_rehab_reports_in(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_compulsory", "01/03/2026", planned="01/09/2026")
    out = actions.release_from_rehab(reg, only(reg, person, "rehab_compulsory")["id"], "05/10/2026")
    assert out.rule is not None and out.rule.key == "compulsory_release_report"
    assert out.deadline == date(2026, 10, 12)  # Mon 5/10 + 5 working days
    assert reg.db["episodes"].get(out.episode_id)["planned_end"] == "2028-10-05"


def test_release_with_a_decision_has_no_deadline(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_facility", "01/03/2026")
    rehab = only(reg, person, "rehab_facility")
    out = actions.release_from_rehab(reg, rehab["id"], "01/09/2026", decision_no="5/QĐ")
    assert out.deadline is None
    assert reg.db["episodes"].get(out.episode_id)["decision_no"] == "5/QĐ"


def test_release_only_from_rehab(reg: Register, person: str) -> None:
    out = actions.management_decision(reg, person, "10/05/2026")
    error = _refused(reg, lambda: actions.release_from_rehab(reg, out.episode_id, "01/09/2026"))
    assert "đang cai nghiện" in error.errors["episode"]


def test_end_at_term_of_post_rehab_opens_the_watch_window(reg: Register, person: str) -> None:
    post = episodes.open_episode(reg, person, "post_rehab", "01/10/2025", decision_no="9/QĐ",
                                 prior_rehab="rehab_home")  # fmt: skip
    out = actions.end_at_term(reg, post, "01/10/2026")
    assert reg.db["episodes"].get(post)["end_kind"] == "term"
    assert status(reg, person) == ["watch"]
    watch = reg.db["episodes"].get(out.episode_id)
    assert (watch["start_date"], watch["planned_end"]) == ("2026-10-01", "2028-10-01")


def test_end_at_term_of_management_opens_nothing(reg: Register, person: str) -> None:
    decision = actions.management_decision(reg, person, "10/11/2025")
    out = actions.end_at_term(reg, decision.episode_id, "10/11/2026")
    assert out.episode_id is None
    assert status(reg, person) == []
    assert episodes.status_label(status(reg, person)) == ""


def test_no_watch_window_that_ends_before_the_crime_exists(reg: Register, person: str) -> None:
    # Post-rehab ended 1/6/2023: the window would end 1/6/2025, before Art. 256a (1/7/2025).
    post = episodes.open_episode(reg, person, "post_rehab", "01/06/2022", prior_rehab="rehab_home")
    assert actions.end_at_term(reg, post, "01/06/2023").episode_id is None
    assert status(reg, person, date(2024, 1, 1)) == []


def test_quit_treatment_opens_the_watch_window(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    methadone = only(reg, person, "methadone")
    out = actions.quit_treatment(reg, methadone["id"], "01/08/2026", reason="Bỏ điều trị")
    assert reg.db["episodes"].get(methadone["id"])["end_kind"] == "quit"
    assert reg.db["episodes"].get(out.episode_id)["planned_end"] == "2028-08-01"
    # Still an addict, now also watched.
    assert status(reg, person) == ["addict", "watch"]


def test_compulsory_rehab_cannot_be_quit(reg: Register, person: str) -> None:
    # Leaving compulsory rehab is absconding, not quitting: no watch window either.
    actions.start_treatment(reg, person, "rehab_compulsory", "01/03/2026")
    rehab = only(reg, person, "rehab_compulsory")["id"]
    error = _refused(reg, lambda: actions.quit_treatment(reg, rehab, "01/08/2026"))
    assert "Bỏ cai nghiện / bỏ điều trị" in error.errors["episode"]
    assert "Cai nghiện bắt buộc" in error.errors["episode"]


def test_move_away_needs_a_destination(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/01/2026")
    error = _refused(reg, lambda: actions.move_away(reg, person, "30/06/2026", "  "))
    assert "Nơi chuyển đến" in error.errors["moved_to"]


def test_move_away_before_law_120_2025(reg: Register, person: str) -> None:
    decision = actions.management_decision(reg, person, "10/01/2026")
    out = actions.move_away(reg, person, "30/06/2026", "Xã Chiềng Mung, Sơn La")
    assert out.deadline == date(2026, 7, 7)  # 5 working days
    assert out.rule is not None and "73/2021" in out.rule.source
    closed = reg.db["episodes"].get(decision.episode_id)
    assert (closed["end_date"], closed["end_kind"]) == ("2026-06-30", "moved_away")
    assert closed["moved_to"] == "Xã Chiềng Mung, Sơn La"
    assert status(reg, person) == []


def test_move_away_after_law_120_2025(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/01/2026")
    actions.suspected(reg, person, "01/06/2026")
    out = actions.move_away(reg, person, "01/07/2026", "Xã Mường Bú")
    assert out.deadline == date(2026, 7, 2)  # 24 hours
    assert out.rule is not None and out.rule.unit == "hours"
    assert {e["end_kind"] for e in episodes_of(reg, person)} == {"moved_away"}


def test_move_away_with_nothing_open(reg: Register, person: str) -> None:
    error = _refused(reg, lambda: actions.move_away(reg, person, "01/07/2026", "Xã Mường Bú"))
    assert "không còn diện quản lý" in error.errors["person"]


def test_mark_notice_sent(reg: Register, person: str) -> None:
    decision = actions.management_decision(reg, person, "10/01/2026")
    actions.move_away(reg, person, "01/07/2026", "Xã Mường Bú")
    actions.mark_notice_sent(reg, person, "02/07/2026")
    assert reg.db["episodes"].get(decision.episode_id)["notice_date"] == "2026-07-02"
    # Sending again does not overwrite the first date.
    actions.mark_notice_sent(reg, person, "03/07/2026")
    assert reg.db["episodes"].get(decision.episode_id)["notice_date"] == "2026-07-02"


def test_move_in_carries_over_the_planned_end(reg: Register, person: str) -> None:
    out = actions.move_in(reg, person, "user", "01/10/2026", "Xã Mường Bú", planned="15/03/2027")
    row = reg.db["episodes"].get(out.episode_id)
    assert row["planned_end"] == "2027-03-15"
    assert row["moved_from"] == "Xã Mường Bú"
    assert status(reg, person) == ["user"]


def test_move_in_without_the_old_decision_is_refused_not_a_fresh_year(
    reg: Register, person: str
) -> None:
    """Law 73/2021 Art. 23 (and Art. 40 for post-rehab): on moving, the remaining period carries
    over; "by law" must not quietly start a fresh year from the move."""
    for category in ("user", "post_rehab"):
        error = _refused(
            reg, lambda c=category: actions.move_in(reg, person, c, "01/10/2026", "Xã Mường Bú")
        )
        assert "ngày quyết định cũ hoặc ngày kết thúc" in error.errors["planned"]
    error = _refused(reg, lambda: actions.move_in(reg, person, "user", "01/10/2026", " "))
    assert "moved_from" in error.errors


@pytest.mark.parametrize(
    ("action", "kind"),
    [(actions.died, "died"), (actions.absconded, "absconded"), (actions.imprisoned, "prison")],
)
def test_died_absconded_prison_close_everything(
    reg: Register, person: str, action: Callable[..., object], kind: str
) -> None:
    actions.start_treatment(reg, person, "methadone", "01/03/2026")
    episodes.open_episode(reg, person, "post_rehab", "01/04/2026", prior_rehab="rehab_facility")
    assert len(status(reg, person)) == 3
    action(reg, person, "01/10/2026")
    assert status(reg, person) == []
    assert {(e["end_date"], e["end_kind"]) for e in episodes_of(reg, person)} == {
        ("2026-10-01", kind)
    }


def test_stop_needs_a_reason(reg: Register, person: str) -> None:
    decision = actions.management_decision(reg, person, "10/01/2026")
    _refused(reg, lambda: actions.stop(reg, decision.episode_id, "01/10/2026", " "))
    actions.stop(reg, decision.episode_id, "01/10/2026", "education_facility")
    row = reg.db["episodes"].get(decision.episode_id)
    assert row["end_reason"] == "Đưa vào cơ sở giáo dục bắt buộc / trường giáo dưỡng"


def test_absences_extend_post_rehab(reg: Register, person: str) -> None:
    post = episodes.open_episode(reg, person, "post_rehab", "01/10/2026", prior_rehab="rehab_home")
    episodes.set_absence(reg, post, 10)
    row = reg.db["episodes"].get(post)
    assert (row["absence_days"], row["planned_end"]) == (10, "2027-10-11")
    with pytest.raises(ValidationError):
        episodes.set_absence(reg, post, -1)
    user = episodes.open_episode(reg, person, "user", "01/10/2026")
    with pytest.raises(ValidationError, match="sau cai nghiện"):
        episodes.set_absence(reg, user, 3)


def test_status_follows_every_action(reg: Register, person: str) -> None:
    def label() -> str:
        return episodes.status_label(status(reg, person))

    assert label() == ""
    actions.suspected(reg, person, "01/01/2026")
    assert label() == "Nghi sử dụng (cần xét nghiệm)"
    actions.management_decision(reg, person, "05/01/2026")
    assert label() == "Sử dụng trái phép (đang quản lý)"
    actions.found_addicted(reg, person, "01/03/2026")
    assert label() == "Nghiện ma túy"
    actions.start_treatment(reg, person, "rehab_home", "05/03/2026", duration_months=6)
    assert label() == "Cai nghiện tự nguyện tại gia đình, cộng đồng; Nghiện ma túy"
    actions.release_from_rehab(reg, only(reg, person, "rehab_home")["id"], "05/09/2026")
    assert label() == "Quản lý sau cai nghiện"
    actions.move_away(reg, person, "01/10/2026", "Xã Mường Bú")
    assert label() == ""
    # The past is still readable: on 1/4/2026 the person was in rehab at home.
    assert status(reg, person, date(2026, 4, 1)) == ["rehab_home", "addict"]


def test_history_is_newest_first(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "05/01/2026")
    actions.found_addicted(reg, person, "01/03/2026")
    assert [e["category"] for e in episodes.history(reg, person)] == ["addict", "user"]


def test_every_write_is_logged_with_who_and_where(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "05/01/2026")
    actions.found_addicted(reg, person, "01/03/2026")
    rows = list(reg.db.query("SELECT * FROM change_log WHERE table_name = 'episodes'"))
    # user inserted, user stopped, addict inserted.
    assert [r["action"] for r in rows] == ["insert", "update", "insert"]
    assert {(r["user"], r["device_id"]) for r in rows} == {(reg.user, reg.device_id)}
    # The log cannot be rewritten.
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        reg.db.execute("DELETE FROM change_log")


def test_relapse_during_post_rehab_ends_post_rehab(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, Category.REHAB_HOME, "01/01/2025", duration_months=6)
    rehab = next(e for e in episodes.open_episodes(reg, person, date(2025, 2, 1))
                 if e["category"] == "rehab_home")  # fmt: skip
    actions.release_from_rehab(reg, rehab["id"], "01/07/2025", decision_no="9/QĐ")
    assert {e["category"] for e in episodes.open_episodes(reg, person, date(2025, 8, 1))} == {
        "post_rehab"
    }
    actions.found_addicted(reg, person, "01/09/2025")
    open_now = {e["category"] for e in episodes.open_episodes(reg, person, date(2025, 9, 2))}
    assert open_now == {"addict"}
    post = next(e for e in episodes_of(reg, person) if e["category"] == "post_rehab")
    assert post["end_kind"] == "stopped" and post["end_date"] == "2025-09-01"


def test_watch_window_follows_post_rehab_or_quitting_not_a_completed_rehab(
    reg: Register, person: str
) -> None:
    actions.start_treatment(reg, person, Category.REHAB_HOME, "01/01/2025", duration_months=6)
    rehab = next(e for e in episodes_of(reg, person) if e["category"] == "rehab_home")
    # Ending a treatment "at term" is not quitting it: no watch window.
    actions.end_at_term(reg, rehab["id"], "01/07/2025")
    assert not any(e["category"] == "watch" for e in episodes_of(reg, person))
    actions.start_treatment(reg, person, Category.METHADONE, "01/09/2025")
    again = next(e for e in episodes.open_episodes(reg, person, date(2025, 10, 1))
                 if e["category"] == "methadone")  # fmt: skip
    outcome = actions.quit_treatment(reg, again["id"], "01/10/2025")
    watch = next(e for e in episodes_of(reg, person) if e["category"] == "watch")
    assert outcome.episode_id == watch["id"]
    assert (watch["start_date"], watch["planned_end"]) == ("2025-10-01", "2027-10-01")


def test_an_imported_post_rehab_decision_keeps_its_decided_end(reg: Register, person: str) -> None:
    """Law 73/2021 Art. 40: 1 or 2 years by a history this register may not hold, so the end a
    decision states (an imported row) is kept as decided, whatever the rules would compute."""
    two_years = episodes.open_episode(
        reg, person, Category.POST_REHAB, "01/03/2026", planned="01/03/2028"
    )
    assert episodes_of(reg, person)[0]["planned_end"] == "2028-03-01"
    episodes.close_episode(reg, two_years, "02/03/2026", "stopped", reason="other")
    episodes.open_episode(reg, person, Category.POST_REHAB, "03/03/2026", planned="15/03/2027")
    assert episodes_of(reg, person)[-1]["planned_end"] == "2027-03-15"
