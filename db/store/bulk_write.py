"""Room for a large write inside one transaction: a bigger page cache, and the secondary indexes
of tables that will more than double built once after the rows instead of row by row.

An import of 100,000 people writes ~250,000 change-log entries and ~150,000 episodes; each row
lands at a random place in a dozen indexes (UUIDs, person ids), and once those outgrow the page
cache every insert reads and decrypts pages spilled to the WAL: minutes on an encrypted register.
Building an index from the finished table is one sort. The indexes are dropped and made again
with their own SQL inside the caller's transaction (as `records.insert_bulk` does): a failure
rolls both back, and other programs never see the register without them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping

from db.store import aside
from db.store.register import Register

# The page cache (KiB) while a large write runs; the register's own setting comes back after.
BULK_CACHE_KIB = 64 * 1024


@contextlib.contextmanager
def room_for(reg: Register, adding: Mapping[str, int],
             building: Callable[[int, int], None] | None = None) -> Iterator[None]:  # fmt: skip
    """Inside a transaction: write about `adding[table]` rows into each table quickly.
    `building(n, count)` is told before the n-th of the indexes is built again (a progress bar
    keeps moving through the seconds that takes)."""
    conn = reg.conn
    if not conn.in_transaction:
        raise RuntimeError("room_for() runs inside the caller's transaction")
    before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    rebuild: list[str] = []
    for table, count in adding.items():
        # max(rowid) is a look at one page; count(*) would read the whole table.
        present = conn.execute(f"SELECT COALESCE(max(rowid), 0) FROM [{table}]").fetchone()[0]
        if count < max(int(present), 1000):
            continue
        rebuild += aside.drop_indexes(reg, table)
    if before > -BULK_CACHE_KIB:  # a negative setting is KiB, a positive one pages (~4 KiB)
        conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
        for n, sql in enumerate(rebuild, start=1):
            if building:
                building(n, len(rebuild))
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {before}")
