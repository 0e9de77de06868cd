"""Working days (db.law.workdays): holidays, compensation, overrides and date arithmetic.

CAL is the Labour Code 2019, Art. 112 rule alone (no decided days), which the tests up to the
arithmetic check by hand; the decided days shipped with the program are tested at the end.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.law.workdays import DayOverride, WorkCalendar, builtin_holidays

CAL = WorkCalendar(decided={})  # the Labour Code rule alone
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
COUNTS = st.integers(min_value=0, max_value=400)


def d(text: str) -> date:
    """A date from dd/mm/yyyy."""
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def days_off(year: int, cal: WorkCalendar = CAL) -> list[date]:
    """The holiday dates of `year`, in order."""
    return list(cal.public_holidays(year))


# --- built-in holidays -----------------------------------------------------------------------


def test_holidays_2024() -> None:
    holidays = CAL.public_holidays(2024)
    assert holidays[d("1/1/2024")] == "Tết Dương lịch"
    assert holidays[d("9/2/2024")] == "Tết Nguyên đán (30 tháng Chạp)"
    assert holidays[d("10/2/2024")] == "Tết Nguyên đán (mùng 1 tháng Giêng)"
    assert holidays[d("13/2/2024")] == "Tết Nguyên đán (mùng 4 tháng Giêng)"
    assert holidays[d("18/4/2024")] == "Giỗ Tổ Hùng Vương (10/3 âm lịch)"
    assert holidays[d("30/4/2024")] == "Ngày Chiến thắng"
    assert holidays[d("1/5/2024")] == "Ngày Quốc tế Lao động"
    assert holidays[d("2/9/2024")] == "Quốc khánh"
    # 2/9/2024 is a Monday: the adjacent day is 3/9.
    assert holidays[d("3/9/2024")] == "Quốc khánh (ngày liền kề)"
    # Mùng 1 and mùng 2 fall on Saturday and Sunday: two days off after Tết.
    assert holidays[d("14/2/2024")].startswith("Nghỉ bù Tết Nguyên đán")
    assert holidays[d("15/2/2024")].startswith("Nghỉ bù Tết Nguyên đán")
    assert len(holidays) == 13


def test_tet_2025_eve_is_the_29th() -> None:
    holidays = CAL.public_holidays(2025)
    assert holidays[d("28/1/2025")] == "Tết Nguyên đán (29 tháng Chạp)"
    assert [day for day, name in holidays.items() if "Tết Nguyên đán" in name] == [
        d("28/1/2025"), d("29/1/2025"), d("30/1/2025"), d("31/1/2025"), d("1/2/2025"),
        d("3/2/2025"),  # mùng 4 is a Saturday: compensated on Monday
    ]  # fmt: skip


def test_national_day_2023_saturday_compensation() -> None:
    # 2/9/2023 was a Saturday: the adjacent day is Friday 1/9, and 2/9 is compensated on
    # Monday 4/9, the next working day.
    september = [day for day in days_off(2023) if day.month == 9]
    assert september == [d("1/9/2023"), d("2/9/2023"), d("4/9/2023")]
    assert CAL.public_holidays(2023)[d("4/9/2023")] == "Nghỉ bù Quốc khánh"
    assert not CAL.is_working_day(d("4/9/2023"))
    assert CAL.next_working_day(d("1/9/2023")) == d("5/9/2023")
    assert CAL.add_working_days(d("31/8/2023"), 1) == d("5/9/2023")


def test_national_day_on_sunday_gives_two_compensations() -> None:
    # 2/9/2029 is a Sunday: the adjacent day is Saturday 1/9; both are compensated.
    september = [day for day in days_off(2029) if day.month == 9]
    assert september == [d("1/9/2029"), d("2/9/2029"), d("3/9/2029"), d("4/9/2029")]


def test_april_2023_compensations_skip_labour_day() -> None:
    # Hùng Kings' day (Sat 29/4), Victory day (Sun 30/4), Labour day (Mon 1/5): the two
    # weekend holidays are compensated on Tuesday 2/5 and Wednesday 3/5.
    around = [day for day in days_off(2023) if d("28/4/2023") <= day <= d("5/5/2023")]
    assert around == [d("29/4/2023"), d("30/4/2023"), d("1/5/2023"), d("2/5/2023"), d("3/5/2023")]
    assert CAL.add_working_days(d("28/4/2023"), 1) == d("4/5/2023")


def test_new_year_on_sunday_compensated_on_monday() -> None:
    assert d("2/1/2023") in CAL.public_holidays(2023)
    assert CAL.next_working_day(d("31/12/2022")) == d("3/1/2023")


def test_builtin_holidays_are_the_defaults_of_public_holidays() -> None:
    for year in range(2020, 2031):
        assert builtin_holidays(year) == CAL.public_holidays(year)
        # 11 law days (fewer when two coincide) and a compensation for each weekend one.
        law = {day: n for day, n in builtin_holidays(year).items() if not n.startswith("Nghỉ bù")}
        weekend = [day for day in law if day.weekday() >= 5]
        assert len(builtin_holidays(year)) == len(law) + len(weekend)
        for day in builtin_holidays(year):
            assert day.year == year


# --- overrides -------------------------------------------------------------------------------


def test_overrides_win() -> None:
    cal = WorkCalendar(
        [
            DayOverride(d("3/2/2025"), "workday", "Đi làm theo quyết định"),
            DayOverride(d("27/1/2025"), "holiday", "Nghỉ Tết theo quyết định của Thủ tướng"),
            DayOverride(d("8/2/2025"), "workday", "Làm bù"),  # a Saturday
            DayOverride(d("30/4/2025"), "workday"),  # even a built-in holiday
        ],
        decided={},
    )
    holidays = cal.public_holidays(2025)
    assert d("3/2/2025") not in holidays
    assert d("30/4/2025") not in holidays
    assert holidays[d("27/1/2025")] == "Nghỉ Tết theo quyết định của Thủ tướng"
    assert cal.is_working_day(d("3/2/2025"))
    assert cal.is_working_day(d("8/2/2025"))
    assert cal.is_working_day(d("30/4/2025"))
    assert not cal.is_working_day(d("27/1/2025"))
    # Friday 24/1 + 1 working day: 25–26 weekend, 27 override, 28/1–1/2 Tết, 2/2 Sunday.
    assert cal.add_working_days(d("24/1/2025"), 1) == d("3/2/2025")
    assert CAL.add_working_days(d("24/1/2025"), 1) == d("27/1/2025")
    assert cal.add_working_days(d("7/2/2025"), 1) == d("8/2/2025")
    assert cal.working_days_between(d("1/2/2025"), d("9/2/2025")) == 6  # 3–7 and Saturday 8


def test_holiday_override_has_no_compensation_and_a_default_name() -> None:
    cal = WorkCalendar([DayOverride(d("14/6/2025"), "holiday")], decided={})  # a Saturday
    assert cal.public_holidays(2025)[d("14/6/2025")] == "Ngày nghỉ"
    assert cal.is_working_day(d("16/6/2025"))
    assert len(cal.public_holidays(2025)) == len(CAL.public_holidays(2025)) + 1


def test_override_of_other_year_does_not_leak() -> None:
    cal = WorkCalendar([DayOverride(d("10/6/2026"), "holiday", "Nghỉ")], decided={})
    assert cal.public_holidays(2025) == CAL.public_holidays(2025)
    assert not cal.is_working_day(d("10/6/2026"))


def test_later_override_for_the_same_day_wins() -> None:
    day = d("10/6/2026")
    cal = WorkCalendar([DayOverride(day, "holiday"), DayOverride(day, "workday")])
    assert cal.is_working_day(day)


def test_bad_override_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        DayOverride(d("1/6/2025"), "vacation")  # type: ignore[arg-type]


# --- arithmetic ------------------------------------------------------------------------------


def test_simple_arithmetic() -> None:
    friday = d("6/6/2025")
    assert CAL.add_working_days(friday, 0) == friday
    assert CAL.add_working_days(friday, 1) == d("9/6/2025")
    assert CAL.add_working_days(d("7/6/2025"), 0) == d("7/6/2025")  # n == 0: unchanged
    assert CAL.add_working_days(d("7/6/2025"), 1) == d("9/6/2025")
    assert CAL.add_working_days(friday, 5) == d("13/6/2025")
    assert CAL.working_days_between(friday, d("13/6/2025")) == 5
    assert CAL.working_days_between(d("13/6/2025"), friday) == 0
    assert CAL.working_days_between(friday, friday) == 0
    assert CAL.next_working_day(friday) == friday
    assert CAL.next_working_day(d("7/6/2025")) == d("9/6/2025")
    with pytest.raises(ValueError):
        CAL.add_working_days(friday, -1)


def test_across_years() -> None:
    # 31/12/2025 (Wednesday) + 1: Thursday 1/1/2026 is Tết Dương lịch.
    assert CAL.add_working_days(d("31/12/2025"), 1) == d("2/1/2026")
    working_2025 = sum(CAL.is_working_day(d("1/1/2025") + timedelta(days=i)) for i in range(365))
    assert CAL.working_days_between(d("31/12/2024"), d("31/12/2025")) == working_2025
    assert CAL.add_working_days(d("31/12/2024"), working_2025) == d("31/12/2025")
    assert CAL.working_days_between(d("1/1/2020"), d("1/1/2030")) == sum(
        CAL.working_days_between(d(f"1/1/{y}"), d(f"1/1/{y + 1}")) for y in range(2020, 2030)
    )


def test_add_working_days_matches_a_day_by_day_walk() -> None:
    start = d("20/12/2022")
    walked = start
    for n in range(1, 400):
        walked += timedelta(days=1)
        while walked.weekday() >= 5 or walked in CAL.public_holidays(walked.year):
            walked += timedelta(days=1)
        assert CAL.add_working_days(start, n) == walked


@settings(max_examples=150, deadline=None)
@given(DAYS, st.integers(min_value=1, max_value=400))
def test_result_is_a_working_day(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result > start
    assert CAL.is_working_day(result)
    assert CAL.working_days_between(start, result) == n
    assert CAL.working_days_between(start, result - timedelta(days=1)) == n - 1


@settings(max_examples=150, deadline=None)
@given(DAYS, COUNTS, COUNTS)
def test_add_is_monotone_and_additive(start: date, a: int, b: int) -> None:
    if a < b:
        assert CAL.add_working_days(start, a) < CAL.add_working_days(start, b)
    both = CAL.add_working_days(start, a + b)
    assert both == CAL.add_working_days(CAL.add_working_days(start, a), b)


@settings(max_examples=150, deadline=None)
@given(DAYS, COUNTS)
def test_between_inverts_add(start: date, n: int) -> None:
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@settings(max_examples=150, deadline=None)
@given(DAYS, st.integers(min_value=0, max_value=800))
def test_between_counts_working_days(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    expected = sum(CAL.is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
    assert CAL.working_days_between(start, end) == expected
    assert CAL.working_days_between(end, start) == 0


@settings(max_examples=150, deadline=None)
@given(DAYS)
def test_weekends_and_holidays_are_never_working_days(day: date) -> None:
    if day.weekday() >= 5 or day in CAL.public_holidays(day.year):
        assert not CAL.is_working_day(day)
    else:
        assert CAL.is_working_day(day)
    following = CAL.next_working_day(day)
    assert CAL.is_working_day(following)
    assert CAL.working_days_between(day, following) == (0 if following == day else 1)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.builds(
            DayOverride,
            st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
            st.sampled_from(["holiday", "workday"]),
        ),
        max_size=20,
    ),
    st.dates(min_value=date(2023, 12, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=0, max_value=300),
)
def test_overrides_always_win(overrides: list[DayOverride], start: date, n: int) -> None:
    cal = WorkCalendar(overrides, decided={})
    final = {o.day: o.kind for o in overrides}
    for day, kind in final.items():
        assert cal.is_working_day(day) is (kind == "workday")
    if start not in final:
        assert cal.is_working_day(start) == CAL.is_working_day(start)
    result = cal.add_working_days(start, n)
    assert cal.working_days_between(start, result) == n
    assert n == 0 or cal.is_working_day(result)
