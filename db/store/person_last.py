"""`person_last`: each person's latest live test and residence check (migration m016).

Triggers keep it equal to `drug_tests` and `contacts` under every write; the due list reads it
instead of asking the tables' person indexes for every managed person. A bulk write of many
rows (the demo, an import, a bundle) would pay one trigger per row, so it may lift them:

    with transaction(reg), suspended(reg, "drug_tests") as people:
        ...write the rows...
        people.update(ids of the people whose rows were written)

The triggers are dropped and made again from their own definitions inside the caller's
transaction, and the people named get their latest recomputed once: a failed write rolls the
whole of it back, triggers included.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # db.store.records uses this module, and db.store.register uses records
    from db.store.register import Register

# What each kept column is the latest of.
_LATEST = {
    "drug_tests": ("last_test", "test_date", "1"),
    "contacts": ("last_check", "contact_date", "kind = 'residence_check'"),
}


def recompute(reg: Register, table: str, people: set[str]) -> None:
    """Set the kept latest of `table`'s rows for these people from the table itself."""
    if not people:
        return
    column, day, where = _LATEST[table]
    reg.conn.execute(
        f"INSERT INTO person_last (person_id, {column}) "
        f"SELECT j.value, (SELECT max(x.{day}) FROM {table} x WHERE x.person_id = j.value "
        f"AND x.deleted = 0 AND {where}) FROM json_each(?) j WHERE true "
        f"ON CONFLICT (person_id) DO UPDATE SET {column} = excluded.{column}",
        [json.dumps(sorted(people))],
    )


@contextlib.contextmanager
def suspended(reg: Register, table: str) -> Iterator[set[str]]:
    """Lift `table`'s triggers on person_last while many rows are written (inside the caller's
    transaction); recompute the people the caller adds to the yielded set, then restore them."""
    if table not in _LATEST:
        yield set()
        return
    triggers = reg.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
        "AND name LIKE ?",
        [table, f"{table}_last_%"],
    ).fetchall()
    for name, _ in triggers:
        reg.conn.execute(f"DROP TRIGGER [{name}]")
    people: set[str] = set()
    yield people
    recompute(reg, table, people)
    for _, sql in triggers:
        reg.conn.execute(sql)
