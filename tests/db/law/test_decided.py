"""The days off actually decided each year (db.law.decided) and the working-day calendar that
counts on them (db.law.workdays.WorkCalendar): hand-computed deadlines around the decided days.

Labour Code 2019 Art. 112 gives the default days off; the government decides each year's actual
days (domain notes, "Days off"). The deadlines below are the Law on Drug Prevention 2021 Art. 23
decision after a positive test: 3 working days (rule "positive_test_decision").
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.law import days_off_vn
from db.law.decided import DecidedYear, decided_calendar
from db.law.rules import deadline
from db.law.workdays import DayOverride, WorkCalendar, builtin_holidays

DECIDED = WorkCalendar()  # what the program uses: the shipped decided days
LABOUR_CODE = WorkCalendar(decided={})  # the Labour Code Art. 112 rule alone


def d(text: str) -> date:
    """A date from dd/mm/yyyy."""
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def decision_due(tested: str, cal: WorkCalendar) -> date:
    """The Art. 23 decision deadline of a positive test on `tested`."""
    return deadline("positive_test_decision", d(tested), cal)[0]


# --- the shipped data -------------------------------------------------------------------------


def test_the_data_names_its_source_package_version_and_date() -> None:
    assert days_off_vn.PACKAGE == "holidays"
    assert days_off_vn.VERSION == "0.109"
    assert date.fromisoformat(days_off_vn.GENERATED) >= date(2026, 12, 1)
    assert (days_off_vn.FIRST_YEAR, days_off_vn.LAST_YEAR) == (2013, 2026)
    assert "holidays 0.109" in days_off_vn.SOURCES["holidays"]
    assert set(decided_calendar()) == set(range(2013, 2027))


def test_every_make_up_day_is_a_weekend_day_and_every_day_has_a_name_and_source() -> None:
    for iso, kind, name, key in days_off_vn.DAYS:
        assert kind in ("holiday", "workday")
        assert name.strip() and key in days_off_vn.SOURCES
        if kind == "workday":
            assert date.fromisoformat(iso).weekday() >= 5, iso
    days = [iso for iso, *_ in days_off_vn.DAYS]
    assert days == sorted(set(days))


def test_tet_2025_as_decided_labour_code_art_112() -> None:
    """2025: Tết off Monday 27/01 to Friday 31/01 (Saturday 1/2 is mùng 4), no day after it."""
    year = decided_calendar()[2025]
    tet = [day for day in year.days_off if d("20/1/2025") <= day <= d("10/2/2025")]
    assert tet == [d(f"{n}/1/2025") for n in range(27, 32)] + [d("1/2/2025")]
    assert year.days_off[d("27/1/2025")] == "29 Tết"
    assert DECIDED.is_working_day(d("3/2/2025"))  # the Labour Code guess gives it off
    assert not LABOUR_CODE.is_working_day(d("3/2/2025"))


def test_2025_swap_friday_2_5_off_saturday_26_4_worked() -> None:
    year = decided_calendar()[2025]
    assert year.days_off[d("2/5/2025")] == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    assert year.workdays == {d("26/4/2025"): "Làm bù cho ngày nghỉ 02/05/2025"}
    assert DECIDED.make_up_days(2025) == {d("26/4/2025"): "Làm bù cho ngày nghỉ 02/05/2025"}


def test_2026_new_year_swap_is_added_with_its_own_source() -> None:
    """holidays 0.109 lacks it: Friday 2/1/2026 off, Saturday 10/1/2026 worked (domain notes)."""
    year = decided_calendar()[2026]
    assert year.days_off[d("2/1/2026")] == "Ngày nghỉ (thay cho ngày 10/01/2026)"
    assert year.workdays[d("10/1/2026")] == "Làm bù cho ngày nghỉ 02/01/2026"
    rows = {iso: key for iso, _, _, key in days_off_vn.DAYS}
    assert rows["2026-01-02"] == rows["2026-01-10"] == "swap-2026-01"
    assert "bổ sung tay" in days_off_vn.SOURCES["swap-2026-01"]
    assert "bổ sung tay" in year.source and "holidays 0.109" in year.source


def test_a_decided_year_refuses_a_day_of_another_year_or_off_and_worked() -> None:
    with pytest.raises(ValueError):
        DecidedYear(2025, {d("1/1/2026"): "x"}, {}, "")
    with pytest.raises(ValueError):
        DecidedYear(2025, {d("26/4/2025"): "x"}, {d("26/4/2025"): "y"}, "")


def test_the_data_is_what_the_package_gives() -> None:
    """Regenerating from the installed package gives the shipped days (the date aside)."""
    pytest.importorskip("holidays")
    from db.law import make_days_off

    if make_days_off.VERSION != days_off_vn.VERSION:
        pytest.skip(f"holidays {make_days_off.VERSION} installed, data from {days_off_vn.VERSION}")
    rows, used = make_days_off.collect(days_off_vn.FIRST_YEAR, days_off_vn.LAST_YEAR)
    assert tuple(rows) == days_off_vn.DAYS
    assert used == ["swap-2026-01"]


# --- deadlines on the decided days (Law on Drug Prevention Art. 23: 3 working days) -----------


def test_art_23_deadline_after_tet_2025_decided_versus_labour_code() -> None:
    # Positive test Friday 31/01/2025. Decided: Tết ended on 31/01, so Mon 3/2, Tue 4/2, Wed 5/2.
    assert decision_due("31/1/2025", DECIDED) == d("5/2/2025")
    # Labour Code guess: mùng 4 (Sat 1/2) compensated on Mon 3/2: Tue 4, Wed 5, Thu 6/2.
    assert decision_due("31/1/2025", LABOUR_CODE) == d("6/2/2025")


def test_art_23_deadline_friday_23_01_2026_is_before_tet() -> None:
    # Tết Bính Ngọ is 16–20/02/2026: Friday 23/01/2026 counts Mon 26, Tue 27, Wed 28/01 on both.
    assert decision_due("23/1/2026", DECIDED) == d("28/1/2026")
    assert decision_due("23/1/2026", LABOUR_CODE) == d("28/1/2026")
    # Friday 13/02/2026: Mon 16 to Fri 20/02 off on both; Mon 23, Tue 24, Wed 25/02.
    assert decision_due("13/2/2026", DECIDED) == d("25/2/2026")


def test_art_23_deadline_over_the_2026_new_year_swap() -> None:
    # Wed 31/12/2025: Thu 1/1 and (decided) Fri 2/1 off; Mon 5, Tue 6, Wed 7/01/2026.
    assert decision_due("31/12/2025", DECIDED) == d("7/1/2026")
    # Labour Code guess: Fri 2/1, Mon 5, Tue 6/01/2026.
    assert decision_due("31/12/2025", LABOUR_CODE) == d("6/1/2026")
    # Fri 9/01/2026: Saturday 10/01 is worked (decided): Sat 10, Mon 12, Tue 13/01.
    assert DECIDED.is_working_day(d("10/1/2026"))
    assert decision_due("9/1/2026", DECIDED) == d("13/1/2026")
    assert decision_due("9/1/2026", LABOUR_CODE) == d("14/1/2026")


def test_art_23_deadline_with_saturday_26_04_2025_worked() -> None:
    assert DECIDED.is_working_day(d("26/4/2025"))
    assert not LABOUR_CODE.is_working_day(d("26/4/2025"))
    # Fri 25/04/2025: Sat 26/4, Mon 28/4, Tue 29/4.
    assert decision_due("25/4/2025", DECIDED) == d("29/4/2025")
    # Labour Code guess: Mon 28, Tue 29/4, then 30/4 and 1/5 off, Fri 2/5.
    assert decision_due("25/4/2025", LABOUR_CODE) == d("2/5/2025")
    # Tue 29/04/2025 + 1: decided 30/4, 1/5 and 2/5 off, the weekend: Monday 5/5.
    assert DECIDED.add_working_days(d("29/4/2025"), 1) == d("5/5/2025")
    # Thu 24/4 (excluded) to Mon 5/5/2025 (included): 25, 26, 28, 29/4 and 5/5.
    assert DECIDED.working_days_between(d("24/4/2025"), d("5/5/2025")) == 5


# --- a year with no decision, and a year the unit entered -------------------------------------


def test_a_year_beyond_the_data_falls_back_to_art_112_and_says_so() -> None:
    basis = DECIDED.basis(2027)
    assert basis.kind == "labour_code"
    assert basis.label == "Chưa có lịch nghỉ công bố: tính theo Bộ luật Lao động Điều 112"
    assert DECIDED.public_holidays(2027) == builtin_holidays(2027)
    assert DECIDED.make_up_days(2027) == {}
    # Tết Đinh Mùi: mùng 1 on Sat 6/2/2027. Art. 112: Fri 5/2 (eve) to Tue 9/2, and Sat 6 and
    # Sun 7 compensated on Wed 10 and Thu 11/2. Thu 4/2/2027: Fri 12, Mon 15, Tue 16/02.
    assert decision_due("4/2/2027", DECIDED) == d("16/2/2027")
    assert DECIDED.basis(2012).kind == "labour_code"  # before the data too


def test_a_decided_year_says_its_source() -> None:
    basis = DECIDED.basis(2025)
    assert basis.kind == "decided"
    assert basis.label == (
        "Theo lịch nghỉ đã công bố (nguồn: thư viện holidays 0.109 (lịch Việt Nam), lấy ngày "
        f"{date.fromisoformat(days_off_vn.GENERATED):%d/%m/%Y})"
    )


def test_an_entered_year_replaces_the_built_in_one() -> None:
    """Once the unit enters 2027 itself, only its days count: Art. 112's guess is not added."""
    entered = [
        DayOverride(d("1/1/2027"), "holiday", "Tết Dương lịch"),
        *(DayOverride(d(f"{n}/2/2027"), "holiday", "Nghỉ Tết") for n in (4, 5, 8, 9, 10)),
        DayOverride(d("30/1/2027"), "workday", "Làm bù"),  # a Saturday
    ]
    cal = WorkCalendar(entered, entered_years=[2027])
    assert cal.basis(2027).kind == "entered"
    assert cal.basis(2027).label.startswith("Theo lịch nghỉ đơn vị nhập")
    assert list(cal.public_holidays(2027)) == [o.day for o in entered if o.kind == "holiday"]
    assert cal.make_up_days(2027) == {d("30/1/2027"): "Làm bù"}
    # Art. 112's compensation Thu 11/2/2027 and 30/4/2027 are working days now.
    assert cal.is_working_day(d("11/2/2027")) and cal.is_working_day(d("30/4/2027"))
    # Wed 3/2/2027: 4, 5, 8, 9, 10/2 off; Thu 11, Fri 12, Mon 15/02.
    assert cal.add_working_days(d("3/2/2027"), 3) == d("15/2/2027")
    assert DECIDED.add_working_days(d("3/2/2027"), 3) == d("15/2/2027")  # 4/2 works, not 11/2
    assert DECIDED.add_working_days(d("3/2/2027"), 1) == d("4/2/2027")
    assert cal.add_working_days(d("3/2/2027"), 1) == d("11/2/2027")
    # Other years keep their basis.
    assert cal.basis(2026).kind == "decided" and cal.basis(2028).kind == "labour_code"


def test_entering_a_decided_year_drops_its_swaps() -> None:
    cal = WorkCalendar([DayOverride(d("1/1/2026"), "holiday", "Tết")], entered_years=[2026])
    assert cal.public_holidays(2026) == {d("1/1/2026"): "Tết"}
    assert cal.is_working_day(d("2/1/2026"))  # the decided swap is not the unit's
    assert not cal.is_working_day(d("10/1/2026"))


def test_officer_overrides_still_win_in_a_decided_year() -> None:
    cal = WorkCalendar(
        [DayOverride(d("2/5/2025"), "workday", "Đi làm"), DayOverride(d("26/4/2025"), "holiday")]
    )
    assert cal.is_working_day(d("2/5/2025")) and not cal.is_working_day(d("26/4/2025"))
    assert cal.make_up_days(2025) == {}
    assert d("26/4/2025") in cal.public_holidays(2025)


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=date(2012, 1, 1), max_value=date(2028, 12, 31)))
def test_a_day_works_when_listed_as_worked_or_a_weekday_not_off(day: date) -> None:
    works = day in DECIDED.make_up_days(day.year) or (
        day.weekday() < 5 and day not in DECIDED.public_holidays(day.year)
    )
    assert DECIDED.is_working_day(day) is works
    following = DECIDED.next_working_day(day)
    assert DECIDED.working_days_between(day, following) == (0 if following == day else 1)
    assert DECIDED.working_days_between(day, day + timedelta(days=30)) == sum(
        DECIDED.is_working_day(day + timedelta(days=i)) for i in range(1, 31)
    )
