"""The days off actually decided each year, as shipped in db/law/days_off_vn.py.

Each year the government announces the days off of the year's holidays for civil servants: it
moves days (the Tết schedule, the day next to 2/9) and swaps a Saturday to make a longer break
(2025: Friday 2/5 off, Saturday 26/4 worked). Those decisions differ from the Labour Code's
default rule (db.law.workdays.builtin_holidays), so deadlines near them move by a working day.
The data is generated from the `holidays` package by db/law/make_days_off.py and read here; the
program never needs that package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType

from db.law import days_off_vn

__all__ = ["DecidedYear", "decided_calendar"]


@dataclass(frozen=True)
class DecidedYear:
    """One year's decided days off and make-up working days, by date, with their names."""

    year: int
    days_off: Mapping[date, str]
    workdays: Mapping[date, str]  # weekend days worked in exchange for a day off
    source: str  # where the year's days come from, in the officer's words

    def __post_init__(self) -> None:
        """Reject a day of another year, or a day both off and worked."""
        for day in (*self.days_off, *self.workdays):
            if day.year != self.year:
                raise ValueError(f"{day} is not in {self.year}")
        if both := set(self.days_off) & set(self.workdays):
            raise ValueError(f"both off and worked: {sorted(both)}")


@cache
def decided_calendar() -> Mapping[int, DecidedYear]:
    """Every year the shipped data covers, by year (a year with no day listed still counts:
    its decision was that the Labour Code days apply as they fall)."""
    off: dict[int, dict[date, str]] = {}
    worked: dict[int, dict[date, str]] = {}
    keys: dict[int, list[str]] = {}
    for iso, kind, name, key in days_off_vn.DAYS:
        day = date.fromisoformat(iso)
        if kind not in ("holiday", "workday"):
            raise ValueError(f"{iso}: kind {kind!r}")
        (off if kind == "holiday" else worked).setdefault(day.year, {})[day] = name
        if key not in keys.setdefault(day.year, []):
            keys[day.year].append(key)
    years = range(days_off_vn.FIRST_YEAR, days_off_vn.LAST_YEAR + 1)
    return MappingProxyType(
        {
            y: DecidedYear(
                y,
                MappingProxyType(off.get(y, {})),
                MappingProxyType(worked.get(y, {})),
                "; ".join(days_off_vn.SOURCES[k] for k in keys.get(y, ["holidays"])),
            )
            for y in years
        }
    )
