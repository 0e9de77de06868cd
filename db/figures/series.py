"""Month-by-month figures for charts, and who is due for a test in a coming period.

`monthly_series` gives, for many periods at once, the same people-per-category and test counts
that `db.figures.stats.figures` gives for one (same definitions: an episode is open on a day when it
started on or before it and has not ended by it; deleted rows and deleted people never count).
It exists because `figures()` also computes everything else (due lists, criteria), which a
12-month chart over 100,000 people cannot afford twelve times; a test holds the two equal.
"""

from __future__ import annotations

import itertools
import json
from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from typing import Any

from db.commune.places import villages
from db.core.dates import add_months
from db.duties.due import DueItem, scheduled_tests
from db.figures.rounds import round_people
from db.figures.stats import period_for_month
from db.law.categories import Category
from db.persons.episodes import status_order
from db.store.register import Register


def last_months(
    year: int, month: int, count: int = 12, cutoff_day: int = 0
) -> list[tuple[date, date]]:
    """The reporting periods of `count` months ending with year/month, oldest first."""
    last = date(year, month, 1)
    months = [add_months(last, -i) for i in range(count - 1, -1, -1)]
    return [period_for_month(m.year, m.month, cutoff_day) for m in months]


def monthly_series(reg: Register, periods: Sequence[tuple[date, date]]) -> list[dict[str, Any]]:
    """Per period: people per category at its end, people on the register, tests and positives.

    Periods must not overlap (consecutive months do not). Two passes over the register, built
    for 100,000 people: the episodes open at any period's end, bucketed here, and one
    sequential scan of the tests (a full scan reads a year of a million tests several times
    faster than the date index, which must fetch every row for its result).
    """
    if not periods:
        return []
    ordered = sorted(range(len(periods)), key=lambda i: periods[i][0])
    for a, b in itertools.pairwise(ordered):
        if periods[b][0] <= periods[a][1]:
            raise ValueError("monthly_series: periods overlap")
    result: list[dict[str, Any]] = [
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
    gone = {row[0] for row in reg.db.execute("SELECT id FROM persons WHERE deleted = 1")}
    by_stop = sorted(range(len(periods)), key=lambda i: periods[i][1])
    stops = [periods[i][1].isoformat() for i in by_stop]
    people: list[set[str]] = [set() for _ in stops]
    in_category: list[dict[str, set[str]]] = [{} for _ in stops]
    # Open on a day: started on or before it, not ended by it (as in db.figures.stats).
    for person, category, begun, ended in reg.db.execute(
        "SELECT person_id, category, start_date, end_date FROM episodes WHERE deleted = 0 "
        "AND start_date <= ? AND (end_date IS NULL OR end_date > ?)",
        [stops[-1], stops[0]],
    ):
        if person in gone:
            continue
        last = bisect_left(stops, ended) if ended else len(stops)
        for k in range(bisect_left(stops, begun), last):
            people[k].add(person)
            in_category[k].setdefault(category, set()).add(person)
    for k, i in enumerate(by_stop):
        result[i]["people_total"] = len(people[k])
        for category, members in in_category[k].items():
            result[i]["categories"][category] = len(members)
    cases = " ".join(f"WHEN t.test_date BETWEEN ? AND ? THEN {i}" for i in range(len(periods)))
    params: list[Any] = [d.isoformat() for period in periods for d in period]
    params += [min(p[0] for p in periods).isoformat(), max(p[1] for p in periods).isoformat()]
    for i, total, positives in reg.db.execute(
        f"SELECT b, count(*), sum(result = 'positive') FROM (SELECT CASE {cases} END AS b, "
        "t.result, t.person_id FROM drug_tests t NOT INDEXED WHERE t.deleted = 0 "
        "AND t.test_date BETWEEN ? AND ?) WHERE b IS NOT NULL "
        "AND person_id NOT IN (SELECT id FROM persons WHERE deleted = 1) GROUP BY b",
        params,
    ):
        result[i]["tests"] = total
        result[i]["positives"] = int(positives or 0)
    return result


def due_tests(reg: Register, until: date) -> list[DueItem]:
    """People to test by `until` (those already overdue included), from the due list the window
    shows for that day; grouped by village in the commune's order, then by name."""
    order = {v["id"]: i for i, v in enumerate(villages(reg))}
    items = scheduled_tests(reg, until, until=until)
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


def open_categories(reg: Register, person_ids: Sequence[str], on: date) -> dict[str, list[str]]:
    """Each person's categories open on `on`, most telling first (as the window shows them)."""
    if not person_ids:
        return {}
    rows = reg.db.execute(
        "SELECT person_id, group_concat(category) FROM episodes WHERE deleted = 0 "
        "AND start_date <= ? AND (end_date IS NULL OR end_date > ?) "
        "AND person_id IN (SELECT value FROM json_each(?)) GROUP BY person_id",
        [on.isoformat(), on.isoformat(), json.dumps(list(person_ids))],
    )
    return {person: status_order(cats.split(",")) for person, cats in rows}


def round_list(
    reg: Register, village_id: str | None = None, due_until: date | None = None
) -> list[dict[str, Any]]:
    """The people for a test round today (the printed round sheet's list); see
    `db.figures.rounds.round_people`, which the round screen asks too."""
    return round_people(reg, reg.today(), village_id, due_until=due_until)
