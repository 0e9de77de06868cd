"""The demo's own bulk writer: rows as tuples in a fixed column order, straight to SQLite.

`records.insert_bulk` takes a mapping per row, merges the metadata into it and builds a tuple
from it again: at a million tests that is a third of the writing time. The demo makes its rows
as tuples in the order of `columns` and this module appends the same metadata to each. It does
what `insert_bulk` does otherwise: the role check, one transaction and one change-log entry per
table, secondary indexes built once after the rows when the table was empty (the covering
indexes of m013 included: every index with SQL of its own), the persons' search index filled
in one statement instead of by its trigger row by row, and each person's latest test and check
(db.store.person_last) computed once instead of by a trigger per row.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from db.core.stamps import now_utc
from db.store import permissions, person_last, seal
from db.store.records import META_FIELDS, log_change, transaction
from db.store.register import Register

_FTS_TRIGGER = "persons_fts_insert"
_CHUNK = 5000


def write(reg: Register, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]],
          note: str, ordered_by: str = "") -> int:  # fmt: skip
    """Insert `rows` (values in the order of `columns`, no metadata) in one transaction with one
    summary log entry; the number of rows. When the rows come in the order of the column
    `ordered_by`, the indexes that begin with it are kept up while writing (each grows at its
    end, and building it afterwards would read the whole table once more)."""
    permissions.require(reg, table, "bulk")
    if table in seal.PROTECTED:
        raise ValueError(f"{table} is sealed: write it through records.insert_bulk")
    at = now_utc()
    meta = (at, reg.user, at, reg.user, reg.device_id, 0)
    names = ", ".join(f"[{c}]" for c in (*columns, *META_FIELDS))
    marks = ", ".join("?" for _ in range(len(columns) + len(META_FIELDS)))
    sql = f"INSERT INTO [{table}] ({names}) VALUES ({marks})"
    count = 0
    with transaction(reg):
        indexes = _drop_indexes_if_empty(reg, table, ordered_by)
        trigger, last_rid = _drop_search_trigger(reg) if table == "persons" else (None, 0)
        who = columns.index("person_id") if "person_id" in columns else None
        # Each person's latest test and check (db.store.person_last) once at the end, not by a
        # trigger per row.
        with person_last.suspended(reg, table) as people:
            it = iter(rows)
            while chunk := [row + meta for row in itertools.islice(it, _CHUNK)]:
                reg.conn.executemany(sql, chunk)
                count += len(chunk)
                if who is not None:
                    people.update(row[who] for row in chunk)
        if trigger:
            reg.db.execute(
                "INSERT INTO persons_fts (rowid, search_text) "
                "SELECT rid, search_text FROM persons WHERE rid > ?",
                [last_rid],
            )
            reg.db.execute(trigger)
        for index_sql in indexes:
            reg.db.execute(index_sql)
        log_change(reg, at, table, "*", "bulk", {"rows": count, "note": note})
    return count


def _drop_indexes_if_empty(reg: Register, table: str, ordered_by: str) -> list[str]:
    """Into an empty table the secondary indexes are built once after the rows (a sorted build)
    rather than kept up row by row, except those beginning with the column the rows are ordered
    by: the SQL to make them again. SQLite's own indexes (a UNIQUE or PRIMARY KEY column) have
    no SQL and stay."""
    if reg.db.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone() is not None:
        return []
    found = reg.db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        [table],
    ).fetchall()
    dropped = []
    for name, sql in found:
        first = reg.db.execute(
            "SELECT name FROM pragma_index_info(?) WHERE seqno = 0", [name]
        ).fetchone()
        if ordered_by and first is not None and first[0] == ordered_by:
            continue
        reg.db.execute(f"DROP INDEX [{name}]")
        dropped.append(sql)
    return dropped


def _drop_search_trigger(reg: Register) -> tuple[str | None, int]:
    """The persons' search trigger (dropped; its SQL to make it again) and the last rid."""
    found = reg.db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [_FTS_TRIGGER]
    ).fetchone()
    last_rid = reg.db.execute("SELECT COALESCE(max(rid), 0) FROM persons").fetchone()[0]
    if found:
        reg.db.execute(f"DROP TRIGGER {_FTS_TRIGGER}")
    return (found[0] if found else None), int(last_rid)
