"""What is due and overdue (db.duties.due). Today is Friday 20/11/2026; the default window is 7
days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from db.commune import settings
from db.duties import actions
from db.duties.due import DueItem, due_items
from db.persons import contacts, drugtests, episodes
from db.persons.people import delete_person
from db.store.register import Register


def items(reg: Register, kind: str | None = None, on: date | None = None) -> list[DueItem]:
    """The due list, or the items of one kind."""
    return [i for i in due_items(reg, on) if kind is None or i.kind == kind]


def only(reg: Register, kind: str, on: date | None = None) -> DueItem:
    [item] = items(reg, kind, on)
    return item


def test_empty_register_has_nothing_due(reg: Register, person: str) -> None:
    assert due_items(reg) == []


# --- positive tests ---------------------------------------------------------------------------


def test_positive_without_a_decision(reg: Register, person: str) -> None:
    drugtests.record_test(reg, person, "20/11/2026", positives="MET")
    item = only(reg, "positive")
    assert item.person_id == person
    assert item.due == date(2026, 11, 25)  # 3 working days after Friday
    assert not item.overdue
    assert "Chủ tịch UBND xã" in item.text
    assert item.source == "Luật 120/2025/QH15"  # in force from 01/07/2026
    assert item.person["full_name"] == "Nguyễn Văn An"
    assert item.person["village"] == "Bản Mòng"
    # The day after the deadline it is overdue.
    assert only(reg, "positive", on=date(2026, 11, 25)).overdue is False
    assert only(reg, "positive", on=date(2026, 11, 26)).overdue is True


def test_a_positive_before_law_120_cites_law_73_article_23(reg: Register, person: str) -> None:
    """A positive on Tuesday 30/06/2026, the last day of Law 73/2021: its decision deadline cites
    Law 73/2021 Art. 23; the same test a day later cites Law 120/2025 (no article checked)."""
    drugtests.record_test(reg, person, "30/06/2026", positives="MET")
    item = only(reg, "positive", on=date(2026, 7, 2))
    assert "Luật PCMT 2021 Điều 23" in item.source
    drugtests.record_test(reg, person, "01/07/2026", positives="MET")
    assert only(reg, "positive", on=date(2026, 7, 2)).source == "Luật 120/2025/QH15"


def test_a_decision_removes_the_positive_item(reg: Register, person: str) -> None:
    drugtests.record_test(reg, person, "18/11/2026", positives="MET")
    assert [i.kind for i in items(reg)] == ["positive"]
    actions.management_decision(reg, person, "20/11/2026")
    assert items(reg, "positive") == []


def test_a_positive_under_management_asks_for_a_new_decision(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/06/2026")
    drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    item = only(reg, "positive")
    assert item.due == date(2026, 11, 19)
    assert item.overdue
    actions.management_decision(reg, person, "20/11/2026")
    assert items(reg, "positive") == []


def test_256a_c_a_positive_in_the_watch_window_under_management_is_a_crime(
    reg: Register, person: str
) -> None:
    post = episodes.open_episode(reg, person, "post_rehab", "01/06/2025", planned="01/06/2026")
    actions.end_at_term(reg, post, "01/06/2026")
    actions.management_decision(reg, person, "01/09/2026", decision_no="4/QĐ")
    drugtests.record_test(reg, person, "18/11/2026", positives="ma túy đá")
    item = only(reg, "crime")
    assert item.due == date(2026, 11, 18)
    assert item.overdue
    assert "256a" in item.source and "Điểm c" in item.source
    assert items(reg, "positive") == []


def test_256a_c_a_first_positive_in_the_watch_window_asks_for_a_decision(
    reg: Register, person: str
) -> None:
    post = episodes.open_episode(reg, person, "post_rehab", "01/06/2025", planned="01/06/2026")
    actions.end_at_term(reg, post, "01/06/2026")
    drugtests.record_test(reg, person, "18/11/2026", positives="ma túy đá")
    assert items(reg, "crime") == []
    assert "điểm c khoản 1 Điều 256a" in only(reg, "positive").text


def test_256a_a_a_positive_in_treatment_needs_no_decision_but_is_a_crime_sign(
    reg: Register, person: str
) -> None:
    actions.start_treatment(reg, person, "methadone", "01/06/2026")
    drugtests.record_test(reg, person, "18/11/2026", positives="MET")
    assert items(reg, "positive") == []
    assert "Điểm a" in only(reg, "crime").source
    # The substitution medicine alone is the treatment: nothing to do.
    drugtests.record_test(reg, person, "19/11/2026", positives="MTD")
    assert only(reg, "crime").due == date(2026, 11, 18)


def test_an_old_positive_is_history(reg: Register, person: str) -> None:
    drugtests.record_test(reg, person, "01/06/2026", positives="MET")
    assert items(reg, "positive") == []


# --- periodic tests ---------------------------------------------------------------------------


@pytest.fixture
def managed(reg: Register, person: str) -> str:
    """A user under management since 1/6/2026, whose address was checked on 15/11/2026."""
    actions.management_decision(reg, person, "01/06/2026")
    contacts.add_contact(reg, person, "15/11/2026", "residence_check", at_address=True)
    return person


def test_test_due_from_the_last_test(reg: Register, managed: str) -> None:
    drugtests.record_test(reg, managed, "25/10/2026")
    item = only(reg, "test")
    assert item.due == date(2026, 11, 24)  # 30 days
    assert not item.overdue
    assert "25/10/2026" in item.text
    assert "Pháp luật không quy định" in item.source


def test_overdue_test(reg: Register, managed: str) -> None:
    drugtests.record_test(reg, managed, "10/10/2026")
    item = only(reg, "test")
    assert item.due == date(2026, 11, 9)
    assert item.overdue


def test_no_test_yet_counts_from_the_start(reg: Register, managed: str) -> None:
    item = only(reg, "test")
    assert item.due == date(2026, 7, 1)
    assert item.overdue
    assert "lần đầu" in item.text


def test_the_due_window(reg: Register, managed: str) -> None:
    drugtests.record_test(reg, managed, "30/10/2026")  # due 29/11, past the 7-day window
    assert items(reg, "test") == []
    settings.save_settings(reg, {"due_window_days": 10})
    assert only(reg, "test").due == date(2026, 11, 29)


def test_the_interval_comes_from_the_settings(reg: Register, managed: str) -> None:
    drugtests.record_test(reg, managed, "10/11/2026")
    assert items(reg, "test") == []
    settings.save_settings(reg, {"test_interval.user": 14})
    assert only(reg, "test").due == date(2026, 11, 24)
    settings.save_settings(reg, {"test_interval.user": ""})  # not tested periodically
    assert items(reg, "test") == []


def test_a_suspect_is_to_be_tested_at_once(reg: Register, person: str) -> None:
    actions.suspected(reg, person, "18/11/2026")
    item = only(reg, "test")
    assert item.due == date(2026, 11, 18)
    drugtests.record_test(reg, person, "19/11/2026")
    assert items(reg) == []  # tested: no longer suspected, nothing to do


@pytest.mark.parametrize("category", ["rehab_facility", "rehab_compulsory"])
def test_people_in_a_facility_get_no_test_or_check(
    reg: Register, person: str, category: str
) -> None:
    actions.start_treatment(reg, person, category, "01/06/2026")
    assert items(reg, "test") == []
    assert items(reg, "residence") == []


# --- residence checks -------------------------------------------------------------------------


def test_monthly_residence_check(reg: Register, managed: str) -> None:
    item = only(reg, "residence", on=date(2026, 12, 15))
    assert item.due == date(2026, 12, 15)
    assert item.source == "Luật 120/2025/QH15"  # in force from 01/07/2026
    assert only(reg, "residence", on=date(2026, 12, 16)).overdue
    contacts.add_contact(reg, managed, "20/11/2026", "residence_check", at_address=True)
    item = only(reg, "residence", on=date(2026, 12, 16))
    assert (item.due, item.overdue) == (date(2026, 12, 20), False)


def test_a_home_visit_is_not_a_residence_check(reg: Register, managed: str) -> None:
    contacts.add_contact(reg, managed, "20/11/2026", "home_visit")
    assert only(reg, "residence", on=date(2026, 12, 16)).due == date(2026, 12, 15)


def test_residence_check_of_a_new_user(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/11/2026")  # Tuesday
    item = only(reg, "residence")
    assert item.due == date(2026, 11, 13)
    assert item.overdue
    assert item.source == "Luật 120/2025/QH15"  # in force from 01/07/2026
    contacts.add_contact(reg, person, "12/11/2026", "residence_check", at_address=True)
    assert items(reg, "residence") == []


def test_residence_check_of_a_new_user_in_a_remote_area(reg: Register, person: str) -> None:
    settings.save_settings(reg, {"remote_area": True})
    actions.management_decision(reg, person, "10/11/2026")
    item = only(reg, "residence")
    assert item.due == date(2026, 11, 24)  # 10 working days
    assert not item.overdue


# --- moves, periods, post-rehab, treatment ----------------------------------------------------


def test_move_notice_until_sent(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "01/06/2026")
    actions.move_away(reg, person, "19/11/2026", "Xã Mường Bú")
    item = only(reg, "move")
    assert item.due == date(2026, 11, 20)  # 24 hours (Law 120/2025)
    assert not item.overdue
    assert "Xã Mường Bú" in item.text
    assert "120/2025" in item.source
    actions.mark_notice_sent(reg, person, "20/11/2026")
    assert items(reg) == []


def test_move_notice_under_the_old_law_is_overdue(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "01/01/2026")
    actions.move_away(reg, person, "30/06/2026", "Xã Mường Bú")
    item = only(reg, "move")
    assert (item.due, item.overdue) == (date(2026, 7, 7), True)


def test_period_ending_soon(reg: Register, person: str, add: Callable[..., str]) -> None:
    actions.management_decision(reg, person, "01/12/2025")  # ends 1/12/2026
    later = add("Lò Văn Sướng", birth_date="1985")
    actions.management_decision(reg, later, "10/01/2026")  # ends 10/1/2027: not yet
    item = only(reg, "period_end")
    assert (item.person_id, item.due, item.overdue) == (person, date(2026, 12, 1), False)
    assert "Mẫu 10" in item.text
    assert item.source == "Luật 120/2025/QH15"  # in force from 01/07/2026
    settings.save_settings(reg, {"ending_soon_days": 60})
    assert {i.person_id for i in items(reg, "period_end")} == {person, later}


def test_period_past_its_end_and_still_open_is_overdue(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "01/11/2025")
    item = only(reg, "period_end")
    assert (item.due, item.overdue) == (date(2026, 11, 1), True)
    actions.end_at_term(reg, item.episode_id, "01/11/2026")
    assert items(reg, "period_end") == []


def test_post_rehab_file_missing_after_rehab(reg: Register, person: str) -> None:
    rehab = episodes.open_episode(reg, person, "rehab_home", "01/05/2026")
    episodes.close_episode(reg, rehab, "18/11/2026", "completed")
    item = only(reg, "post_rehab")
    assert item.due == date(2026, 11, 23)  # Wednesday + 3 working days
    assert item.source == "Luật 120/2025/QH15"  # in force from 01/07/2026
    episodes.open_episode(reg, person, "post_rehab", "19/11/2026", decision_no="7/QĐ")
    assert items(reg, "post_rehab") == []


def test_post_rehab_decision_missing_comes_after_the_file(reg: Register, person: str) -> None:
    """Released Wednesday 18/11/2026 (Decree 116/2021 Art. 77, 78): the file within 3 working
    days, Thursday 19, Friday 20, Monday 23/11; the decision 2 working days after the file's
    deadline, Tuesday 24, Wednesday 25/11 — never before the file."""
    actions.start_treatment(reg, person, "rehab_home", "01/05/2026")
    rehab = next(e for e in episodes.open_episodes(reg, person) if e["category"] == "rehab_home")
    actions.release_from_rehab(reg, rehab["id"], "18/11/2026")
    got = [(i.due, i.text) for i in items(reg, "post_rehab", on=date(2026, 11, 30))]
    assert got == [
        (date(2026, 11, 23), "Lập hồ sơ quản lý sau cai nghiện (trở về ngày 18/11/2026)"),
        (date(2026, 11, 25), "Ra quyết định quản lý sau cai nghiện (trở về ngày 18/11/2026)"),
    ]
    assert {i.source for i in items(reg, "post_rehab")} == {"Luật 120/2025/QH15"}
    post = next(e for e in episodes.open_episodes(reg, person) if e["category"] == "post_rehab")
    reg.db["episodes"].update(post["id"], {"decision_no": "31/QĐ-UBND"})
    assert items(reg, "post_rehab") == []


def test_post_rehab_after_compulsory_rehab_lists_the_report_until_made(
    reg: Register, person: str
) -> None:
    """Out of compulsory rehab on Monday 15/06/2026 (Decree 116/2021 Art. 62, 77, 78): the file by
    Thursday 18/06 (3 working days), the person's report by Monday 22/06 (5), the decision by
    Monday 22/06 (2 after the file's 18/06: Friday 19, Monday 22); on the same day the report
    comes first. Law 73/2021's decrees were in force on the release day."""
    actions.start_treatment(reg, person, "rehab_compulsory", "15/06/2025", planned="15/06/2026")
    rehab = next(
        e for e in episodes.open_episodes(reg, person) if e["category"] == "rehab_compulsory"
    )
    actions.release_from_rehab(reg, rehab["id"], "15/06/2026")

    def steps(on: date) -> list[tuple[date, str, str]]:
        return [(i.due, i.text.split(" (")[0], i.source) for i in items(reg, "post_rehab", on=on)]

    assert steps(date(2026, 6, 16)) == [
        (date(2026, 6, 18), "Lập hồ sơ quản lý sau cai nghiện", "NĐ 116/2021 Điều 77"),
        (date(2026, 6, 22), "Người ra khỏi cơ sở cai nghiện bắt buộc trình diện Công an xã",
         "NĐ 116/2021 Điều 62"),
        (date(2026, 6, 22), "Ra quyết định quản lý sau cai nghiện", "NĐ 116/2021 Điều 78"),
    ]  # fmt: skip
    contacts.add_contact(reg, person, "17/06/2026", "report_in")
    assert [text for _, text, _ in steps(date(2026, 6, 18))] == [
        "Lập hồ sơ quản lý sau cai nghiện",
        "Ra quyết định quản lý sau cai nghiện",
    ]


def test_addict_not_registered_for_treatment(reg: Register, person: str) -> None:
    actions.found_addicted(reg, person, "16/11/2026")
    item = only(reg, "treatment")
    assert (item.due, item.overdue) == (date(2026, 11, 23), False)
    actions.start_treatment(reg, person, "methadone", "20/11/2026")
    assert items(reg, "treatment") == []


# --- the list as a whole ----------------------------------------------------------------------


def test_deleted_people_never_appear(reg: Register, person: str) -> None:
    actions.found_addicted(reg, person, "16/11/2026")
    drugtests.record_test(reg, person, "16/11/2026", positives="MET")
    actions.suspected(reg, person, "17/11/2026")
    assert items(reg)
    delete_person(reg, person)
    assert due_items(reg) == []


def test_overdue_first_then_by_date_then_by_name(reg: Register, add: Callable[..., str]) -> None:
    binh = add("Nguyễn Thị Bình", birth_date="1990")
    an = add("Trần Văn An", birth_date="1990")
    chi = add("Lê Văn Chí", birth_date="1990")
    for pid in (binh, an):
        drugtests.record_test(reg, pid, "20/11/2026", positives="MET")  # due 25/11
    drugtests.record_test(reg, chi, "12/11/2026", positives="MET")  # due 17/11: overdue
    got = [(i.person["full_name"], i.overdue, i.due) for i in due_items(reg)]
    assert got == [
        ("Lê Văn Chí", True, date(2026, 11, 17)),
        ("Trần Văn An", False, date(2026, 11, 25)),
        ("Nguyễn Thị Bình", False, date(2026, 11, 25)),
    ]


def test_as_dict(reg: Register, person: str) -> None:
    drugtests.record_test(reg, person, "20/11/2026", positives="MET")
    got = only(reg, "positive").as_dict()
    assert got["due"] == "2026-11-25"
    assert got["full_name"] == "Nguyễn Văn An"
    assert got["village"] == "Bản Mòng"
    assert got["overdue"] is False


def test_an_addict_who_quit_treatment_is_due_from_quitting_not_from_the_assessment(
    reg, add
) -> None:
    from datetime import date

    from db.duties import actions
    from db.duties.due import due_items
    from db.law.categories import Category

    person = add("Giàng A Páo")
    actions.found_addicted(reg, person, "02/03/2020")
    actions.start_treatment(reg, person, Category.METHADONE, "01/04/2020")
    methadone = next(
        e for e in reg.db.query("SELECT id FROM episodes WHERE category = 'methadone'")
    )
    actions.quit_treatment(reg, methadone["id"], "16/11/2026")  # a Monday
    items = [i for i in due_items(reg, date(2026, 11, 20)) if i.kind == "treatment"]
    assert [(i.due, i.overdue) for i in items] == [(date(2026, 11, 23), False)]


# --- the today screen starts with what is really due ------------------------------------------


def test_released_from_compulsory_rehab_is_first_checked_a_month_after_release(
    reg: Register, person: str
) -> None:
    """Checked at home on 10/03/2025, in compulsory rehab from 15/03/2025, released Monday
    16/11/2026: the first monthly check falls due on 16/12/2026, not a month after the 2025
    check, and is not overdue today (20/11/2026)."""
    contacts.add_contact(reg, person, "10/03/2025", "residence_check", at_address=True)
    actions.start_treatment(reg, person, "rehab_compulsory", "15/03/2025", planned="15/03/2027")
    assert items(reg, "residence", on=date(2026, 11, 15)) == []  # in the facility
    rehab = next(
        e for e in episodes.open_episodes(reg, person) if e["category"] == "rehab_compulsory"
    )
    actions.release_from_rehab(reg, rehab["id"], "16/11/2026")
    assert items(reg, "residence") == []  # due 16/12, past the 7-day window
    item = only(reg, "residence", on=date(2026, 12, 14))
    assert (item.due, item.overdue) == (date(2026, 12, 16), False)
    assert only(reg, "residence", on=date(2026, 12, 17)).overdue


def test_a_check_after_the_release_counts_from_itself(reg: Register, person: str) -> None:
    actions.start_treatment(reg, person, "rehab_facility", "01/03/2026")
    rehab = next(
        e for e in episodes.open_episodes(reg, person) if e["category"] == "rehab_facility"
    )
    actions.release_from_rehab(reg, rehab["id"], "02/11/2026")
    contacts.add_contact(reg, person, "05/11/2026", "residence_check", at_address=True)
    assert only(reg, "residence", on=date(2026, 12, 1)).due == date(2026, 12, 5)


@pytest.mark.parametrize("category", ["rehab_facility", "rehab_compulsory"])
def test_a_person_in_a_facility_has_no_residence_item_even_with_an_old_check(
    reg: Register, person: str, category: str
) -> None:
    actions.management_decision(reg, person, "01/02/2025")
    contacts.add_contact(reg, person, "10/02/2025", "residence_check", at_address=True)
    assert only(reg, "residence", on=date(2025, 3, 15)).overdue
    actions.start_treatment(reg, person, category, "01/04/2025")
    assert items(reg, "residence") == []
    assert items(reg, "test") == []


@pytest.mark.parametrize("gone", ["moved_away", "absconded", "died", "prison"])
def test_no_check_or_test_for_someone_out_of_reach(reg: Register, person: str, gone: str) -> None:
    """An episode left open by mistake after the person moved away, absconded, died or went to
    prison: no residence check or test the officer could make (the period still shows)."""
    actions.management_decision(reg, person, "01/02/2026")
    assert only(reg, "residence").overdue
    assert only(reg, "test").overdue
    other = episodes.open_episode(reg, person, "watch", "01/03/2026")
    episodes.close_episode(reg, other, "01/10/2026", gone, moved_to="Xã Mường Lầm")
    assert items(reg, "residence") == []
    assert items(reg, "test") == []
    # Back within reach: a new episode after that day brings the checks back.
    episodes.open_episode(reg, person, "suspect", "05/11/2026")
    assert items(reg, "residence")
