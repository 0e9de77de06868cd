"""Who is in a test round (đợt xét nghiệm), and in which order: the one answer for the keyboard
round screen and the printed round sheet, so the two never list different people.

A round is a village's people, or everyone due for a periodic test, on a day. It holds the people
with a category open on that day who are at home (a rehab facility tests its own residents), in
the register's Vietnamese order (given name first, from the stored `sort_key`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from db.duties.due import scheduled_tests
from db.persons.episodes import in_facility
from db.persons.search import STATUS_SQL, split_categories
from db.store.register import Register


def round_people(
    reg: Register,
    on: date,
    village_id: str | None = None,
    *,
    due: bool = False,
    due_until: date | None = None,
) -> list[dict[str, Any]]:
    """The people of a test round on `on`, in Vietnamese name order.

    Everyone of the village (or of every village) with a category open on `on` who is not in a
    rehab facility. With `due`, only those whose periodic test falls due (overdue included) within
    the warning window ahead of `on`, as the due list of `on` has them; with `due_until`, by that
    day instead. Each row: id, full_name, birth_date, sex, village, categories (open on `on`,
    most telling first), last_test (up to `on`) and due (the day the test falls due, or None).
    """
    day = on.isoformat()
    clauses = ["p.deleted = 0", f"{STATUS_SQL} IS NOT NULL"]
    params: dict[str, Any] = {"on": day}
    due_on: dict[str, date] = {}
    if due or due_until is not None:
        due_on = {i.person_id: i.due for i in scheduled_tests(reg, on, until=due_until)}
        clauses.append("p.id IN (SELECT value FROM json_each(:due))")
        params["due"] = json.dumps(sorted(due_on))
    if village_id:
        clauses.append("p.village_id = :village")
        params["village"] = village_id
    rows = reg.db.query(
        "SELECT p.id, p.full_name, p.birth_date, p.sex, v.name AS village, "
        f"{STATUS_SQL} AS categories, (SELECT max(t.test_date) FROM drug_tests t "
        "WHERE t.person_id = p.id AND t.deleted = 0 AND t.test_date <= :on) AS last_test "
        "FROM persons p LEFT JOIN villages v ON v.id = p.village_id "
        f"WHERE {' AND '.join(clauses)} ORDER BY p.sort_key, p.rid",
        params,
    )
    out: list[dict[str, Any]] = []
    for row in rows:
        categories = split_categories(row["categories"])
        if not in_facility(categories):
            out.append({**row, "categories": categories, "due": due_on.get(row["id"])})
    return out
