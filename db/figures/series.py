"""Month-by-month figures for charts, and who is due for a test in a coming period.

`monthly_series` gives, for many periods at once, the same people-per-category and test counts
that `db.figures.stats.figures` gives for one (same definitions: an episode is open on a day when it
started on or before it and has not ended by it; deleted rows and deleted people never count).
It exists because `figures()` also computes everything else (due lists, criteria), which a
12-month chart over 100,000 people cannot afford twelve times; a test holds the two equal.
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from db.commune.places import villages
from db.commune.settings import get_settings
from db.core.dates import add_months, show
from db.core.errors import UserError
from db.duties.due import DueItem, scheduled_tests
from db.figures.rounds import round_people
from db.figures.stats import period_for_month
from db.law.categories import Category
from db.persons.episodes import status_order
from db.store.register import Register


def report_period(reg: Register, year: int, month: int) -> tuple[date, date]:
    """The register's report period of a month (its cut-off day), ended no later than today;
    UserError if it has not begun."""
    start, end = period_for_month(year, month, int(get_settings(reg)["report_cutoff_day"]))
    today = reg.today()
    if start > today:
        raise UserError(
            f"Tháng báo cáo: tháng {month:02d}/{year} chưa bắt đầu "
            f"(kỳ báo cáo từ ngày {show(start)}).",
            field="month",
        )
    return start, min(end, today)


def last_months(
    year: int, month: int, count: int = 12, cutoff_day: int = 0
) -> list[tuple[date, date]]:
    """The reporting periods of `count` months ending with year/month, oldest first."""
    last = date(year, month, 1)
    months = [add_months(last, -i) for i in range(count - 1, -1, -1)]
    return [period_for_month(m.year, m.month, cutoff_day) for m in months]


def _deleted_people(reg: Register) -> set[str]:
    """The ids of people deleted from the register (a few, from their own index: m017)."""
    return {
        person
        for (person,) in reg.db.execute(
            "SELECT id FROM persons INDEXED BY persons_deleted WHERE deleted <> 0"
        )
    }


def monthly_series(reg: Register, periods: Sequence[tuple[date, date]]) -> list[dict[str, Any]]:
    """Per period: people per category at its end, people on the register, tests and positives.

    Periods must not overlap (consecutive months do not). Built for 100,000 people: the
    episodes open at each period's end counted from one covering index, the tests from the
    covering date index (on the encrypted register a full scan of the tests decrypts the whole
    300 MB table: 3 s, against 1 s from the index; no INDEXED BY: in a province register's
    commune scope, db.province.scope, the tests are a view); deleted people, a few, left out.
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
    # Open on a day: started on or before it, not ended by it (as in db.figures.stats). One
    # pass over the covering index of live episodes that overlap the periods; each episode is
    # open on a run of consecutive period ends, found by bisection. (Asked in SQL per period
    # end, the same counts joined every episode with every end: 2.7 s at 100,000 people.)
    ends = sorted((end.isoformat(), i) for i, (_, end) in enumerate(periods))
    end_days = [day for day, _ in ends]
    people: list[set[str]] = [set() for _ in periods]
    by_category: list[dict[str, set[str]]] = [{} for _ in periods]
    gone = _deleted_people(reg)
    for person, category, started, ended in reg.db.execute(
        "SELECT e.person_id, e.category, e.start_date, e.end_date "
        "FROM episodes e INDEXED BY episodes_category_state WHERE e.deleted = 0 "
        "AND e.start_date <= ? AND (e.end_date IS NULL OR e.end_date > ?)",
        [end_days[-1], end_days[0]],
    ):
        if person in gone:
            continue
        first = bisect.bisect_left(end_days, started)
        last = bisect.bisect_left(end_days, ended) if ended else len(end_days)
        for _, i in ends[first:last]:
            people[i].add(person)
            by_category[i].setdefault(category, set()).add(person)
    for i, seen in enumerate(people):
        result[i]["people_total"] = len(seen)
        for category, persons in by_category[i].items():
            result[i]["categories"][category] = len(persons)
    # The tests per day in SQL (streamed from the covering date index), summed per period here:
    # a CASE of every period's bounds on each of ~500,000 tests cost more than the counting.
    starts = sorted((start.isoformat(), i) for i, (start, _) in enumerate(periods))
    start_days = [day for day, _ in starts]
    days = [start_days[0], end_days[-1]]
    counted: dict[str, list[int]] = {}
    for sign, sql in (
        (1, "SELECT t.test_date, count(*), sum(t.result = 'positive') FROM drug_tests t "
            "WHERE t.deleted = 0 AND t.test_date BETWEEN ? AND ? GROUP BY t.test_date"),
        # ...less those of deleted people (a few): asking each test whether its person is live
        # cost more than all the counting.
        (-1, "SELECT t.test_date, count(*), sum(t.result = 'positive') "
             "FROM persons p INDEXED BY persons_deleted JOIN drug_tests t ON t.person_id = p.id "
             "WHERE p.deleted <> 0 AND t.deleted = 0 AND t.test_date BETWEEN ? AND ? "
             "GROUP BY t.test_date"),
    ):  # fmt: skip
        for day, total, positives in reg.db.execute(sql, days):
            both = counted.setdefault(day, [0, 0])
            both[0] += sign * total
            both[1] += sign * int(positives or 0)
    for day, (total, positives) in counted.items():
        k = bisect.bisect_right(start_days, day) - 1
        if k < 0:
            continue
        i = starts[k][1]
        if day <= periods[i][1].isoformat():  # not in a gap between two periods
            result[i]["tests"] += total
            result[i]["positives"] += positives
    return result


def due_tests(reg: Register, until: date) -> list[DueItem]:
    """People to test by `until` (those already overdue included), from the due list the window
    shows for that day; grouped by village in the commune's order, then by name."""
    order = {v["id"]: i for i, v in enumerate(villages(reg))}
    items = scheduled_tests(reg, until, until=until)
    return sorted(
        items,
        key=lambda i: (
            order.get(i.person.get("village_id"), len(order)),
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
