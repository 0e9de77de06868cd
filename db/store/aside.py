"""What a bulk write sets aside while its rows go in, and puts back once, inside the caller's
transaction (a failure rolls both back; no other program ever sees the register without them).

    with transaction(reg), written_in_bulk(reg, "drug_tests") as people:
        ...insert the rows...
        people.update(ids of the people whose rows were written)

Into an empty table (a demo, a first import, a first bundle) the table's secondary indexes are
built once after the rows rather than kept up row by row (one sort instead of a random insert
per row and index), the persons' search index is filled in one statement instead of by its
trigger per row, and each person's latest test and check (db.store.person_last) is computed
once, after the indexes are back (through them: without, each person's would read the table).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from db.store import person_last

if TYPE_CHECKING:  # db.store.records uses this module, and db.store.register uses records
    from db.store.register import Register

_SEARCH_TRIGGER = "persons_fts_insert"


def drop_indexes(reg: Register, table: str, keep_first: str = "") -> list[str]:
    """Drop the table's own indexes (not those SQLite keeps for its keys), except those that
    begin with the column `keep_first`; the SQL to make them again."""
    dropped = []
    for name, sql in reg.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        [table],
    ).fetchall():
        if keep_first:
            first = reg.conn.execute(
                "SELECT name FROM pragma_index_info(?) WHERE seqno = 0", [name]
            ).fetchone()
            if first is not None and first[0] == keep_first:
                continue
        reg.conn.execute(f"DROP INDEX [{name}]")
        dropped.append(sql)
    return dropped


@contextlib.contextmanager
def written_in_bulk(reg: Register, table: str, keep_first: str = "") -> Iterator[set[str]]:
    """Set aside what the rows would otherwise keep up one by one (see the module); the caller
    adds to the yielded set the people whose tests or contacts it wrote. `keep_first`: the rows
    come in the order of that column, so indexes beginning with it grow at their end and stay."""
    empty = reg.conn.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone() is None
    indexes = drop_indexes(reg, table, keep_first) if empty else []
    trigger, last_rid = None, 0
    if table == "persons":
        found = reg.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            [_SEARCH_TRIGGER],
        ).fetchone()
        last_rid = int(reg.conn.execute("SELECT COALESCE(max(rid), 0) FROM persons").fetchone()[0])
        if found:
            trigger = found[0]
            reg.conn.execute(f"DROP TRIGGER {_SEARCH_TRIGGER}")
    with person_last.suspended(reg, table) as people:
        yield people
        for sql in indexes:  # before the people's latest is computed, as the block ends
            reg.conn.execute(sql)
    if trigger:
        reg.conn.execute(
            "INSERT INTO persons_fts (rowid, search_text) "
            "SELECT rid, search_text FROM persons WHERE rid > ?",
            [last_rid],
        )
        reg.conn.execute(trigger)
