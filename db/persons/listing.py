"""The register as a list for screens: filter, search and sort in SQL, fetch rows by page.

A screen first asks for the ordered row ids that match (`person_ids`, milliseconds at 100,000
people), then fetches only the rows it shows (`person_rows`). Sorting never happens in Python.

The register's own order (by name, A to Z) is read once from the name index and kept while the
register is unchanged; a search then only asks the word or number index which people match and
keeps them in that order. A short search ("n", "lo van") matches tens of thousands of people:
reading each match's table row only for its sort key cost a decrypted page per person on the
encrypted register (~0.8 s at 100,000), and testing every index entry against the matches in
SQL ~0.15 s; this way a keystroke costs the word index and a pass over a Python list.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.persons.search import (
    STATUS_SQL,
    match_sql,
    matches_at_least,
    matching_rids,
    split_categories,
)
from db.store.register import Register

# Column key → SQL expression to sort by.
SORTABLE = {
    "name": "p.sort_key",
    "birth": "p.birth_date",
    "id_number": "p.id_number",
    "village": "v.name_folded",
    "updated": "p.updated_at",
}

# From this many matches on, walking the name index (~100,000 short entries) is cheaper than
# reading each match's table row (~25 µs each when not cached, mostly decryption).
WALK_FROM = 400


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
    if f.sort == "name" and not f.descending:
        order = _name_order(reg)
        if matching_rids(f.text) is None and not _narrowed(f):
            return list(order.rids)
        return order.arrange(_matching(reg, f))
    where, params = _where(reg, f, match_sql(f.text))
    order_by = SORTABLE.get(f.sort, "p.sort_key")
    direction = "DESC" if f.descending else "ASC"
    join = "LEFT JOIN villages v ON v.id = p.village_id" if f.sort == "village" else ""
    if f.sort == "name" and matches_at_least(reg, f.text, WALK_FROM):
        # Z to A: the matches from the name index (partial on deleted = 0, which is always
        # asked; it holds rid) instead of a table row each.
        join = "INDEXED BY persons_sort"
    sql = (
        f"SELECT p.rid FROM persons p {join} WHERE {where} "
        f"ORDER BY {order_by} {direction}, p.sort_key, p.rid"
    )
    return [row[0] for row in reg.db.execute(sql, params)]


def _narrowed(f: PersonFilter) -> bool:
    return bool(f.village_id or f.category or f.only_active)


def _where(reg: Register, f: PersonFilter, match: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    """The WHERE clause (over persons p) of the filter, with the text's `match` fragment."""
    where, params = match
    clauses = ["p.deleted = 0", where]
    params = list(params)
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
    return " AND ".join(clauses), params


def _matching(reg: Register, f: PersonFilter) -> Iterator[int]:
    """The row ids matching the filter, in no order (deleted people may be among them when
    only the text is asked: the name order leaves them out)."""
    found = matching_rids(f.text)
    if found is not None and not _narrowed(f):
        sql, params = found  # the word or number index alone, no table row read
    else:
        where, params = _where(reg, f, match_sql(f.text))
        sql = f"SELECT p.rid FROM persons p WHERE {where}"
    # As one string: tens of thousands of ids cross into Python faster than as rows.
    joined = reg.db.execute(f"SELECT group_concat(rid) FROM ({sql})", params).fetchone()[0]
    return map(int, joined.split(",")) if joined else iter(())


@dataclass(frozen=True)
class _NameOrder:
    """Everyone not deleted, by name, as the register was at `state`."""

    state: tuple[int, int]
    rids: list[int]

    @functools.cached_property
    def rank(self) -> dict[int, int]:
        """Each row id's place in the order."""
        return dict(zip(self.rids, range(len(self.rids)), strict=True))

    def arrange(self, rids: Iterable[int]) -> list[int]:
        """`rids` in the name order, without those not in it (deleted)."""
        absent = len(self.rids)
        places = sorted(map(self.rank.get, rids, itertools.repeat(absent)))
        return list(map(self.rids.__getitem__, places[: bisect.bisect_left(places, absent)]))


# The name order of each open register, by its sqlite-utils Database (the SQLCipher driver's
# connections take no weak reference).
_ORDERS: weakref.WeakKeyDictionary[Database, _NameOrder] = weakref.WeakKeyDictionary()


def _name_order(reg: Register) -> _NameOrder:
    """Row ids of everyone not deleted, by name (Vietnamese order, A to Z). Read from the name
    index (sort key and row id only) and kept until the register changes: through this
    connection (its count of changed rows) or another one (SQLite's data_version)."""
    state = (
        int(reg.db.execute("PRAGMA data_version").fetchone()[0]),
        int(reg.conn.total_changes),
    )
    kept = _ORDERS.get(reg.db)
    if kept is not None and kept.state == state:
        return kept
    sql = "SELECT rid FROM persons INDEXED BY persons_sort WHERE deleted = 0 ORDER BY sort_key, rid"
    kept = _NameOrder(state, [row[0] for row in reg.db.execute(sql)])
    _ORDERS[reg.db] = kept
    return kept


def person_rows(reg: Register, rids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The shown fields of some people, by row id, with status and last test."""
    if not rids:
        return {}
    marks = ",".join(f":r{i}" for i in range(len(rids)))
    sql = (
        "SELECT p.rid, p.id, p.full_name, p.birth_date, p.sex, p.id_number, "
        f"v.name AS village, {STATUS_SQL} AS categories, "
        "(SELECT max(t.test_date) FROM drug_tests t WHERE t.person_id = p.id "
        " AND t.deleted = 0) AS last_test "
        "FROM persons p LEFT JOIN villages v ON v.id = p.village_id "
        f"WHERE p.rid IN ({marks})"
    )
    params: dict[str, Any] = {f"r{i}": rid for i, rid in enumerate(rids)}
    params["on"] = reg.today().isoformat()
    cursor = reg.db.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    found = {}
    for values in cursor:
        row = dict(zip(keys, values, strict=True))
        row["categories"] = split_categories(row["categories"])
        found[row["rid"]] = row
    return found
