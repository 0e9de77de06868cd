"""Dates (db.core.dates): partial birth dates, parsing, display, month arithmetic and ages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from db.core.dates import (
    PartialDate,
    add_months,
    age_on,
    future_error,
    is_future,
    parse_date,
    parse_partial,
    partial_from_iso,
    show,
)
from db.core.errors import UserError

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2090, 12, 31))
MONTHS = st.integers(min_value=-240, max_value=240)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/05/1990", PartialDate(1990, 5, 17)),
        ("17/5/90", PartialDate(1990, 5, 17)),
        ("7.5.1990", PartialDate(1990, 5, 7)),
        ("17-05-1990", PartialDate(1990, 5, 17)),
        (" 17 / 05 / 1990 ", PartialDate(1990, 5, 17)),
        ("05/1990", PartialDate(1990, 5)),
        ("5/1990", PartialDate(1990, 5)),
        ("1990", PartialDate(1990)),
        ("1990-05-17", PartialDate(1990, 5, 17)),
        ("1990-05", PartialDate(1990, 5)),
        ("29/02/2024", PartialDate(2024, 2, 29)),
    ],
)
def test_parse_partial(text: str, expected: PartialDate) -> None:
    assert parse_partial(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("31/02/2020", "không có trong lịch"),
        ("29/02/2023", "không có trong lịch"),
        ("31/04/1990", "không có trong lịch"),
        ("00/05/1990", "không có trong lịch"),
        ("17/13/1990", "tháng 13"),
        ("1990-13", "tháng 13"),
        ("1850", "năm 1850"),
        ("hôm qua", "không phải ngày hợp lệ"),
        ("", "không phải ngày hợp lệ"),
        ("17/05", "không phải ngày hợp lệ"),
    ],
)
def test_invalid_dates_name_the_field(text: str, words: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_partial(text, "Ngày sinh")
    assert caught.value.message.startswith("Ngày sinh:")
    assert words in caught.value.message
    assert caught.value.field == "Ngày sinh"


@pytest.mark.parametrize(
    ("partial", "iso", "shown"),
    [
        (PartialDate(1990), "1990", "1990"),
        (PartialDate(1990, 5), "1990-05", "05/1990"),
        (PartialDate(1990, 5, 7), "1990-05-07", "07/05/1990"),
    ],
)
def test_iso_and_display_keep_what_is_known(partial: PartialDate, iso: str, shown: str) -> None:
    assert partial.iso() == iso
    assert partial.display() == shown
    assert show(iso) == shown
    assert partial_from_iso(iso) == partial


def test_show() -> None:
    assert show(date(2026, 11, 20)) == "20/11/2026"
    assert show(date(2026, 1, 5)) == "05/01/2026"
    assert show(None) == ""
    assert show("") == ""


def test_parse_date_needs_a_whole_date() -> None:
    assert parse_date("20/11/2026", "Ngày") == date(2026, 11, 20)
    assert parse_date(date(2026, 11, 20), "Ngày") == date(2026, 11, 20)
    with pytest.raises(UserError, match="Ngày xét nghiệm: cần đủ ngày, tháng, năm"):
        parse_date("11/2026", "Ngày xét nghiệm")


def test_earliest_and_latest() -> None:
    assert PartialDate(1990).earliest() == date(1990, 1, 1)
    assert PartialDate(1990).latest() == date(1990, 12, 31)
    assert PartialDate(2024, 2).latest() == date(2024, 2, 29)
    assert PartialDate(2023, 2).latest() == date(2023, 2, 28)
    assert PartialDate(1990, 5, 17).earliest() == PartialDate(1990, 5, 17).latest()


@given(DAYS)
def test_full_dates_round_trip_through_text(d: date) -> None:
    assert parse_partial(show(d)) == PartialDate(d.year, d.month, d.day)
    assert parse_date(d.isoformat(), "Ngày") == d


# --- add_months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 20), 12, date(2027, 11, 20)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(DAYS, MONTHS)
def test_add_months_lands_in_the_right_month(d: date, months: int) -> None:
    result = add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    # The day never exceeds the original, and is kept whenever the month has it.
    assert result.day <= d.day
    if d.day <= 28:
        assert result.day == d.day
    else:
        next_day = result + timedelta(days=1)
        assert result.day == d.day or next_day.month != result.month


@given(DAYS, MONTHS, MONTHS)
def test_add_months_composes_where_nothing_is_clamped(d: date, a: int, b: int) -> None:
    step = add_months(add_months(d, a), b)
    direct = add_months(d, a + b)
    # Clamping in the first step can only lose days, never gain them.
    assert step <= direct
    if d.day <= 28:
        assert step == direct
        assert add_months(add_months(d, a), -a) == d


@given(DAYS, MONTHS, MONTHS)
def test_add_months_is_monotonic_in_months(d: date, a: int, b: int) -> None:
    assume(a != b)
    low, high = sorted((a, b))
    assert add_months(d, low) < add_months(d, high)


@given(DAYS, DAYS, MONTHS)
def test_add_months_is_monotonic_in_the_start(d1: date, d2: date, months: int) -> None:
    early, late = sorted((d1, d2))
    assert add_months(early, months) <= add_months(late, months)


# --- ages -------------------------------------------------------------------------------------


def test_age_on_a_full_birth_date() -> None:
    born = PartialDate(2008, 11, 21)
    assert age_on(born, date(2026, 11, 20)) == (17, 17)
    assert age_on(born, date(2026, 11, 21)) == (18, 18)


def test_age_on_a_year_only_birth_is_a_range() -> None:
    assert age_on(PartialDate(2008), date(2026, 11, 20)) == (17, 18)
    assert age_on(PartialDate(2008, 11), date(2026, 11, 20)) == (17, 18)
    assert age_on(PartialDate(2008, 10), date(2026, 11, 20)) == (18, 18)


def test_age_of_a_leap_day_birth() -> None:
    born = PartialDate(2008, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == (17, 17)
    assert age_on(born, date(2026, 3, 1)) == (18, 18)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31)),
    st.sampled_from(["year", "month", "day"]),
    st.dates(min_value=date(2027, 1, 1), max_value=date(2100, 12, 31)),
)
def test_age_bounds_hold_every_day_the_birth_may_be(born: date, known: str, on: date) -> None:
    partial = PartialDate(
        born.year,
        born.month if known != "year" else None,
        born.day if known == "day" else None,
    )
    youngest, oldest = age_on(partial, on)
    exact = age_on(PartialDate(born.year, born.month, born.day), on)
    assert exact[0] == exact[1]
    assert youngest <= exact[0] <= oldest
    assert 0 <= oldest - youngest <= 1


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2026, 11, 21), "21/11/2026"),
        (PartialDate(2026, 12), "12/2026"),
        (PartialDate(2027), "2027"),
    ],
)
def test_a_day_after_today_is_in_the_future(day: date | PartialDate, shown: str) -> None:
    today = date(2026, 11, 20)
    assert is_future(day, today)
    assert future_error(day, today, "Ngày sinh") == f"Ngày sinh: {shown} là ngày trong tương lai."


@pytest.mark.parametrize(
    "day", [date(2026, 11, 20), date(1990, 1, 1), PartialDate(2026, 11), PartialDate(2026), None]
)
def test_today_and_before_are_not_in_the_future(day: date | PartialDate | None) -> None:
    # A partial date is in the future only when even its first day is: "2026" may be today.
    today = date(2026, 11, 20)
    assert future_error(day, today, "Ngày") is None
    if day is not None:
        assert not is_future(day, today)


@given(DAYS, DAYS)
def test_future_is_after_today_for_every_pair_of_days(day: date, today: date) -> None:
    assert is_future(day, today) == (day > today)
    assert (future_error(day, today, "Ngày") is None) == (day <= today)
