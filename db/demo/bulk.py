"""The demo's own bulk writer: rows as tuples in a fixed column order, straight to SQLite.

`records.insert_bulk` takes a mapping per row, merges the metadata into it and builds a tuple
from it again: at a million tests that is a third of the writing time. The demo makes its rows
as tuples in the order of `columns` and this module appends the same metadata to each. It does
what `insert_bulk` does otherwise: the role check, one transaction and one change-log entry per
table, and what the rows would keep up one by one set aside and put back once
(db.store.aside: indexes into an empty table, the persons' search index, each person's latest
test and check).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from db.core.stamps import now_utc
from db.store import aside, permissions, seal
from db.store.records import META_FIELDS, log_change, transaction
from db.store.register import Register

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
        who = columns.index("person_id") if "person_id" in columns else None
        with aside.written_in_bulk(reg, table, keep_first=ordered_by) as people:
            it = iter(rows)
            while chunk := [row + meta for row in itertools.islice(it, _CHUNK)]:
                reg.conn.executemany(sql, chunk)
                count += len(chunk)
                if who is not None:
                    people.update(row[who] for row in chunk)
        log_change(reg, at, table, "*", "bulk", {"rows": count, "note": note})
    return count
