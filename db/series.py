"""Month-by-month figures for charts, and who is due for a test in a coming period.

`monthly_series` gives, for many periods at once, the same people-per-category and test counts
that `db.stats.figures` gives for one (same definitions: an episode is open on a day when it
started on or before it and has not ended by it; deleted rows and deleted people never count).
It exists because `figures()` also computes everything else (due lists, criteria), which a
12-month chart over 100,000 people cannot afford twelve times; a test holds the two equal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from db.categories import Category
from db.dates import add_months
from db.due import DueItem, due_items
from db.places import villages
from db.register import Register
from db.stats import period_for_month


def last_months(
    year: int, month: int, count: int = 12, cutoff_day: int = 0
) -> list[tuple[date, date]]:
    """The reporting periods of `count` months ending with year/month, oldest first."""
    last = date(year, month, 1)
    months = [add_months(last, -i) for i in range(count - 1, -1, -1)]
    return [period_for_month(m.year, m.month, cutoff_day) for m in months]


def monthly_series(reg: Register, periods: Sequence[tuple[date, date]]) -> list[dict[str, Any]]:
    """Per period: people per category at its end, people on the register, tests and positives."""
    if not periods:
        return []
    values = ", ".join("(?, ?, ?)" for _ in periods)
    params: list[Any] = []
    for i, (start, end) in enumerate(periods):
        params += [i, start.isoformat(), end.isoformat()]
    months_cte = f"WITH m(i, start, stop) AS (VALUES {values}) "
    result = [
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "categories": dict.fromkeys((c.value for c in Category), 0),
            "people_total": 0,
            "tests": 0,
            "positives": 0,
        }
        for start, end in periods
    ]
    open_rows = reg.db.execute(
        months_cte + "SELECT m.i, e.category, count(DISTINCT e.person_id) FROM m "
        "JOIN episodes e ON e.start_date <= m.stop AND (e.end_date IS NULL OR e.end_date > m.stop) "
        "JOIN persons p ON p.id = e.person_id WHERE e.deleted = 0 AND p.deleted = 0 "
        "GROUP BY m.i, e.category",
        params,
    )
    for i, category, people in open_rows:
        result[i]["categories"][category] = people
    totals = reg.db.execute(
        months_cte + "SELECT m.i, count(DISTINCT e.person_id) FROM m "
        "JOIN episodes e ON e.start_date <= m.stop AND (e.end_date IS NULL OR e.end_date > m.stop) "
        "JOIN persons p ON p.id = e.person_id WHERE e.deleted = 0 AND p.deleted = 0 GROUP BY m.i",
        params,
    )
    for i, people in totals:
        result[i]["people_total"] = people
    tests = reg.db.execute(
        months_cte + "SELECT m.i, count(*), sum(t.result = 'positive') FROM m "
        "JOIN drug_tests t ON t.test_date BETWEEN m.start AND m.stop "
        "JOIN persons p ON p.id = t.person_id WHERE t.deleted = 0 AND p.deleted = 0 GROUP BY m.i",
        params,
    )
    for i, total, positives in tests:
        result[i]["tests"] = total
        result[i]["positives"] = int(positives or 0)
    return result


def tests_due(reg: Register, until: date) -> list[DueItem]:
    """People to test by `until` (those already overdue included), from the due list the window
    shows for that day; grouped by village in the commune's order, then by name."""
    order = {v["id"]: i for i, v in enumerate(villages(reg))}
    items = [i for i in due_items(reg, until) if i.kind == "test" and i.due <= until]
    village_of = dict(
        reg.db.execute(
            "SELECT id, village_id FROM persons WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps([i.person_id for i in items])],
        )
    )
    return sorted(
        items,
        key=lambda i: (
            order.get(village_of.get(i.person_id), len(order)),
            str(i.person.get("sort_key") or ""),
        ),
    )
