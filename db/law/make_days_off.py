"""Write db/law/days_off_vn.py: Vietnam's days off as decided each year, from `holidays`.

A developer's tool, not part of the program: the program reads the generated module and never
needs the `holidays` package. Run it when a new year's schedule is announced and a new release
of `holidays` carries it (check the package's Vietnam references first):

    pip install -U holidays
    python -m db.law.make_days_off --last-year 2027

The days off are the package's Vietnam calendar (public holidays, Vietnamese names, observed
days included). The make-up working days (a Saturday worked to make a longer break) are the
"substituted from" dates of the package's special holidays table. A swap the package does not
list yet is added from `HAND_ADDED` below with its own source, and dropped again as soon as the
package lists the same day off.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

import holidays
from holidays.countries.vietnam import VietnamStaticHolidays

FIRST_YEAR = 2013
"""From the Labour Code 2012 (Tết became five days): earlier years are not needed."""
LAST_YEAR = 2026
"""The last year whose schedule the package's sources cite (raise it when a new one is out)."""
TARGET = Path(__file__).with_name("days_off_vn.py")
VERSION = version("holidays")

PACKAGE_SOURCE = "thư viện holidays {version} (lịch Việt Nam), lấy ngày {generated}"
# Swaps decided by the government that holidays 0.109 does not list. Each: (day off, day worked,
# source key). Source: the project's legal notes (shared/domain.md, "Days off"): "2026: Fri 2/1
# off with Sat 10/1 worked".
HAND_ADDED: tuple[tuple[date, date, str], ...] = (
    (date(2026, 1, 2), date(2026, 1, 10), "swap-2026-01"),
)
HAND_SOURCES = {
    "swap-2026-01": "lịch hoán đổi ngày dịp Tết Dương lịch 2026 đã công bố (bổ sung tay)",
}

# Days the package lists that the project's legal notes do not confirm as decided: left out, so
# a deadline is never moved later on a day that may be worked. 24/11/2026 ("Ngày Văn hóa Việt
# Nam") is in holidays 0.109 from a Politburo resolution; neither the Labour Code Art. 112 nor a
# decided 2026 schedule in shared/domain.md lists it. An officer can add it in Settings.
HAND_REMOVED: frozenset[date] = frozenset({date(2026, 11, 24)})

Day = tuple[str, str, str, str]  # ISO day, "holiday" | "workday", name, source key


def _swaps(year: int) -> Iterator[tuple[date, date]]:
    """The package's decided swaps listed under `year`: (day off, day worked instead)."""
    # (month, day, from month, from day[, from year]), or a tuple of those.
    table: dict[int, Any] = VietnamStaticHolidays.special_public_holidays
    entries: tuple[tuple[int, ...], ...] = table.get(year, ())
    if entries and isinstance(entries[0], int):
        entries = (cast(tuple[int, ...], entries),)
    for entry in entries:
        month, day, from_month, from_day, *from_year = entry
        yield (
            date(year, month, day),
            date(from_year[0] if from_year else year, from_month, from_day),
        )


def _quote(text: str) -> str:
    """A Python string literal as ruff formats it (double quotes, letters kept)."""
    return json.dumps(text, ensure_ascii=False)


def _off_name(worked: date) -> str:
    return f"Ngày nghỉ (thay cho ngày {worked:%d/%m/%Y})"


def _worked_name(off: date) -> str:
    return f"Làm bù cho ngày nghỉ {off:%d/%m/%Y}"


def collect(first: int, last: int) -> tuple[list[Day], list[str]]:
    """The days of `first`..`last` and the hand-added source keys in use."""
    years = range(first, last + 1)
    calendar = holidays.country_holidays("VN", years=years, language="vi")
    days: dict[date, Day] = {
        d: (d.isoformat(), "holiday", str(name), "holidays")
        for d, name in calendar.items()
        if d not in HAND_REMOVED
    }
    swaps = [
        (off, worked, "holidays") for y in range(first - 1, last + 2) for off, worked in _swaps(y)
    ]
    used: list[str] = []
    for off, worked, key in HAND_ADDED:
        if off in calendar:
            continue  # the package lists it by now: its entry is the one kept
        days[off] = (off.isoformat(), "holiday", _off_name(worked), key)
        swaps.append((off, worked, key))
        used.append(key)
    for off, worked, key in swaps:
        if off.year in years and off not in days:
            raise SystemExit(f"the swap of {off} is not among the package's days off")
        if worked.year not in years:
            print(f"left out: {worked} worked for {off}, outside {first}-{last}", file=sys.stderr)
            continue
        if worked.weekday() < 5:
            raise SystemExit(f"{worked}, worked for {off}, is not a weekend day")
        days[worked] = (worked.isoformat(), "workday", _worked_name(off), key)
    return [days[d] for d in sorted(days) if d.year in years], used


def render(first: int, last: int, generated: date) -> str:
    """The text of days_off_vn.py."""
    rows, used = collect(first, last)
    sources = {
        "holidays": PACKAGE_SOURCE.format(version=VERSION, generated=f"{generated:%d/%m/%Y}")
    }
    sources.update((key, HAND_SOURCES[key]) for key in used)
    lines = [
        '"""Vietnam\'s days off as decided each year, and the Saturdays worked in exchange.',
        "",
        "GENERATED by `python -m db.law.make_days_off` (do not edit: change the script, run it).",
        "Read by db.law.decided; the program does not need the `holidays` package to run.",
        '"""',
        "",
        'PACKAGE = "holidays"',
        f"VERSION = {_quote(VERSION)}",
        f"GENERATED = {_quote(generated.isoformat())}",
        f"FIRST_YEAR = {first}",
        f"LAST_YEAR = {last}",
        "# Where each day comes from, in the officer's words.",
        "SOURCES: dict[str, str] = {",
        *(f"    {_quote(key)}: {_quote(text)}," for key, text in sources.items()),
        "}",
        '# (day, "holiday" | "workday", name, source key), in date order.',
        "DAYS: tuple[tuple[str, str, str, str], ...] = (",
        *(f"    ({', '.join(_quote(field) for field in row)})," for row in rows),
        ")",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--first-year", type=int, default=FIRST_YEAR)
    options.add_argument("--last-year", type=int, default=LAST_YEAR)
    options.add_argument("--output", type=Path, default=TARGET)
    args = options.parse_args(argv)
    text = render(args.first_year, args.last_year, date.today())
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {text.count(chr(10))} lines, holidays {VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
