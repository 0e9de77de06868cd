"""The Vietnamese lunar calendar (db.law.lunar): known dates, errors and round trips."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.law.lunar import LunarDate, lunar_new_year, lunar_to_solar, solar_to_lunar

SOLAR_DAYS = st.dates(min_value=date(1900, 2, 1), max_value=date(2100, 12, 31))
LUNAR_YEARS = st.integers(min_value=1900, max_value=2100)


@pytest.mark.parametrize(
    ("year", "tet"),
    [
        (1968, date(1968, 1, 29)),  # Tết Mậu Thân: 30 Jan in China and in the South (UTC+8)
        (1985, date(1985, 1, 21)),  # China: 20 Feb 1985
        (2007, date(2007, 2, 17)),  # China: 18 Feb 2007
        (2020, date(2020, 1, 25)),
        (2021, date(2021, 2, 12)),
        (2022, date(2022, 2, 1)),
        (2023, date(2023, 1, 22)),
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
        (2028, date(2028, 1, 26)),
        # The new moon is at 2030-02-02 16:07 UTC: 23:07 in Vietnam, 00:07 on 3 Feb in China.
        (2030, date(2030, 2, 2)),
    ],
)
def test_known_tet_dates(year: int, tet: date) -> None:
    assert lunar_new_year(year) == tet
    assert lunar_to_solar(year, 1, 1) == tet
    assert solar_to_lunar(tet) == LunarDate(year, 1, 1, False)
    assert solar_to_lunar(tet - timedelta(days=1)).year == year - 1


@pytest.mark.parametrize(
    ("year", "day"),
    [(2023, date(2023, 4, 29)), (2024, date(2024, 4, 18)), (2025, date(2025, 4, 7)),
     (2026, date(2026, 4, 26))],
)  # fmt: skip
def test_hung_kings_day(year: int, day: date) -> None:
    assert lunar_to_solar(year, 3, 10) == day
    assert solar_to_lunar(day) == LunarDate(year, 3, 10)


@pytest.mark.parametrize(
    ("year", "month", "first_day"),
    [
        (2012, 4, date(2012, 5, 21)),
        (2017, 6, date(2017, 7, 23)),
        (2020, 4, date(2020, 5, 23)),
        (2023, 2, date(2023, 3, 22)),
        (2025, 6, date(2025, 7, 25)),
        (2033, 11, date(2033, 12, 22)),  # the "2033 problem": a leap 11th month
    ],
)
def test_leap_months(year: int, month: int, first_day: date) -> None:
    assert lunar_to_solar(year, month, 1, leap=True) == first_day
    assert solar_to_lunar(first_day) == LunarDate(year, month, 1, True)
    # The leap month follows the ordinary month of the same number.
    assert lunar_to_solar(year, month, 1) < first_day


def test_some_well_known_days() -> None:
    assert solar_to_lunar(date(2024, 9, 17)) == LunarDate(2024, 8, 15)  # Tết Trung thu
    assert solar_to_lunar(date(2000, 1, 1)) == LunarDate(1999, 11, 25)
    assert lunar_to_solar(2024, 12, 29) == date(2025, 1, 28)  # the eve of Tết 2025


@pytest.mark.parametrize(
    ("year", "month", "day", "leap"),
    [
        (2024, 2, 1, True),  # 2024 has no leap month
        (2023, 3, 1, True),  # 2023's leap month is the 2nd
        (2023, 2, 30, True),  # the leap 2nd month of 2023 has 29 days
        (2024, 12, 30, False),  # the 12th month of 2024 has 29 days
        (2024, 13, 1, False),
        (2024, 0, 1, False),
        (2024, 1, 0, False),
        (2024, 1, 31, False),
        (1000, 1, 1, False),  # outside the supported years
    ],
)
def test_nonexistent_lunar_dates_raise(year: int, month: int, day: int, leap: bool) -> None:
    with pytest.raises(ValueError):
        lunar_to_solar(year, month, day, leap)


def test_unsupported_solar_dates_raise() -> None:
    with pytest.raises(ValueError):
        solar_to_lunar(date(1000, 6, 1))
    with pytest.raises(ValueError):
        solar_to_lunar(date(2300, 6, 1))


def test_every_day_of_three_decades_round_trips_and_runs_on() -> None:
    d = date(2000, 1, 1)
    previous = solar_to_lunar(d - timedelta(days=1))
    while d < date(2031, 1, 1):
        lunar = solar_to_lunar(d)
        assert lunar_to_solar(lunar.year, lunar.month, lunar.day, lunar.leap) == d
        if lunar.day == 1:
            assert previous.day in (29, 30)
        else:
            assert lunar == LunarDate(
                previous.year, previous.month, previous.day + 1, previous.leap
            )
        previous = lunar
        d += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(SOLAR_DAYS)
def test_solar_lunar_round_trip(d: date) -> None:
    lunar = solar_to_lunar(d)
    assert 1 <= lunar.month <= 12
    assert 1 <= lunar.day <= 30
    assert lunar.year in (d.year, d.year - 1)
    assert lunar_to_solar(lunar.year, lunar.month, lunar.day, lunar.leap) == d


@settings(max_examples=200, deadline=None)
@given(SOLAR_DAYS)
def test_consecutive_days_are_consecutive_lunar_days(d: date) -> None:
    today, tomorrow = solar_to_lunar(d), solar_to_lunar(d + timedelta(days=1))
    if tomorrow.day == 1:
        assert today.day in (29, 30)
        if tomorrow.leap:
            assert (tomorrow.year, tomorrow.month) == (today.year, today.month)
        elif tomorrow.month == 1:
            assert (tomorrow.year, today.month) == (today.year + 1, 12)
        else:
            assert (tomorrow.year, tomorrow.month) == (today.year, today.month + 1)
    else:
        assert tomorrow == LunarDate(today.year, today.month, today.day + 1, today.leap)


@settings(max_examples=100, deadline=None)
@given(LUNAR_YEARS)
def test_lunar_year_shape(year: int) -> None:
    tet, next_tet = lunar_new_year(year), lunar_new_year(year + 1)
    assert date(year, 1, 21) <= tet <= date(year, 2, 20)
    length = (next_tet - tet).days
    assert length in (353, 354, 355, 383, 384, 385)
    months = []
    for month in range(1, 13):
        for leap in (False, True):
            try:
                months.append(lunar_to_solar(year, month, 1, leap))
            except ValueError:
                assert leap
    assert len(months) == (12 if length < 360 else 13)
    assert months == sorted(months)
    starts = [*months, next_tet]
    assert all((b - a).days in (29, 30) for a, b in pairwise(starts))


@settings(max_examples=100, deadline=None)
@given(LUNAR_YEARS, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=30))
def test_lunar_to_solar_round_trip_or_value_error(year: int, month: int, day: int) -> None:
    try:
        d = lunar_to_solar(year, month, day)
    except ValueError:
        assert day == 30  # only a 30th day can be missing from an ordinary month
        assert solar_to_lunar(lunar_to_solar(year, month, 29) + timedelta(days=1)).day == 1
        return
    assert solar_to_lunar(d) == LunarDate(year, month, day, False)
