"""The register as a list for screens: filter, search and sort in SQL, fetch rows by page.

A screen first asks for the ordered row ids that match (`person_ids`, milliseconds at 100,000
people), then fetches only the rows it shows (`person_rows`). Sorting never happens in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.persons.search import STATUS_SQL, match_sql, split_categories
from db.store.register import Register

# Column key → SQL expression to sort by.
SORTABLE = {
    "name": "p.sort_key",
    "birth": "p.birth_date",
    "id_number": "p.id_number",
    "village": "v.name_folded",
    "updated": "p.updated_at",
}


@dataclass(frozen=True)
class PersonFilter:
    """What the register screen asks for."""

    text: str = ""
    village_id: str | None = None
    category: str | None = None
    only_active: bool = False
    sort: str = "name"
    descending: bool = False


def person_ids(reg: Register, f: PersonFilter) -> list[int]:
    """Row ids (persons.rid) of the matching people, in the asked order."""
    where, params = match_sql(f.text)
    clauses = ["p.deleted = 0", where]
    if f.village_id:
        clauses.append("p.village_id = ?")
        params.append(f.village_id)
    on = reg.today().isoformat()
    if f.category:
        clauses.append(
            "EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = p.id AND e.deleted = 0 "
            "AND e.category = ? AND e.start_date <= ? AND (e.end_date IS NULL OR e.end_date > ?))"
        )
        params += [f.category, on, on]
    elif f.only_active:
        clauses.append(
            "EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = p.id AND e.deleted = 0 "
            "AND e.start_date <= ? AND (e.end_date IS NULL OR e.end_date > ?))"
        )
        params += [on, on]
    order = SORTABLE.get(f.sort, "p.sort_key")
    direction = "DESC" if f.descending else "ASC"
    join = "LEFT JOIN villages v ON v.id = p.village_id" if f.sort == "village" else ""
    sql = (
        f"SELECT p.rid FROM persons p {join} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {order} {direction}, p.sort_key, p.rid"
    )
    return [row[0] for row in reg.db.execute(sql, params)]


def person_rows(reg: Register, rids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The shown fields of some people, by row id, with status and last test."""
    if not rids:
        return {}
    marks = ",".join("?" for _ in rids)
    sql = (
        "SELECT p.rid, p.id, p.full_name, p.birth_date, p.sex, p.id_number, "
        f"v.name AS village, {STATUS_SQL} AS categories, "
        "(SELECT max(t.test_date) FROM drug_tests t WHERE t.person_id = p.id "
        " AND t.deleted = 0) AS last_test "
        "FROM persons p LEFT JOIN villages v ON v.id = p.village_id "
        f"WHERE p.rid IN ({marks})"
    )
    on = reg.today().isoformat()
    named = {f"r{i}": rid for i, rid in enumerate(rids)}
    sql = sql.replace(f"({marks})", "(" + ",".join(f":r{i}" for i in range(len(rids))) + ")")
    rows = reg.db.query(sql, {**named, "on": on})
    return {row["rid"]: {**row, "categories": split_categories(row["categories"])} for row in rows}
