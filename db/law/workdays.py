"""Working days: deadlines counted in working days skip weekends and public holidays.

Each year is counted on one basis, in this order:
1. "entered": the unit marked the year as entered from the government's notice (db.commune.
   holidays): only the officer's days apply, the program's own days for that year do not.
2. "decided": the days off and the Saturdays worked in exchange, as the government decided them
   that year, shipped with the program (db.law.decided, from the `holidays` package).
3. "labour_code": a year with no decision shipped falls back to the Labour Code 2019, Art. 112:
   Tết Dương lịch (1/1), Tết Nguyên đán (the last day of the lunar year and lunar 1st–4th of
   month 1), Giỗ Tổ Hùng Vương (10/3 lunar), Ngày Chiến thắng (30/4), Quốc tế Lao động (1/5) and
   Quốc khánh (2/9 and one adjacent day: 3/9 when 2/9 is a Monday, otherwise 1/9). A holiday on a
   Saturday or a Sunday gives a compensating day off (nghỉ bù) on the next day that is neither a
   weekend day, nor a holiday, nor an earlier compensating day.

On the "decided" and "labour_code" bases the officer's `DayOverride`s still win on their own
date (a day added or removed) and never generate compensation; compensation days are placed by
the built-in rule alone, so they do not move when overrides are added.

Each year is laid out once per calendar (a mask and a running count of working days), so that
`add_working_days` and `working_days_between` cost microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from db.law.decided import DecidedYear, decided_calendar
from db.law.lunar import lunar_new_year, lunar_to_solar, solar_to_lunar

__all__ = ["BASIS_LABELS", "Basis", "DayOverride", "WorkCalendar", "YearBasis", "builtin_holidays"]

Basis = Literal["entered", "decided", "labour_code"]
BASIS_LABELS: dict[Basis, str] = {
    "entered": "Theo lịch nghỉ đơn vị nhập (thay cho lịch có sẵn của chương trình)",
    "decided": "Theo lịch nghỉ đã công bố (nguồn: %1)",
    "labour_code": "Chưa có lịch nghỉ công bố: tính theo Bộ luật Lao động Điều 112",
}
"""What the Settings screen says of a year's basis (%1: the source of the decided days)."""

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
class YearBasis:
    """Which days a year is counted on, and where they come from."""

    kind: Basis
    source: str = ""  # for "decided": the shipped data's source

    @property
    def label(self) -> str:
        """The basis in the officer's words."""
        return BASIS_LABELS[self.kind].replace("%1", self.source)


@dataclass(frozen=True)
class _Year:
    """One Gregorian year laid out: days off by name, working mask and running counts."""

    first: int  # ordinal of 1 January
    days_off: dict[date, str]  # holidays in effect (weekends excluded unless a holiday)
    make_up: dict[date, str]  # weekend days worked (a decided swap or the officer's entry)
    working: bytes  # working[i] == 1 when day first + i is a working day
    cumulative: tuple[int, ...]  # cumulative[i]: working days among days first .. first + i
    ordinals: tuple[int, ...]  # ordinals of the working days, in order


class WorkCalendar:
    """Working days under the decided (or Labour Code) holidays and the officer's overrides."""

    def __init__(
        self,
        overrides: Iterable[DayOverride] = (),
        *,
        decided: Mapping[int, DecidedYear] | None = None,
        entered_years: Iterable[int] = (),
    ) -> None:
        """Keep the overrides (a later one for the same day replaces an earlier one).

        `decided`: the decided days by year, the shipped ones by default (`{}`: the Labour Code
        rule alone). `entered_years`: the years the unit entered itself, counted on its days only.
        """
        self._overrides: dict[int, dict[date, DayOverride]] = {}
        for o in overrides:
            self._overrides.setdefault(o.day.year, {})[o.day] = o
        self._decided = decided_calendar() if decided is None else decided
        self._entered = frozenset(entered_years)
        self._years: dict[int, _Year] = {}

    def basis(self, year: int) -> YearBasis:
        """Which days `year` is counted on."""
        if year in self._entered:
            return YearBasis("entered")
        found = self._decided.get(year)
        if found is not None:
            return YearBasis("decided", found.source)
        return YearBasis("labour_code")

    def _plan(self, year: int) -> tuple[dict[date, str], dict[date, str]]:
        """The year's days off and worked days before the officer's overrides, by basis."""
        kind = self.basis(year).kind
        if kind == "entered":
            return {}, {}
        if kind == "decided":
            found = self._decided[year]
            return dict(found.days_off), dict(found.workdays)
        return builtin_holidays(year), {}

    def _year(self, year: int) -> _Year:
        """The laid-out year, computed on first use."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        overrides = self._overrides.get(year, {})
        days_off, worked = self._plan(year)
        for d, o in overrides.items():
            if o.kind == "workday":
                days_off.pop(d, None)
                worked[d] = o.name or "Ngày làm bù"
            else:
                worked.pop(d, None)
                days_off[d] = o.name or "Ngày nghỉ"
        days_off = dict(sorted(days_off.items()))
        make_up = {d: name for d, name in sorted(worked.items()) if _is_weekend(d)}

        first_day = date(year, 1, 1)
        first = first_day.toordinal()
        length = date(year + 1, 1, 1).toordinal() - first
        working = bytearray(length)
        cumulative: list[int] = []
        ordinals: list[int] = []
        count = 0
        d = first_day
        for i in range(length):
            works = d in worked or (not _is_weekend(d) and d not in days_off)
            if works:
                working[i] = 1
                count += 1
                ordinals.append(first + i)
            cumulative.append(count)
            d += _DAY
        laid_out = _Year(
            first, days_off, make_up, bytes(working), tuple(cumulative), tuple(ordinals)
        )
        self._years[year] = laid_out
        return laid_out

    def public_holidays(self, year: int) -> dict[date, str]:
        """The days off of `year` other than plain weekends, by date, with their names."""
        return dict(self._year(year).days_off)

    def make_up_days(self, year: int) -> dict[date, str]:
        """The weekend days of `year` that are working days, by date, with their names."""
        return dict(self._year(year).make_up)

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
