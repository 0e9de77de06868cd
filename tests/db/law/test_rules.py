"""The table of legal rules (db.law.rules) and the periods it gives episodes
(db.persons.episodes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from db.core.errors import ValidationError
from db.duties import actions
from db.law.categories import Category
from db.law.rules import (
    RULES,
    STATE_LABELS,
    WITHOUT_ARTICLE,
    apply,
    deadline,
    in_force,
    legal_basis,
    rule,
    state,
    versions,
)
from db.law.workdays import DayOverride, WorkCalendar
from db.persons import episodes
from db.store.register import Register

CAL = WorkCalendar()


# --- the table --------------------------------------------------------------------------------


def test_move_notice_changes_with_law_120_2025() -> None:
    before = rule("move_notice", date(2026, 6, 30))
    assert (before.value, before.unit) == (5, "working_days")
    assert "73/2021" in before.source
    after = rule("move_notice", date(2026, 7, 1))
    assert (after.value, after.unit) == (24, "hours")
    assert "120/2025" in after.source
    assert after.effective == date(2026, 7, 1)
    assert [r.effective for r in versions("move_notice")] == [date(2022, 1, 1), date(2026, 7, 1)]


@pytest.mark.parametrize("r", RULES, ids=lambda r: f"{r.key}@{r.effective}")
def test_every_rule_names_its_source_and_effective_date(r) -> None:  # type: ignore[no-untyped-def]
    assert r.source.strip()
    assert r.text.strip()
    assert isinstance(r.effective, date)
    assert r.value >= 0
    assert r.shown()
    # And the lookup on its effective date finds this very version.
    assert rule(r.key, r.effective) is r


@pytest.mark.parametrize("r", RULES, ids=lambda r: f"{r.key}@{r.effective}")
def test_every_rule_names_its_article_or_a_document_whose_articles_were_not_checked(r) -> None:  # type: ignore[no-untyped-def]
    """An article number only where it was checked; the others cite the document alone."""
    assert r.article_known or r.source in WITHOUT_ARTICLE


LAW73_KEYS = [
    "management_period", "rehab_home_min", "rehab_home_max", "post_rehab_period",
    "post_rehab_period_compulsory_adult", "adult_age", "positive_report_chairman",
    "positive_test_decision", "residence_check_new", "residence_check_new_remote",
    "stable_residence_days", "residence_check_monthly", "addict_register_treatment",
    "rehab_registration_check", "post_rehab_file", "post_rehab_decision",
    "compulsory_release_report",
]  # fmt: skip


@pytest.mark.parametrize("key", LAW73_KEYS)
def test_law_120_2025_from_1_july_2026_keeps_the_value_and_cites_no_article(key: str) -> None:
    """Law 120/2025/QH15 replaces Law 73/2021 on 01/07/2026: the rule cites it (no article
    number was checked) and keeps the old value, saying where it came from."""
    before, after = rule(key, date(2026, 6, 30)), rule(key, date(2026, 7, 1))
    assert before.article_known and "120/2025" not in before.source
    assert (after.source, after.effective) == ("Luật 120/2025/QH15", date(2026, 7, 1))
    assert "Điều" not in after.source
    assert (after.value, after.unit, after.text) == (before.value, before.unit, before.text)
    assert before.source in after.note


def test_rules_without_a_checked_article_are_said_so() -> None:
    """The move notice under Law 73/2021 and Decision 28/2025's thresholds cite their documents
    without an article."""
    assert rule("move_notice", date(2026, 6, 30)).source == "Luật PCMT 2021 (Luật 73/2021/QH14)"
    for key in ("hotspot_users_share", "hotspot_places", "hotspot_offenders_share",
                "hotspot_plants", "hotspot_plants_area", "hotspot_min_criteria"):  # fmt: skip
        r = rule(key, date(2026, 11, 20))
        assert (r.source, r.effective, r.article_known) == (
            "QĐ 28/2025/QĐ-TTg",
            date(2025, 1, 1),
            False,
        )


def test_art_256a_window_takes_effect_on_1_july_2025_under_law_86_2025() -> None:
    r = rule("watch_window", date(2026, 11, 20))
    assert (r.value, r.unit, r.effective) == (24, "months", date(2025, 7, 1))
    assert "Điều 256a" in r.source and "86/2025" in r.source


@pytest.mark.parametrize(
    ("on", "basis"),
    [
        (date(2026, 6, 30), ["Luật Phòng, chống ma túy năm 2021", "Nghị định số 105/2021/NĐ-CP",
                             "Nghị định số 116/2021/NĐ-CP"]),
        (date(2026, 7, 1), ["Luật Phòng, chống ma túy số 120/2025/QH15"]),
        (date(2021, 6, 1), ["Luật Phòng, chống ma túy năm 2021", "Nghị định số 105/2021/NĐ-CP",
                            "Nghị định số 116/2021/NĐ-CP"]),
    ],
)  # fmt: skip
def test_the_legal_basis_follows_the_rules_in_force(on: date, basis: list[str]) -> None:
    assert legal_basis(on) == basis


def test_shares_thresholds_have_at_most_two_decimals() -> None:
    """The figures cut a share to 2 decimals; a threshold with more would not agree as shown."""
    for r in RULES:
        if r.unit == "percent":
            assert round(r.value, 2) == r.value


def test_no_two_versions_of_a_rule_take_effect_on_the_same_day() -> None:
    seen = [(r.key, r.effective) for r in RULES]
    assert len(seen) == len(set(seen))


def test_before_the_first_version_the_first_one_applies() -> None:
    assert rule("move_notice", date(2020, 1, 1)).unit == "working_days"
    assert not in_force("watch_window", date(2025, 6, 30))
    assert in_force("watch_window", date(2025, 7, 1))


def test_a_version_is_pending_in_force_then_replaced() -> None:
    old, new = versions("move_notice")
    assert [state(r, date(2026, 6, 30)) for r in (old, new)] == ["in_force", "pending"]
    assert [state(r, date(2026, 7, 1)) for r in (old, new)] == ["replaced", "in_force"]
    # Before the first version took effect the lookup falls back on it; it is still pending.
    assert state(old, date(2021, 12, 31)) == "pending"
    assert STATE_LABELS["replaced"] == "Đã được thay thế"


def test_unknown_rule_is_a_bug_not_a_user_error() -> None:
    with pytest.raises(KeyError):
        rule("no_such_rule", date(2026, 1, 1))


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("management_period", "12 tháng"),
        ("positive_test_decision", "3 ngày làm việc"),
        ("hotspot_users_share", "0,5%"),
        ("hotspot_plants_area", "750 m²"),
    ],
)
def test_shown_in_vietnamese(key: str, shown: str) -> None:
    assert rule(key, date(2026, 11, 20)).shown() == shown


def test_a_threshold_is_not_a_duration() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        apply(rule("hotspot_places", date(2026, 1, 1)), date(2026, 1, 1), CAL)


# --- deadlines --------------------------------------------------------------------------------


def test_decision_deadline_skips_the_weekend() -> None:
    # A positive test on Friday 20/11/2026: Monday, Tuesday, Wednesday.
    due, used = deadline("positive_test_decision", date(2026, 11, 20), CAL)
    assert due == date(2026, 11, 25)
    assert used.key == "positive_test_decision"
    assert used.source == "Luật 120/2025/QH15"  # the law in force from 01/07/2026


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 25)),  # Friday before Tết Bính Ngọ (16-20/2 off)
        (date(2026, 4, 29), date(2026, 5, 6)),  # 30/4 and 1/5 off
        # Giỗ Tổ on Sunday 26/4 gives Monday 27/4 off; then 30/4 and 1/5.
        (date(2026, 4, 24), date(2026, 5, 4)),
        (date(2026, 8, 31), date(2026, 9, 7)),  # 1/9 and 2/9 off
        (date(2026, 11, 23), date(2026, 11, 26)),  # an ordinary Monday
    ],
)
def test_working_day_deadlines_skip_holidays(start: date, expected: date) -> None:
    assert deadline("positive_test_decision", start, CAL)[0] == expected


def test_officer_overrides_move_a_deadline() -> None:
    # A day off decided for Monday 23/11/2026 pushes the deadline one day.
    cal = WorkCalendar([DayOverride(date(2026, 11, 23), "holiday", "Nghỉ")])
    assert deadline("positive_test_decision", date(2026, 11, 20), cal)[0] == date(2026, 11, 26)
    # A make-up Saturday brings it one day closer.
    cal = WorkCalendar([DayOverride(date(2026, 11, 21), "workday", "Làm bù")])
    assert deadline("positive_test_decision", date(2026, 11, 20), cal)[0] == date(2026, 11, 24)


def test_move_notice_deadline_before_and_after_1_july_2026() -> None:
    # Tuesday 30/6/2026: 5 working days under Law 73/2021.
    due, used = deadline("move_notice", date(2026, 6, 30), CAL)
    assert due == date(2026, 7, 7)
    assert "73/2021" in used.source
    # From 1/7/2026: 24 hours, weekend or not.
    assert deadline("move_notice", date(2026, 7, 1), CAL)[0] == date(2026, 7, 2)
    assert deadline("move_notice", date(2026, 7, 3), CAL)[0] == date(2026, 7, 4)


def test_residence_check_new_user_normal_and_remote() -> None:
    assert deadline("residence_check_new", date(2026, 11, 20), CAL)[0] == date(2026, 11, 25)
    # 10 working days: two full weeks from Friday.
    assert deadline("residence_check_new_remote", date(2026, 11, 20), CAL)[0] == date(2026, 12, 4)


# --- periods an episode gets ------------------------------------------------------------------


def test_management_period_is_twelve_months(reg: Register, person: str) -> None:
    start = date(2026, 2, 10)
    assert episodes.planned_end(reg, person, Category.USER, start) == date(2027, 2, 10)
    episode = episodes.open_episode(reg, person, "user", start)
    assert reg.db["episodes"].get(episode)["planned_end"] == "2027-02-10"


def test_watch_window_is_two_years(reg: Register, person: str) -> None:
    assert episodes.planned_end(reg, person, Category.WATCH, date(2026, 3, 31)) == date(2028, 3, 31)


@pytest.mark.parametrize(
    ("birth", "months"),
    [
        ("1990", 24),  # adult
        (None, 24),  # age unknown: compulsory rehab is for adults
        ("2008", 24),  # may have turned 18 in 2026 (year only): not certainly a minor
        ("30/12/2008", 12),  # certainly 17 on release
    ],
)
def test_post_rehab_after_compulsory_rehab(
    reg: Register, add: Callable[..., str], birth: str | None, months: int
) -> None:
    pid = add("Lò Văn Sướng", birth_date=birth)
    actions.start_treatment(reg, pid, "rehab_compulsory", "01/03/2026", planned="01/09/2026")
    rehab = next(e for e in episodes.open_episodes(reg, pid) if e["category"] == "rehab_compulsory")
    outcome = actions.release_from_rehab(reg, rehab["id"], "01/09/2026")
    post = reg.db["episodes"].get(outcome.episode_id)
    assert post["category"] == "post_rehab"
    assert post["planned_end"] == ("2028-09-01" if months == 24 else "2027-09-01")


def test_post_rehab_after_voluntary_rehab_is_one_year(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_home", "01/03/2026", duration_months=6)
    rehab = next(e for e in episodes.open_episodes(reg, person) if e["category"] == "rehab_home")
    outcome = actions.release_from_rehab(reg, rehab["id"], "01/09/2026")
    assert reg.db["episodes"].get(outcome.episode_id)["planned_end"] == "2027-09-01"


@pytest.mark.parametrize(
    ("months", "expected"),
    [(None, date(2026, 7, 31)), (6, date(2026, 7, 31)), (9, date(2026, 10, 31)),
     (12, date(2027, 1, 31))],
)  # fmt: skip
def test_rehab_at_home_six_to_twelve_months(
    reg: Register, person: str, months: int | None, expected: date
) -> None:
    start = date(2026, 1, 31)
    assert episodes.planned_end(reg, person, Category.REHAB_HOME, start, months) == expected


@pytest.mark.parametrize("months", [1, 5, 13, 24])
def test_rehab_at_home_outside_six_to_twelve_months_is_refused(
    reg: Register, person: str, months: int
) -> None:
    before = reg.db["episodes"].count
    with pytest.raises(ValidationError) as caught:
        actions.start_treatment(reg, person, "rehab_home", "01/03/2026", duration_months=months)
    assert "từ 6 đến 12 tháng" in caught.value.errors["duration_months"]
    assert reg.db["episodes"].count == before  # nor the addict episode it would open
