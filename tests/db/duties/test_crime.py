"""Criminal Code Art. 256a(1) as enacted (db.duties.crime): one reading of a positive test for
the due list and the person screen. Today is Friday 20/11/2026; every answer is worked out by
hand from the dates written in the test.

Points: (a) use during rehab or substitution treatment; (b) during post-rehab management;
(c) within 2 years after post-rehab management ended AND while under management as an illegal
user; (d) within 2 years after quitting voluntary rehab or substitution treatment. In force
01/07/2025, never before (Criminal Code Art. 7).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from db.duties import actions
from db.duties.crime import positive_follow_up, reading, record_handover
from db.duties.due import DueItem, due_items
from db.persons import contacts, drugtests, episodes
from db.store.register import Register


def crimes(reg: Register, on: date | None = None) -> list[DueItem]:
    return [i for i in due_items(reg, on) if i.kind == "crime"]


def positives(reg: Register, on: date | None = None) -> list[DueItem]:
    return [i for i in due_items(reg, on) if i.kind == "positive"]


def episode(reg: Register, person: str, category: str) -> str:
    [row] = reg.db.query(
        "SELECT id FROM episodes WHERE person_id = ? AND category = ? AND end_date IS NULL",
        [person, category],
    )
    return str(row["id"])


def on_methadone(reg: Register, person: str, since: str = "01/06/2026") -> None:
    """An addict found on 01/05/2025, on methadone from `since`."""
    actions.found_addicted(reg, person, "01/05/2025")
    actions.start_treatment(reg, person, "methadone", since)


# --- (a) rehab or substitution treatment ------------------------------------------------------


def test_256a_a_positive_during_methadone_is_a_crime_sign_on_both_screens(
    reg: Register, person: str
) -> None:
    on_methadone(reg, person)
    drugtests.record_test(reg, person, "18/11/2026", positives="MET")
    [item] = crimes(reg)
    assert (item.due, item.overdue) == (date(2026, 11, 18), True)
    assert "điều trị thay thế (methadone) từ 01/06/2026" in item.text
    assert "Điểm a khoản 1 Điều 256a" in item.source
    assert positives(reg) == []  # an addict: no management decision
    follow = positive_follow_up(reg, person, date(2026, 11, 18), ["MET"])
    assert (follow.kind, follow.crime, follow.point) == ("crime", True, "a")
    assert "điểm a khoản 1 Điều 256a" in follow.short + follow.full
    assert "01/06/2026" in follow.why and "chuyển cơ quan điều tra" in follow.full


@pytest.mark.parametrize("category", ["rehab_home", "rehab_facility", "rehab_compulsory"])
def test_256a_a_positive_during_any_rehab_is_a_crime_sign(
    reg: Register, person: str, category: str
) -> None:
    actions.start_treatment(reg, person, category, "01/06/2026")
    drugtests.record_test(reg, person, "18/11/2026", positives="MET")
    got = reading(reg, person, date(2026, 11, 18))
    assert (got.point, got.crime) == ("a", True)
    assert "từ 01/06/2026" in got.why
    assert [i.source for i in crimes(reg)] == [got.source]


def test_256a_a_methadone_alone_during_methadone_treatment_is_the_treatment(
    reg: Register, person: str
) -> None:
    on_methadone(reg, person)
    drugtests.record_test(reg, person, "18/11/2026", positives="MTD")
    assert crimes(reg) == []
    follow = positive_follow_up(reg, person, date(2026, 11, 18), ["MTD"])
    assert (follow.kind, follow.point) == ("treatment", None)
    assert "không phải sử dụng trái phép" in follow.full
    # Heroin beside the methadone is use.
    assert reading(reg, person, date(2026, 11, 18), ["MTD", "HER"]).point == "a"


def test_256a_a_the_intake_test_on_the_first_day_of_treatment_is_not_during_it(
    reg: Register, person: str
) -> None:
    """A positive on the day treatment begins shows use from before it (the intake test)."""
    on_methadone(reg, person, since="18/11/2026")
    assert reading(reg, person, date(2026, 11, 18)).point is None
    assert reading(reg, person, date(2026, 11, 19)).point == "a"


# --- not before 01/07/2025 (Criminal Code Art. 7) ---------------------------------------------


def test_256a_b_day_before_the_law_is_administrative_the_day_it_takes_effect_a_crime(
    reg: Register, person: str
) -> None:
    episodes.open_episode(
        reg, person, "post_rehab", "01/01/2025", decision_no="3/QĐ", planned="01/01/2026"
    )
    before = reading(reg, person, date(2025, 6, 30))
    assert (before.point, before.crime) == (None, False)
    assert "01/07/2025" in before.why and "Điều 7" in before.why and "hành chính" in before.why
    assert reading(reg, person, date(2025, 7, 1)).point == "b"
    # On the due list: the 01/07/2025 positive is a crime sign, the 30/06/2025 one never.
    drugtests.record_test(reg, person, "30/06/2025", positives="MET")
    assert crimes(reg) == []
    drugtests.record_test(reg, person, "01/07/2025", positives="MET")
    assert [i.due for i in crimes(reg)] == [date(2025, 7, 1)]


def test_256a_a_positive_in_treatment_before_the_law_gets_no_decision_and_no_crime(
    reg: Register, person: str
) -> None:
    actions.found_addicted(reg, person, "01/02/2025")
    actions.start_treatment(reg, person, "methadone", "01/03/2025")
    follow = positive_follow_up(reg, person, date(2025, 6, 30), ["MOP"])
    assert (follow.kind, follow.point) == ("treatment", None)
    assert "không áp dụng hồi tố" in follow.full


# --- (b) post-rehab management ----------------------------------------------------------------


def test_256a_b_positive_during_post_rehab_is_a_crime_sign(reg: Register, person: str) -> None:
    episodes.open_episode(
        reg, person, "post_rehab", "01/06/2026", decision_no="9/QĐ", planned="01/06/2027"
    )
    drugtests.record_test(reg, person, "18/11/2026", positives="MET")
    [item] = crimes(reg)
    assert "quản lý sau cai nghiện từ 01/06/2026" in item.text
    assert "Điểm b khoản 1 Điều 256a" in item.source
    assert positives(reg) == []
    assert positive_follow_up(reg, person, date(2026, 11, 18)).point == "b"


# --- (c) within 2 years after post-rehab, AND under management --------------------------------


@pytest.fixture
def after_post_rehab(reg: Register, person: str) -> str:
    """Post-rehab management from 18/11/2023, ended at term on 18/11/2024: the 2 years after it
    run to the end of 18/11/2026."""
    post = episodes.open_episode(
        reg, person, "post_rehab", "18/11/2023", decision_no="1/QĐ", planned="18/11/2024"
    )
    actions.end_at_term(reg, post, "18/11/2024")
    return person


def test_256a_c_first_use_after_post_rehab_is_a_decision_the_second_during_it_a_crime(
    reg: Register, after_post_rehab: str
) -> None:
    person = after_post_rehab
    drugtests.record_test(reg, person, "10/09/2026", positives="MET")
    first = positive_follow_up(reg, person, date(2026, 9, 10))
    assert (first.kind, first.point) == ("decision", None)
    assert "18/11/2024" in first.why and "điểm c khoản 1 Điều 256a" in first.why
    assert crimes(reg, date(2026, 9, 11)) == []
    [item] = positives(reg, date(2026, 9, 11))
    assert "sử dụng lại trong thời gian bị quản lý" in item.text
    actions.management_decision(reg, person, "11/09/2026", decision_no="20/QĐ")
    drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    second = reading(reg, person, date(2026, 11, 16))
    assert second.point == "c"
    assert "18/11/2024" in second.why and "11/09/2026" in second.why
    [item] = crimes(reg)
    assert item.due == date(2026, 11, 16) and "Điểm c" in item.source
    assert positives(reg) == []  # the crime path, not a new decision


def test_256a_c_exactly_two_years_after_the_end_still_counts_the_day_after_not(
    reg: Register, after_post_rehab: str
) -> None:
    """Civil Code Art. 147–148: 2 years from 18/11/2024 end at the end of 18/11/2026."""
    actions.management_decision(reg, after_post_rehab, "01/10/2026", decision_no="5/QĐ")
    assert reading(reg, after_post_rehab, date(2026, 11, 18)).point == "c"
    late = reading(reg, after_post_rehab, date(2026, 11, 19))
    assert (late.point, late.why) == (None, "")


def test_256a_c_a_decision_made_the_day_of_the_test_is_not_management_during_the_use(
    reg: Register, after_post_rehab: str
) -> None:
    actions.management_decision(reg, after_post_rehab, "16/11/2026", decision_no="5/QĐ")
    assert reading(reg, after_post_rehab, date(2026, 11, 16)).point is None
    assert reading(reg, after_post_rehab, date(2026, 11, 17)).point == "c"


def test_256a_c_a_watch_window_typed_in_reads_as_after_post_rehab(
    reg: Register, person: str
) -> None:
    """A watch window with no ending before it on the register ("Theo dõi 2 năm sau quản
    lý"): a crime only while also under management."""
    episodes.open_episode(reg, person, "watch", "01/03/2026")
    assert positive_follow_up(reg, person, date(2026, 11, 18)).kind == "decision"
    actions.management_decision(reg, person, "01/10/2026", decision_no="7/QĐ")
    assert positive_follow_up(reg, person, date(2026, 11, 18)).point == "c"


# --- (d) within 2 years after quitting --------------------------------------------------------


def test_256a_d_quit_methadone_then_positive_is_on_the_due_list(reg: Register, person: str) -> None:
    """The addict episode stays open after quitting; it must not hide the crime sign."""
    actions.found_addicted(reg, person, "01/02/2025")
    actions.start_treatment(reg, person, "methadone", "01/03/2025")
    actions.quit_treatment(reg, episode(reg, person, "methadone"), "16/11/2025")
    drugtests.record_test(reg, person, "18/11/2026", positives="HER")
    [item] = crimes(reg)
    assert item.due == date(2026, 11, 18)
    assert "Điểm d khoản 1 Điều 256a" in item.source
    assert "tự ý chấm dứt điều trị thay thế (methadone) ngày 16/11/2025" in item.text
    follow = positive_follow_up(reg, person, date(2026, 11, 18), ["HER"])
    assert (follow.kind, follow.point) == ("crime", "d")


@pytest.mark.parametrize(
    ("tested", "point"),
    [
        (date(2024, 11, 18), None),  # the day of quitting itself
        (date(2025, 6, 30), None),  # within the 2 years, but before Art. 256a
        (date(2025, 7, 1), "d"),
        (date(2026, 11, 18), "d"),  # exactly 2 years: the last day
        (date(2026, 11, 19), None),
    ],
)
def test_256a_d_boundaries_of_the_two_years_after_quitting_home_rehab(
    reg: Register, add: Callable[..., str], tested: date, point: str | None
) -> None:
    person = add("Lò Văn Sướng", birth_date="1985")
    actions.start_treatment(reg, person, "rehab_home", "18/06/2024", duration_months=12)
    actions.quit_treatment(reg, episode(reg, person, "rehab_home"), "18/11/2024")
    assert reading(reg, person, tested).point == point


def test_256a_d_completing_or_absconding_is_not_quitting(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_home", "01/03/2025", duration_months=6)
    actions.release_from_rehab(reg, episode(reg, person, "rehab_home"), "01/09/2025")
    post = episode(reg, person, "post_rehab")
    episodes.close_episode(reg, post, "01/10/2025", "moved_away", moved_to="Xã Mường Bú")
    # Post-rehab left by moving, rehab completed: none of (a)–(d).
    assert reading(reg, person, date(2026, 11, 18)).point is None


# --- the hand-over to the investigating police ------------------------------------------------


def test_256a_crime_item_stays_past_the_look_back_until_the_hand_over(
    reg: Register, person: str
) -> None:
    episodes.open_episode(
        reg, person, "post_rehab", "01/01/2026", decision_no="2/QĐ", planned="01/01/2027"
    )
    drugtests.record_test(reg, person, "01/03/2026", positives="MET")  # 264 days ago
    drugtests.record_test(reg, person, "10/10/2026", positives="THC")
    [item] = crimes(reg)
    assert item.due == date(2026, 3, 1) and "và 1 lần dương tính sau đó" in item.text
    record_handover(reg, person, "19/11/2026")
    assert crimes(reg) == []
    # A new crime sign after the hand-over is due again.
    drugtests.record_test(reg, person, "20/11/2026", positives="MET")
    assert [i.due for i in crimes(reg)] == [date(2026, 11, 20)]


def test_256a_a_contact_other_naming_the_investigating_police_is_the_hand_over(
    reg: Register, person: str
) -> None:
    episodes.open_episode(
        reg, person, "post_rehab", "01/01/2026", decision_no="2/QĐ", planned="01/01/2027"
    )
    drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    contacts.add_contact(reg, person, "17/11/2026", "home_visit", notes="Cơ quan điều tra")
    assert len(crimes(reg)) == 1  # a home visit is not a hand-over
    contacts.add_contact(reg, person, "17/11/2026", "other", notes="Đã chuyển hồ sơ CQĐT")
    assert crimes(reg) == []


def test_256a_screens_agree_on_every_point(reg: Register, add: Callable[..., str]) -> None:
    """The due list and the person screen read each positive the same way."""
    people = {key: add(f"Người {key}", birth_date="1990") for key in "abcdn"}
    actions.start_treatment(reg, people["a"], "methadone", "01/06/2026")
    episodes.open_episode(reg, people["b"], "post_rehab", "01/06/2026", planned="01/06/2027")
    post = episodes.open_episode(reg, people["c"], "post_rehab", "01/06/2025", planned="01/06/2026")
    actions.end_at_term(reg, post, "01/06/2026")
    actions.management_decision(reg, people["c"], "01/09/2026")
    actions.start_treatment(reg, people["d"], "rehab_home", "01/03/2026", duration_months=6)
    actions.quit_treatment(reg, episode(reg, people["d"], "rehab_home"), "01/05/2026")
    for pid in people.values():
        drugtests.record_test(reg, pid, "18/11/2026", positives="MET")
    listed = {i.person_id: i.source for i in crimes(reg)}
    for key, pid in people.items():
        follow = positive_follow_up(reg, pid, date(2026, 11, 18), ["MET"])
        assert follow.point == (None if key == "n" else key)
        assert (pid in listed) == follow.crime
        if follow.crime:
            assert listed[pid] == follow.source
