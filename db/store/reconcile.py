"""The data against the change log: every record must be what its logged changes make it.

Every write goes through db.store.records, which logs it in the same transaction; so replaying a
record's logged changes (its `insert`, then each `update` and `delete`, in order) gives the
record as it must be. A record that differs was changed outside the program — by someone with
the key opening the file directly — and `check` names it and the fields that differ:

- a field edited in place (a name, an ID number, a test turned from positive to negative);
- a record deleted from the file (its insert is logged, the row is gone);
- a record un-deleted, or a record added with no log at all.

Records that came in bulk (the training data, an Excel import, a USB bundle) are logged as one
`bulk` entry per batch, not one per record: for them only the fields changed since are checked,
and a table may not hold more of them than its bulk entries brought in. Derived columns (the
folded name and search text, the sort key) are recomputed by the program and not compared.
The replay streams both sides in id order, so memory stays small at a million records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from db.store.register import Register

_IGNORED = frozenset({
    "id", "rid", "created_at", "created_by", "updated_at", "updated_by", "device_id",
    "name_folded", "search_text", "sort_key",
})  # fmt: skip
_REQUIRED = frozenset({"id", "created_at", "updated_at", "deleted"})
_SHOWN = 20


@dataclass(frozen=True)
class Mismatch:
    """One record that is not what its log makes it."""

    table: str
    row_id: str
    what: str


def data_tables(reg: Register) -> list[str]:
    """The tables of records (every one that carries the write path's metadata)."""
    names = [r[0] for r in reg.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]  # fmt: skip
    found = []
    for name in names:
        columns = {r[1] for r in reg.conn.execute(f"PRAGMA table_info([{name}])")}
        if columns >= _REQUIRED:
            found.append(name)
    return found


@dataclass
class _Replay:
    values: dict[str, Any]
    inserted: bool


def _replay(entries: list[tuple[str, str]]) -> _Replay:
    values: dict[str, Any] = {}
    inserted = False
    for action, text in entries:
        try:
            changes = json.loads(text)
        except ValueError:
            continue
        if not isinstance(changes, dict):
            continue
        if action == "insert":
            values, inserted = dict(changes), True
            values.setdefault("deleted", 0)
        elif action in ("update", "delete"):
            for field, pair in changes.items():
                if isinstance(pair, list) and len(pair) == 2:
                    values[field] = pair[1]
    return _Replay(values, inserted)


def _same(logged: Any, stored: Any) -> bool:
    if logged == stored:
        return True
    if isinstance(logged, bool) or isinstance(stored, bool):
        return bool(logged) == bool(stored) and {type(logged), type(stored)} <= {bool, int}
    return str(logged) == str(stored) if None not in (logged, stored) else False


def _log_groups(reg: Register) -> Iterator[tuple[str, Iterator[tuple[str, list[tuple[str, str]]]]]]:
    """Every record's logged changes, by table and record, in one pass over the log."""
    cursor = reg.conn.execute(
        "SELECT table_name, row_id, action, changes FROM change_log WHERE action IN "
        "('insert', 'update', 'delete') AND row_id <> '*' ORDER BY table_name, row_id, seq"
    )
    for table, in_table in groupby(cursor, key=lambda r: str(r[0])):
        records = groupby(in_table, key=lambda r: str(r[1]))
        yield table, ((rid, [(str(e[2]), str(e[3])) for e in group]) for rid, group in records)


def _bulk_rows(reg: Register) -> dict[str, int]:
    """How many records each table's bulk entries brought in."""
    totals: dict[str, int] = {}
    for table, text in reg.conn.execute(
        "SELECT table_name, changes FROM change_log WHERE action = 'bulk'"
    ):
        try:
            totals[table] = totals.get(table, 0) + int(json.loads(text).get("rows", 0))
        except (ValueError, TypeError, AttributeError):
            continue
    return totals


def _compare(table: str, row: dict[str, Any], replay: _Replay) -> Mismatch | None:
    differ = [
        f"{k}: nhật ký {v!r}, tệp {row[k]!r}"
        for k, v in replay.values.items()
        if k in row and k not in _IGNORED and not _same(v, row[k])
    ]
    if not differ:
        return None
    return Mismatch(table, str(row["id"]), "sửa ngoài chương trình (" + "; ".join(differ) + ")")


def mismatches(reg: Register, table: str, logged: Iterable[tuple[str, list[tuple[str, str]]]]
               ) -> tuple[list[Mismatch], int]:  # fmt: skip
    """Records of `table` that differ from their log, and how many records have no log."""
    found: list[Mismatch] = []
    unlogged = 0
    rows = reg.conn.execute(f"SELECT * FROM [{table}] ORDER BY id")
    names = [d[0] for d in rows.description]
    at = names.index("id")
    row = next(rows, None)
    for row_id, entries in logged:
        while row is not None and str(row[at]) < row_id:
            unlogged += 1
            row = next(rows, None)
        replay = _replay(entries)
        if row is None or str(row[at]) != row_id:
            if replay.inserted:
                found.append(Mismatch(table, row_id, "bị xóa thẳng khỏi tệp (nhật ký có ghi thêm)"))
            continue
        problem = _compare(table, dict(zip(names, row, strict=True)), replay)
        if problem is not None:
            found.append(problem)
        row = next(rows, None)
    while row is not None:
        unlogged += 1
        row = next(rows, None)
    return found, unlogged


def reconcile(reg: Register) -> list[str]:
    """Every record that is not what its log makes it, said in Vietnamese (empty: all are)."""
    lines: list[str] = []
    tables = set(data_tables(reg))
    brought = _bulk_rows(reg)
    seen: set[str] = set()
    for table, logged in _log_groups(reg):
        if table in tables:
            seen.add(table)
            lines += _table_lines(reg, table, logged, brought.get(table, 0))
    for table in sorted(tables - seen):
        lines += _table_lines(reg, table, (), brought.get(table, 0))
    if len(lines) > _SHOWN:
        lines = [*lines[:_SHOWN], f"và {len(lines) - _SHOWN} chỗ khác"]
    return lines


def _table_lines(reg: Register, table: str, logged: Iterable[tuple[str, list[tuple[str, str]]]],
                 brought: int) -> list[str]:  # fmt: skip
    found, unlogged = mismatches(reg, table, logged)
    lines = [f"{m.table} “{m.row_id}”: {m.what}" for m in found]
    if unlogged > brought:
        lines.append(
            f"{table}: {unlogged} bản ghi không có trong nhật ký, mà các lần nhập hàng loạt chỉ "
            f"đưa vào {brought}: có bản ghi được thêm thẳng vào tệp"
        )
    return lines
