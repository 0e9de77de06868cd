"""The working calendar of this register: the decided days, and the days the officer edits.

The program knows each year's days off as decided (db.law.decided), or the Labour Code rule for
a year not decided yet. The officer can add or remove a day (`set_day`, `clear_day`), or mark a
whole year as entered by the unit (`set_year_entered`): that year then counts only the days the
officer entered, and the program's own days for it are no longer used (replaced, not added to).
The mark is kept in the settings table under `calendar.entered.<year>`, one row per year, so two
laptops that each mark a different year merge without conflict.
"""

from __future__ import annotations

import json
from datetime import date
from typing import NamedTuple

from db.core.dates import parse_date
from db.core.errors import UserError
from db.law.workdays import Basis, DayOverride, WorkCalendar, YearBasis
from db.store import records
from db.store.register import Register

__all__ = [
    "CalendarDay",
    "clear_day",
    "entered_years",
    "overrides",
    "set_day",
    "set_year_entered",
    "work_calendar",
    "year_basis",
    "year_days",
]

_ENTERED = "calendar.entered."
_YEARS = range(1900, 2200)


class CalendarDay(NamedTuple):
    """A day of the year's calendar: a day off, or a weekend day worked."""

    day: date
    kind: str  # "holiday" or "workday"
    name: str
    origin: Basis  # "entered" (by the unit), "decided" (shipped) or "labour_code" (Art. 112)


def overrides(reg: Register) -> list[DayOverride]:
    """Every day the officer has marked as a day off or a make-up working day."""
    rows = reg.db.execute(
        "SELECT day, kind, name FROM calendar_days WHERE deleted = 0 ORDER BY day, updated_at"
    ).fetchall()
    return [DayOverride(date.fromisoformat(d), k, n) for d, k, n in rows]


def entered_years(reg: Register) -> set[int]:
    """The years the unit marked as entered from the government's notice."""
    rows = reg.db.execute(
        "SELECT key, value FROM settings WHERE deleted = 0 AND key LIKE ?", [f"{_ENTERED}%"]
    ).fetchall()
    years = {key.removeprefix(_ENTERED): json.loads(value) for key, value in rows}
    return {int(year) for year, entered in years.items() if year.isdigit() and entered is True}


def set_year_entered(reg: Register, year: int, entered: bool) -> None:
    """Count `year` on the unit's own days only (True), or on the program's days again."""
    if year not in _YEARS:
        raise UserError(f"Năm {year} không hợp lệ.", field="year")
    key = f"{_ENTERED}{year}"
    value = json.dumps(bool(entered))
    with records.transaction(reg):
        row = reg.db.execute("SELECT id FROM settings WHERE key = ?", [key]).fetchone()
        if row:
            records.update(reg, "settings", row[0], {"value": value, "deleted": 0})
        else:
            records.insert(reg, "settings", {"key": key, "value": value})


def work_calendar(reg: Register) -> WorkCalendar:
    """The working-day calendar of this register: decided days, overrides, entered years."""
    return WorkCalendar(overrides(reg), entered_years=entered_years(reg))


def year_basis(reg: Register, year: int) -> YearBasis:
    """Which days `year` is counted on here (its `label` says so in the officer's words)."""
    return work_calendar(reg).basis(year)


def year_days(reg: Register, year: int) -> list[CalendarDay]:
    """The year's days off and weekend days worked, in date order, each with where it is from."""
    calendar = work_calendar(reg)
    basis = calendar.basis(year).kind
    own = {(o.day, o.kind) for o in overrides(reg) if o.day.year == year}
    days = [(d, "holiday", n) for d, n in calendar.public_holidays(year).items()]
    days += [(d, "workday", n) for d, n in calendar.make_up_days(year).items()]
    return [
        CalendarDay(d, kind, name, "entered" if (d, kind) in own else basis)
        for d, kind, name in sorted(days)
    ]


def set_day(reg: Register, day: date | str, kind: str, name: str = "") -> str:
    """Mark one day as a day off ("holiday") or a make-up working day ("workday")."""
    when = parse_date(day, "Ngày")
    if kind not in ("holiday", "workday"):
        raise UserError(f"Loại ngày “{kind}” không hợp lệ (nghỉ / làm bù).", field="kind")
    with records.transaction(reg):
        for (old_id,) in reg.db.execute(
            "SELECT id FROM calendar_days WHERE day = ? AND deleted = 0", [when.isoformat()]
        ).fetchall():
            records.soft_delete(reg, "calendar_days", old_id)
        return records.insert(
            reg, "calendar_days", {"day": when.isoformat(), "kind": kind, "name": name.strip()}
        )


def clear_day(reg: Register, day: date | str) -> None:
    """Return a day to the program's calendar."""
    when = parse_date(day, "Ngày")
    with records.transaction(reg):
        for (old_id,) in reg.db.execute(
            "SELECT id FROM calendar_days WHERE day = ? AND deleted = 0", [when.isoformat()]
        ).fetchall():
            records.soft_delete(reg, "calendar_days", old_id)
