"""The officer-edited days of the working calendar (lunar holidays as decided, make-up days)."""

from __future__ import annotations

from datetime import date

from db.core.dates import parse_date
from db.core.errors import UserError
from db.law.workdays import DayOverride, WorkCalendar
from db.store import records
from db.store.register import Register


def overrides(reg: Register) -> list[DayOverride]:
    """Every day the officer has marked as a day off or a make-up working day."""
    rows = reg.db.execute(
        "SELECT day, kind, name FROM calendar_days WHERE deleted = 0 ORDER BY day, updated_at"
    ).fetchall()
    return [DayOverride(date.fromisoformat(d), k, n) for d, k, n in rows]


def work_calendar(reg: Register) -> WorkCalendar:
    """The working-day calendar with this register's overrides."""
    return WorkCalendar(overrides(reg))


def days_off(reg: Register, year: int) -> list[tuple[date, str, bool]]:
    """The year's public days off in date order: (day, name, whether the unit entered it from the
    government's notice rather than the program knowing it from the Labour Code)."""
    entered = {o.day for o in overrides(reg) if o.kind == "holiday"}
    holidays = work_calendar(reg).public_holidays(year)
    return [(day, name, day in entered) for day, name in sorted(holidays.items())]


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
    """Return a day to the built-in calendar."""
    when = parse_date(day, "Ngày")
    with records.transaction(reg):
        for (old_id,) in reg.db.execute(
            "SELECT id FROM calendar_days WHERE day = ? AND deleted = 0", [when.isoformat()]
        ).fetchall():
            records.soft_delete(reg, "calendar_days", old_id)
