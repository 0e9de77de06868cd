"""The one path every write takes: metadata, soft deletes and the change log, in one transaction.

Screens and commands never write rows themselves; the functions in db/ that do all come here, so
who/when/which device, the UUID, and the old → new values in the change log are never forgotten,
and the role a write needs (db.store.permissions) is checked before anything is written.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from db.core.chain import GENESIS, entry_hash
from db.core.errors import NotFound, RegisterFileError
from db.core.stamps import new_id, now_utc
from db.store import aside, permissions, seal
from db.store.sqlerrors import file_errors

if TYPE_CHECKING:  # db.store.register logs a login through db.store.audit, which imports this
    from db.store.register import Register

Row = dict[str, Any]
META_FIELDS = ("created_at", "created_by", "updated_at", "updated_by", "device_id", "deleted")


@contextlib.contextmanager
def transaction(reg: Register) -> Iterator[None]:
    """All of it or nothing; file problems (locked, full) become messages.

    The outermost transaction takes the write lock at its start (`BEGIN IMMEDIATE`), waiting for
    another program's write for up to the busy timeout: a transaction that read first and then
    wrote would instead fail at once whenever someone else had written in between. Nested ones
    are savepoints. A register opened read-only refuses here, before anything is tried.
    """
    if reg.read_only:
        raise RegisterFileError(
            f"Sổ “{reg.path}” đang mở chỉ đọc (ổ chỉ đọc, hoặc không có quyền ghi vào thư mục "
            "của sổ) nên không lưu được thay đổi. Hãy chép sổ (cùng tệp .keys) sang ổ ghi được."
        )
    conn = reg.conn
    with file_errors(reg.path):
        if conn.in_transaction:
            with reg.db.atomic():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


@contextlib.contextmanager
def snapshot(reg: Register) -> Iterator[None]:
    """Reads that see one state of the register (one read transaction: others' commits made
    meanwhile are not seen half-way). Takes no lock that a writer waits for; writes nothing."""
    conn = reg.conn
    if conn.in_transaction:
        yield
        return
    with file_errors(reg.path):
        conn.execute("BEGIN")
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")


def log_change(reg: Register, at: str, table: str, row_id: str, action: str, changes: object
               ) -> None:  # fmt: skip
    """Append one entry to the change log, chained by hash to the entry before it.

    Called inside the caller's transaction, so the entry and the change it records are written
    together or not at all. (The USB handover logs merged rows through here too.)
    """
    permissions.require(reg, table, action, changes)
    text = json.dumps(changes, ensure_ascii=False, default=str)
    last = reg.db.execute("SELECT hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()
    prev = (last[0] if last else None) or GENESIS
    entry = (at, reg.user, reg.device_id, table, row_id, action, text)
    reg.db.execute(
        "INSERT INTO change_log (at, user, device_id, table_name, row_id, action, changes,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*entry, prev, entry_hash(prev, *entry)],
    )


_log = log_change


def get(reg: Register, table: str, row_id: str, *, include_deleted: bool = False) -> Row:
    """One row by id; NotFound if missing or deleted."""
    found = list(reg.db[table].rows_where("id = ?", [row_id], limit=1))
    if not found:
        raise NotFound(f"Không tìm thấy bản ghi “{row_id}”.")
    record = found[0]
    if record.get("deleted") and not include_deleted:
        raise NotFound(f"Bản ghi “{row_id}” đã bị xóa.")
    return record


def insert(reg: Register, table: str, values: Mapping[str, Any]) -> str:
    """Insert one row with a new UUID and its metadata, logging every field."""
    permissions.require(reg, table, "insert")
    at = now_utc()
    row = dict(values)
    if "id" not in row:
        row["id"] = new_id()
    row.update(
        created_at=at, created_by=reg.user, updated_at=at, updated_by=reg.user,
        device_id=reg.device_id, deleted=0,
    )  # fmt: skip
    with transaction(reg):
        _insert_rows(reg, table, [row])
        logged = {k: v for k, v in row.items() if k not in META_FIELDS and k != "id"}
        log_change(reg, at, table, row["id"], "insert", logged)
        _reseal_if_protected(reg, table)
    return str(row["id"])


def _set(reg: Register, table: str, row_id: str, values: Mapping[str, Any]) -> None:
    # By the UUID column: `table.update()` would look the row up by the primary key, which for
    # persons is the integer `rid` (the FTS5 rowid), not `id`.
    columns = ", ".join(f"[{k}] = ?" for k in values)
    reg.db.execute(f"UPDATE [{table}] SET {columns} WHERE id = ?", [*values.values(), row_id])


def update(reg: Register, table: str, row_id: str, changes: Mapping[str, Any]) -> Row:
    """Change fields of one row; only fields that really change are written and logged."""
    permissions.require(reg, table, "update")
    with transaction(reg):
        old = get(reg, table, row_id)
        diff = {k: [old.get(k), v] for k, v in changes.items() if old.get(k) != v}
        if not diff:
            return {}
        at = now_utc()
        new_values = {k: v[1] for k, v in diff.items()}
        new_values.update(updated_at=at, updated_by=reg.user, device_id=reg.device_id)
        _set(reg, table, row_id, new_values)
        log_change(reg, at, table, row_id, "update", diff)
        _reseal_if_protected(reg, table)
    return diff


def soft_delete(reg: Register, table: str, row_id: str) -> None:
    """Mark a row deleted (it stays, so the deletion can travel and be audited)."""
    permissions.require(reg, table, "delete")
    with transaction(reg):
        get(reg, table, row_id)
        at = now_utc()
        _set(
            reg, table, row_id, {"deleted": 1, "updated_at": at, "updated_by": reg.user,
                                 "device_id": reg.device_id},
        )  # fmt: skip
        log_change(reg, at, table, row_id, "delete", {"deleted": [0, 1]})
        _reseal_if_protected(reg, table)


def _insert_rows(reg: Register, table: str, rows: list[Row]) -> None:
    """A plain INSERT of rows that share their columns (sqlite-utils' insert() looks the table
    up for every row; at a million tests that is most of the time)."""
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    reg.conn.executemany(
        f"INSERT INTO [{table}] ({names}) VALUES ({marks})",
        [tuple(row[c] for c in columns) for row in rows],
    )


def insert_bulk(reg: Register, table: str, rows: Iterable[Mapping[str, Any]], note: str) -> int:
    """Insert many rows in one transaction with one summary log entry (demo, import).

    Rows are written in batches of plain INSERTs; what the rows would keep up one by one
    (indexes into an empty table, the persons' search index, each person's latest test and
    check) is set aside and put back once, in the same transaction (db.store.aside).
    """
    permissions.require(reg, table, "bulk")
    at = now_utc()
    meta = {
        "created_at": at, "created_by": reg.user, "updated_at": at, "updated_by": reg.user,
        "device_id": reg.device_id, "deleted": 0,
    }  # fmt: skip
    count = 0
    with transaction(reg):
        with aside.written_in_bulk(reg, table) as people:
            batch: list[Row] = []
            for values in rows:
                row = {**values, **meta}
                if "id" not in row:
                    row["id"] = new_id()
                if batch and row.keys() != batch[0].keys():
                    _insert_rows(reg, table, batch)  # a row with other columns: its own INSERT
                    batch = []
                batch.append(row)
                count += 1
                if "person_id" in row:
                    people.add(row["person_id"])
                if len(batch) >= 5000:
                    _insert_rows(reg, table, batch)
                    batch = []
            _insert_rows(reg, table, batch)
        log_change(reg, at, table, "*", "bulk", {"rows": count, "note": note})
        _reseal_if_protected(reg, table)
    return count


def _reseal_if_protected(reg: Register, table: str) -> None:
    """Accounts and settings are sealed by the chief (db.store.seal): sign them again, in the
    same transaction as the write."""
    if table in seal.PROTECTED:
        seal.reseal(reg)
