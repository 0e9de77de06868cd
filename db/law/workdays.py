"""Working days: deadlines counted in working days skip weekends and public holidays.

The built-in holidays are those of the Labour Code 2019, Art. 112: Tết Dương lịch (1/1), Tết
Nguyên đán (the last day of the lunar year and lunar 1st–4th of month 1), Giỗ Tổ Hùng Vương
(10/3 lunar), Ngày Chiến thắng (30/4), Quốc tế Lao động (1/5) and Quốc khánh (2/9 and one
adjacent day: 3/9 when 2/9 is a Monday, otherwise 1/9). A built-in holiday on a Saturday or a
Sunday gives a compensating day off (nghỉ bù) on the next day that is neither a weekend day, nor
a built-in holiday, nor an earlier compensating day.

Officers enter what was actually decided each year as `DayOverride`s: an override always wins
over the built-in rule on its own date and never generates compensation. Compensation days are
placed by the built-in rule alone, so they do not move when overrides are added.

Each year is laid out once per calendar (a mask and a running count of working days), so that
`add_working_days` and `working_days_between` cost microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from db.law.lunar import lunar_new_year, lunar_to_solar, solar_to_lunar

__all__ = ["DayOverride", "WorkCalendar", "builtin_holidays"]

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DayOverride:
    """An officer-edited day: "holiday" is a day off, "workday" a (make-up) working day."""

    day: date
    kind: Literal["holiday", "workday"]
    name: str = ""

    def __post_init__(self) -> None:
        """Reject a kind other than "holiday" or "workday"."""
        if self.kind not in ("holiday", "workday"):
            raise ValueError(f"override kind must be 'holiday' or 'workday', not {self.kind!r}")


def _is_weekend(d: date) -> bool:
    """Whether `d` is a Saturday or a Sunday."""
    return d.weekday() >= 5


def _add(holidays: dict[date, str], d: date, name: str) -> None:
    """Record a holiday, joining the names when two fall on the same day."""
    holidays[d] = f"{holidays[d]}; {name}" if d in holidays else name


def builtin_holidays(year: int) -> dict[date, str]:
    """The Labour Code holidays of `year` with their compensating days off, by date."""
    holidays: dict[date, str] = {}
    _add(holidays, date(year, 1, 1), "Tết Dương lịch")
    tet = lunar_new_year(year)
    eve = tet - _DAY  # the last day of the lunar year: 29 or 30 of month 12
    _add(holidays, eve, f"Tết Nguyên đán ({solar_to_lunar(eve).day} tháng Chạp)")
    for i in range(4):
        _add(holidays, tet + i * _DAY, f"Tết Nguyên đán (mùng {i + 1} tháng Giêng)")
    _add(holidays, lunar_to_solar(year, 3, 10), "Giỗ Tổ Hùng Vương (10/3 âm lịch)")
    _add(holidays, date(year, 4, 30), "Ngày Chiến thắng")
    _add(holidays, date(year, 5, 1), "Ngày Quốc tế Lao động")
    national_day = date(year, 9, 2)
    _add(holidays, national_day, "Quốc khánh")
    adjacent = national_day + _DAY if national_day.weekday() == 0 else national_day - _DAY
    _add(holidays, adjacent, "Quốc khánh (ngày liền kề)")

    compensations: dict[date, str] = {}
    for d in sorted(holidays):
        if not _is_weekend(d):
            continue
        c = d + _DAY
        while _is_weekend(c) or c in holidays or c in compensations:
            c += _DAY
        compensations[c] = f"Nghỉ bù {holidays[d]}"
    holidays.update(compensations)
    return dict(sorted(holidays.items()))


@dataclass(frozen=True)
class _Year:
    """One Gregorian year laid out: days off by name, working mask and running counts."""

    first: int  # ordinal of 1 January
    days_off: dict[date, str]  # holidays in effect (weekends excluded unless a holiday)
    working: bytes  # working[i] == 1 when day first + i is a working day
    cumulative: tuple[int, ...]  # cumulative[i]: working days among days first .. first + i
    ordinals: tuple[int, ...]  # ordinals of the working days, in order


class WorkCalendar:
    """Working days under the built-in holidays and the officer's overrides."""

    def __init__(self, overrides: Iterable[DayOverride] = ()) -> None:
        """Keep the overrides (a later one for the same day replaces an earlier one)."""
        self._overrides: dict[int, dict[date, DayOverride]] = {}
        for o in overrides:
            self._overrides.setdefault(o.day.year, {})[o.day] = o
        self._years: dict[int, _Year] = {}

    def _year(self, year: int) -> _Year:
        """The laid-out year, computed on first use."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        overrides = self._overrides.get(year, {})
        days_off = builtin_holidays(year)
        for d, o in overrides.items():
            if o.kind == "workday":
                days_off.pop(d, None)
            else:
                days_off[d] = o.name or "Ngày nghỉ"
        days_off = dict(sorted(days_off.items()))

        first_day = date(year, 1, 1)
        first = first_day.toordinal()
        length = date(year + 1, 1, 1).toordinal() - first
        working = bytearray(length)
        cumulative: list[int] = []
        ordinals: list[int] = []
        count = 0
        d = first_day
        for i in range(length):
            override = overrides.get(d)
            if override is not None:
                works = override.kind == "workday"
            else:
                works = not _is_weekend(d) and d not in days_off
            if works:
                working[i] = 1
                count += 1
                ordinals.append(first + i)
            cumulative.append(count)
            d += _DAY
        laid_out = _Year(first, days_off, bytes(working), tuple(cumulative), tuple(ordinals))
        self._years[year] = laid_out
        return laid_out

    def public_holidays(self, year: int) -> dict[date, str]:
        """The days off of `year` other than plain weekends, by date, with their names."""
        return dict(self._year(year).days_off)

    def is_working_day(self, d: date) -> bool:
        """Whether `d` is a working day."""
        y = self._year(d.year)
        return y.working[d.toordinal() - y.first] == 1

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (not counting `start`); `start` itself for n == 0."""
        if n < 0:
            raise ValueError(f"the number of working days must not be negative, not {n}")
        if n == 0:
            return start
        year = start.year
        y = self._year(year)
        target = y.cumulative[start.toordinal() - y.first] + n  # rank within `year`
        while target > len(y.ordinals):
            target -= len(y.ordinals)
            year += 1
            y = self._year(year)
        return date.fromordinal(y.ordinals[target - 1])

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days d with a < d <= b (0 when b <= a)."""
        if b <= a:
            return 0
        ya = self._year(a.year)
        yb = self._year(b.year)
        count = yb.cumulative[b.toordinal() - yb.first] - ya.cumulative[a.toordinal() - ya.first]
        for year in range(a.year, b.year):
            count += len(self._year(year).ordinals)
        return count

    def next_working_day(self, d: date) -> date:
        """`d` itself if it is a working day, otherwise the first working day after it."""
        return d if self.is_working_day(d) else self.add_working_days(d, 1)
