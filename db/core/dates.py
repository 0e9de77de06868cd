"""Dates: partial birth dates kept honestly, ISO storage, dd/mm/yyyy display.

A birth date is often known only as a year, sometimes a month and year. It is stored as the
ISO prefix that is known ("1990", "1990-05", "1990-05-17") and never padded with an invented day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from db.core.errors import UserError

_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})\s*$")
_MY = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_Y = re.compile(r"^\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\s*$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date of which the year, the year and month, or the whole date is known."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """The stored form: "1990", "1990-05" or "1990-05-17"."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def display(self) -> str:
        """The shown form: "1990", "05/1990" or "17/05/1990"."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.month:02d}/{self.year:04d}"
        return f"{self.day:02d}/{self.month:02d}/{self.year:04d}"

    def earliest(self) -> date:
        """The first day the partial date can mean."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """The last day the partial date can mean."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)


def _make(year: int, month: int | None, day: int | None, field: str, text: str) -> PartialDate:
    if not 1900 <= year <= 2100:
        raise UserError(f"{field}: năm {year} không hợp lệ (“{text}”).", field=field)
    if month is not None and not 1 <= month <= 12:
        raise UserError(f"{field}: tháng {month} không hợp lệ (“{text}”).", field=field)
    if day is not None:
        assert month is not None
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise UserError(
                f"{field}: ngày {day}/{month}/{year} không có trong lịch (“{text}”).", field=field
            )
    return PartialDate(year, month, day)


def parse_partial(text: str, field: str = "Ngày sinh") -> PartialDate:
    """Read "17/05/1990", "17/5/90", "05/1990", "1990" or ISO; raise UserError naming the field."""
    raw = text.strip()
    if m := _ISO.match(raw):
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
        return _make(year, month, day, field, raw)
    if m := _DMY.match(raw):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if len(m.group(3)) == 2:
            # Two-digit years: a birth or test year is never in the future.
            year += 2000 if year <= date.today().year % 100 else 1900
        return _make(year, month, day, field, raw)
    if m := _MY.match(raw):
        return _make(int(m.group(2)), int(m.group(1)), None, field, raw)
    if m := _Y.match(raw):
        return _make(int(m.group(1)), None, None, field, raw)
    raise UserError(
        f"{field}: “{raw}” không phải ngày hợp lệ (nhập dd/mm/yyyy, mm/yyyy hoặc năm).",
        field=field,
    )


def partial_from_iso(value: str | None) -> PartialDate | None:
    """The stored form back to a PartialDate (None for empty)."""
    if not value:
        return None
    return parse_partial(value)


def parse_date(text: str | date, field: str) -> date:
    """A full date from dd/mm/yyyy, d/m/yy or ISO text; raise UserError naming the field."""
    if isinstance(text, date):
        return text
    partial = parse_partial(text, field)
    if partial.day is None:
        raise UserError(f"{field}: cần đủ ngày, tháng, năm (dd/mm/yyyy).", field=field)
    return partial.earliest()


def iso(d: date | None) -> str | None:
    """A date as stored (YYYY-MM-DD), None stays None."""
    return d.isoformat() if d else None


def from_iso(value: str | None) -> date | None:
    """A stored full date back to a date."""
    return date.fromisoformat(value) if value else None


def show(value: date | str | None) -> str:
    """A date, or a stored (possibly partial) date, as the officer reads it."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):  # (not strftime: 3x slower, and lists show thousands)
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    partial = partial_from_iso(value)
    return partial.display() if partial else ""


def is_future(day: date | PartialDate, today: date) -> bool:
    """Whether `day` lies after the register's `today` (a partial date: even its first day)."""
    first = day.earliest() if isinstance(day, PartialDate) else day
    return first > today


def future_error(day: date | PartialDate | None, today: date, label: str) -> str | None:
    """The message naming the field when `day` lies after the register's `today`, else None.

    Nothing that is recorded (a birth, a test, a decision, a visit) can have happened after
    today; every check of a recorded date asks here, so the rule and its wording are one.
    """
    if day is None or not is_future(day, today):
        return None
    shown = day.display() if isinstance(day, PartialDate) else show(day)
    return f"{label}: {shown} là ngày trong tương lai."


def add_months(d: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31/01 + 1 month = 28 or 29/02)."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    if d.day <= 28:  # every month has the day: no calendar look-up (the due list adds a month
        return date(year, month, d.day)  # to every managed person's last check)
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def age_on(birth: PartialDate, on: date) -> tuple[int, int]:
    """The youngest and oldest age the person can be on `on`."""

    def years(born: date) -> int:
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    return years(birth.latest()), years(birth.earliest())
