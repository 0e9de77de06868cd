"""The Vietnamese lunar calendar (âm lịch), computed astronomically for UTC+7.

Ho Ngoc Duc's method: a lunar month starts on the local day (UTC+7) of a new moon; month 11
is the month that holds the December solstice; in a lunar year with 13 months (from one month 11
to the next) the first month holding no major solar term (a multiple of 30° of the sun's
longitude) is the leap month and takes the number of the month before it. New moons and the
sun's longitude follow Jean Meeus, "Astronomical Algorithms".

Because Vietnam keeps UTC+7 rather than China's UTC+8, a few years differ from the Chinese
calendar: Tết 1985 fell on 21 January 1985 here (20 February in China).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "LunarDate",
    "lunar_new_year",
    "lunar_to_solar",
    "solar_to_lunar",
]

MIN_YEAR = 1800
"""First lunar year supported (the formulas are accurate well beyond 1900–2100)."""
MAX_YEAR = 2199
"""Last lunar year supported."""

_TIME_ZONE = 7.0  # hours east of UTC
_JD_OFFSET = 1721425  # Julian day number of date.fromordinal(1) - 1
_SYNODIC_MONTH = 29.530588853
_NEW_MOON_0 = 2415021.076998695  # Julian day of the new moon of 1 Jan 1900, 13:52 UTC
_DR = math.pi / 180.0


@dataclass(frozen=True)
class LunarDate:
    """A date of the Vietnamese lunar calendar; `leap` marks a day of the leap month."""

    year: int
    month: int
    day: int
    leap: bool = False


def _jdn(d: date) -> int:
    """The Julian day number of a Gregorian date."""
    return d.toordinal() + _JD_OFFSET


def _from_jdn(jdn: int) -> date:
    """The Gregorian date of a Julian day number."""
    return date.fromordinal(jdn - _JD_OFFSET)


def _new_moon(k: int) -> float:
    """The Julian day (UTC, fractional) of the k-th new moon after 1 Jan 1900 13:52 UTC."""
    t = k / 1236.85  # Julian centuries from 1900 January 0.5
    t2 = t * t
    t3 = t2 * t
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _DR)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # moon's arg. of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * _DR) + 0.0021 * math.sin(2 * _DR * m)
    c1 = c1 - 0.4068 * math.sin(mpr * _DR) + 0.0161 * math.sin(_DR * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(_DR * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(_DR * 2 * f) - 0.0051 * math.sin(_DR * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(_DR * (m - mpr)) + 0.0004 * math.sin(_DR * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(_DR * (2 * f - m)) - 0.0006 * math.sin(_DR * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(_DR * (2 * f - mpr)) + 0.0005 * math.sin(_DR * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def _new_moon_day(k: int) -> int:
    """The Julian day number of the local (UTC+7) day of the k-th new moon."""
    return math.floor(_new_moon(k) + 0.5 + _TIME_ZONE / 24.0)


def _sun_sector(jdn: int) -> int:
    """The sun's longitude at local midnight starting day `jdn`, in 30° sectors (0–11)."""
    t = (jdn - 0.5 - _TIME_ZONE / 24.0 - 2451545.0) / 36525.0  # centuries from J2000.0
    t2 = t * t
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2  # mean anomaly
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2  # mean longitude
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(_DR * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(_DR * 2 * m) + 0.000290 * math.sin(_DR * 3 * m)
    longitude = (l0 + dl) % 360.0  # true longitude, degrees
    return math.floor(longitude / 30.0)


def _month_k(jdn: int) -> int:
    """The index k of the new moon that starts the lunar month beginning on day `jdn`."""
    return math.floor((jdn - _NEW_MOON_0) / _SYNODIC_MONTH + 0.5)


@lru_cache(maxsize=512)
def _month11_start(year: int) -> int:
    """The Julian day number starting lunar month 11 (the December solstice's) of `year`."""
    off = _jdn(date(year, 12, 31)) - 2415021
    k = math.floor(off / _SYNODIC_MONTH)
    start = _new_moon_day(k)
    if _sun_sector(start) >= 9:  # that new moon comes after the solstice: take the one before
        start = _new_moon_day(k - 1)
    return start


# One lunar month: (lunar year, month number, leap, first day as a Julian day number).
_Month = tuple[int, int, bool, int]


@lru_cache(maxsize=512)
def _months_from_month11(year: int) -> tuple[_Month, ...]:
    """The lunar months from month 11 of lunar `year` up to month 11 of the next one (excluded)."""
    a11 = _month11_start(year)
    b11 = _month11_start(year + 1)
    k0 = _month_k(a11)
    count = _month_k(b11) - k0
    starts = [_new_moon_day(k0 + i) for i in range(count + 1)]
    if starts[0] != a11 or starts[-1] != b11 or count not in (12, 13):  # pragma: no cover
        raise ArithmeticError(f"lunar months around {year} could not be laid out")
    leap_index = -1  # none
    if count == 13:
        # The leap month is the first one after month 11 that holds no major term, i.e. the sun
        # is in the same 30° sector at its start and at the next month's start.
        leap_index = 12
        for i in range(1, 13):
            if _sun_sector(starts[i]) == _sun_sector(starts[i + 1]):
                leap_index = i
                break
    months: list[_Month] = []
    lunar_year = year
    number = 10
    for i in range(count):
        leap = i == leap_index
        if not leap:
            number = number % 12 + 1
            if number == 1:
                lunar_year = year + 1
        months.append((lunar_year, number, leap, starts[i]))
    return tuple(months)


@lru_cache(maxsize=512)
def _year_months(year: int) -> tuple[tuple[_Month, ...], int]:
    """The months of lunar `year` in order, and the first day of the next year (Julian days)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"lunar year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
    candidates = _months_from_month11(year - 1) + _months_from_month11(year)
    months = tuple(m for m in candidates if m[0] == year)
    end = next(m[3] for m in _months_from_month11(year) if m[0] == year + 1)
    return months, end


def lunar_new_year(year: int) -> date:
    """The solar date of Tết: the 1st day of the 1st lunar month of `year`."""
    months, _ = _year_months(year)
    return _from_jdn(months[0][3])


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date:
    """The solar date of a lunar date; ValueError if that lunar date does not exist."""
    if not 1 <= month <= 12:
        raise ValueError(f"lunar month {month} is not between 1 and 12")
    if not 1 <= day <= 30:
        raise ValueError(f"lunar day {day} is not between 1 and 30")
    months, end = _year_months(year)
    for i, (_, number, is_leap, start) in enumerate(months):
        if number == month and is_leap == leap:
            following = months[i + 1][3] if i + 1 < len(months) else end
            if day > following - start:
                raise ValueError(
                    f"lunar month {month}{' (leap)' if leap else ''} of {year} "
                    f"has only {following - start} days"
                )
            return _from_jdn(start + day - 1)
    raise ValueError(f"lunar year {year} has no leap month {month}")


def solar_to_lunar(d: date) -> LunarDate:
    """The lunar date of a solar date."""
    jdn = _jdn(d)
    year = d.year
    if year > MAX_YEAR or jdn < _year_months(year)[0][0][3]:
        year -= 1  # before Tết: still the previous lunar year
    months, end = _year_months(year)
    if jdn >= end:
        raise ValueError(f"{d} is after the last supported lunar year {MAX_YEAR}")
    i = bisect.bisect_right([m[3] for m in months], jdn) - 1
    _, number, leap, start = months[i]
    return LunarDate(year, number, jdn - start + 1, leap)
