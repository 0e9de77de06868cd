"""Periods by the law (issue 15): a post-rehab period whose earlier rehab is unknown is asked
for, not given 1 year; moving in carries the old decision over; ending at term only at or after
the term. Every date hand-computed; the register's today is Friday 20/11/2026."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from db.core.errors import ValidationError
from db.duties import actions
from db.duties.applies import check_action
from db.law.categories import Category
from db.persons import episodes
from db.store.register import Register
from tests.support.registers import count


def refused(reg: Register, call: Callable[[], object]) -> ValidationError:
    """The call raises ValidationError and writes nothing."""
    rows, logged = count(reg, "episodes"), count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        call()
    assert (count(reg, "episodes"), count(reg, "change_log")) == (rows, logged)
    return caught.value


def planned(reg: Register, episode_id: str | None) -> str:
    assert episode_id is not None
    return str(reg.db["episodes"].get(episode_id)["planned_end"])


# --- Post-rehab: 1 or 2 years by the rehab before it (Law 73/2021 Art. 40) ---------------------


def test_art_40_post_rehab_with_unknown_earlier_rehab_is_asked_not_given_a_year(
    reg: Register, person: str
) -> None:
    error = refused(reg, lambda: episodes.open_episode(reg, person, "post_rehab", "01/10/2026"))
    assert "Hình thức cai nghiện trước đó" in error.errors["prior_rehab"]
    assert "ngày kết thúc theo quyết định" in error.errors["prior_rehab"]


@pytest.mark.parametrize(
    ("prior", "end"),
    [("rehab_home", "2027-10-01"), ("rehab_facility", "2027-10-01"),
     ("rehab_compulsory", "2028-10-01"), ("Cai nghiện bắt buộc", "2028-10-01")],
)  # fmt: skip
def test_art_40_post_rehab_length_from_the_rehab_given(
    reg: Register, person: str, prior: str, end: str
) -> None:
    """From 01/10/2026: 1 year, or 2 for an adult (born 1990) out of compulsory rehab."""
    post = episodes.open_episode(reg, person, "post_rehab", "01/10/2026", prior_rehab=prior)
    assert planned(reg, post) == end


def test_art_40_the_prior_rehab_must_be_a_rehab(reg: Register, person: str) -> None:
    error = refused(
        reg,
        lambda: episodes.open_episode(
            reg, person, "post_rehab", "01/10/2026", prior_rehab="methadone"
        ),
    )
    assert "Cai nghiện bắt buộc" in error.errors["prior_rehab"]


def test_art_40_a_decided_end_needs_no_prior_rehab(reg: Register, person: str) -> None:
    post = episodes.open_episode(reg, person, "post_rehab", "15/03/2026", planned="15/03/2027")
    assert planned(reg, post) == "2027-03-15"


# --- Moving in: the remaining time carries over (Law 73/2021 Art. 23, 40) ----------------------


def test_art_23_moved_in_user_ends_a_year_after_the_old_decision_not_after_the_move(
    reg: Register, person: str
) -> None:
    """Old decision 10/02/2026, moved in 01/10/2026: the year ends 10/02/2027."""
    out = actions.move_in(reg, person, "user", "01/10/2026", "Xã Mường Bú",
                          decision_date="10/02/2026")  # fmt: skip
    row = reg.db["episodes"].get(out.episode_id)
    assert (row["start_date"], row["planned_end"]) == ("2026-10-01", "2027-02-10")
    assert row["decision_date"] == "2026-02-10"


def test_art_40_moved_in_post_rehab_from_the_old_decision(reg: Register, person: str) -> None:
    """Old post-rehab decision 10/02/2026 after compulsory rehab (adult): ends 10/02/2028; with
    the old decision's date alone the earlier rehab is still asked for."""
    error = refused(
        reg,
        lambda: actions.move_in(
            reg, person, "post_rehab", "01/10/2026", "Xã Mường Bú", decision_date="10/02/2026"
        ),
    )
    assert "Hình thức cai nghiện trước đó" in error.errors["prior_rehab"]
    out = actions.move_in(reg, person, "post_rehab", "01/10/2026", "Xã Mường Bú",
                          decision_date="10/02/2026", prior_rehab="rehab_compulsory")  # fmt: skip
    assert planned(reg, out.episode_id) == "2028-02-10"


def test_art_23_moved_in_with_an_expired_old_decision_is_refused(
    reg: Register, person: str
) -> None:
    """Old decision 01/09/2025: its year ended 01/09/2026, before the move on 01/10/2026."""
    error = refused(
        reg,
        lambda: actions.move_in(
            reg, person, "user", "01/10/2026", "Xã Mường Bú", decision_date="01/09/2025"
        ),
    )
    assert "01/09/2026" in error.errors["planned"]


def test_art_23_the_move_in_form_asks_for_the_old_decision(reg: Register, person: str) -> None:
    values = {"category": "user", "date": date(2026, 10, 1), "moved_from": "Xã Mường Bú"}
    found = check_action(reg, "move_in", person, values)
    assert "ngày quyết định cũ hoặc ngày kết thúc" in found["planned"]
    # An addict or a person in home rehab carries no decided year over.
    assert check_action(reg, "move_in", person, {**values, "category": "addict"}) == {}
    out = actions.run_action(
        reg, "move_in", person, {**values, "decision_date": date(2026, 2, 10), "planned": None}
    )
    assert planned(reg, out.episode_id) == "2027-02-10"


# --- Chấm dứt at term (Mẫu 10) only at or after the term; earlier is a stop (Mẫu 09) ------------


def test_ending_at_term_before_the_term_is_refused_art_23(reg: Register, person: str) -> None:
    """Decision 10/05/2026: the term is 10/05/2027; on 20/11/2026 it is a stop with a reason."""
    decision = actions.management_decision(reg, person, "10/05/2026")
    assert decision.episode_id is not None
    error = refused(reg, lambda: actions.end_at_term(reg, decision.episode_id, "20/11/2026"))
    assert "10/05/2027" in error.errors["date"]
    assert "Dừng quản lý trước thời hạn (Mẫu 09)" in error.errors["date"]
    actions.stop(reg, decision.episode_id, "20/11/2026", "education_facility")
    assert reg.db["episodes"].get(decision.episode_id)["end_kind"] == "stopped"


def test_ending_at_term_on_the_term_day_art_23(reg: Register, person: str) -> None:
    """Decision 20/11/2025: the term is today, 20/11/2026."""
    decision = actions.management_decision(reg, person, "20/11/2025")
    assert decision.episode_id is not None
    actions.end_at_term(reg, decision.episode_id, "20/11/2026")
    row = reg.db["episodes"].get(decision.episode_id)
    assert (row["end_date"], row["end_kind"]) == ("2026-11-20", "term")


def test_post_rehab_term_counts_the_absences_art_40(reg: Register, person: str) -> None:
    """Post-rehab from 01/11/2025 (1 year) with a 10-day absence: the term is 11/11/2026, so
    ending it on 05/11/2026 is refused and on 11/11/2026 opens the watch window."""
    post = episodes.open_episode(reg, person, Category.POST_REHAB, "01/11/2025",
                                 prior_rehab="rehab_home")  # fmt: skip
    actions.record_absence(reg, post, "01/02/2026", "10/02/2026")
    assert planned(reg, post) == "2026-11-11"
    refused(reg, lambda: actions.end_at_term(reg, post, "05/11/2026"))
    out = actions.end_at_term(reg, post, "11/11/2026")
    assert reg.db["episodes"].get(out.episode_id)["category"] == "watch"
