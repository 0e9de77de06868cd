"""Unreported absences during post-rehab management (Law 73/2021 Art. 40; Decree 116/2021
Art. 77–81): they do not count toward the period, so each adds its days (both ends counted) to
the recorded end — the end decided, not one recomputed. The register's today: 20/11/2026."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from db.core.errors import ValidationError
from db.duties import actions
from db.law.categories import Category
from db.persons import absences, episodes
from db.store.register import Register
from tests.support.registers import count, log_entries


@pytest.fixture
def decided(reg: Register, person: str) -> str:
    """An imported post-rehab decision from 15/03/2026 ending 15/03/2027, as decided."""
    return episodes.open_episode(
        reg, person, Category.POST_REHAB, "15/03/2026", planned="15/03/2027", decision_no="4/QĐ"
    )


def end_of(reg: Register, episode_id: str) -> tuple[str, int]:
    row = reg.db["episodes"].get(episode_id)
    return row["planned_end"], row["absence_days"]


def refused(reg: Register, call: Callable[[], object]) -> ValidationError:
    """Refused, and nothing written (no absence, no change to the period, nothing logged)."""
    before = count(reg, "absences"), count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        call()
    assert (count(reg, "absences"), count(reg, "change_log")) == before
    return caught.value


def test_art_40_a_20_day_absence_adds_to_the_decided_end(reg: Register, decided: str) -> None:
    """15/03/2027 + 20 days (01/10–20/10/2026, both counted) = 04/04/2027."""
    absence = absences.record_absence(reg, decided, "01/10/2026", "20/10/2026", "Đi làm ăn xa")
    assert end_of(reg, decided) == ("2027-04-04", 20)
    row = reg.db["absences"].get(absence)
    assert (row["start_date"], row["end_date"], row["days"]) == ("2026-10-01", "2026-10-20", 20)
    # Logged: the absence and the moved end.
    assert [e["action"] for e in log_entries(reg, absence)] == ["insert"]
    [update] = [e for e in log_entries(reg, decided) if e["action"] == "update"]
    assert update["changes"]["planned_end"] == ["2027-03-15", "2027-04-04"]


def test_art_40_set_absence_adds_to_the_recorded_end_not_a_recomputed_one(
    reg: Register, decided: str
) -> None:
    episodes.set_absence(reg, decided, 20)
    assert end_of(reg, decided) == ("2027-04-04", 20)
    episodes.set_absence(reg, decided, 5)  # corrected down: the end moves back by 15
    assert end_of(reg, decided) == ("2027-03-20", 5)


def test_art_40_absences_add_up_and_never_overlap(reg: Register, decided: str) -> None:
    absences.record_absence(reg, decided, "01/10/2026", "20/10/2026")
    error = refused(reg, lambda: absences.record_absence(reg, decided, "20/10/2026", "22/10/2026"))
    assert "Trùng với lần vắng mặt đã ghi từ 01/10/2026 đến 20/10/2026" in error.errors["start"]
    # The next day is another absence: 5 more days, 04/04/2027 + 5 = 09/04/2027.
    absences.record_absence(reg, decided, "21/10/2026", "25/10/2026")
    assert end_of(reg, decided) == ("2027-04-09", 25)


@pytest.mark.parametrize(
    ("start", "end", "field", "says"),
    [
        (
            "01/03/2026",
            "05/03/2026",
            "start",
            "trước ngày bắt đầu quản lý sau cai nghiện 15/03/2026",
        ),
        ("10/11/2026", "25/11/2026", "end", "tương lai"),
        ("10/10/2026", "01/10/2026", "end", "trước ngày 10/10/2026"),
        ("", "01/10/2026", "start", "không được để trống"),
        ("31/09/2026", "01/10/2026", "start", "không có trong lịch"),
    ],
)
def test_art_40_an_absence_outside_the_period_or_with_bad_dates_is_refused(
    reg: Register, decided: str, start: str, end: str, field: str, says: str
) -> None:
    error = refused(reg, lambda: absences.record_absence(reg, decided, start, end))
    assert says in error.errors[field]
    assert end_of(reg, decided) == ("2027-03-15", 0)


def test_art_40_an_absence_after_the_period_ended_is_refused(reg: Register, person: str) -> None:
    """Post-rehab from 01/10/2025 (1 year): its term, 01/10/2026, has passed though not closed."""
    post = episodes.open_episode(reg, person, "post_rehab", "01/10/2025", prior_rehab="rehab_home")
    error = refused(reg, lambda: absences.record_absence(reg, post, "05/10/2026", "06/10/2026"))
    assert "kết thúc ngày 01/10/2026" in error.errors["start"]


def test_art_40_only_post_rehab_has_absences(reg: Register, person: str) -> None:
    user = actions.management_decision(reg, person, "10/05/2026").episode_id
    assert user is not None
    error = refused(reg, lambda: absences.record_absence(reg, user, "01/10/2026", "02/10/2026"))
    assert "sau cai nghiện" in error.errors["episode"]


def test_art_40_an_absence_recorded_by_mistake_is_taken_back(reg: Register, decided: str) -> None:
    absence = absences.record_absence(reg, decided, "01/10/2026", "20/10/2026")
    absences.delete_absence(reg, absence)
    assert end_of(reg, decided) == ("2027-03-15", 0)
    assert absences.absences_of(reg, reg.db["episodes"].get(decided)["person_id"]) == []


def test_art_40_the_action_says_the_new_end(reg: Register, person: str, decided: str) -> None:
    out = actions.record_absence(reg, decided, "01/10/2026", "20/10/2026")
    assert out.deadline == date(2027, 4, 4)
    # From a form: the refusal lands under the form's fields ("date", "until").
    values = {"episode": decided, "date": date(2026, 10, 15), "until": date(2026, 10, 16)}
    error = refused(reg, lambda: actions.run_action(reg, "absence", person, values))
    assert "Trùng với lần vắng mặt" in error.errors["date"]
    actions.run_action(reg, "absence", person, {**values, "date": date(2026, 11, 2),
                                                "until": date(2026, 11, 3)})  # fmt: skip
    assert end_of(reg, decided) == ("2027-04-06", 22)


def test_art_40_the_absence_action_applies_to_post_rehab_only(reg: Register, person: str) -> None:
    from db.duties.applies import applicable_actions, refusal

    assert "absence" not in {a.key for a in applicable_actions(reg, person)}
    assert "quản lý sau cai nghiện" in refusal(reg, "absence", person)
    episodes.open_episode(reg, person, "post_rehab", "01/10/2026", prior_rehab="rehab_home")
    assert "absence" in {a.key for a in applicable_actions(reg, person)}
