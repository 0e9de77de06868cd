"""Writing a merge: one table's incoming rows looked up in batches, decided (db/handover/merge.py)
and written — new rows in bulk, changed rows one by one with their diff in the change log, conflicts
into `handover_conflicts`, the base each peer holds into `handover_base`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from operator import itemgetter
from typing import Any, cast

from db.handover import faults
from db.handover.derived import VillageNames as _VillageNames
from db.handover.derived import with_derived as _with_derived
from db.handover.merge import (
    DERIVED,
    META,
    Batch,
    Context,
    Counts,
    Decision,
    Row,
    TableSpec,
    classify,
    digest,
    meta_key,
    norm,
)
from db.handover.villages import alias_villages as _alias_villages
from db.handover.villages import load_aliases as _load_aliases
from db.handover.villages import remap_villages as _remap_villages
from db.persons.people import _derived
from db.store import aside
from db.store.records import log_change
from db.store.register import Register
from db.store.sqlerrors import INTEGRITY_ERRORS

_IN = 400  # ids per IN (...) query


def _fetch_rows(reg: Register, sql: str, ids: Sequence[str],
                params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:  # fmt: skip
    """The rows of `sql` whose `IN (?)` takes `ids`, a few hundred at a time, as tuples."""
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), _IN):
        part = ids[start : start + _IN]
        marks = ",".join("?" * len(part))
        out += reg.conn.execute(sql.replace("(?)", f"({marks})"), [*params, *part]).fetchall()
    return out


def _fetch(reg: Register, sql: str, ids: Sequence[str], params: Sequence[Any] = ()) -> list[Row]:
    out: list[Row] = []
    for start in range(0, len(ids), _IN):
        part = ids[start : start + _IN]
        marks = ",".join("?" * len(part))
        cursor = reg.conn.execute(sql.replace("(?)", f"({marks})"), [*params, *part])
        names = [d[0] for d in cursor.description]
        out += [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return out


def _remap_settings(reg: Register, batch: list[list[Any]], at: Mapping[str, int]) -> None:
    """Settings meet by key: an incoming row takes the id this register uses for its key."""
    keys = [row[at["key"]] for row in batch]
    sql = "SELECT id, key FROM settings WHERE key IN (?)"
    local = {r["key"]: r["id"] for r in _fetch(reg, sql, keys)}
    for row in batch:
        row[at["id"]] = local.get(row[at["key"]], row[at["id"]])


def merge_table(ctx: Context, spec: TableSpec, columns: Sequence[str],
                batches: Iterable[Batch]) -> Counts:  # fmt: skip
    """Merge (or with ctx.write False, only classify) one table's incoming rows.

    What SQLite refuses while writing (a row whose person this register lacks, a key twice)
    becomes an InvalidBundle naming the record; the caller's transaction rolls back.
    """
    _load_aliases(ctx)
    counts = Counts()
    # Into an empty table (a first import) secondary indexes are built once after the rows
    # rather than kept up row by row, as records.insert_bulk does: inside the transaction, so
    # a failed import leaves them as they were.
    empty = not ctx.reg.conn.execute(f"SELECT 1 FROM [{spec.name}] LIMIT 1").fetchone()
    fresh = bool(ctx.write and empty)
    written = _Written()
    try:
        # Into an empty table every row is new: its indexes, the persons' search trigger and
        # person_last's triggers are set aside and put back once (db.store.aside), as
        # records.insert_bulk does.
        with aside.written_in_bulk(ctx.reg, spec.name) if fresh else _no_people() as people:
            written.people = people if fresh else None
            _merge_batches(ctx, spec, columns, batches, counts, written)
    except INTEGRITY_ERRORS as exc:  # both drivers: an encrypted register uses sqlcipher3
        raise faults.explain(ctx.reg, ctx.path, spec.name, columns, written.batch, exc) from exc
    if ctx.write and written.inserted:
        log_change(ctx.reg, ctx.at, spec.name, "*", "bulk",
                   {"rows": written.inserted, "note": ctx.note, "handover": True,
                    "source_device": ctx.source_device, "import_no": ctx.import_no})  # fmt: skip
    return counts


@dataclass
class _Written:
    """Rows inserted so far, and the batch being written (to name a row SQLite refuses)."""

    inserted: int = 0
    batch: list[list[Any]] = field(default_factory=list)
    people: set[str] | None = None  # whose latest test and check to compute after (aside)


@contextlib.contextmanager
def _no_people() -> Iterator[set[str]]:
    yield set()


def _merge_batches(ctx: Context, spec: TableSpec, columns: Sequence[str], batches: Iterable[Batch],
                   counts: Counts, written: _Written) -> None:  # fmt: skip
    at = {c: i for i, c in enumerate(columns)}
    id_at, data_at = at["id"], [at.get(f) for f in spec.data]
    present = [f for f in spec.data if f in at]  # an older bundle may lack some fields
    select = ", ".join(f"[{c}]" for c in spec.columns)
    # Nothing to look up in an empty table, or with a peer never heard from: the fast path of
    # a first import, where every row is new.
    has_rows = ctx.reg.conn.execute(f"SELECT 1 FROM [{spec.name}] LIMIT 1").fetchone()
    has_base = ctx.reg.conn.execute(
        "SELECT 1 FROM handover_base WHERE peer_no = ? AND tbl = ? LIMIT 1",
        [ctx.peer_no, spec.name],
    ).fetchone()
    person_at = at.get("person_id") if spec.name == "episodes" else None
    # The incoming data fields as a tuple in `spec.data` order, to meet the local row's slice
    # [1:width] (the select is id, data, META); None when the bundle lacks a field.
    pick = _picker([at[f] for f in spec.data]) if len(present) == len(spec.data) else None
    width = 1 + len(spec.data)
    stamp_at, device_at = at["updated_at"], at["device_id"]
    stamp_meta, device_meta = META.index("updated_at"), META.index("device_id")
    for batch, hashes in batches:
        written.batch = batch
        if spec.name == "settings":
            _remap_settings(ctx.reg, batch, at)
        elif spec.name == "villages" and _alias_villages(ctx, batch, at):
            hashes = None  # hashed as sent: the rows now carry our ids, hashed again below
        elif ctx.village_alias and "village_id" in at and _remap_villages(ctx, batch, at):
            hashes = None
        ids = [r[id_at] for r in batch]
        if person_at is not None and ctx.write:
            ctx.episode_people.update(r[person_at] for r in batch)
        if written.people is not None and "person_id" in at:  # an empty table: all inserted
            written.people.update(r[at["person_id"]] for r in batch)
        if not has_rows and not has_base and hashes is not None:
            # Every row new and hashed already (on the reading thread): no row-by-row work.
            counts.new += len(batch)
            if ctx.write:
                written.inserted += _insert(ctx, spec, ["id", *present, *META], at, batch)
                ctx.reg.conn.executemany(
                    "INSERT INTO handover_base (peer_no, tbl, row_id, hash) VALUES (?, ?, ?, ?)",
                    zip(repeat(ctx.peer_no), repeat(spec.name), ids, hashes),
                )
            continue
        locals_: dict[str, tuple[Any, ...]] = {}
        if has_rows:
            sql = f"SELECT {select} FROM [{spec.name}] WHERE id IN (?)"
            locals_ = {r[0]: r for r in _fetch_rows(ctx.reg, sql, ids)}
        stored = {}
        if has_base:
            sql = "SELECT row_id, hash, vals FROM handover_base WHERE peer_no = ? AND tbl = ? "
            sql += "AND row_id IN (?)"
            stored = {r["row_id"]: r for r in _fetch(ctx.reg, sql, ids, [ctx.peer_no, spec.name])}
        inserts: list[list[Any]] = []
        bases: list[tuple[str, bytes, str | None]] = []
        for n, values in enumerate(batch):
            row_id = values[id_at]
            found = locals_.get(row_id)
            base_row = stored.get(row_id)
            if found is None:
                if hashes is None:
                    theirs = [values[i] if i is not None else None for i in data_at]
                bases.append((row_id, hashes[n] if hashes else digest(spec, theirs), None))
                counts.new += 1
                if ctx.write:
                    inserts.append(values)
                continue
            # The common case of a second bundle, told without a dict per row: the same data.
            if pick is not None and pick(values) == found[1:width]:
                r_hash = hashes[n] if hashes else digest(spec, pick(values))
                counts.unchanged += 1
                if base_row is None or bytes(base_row["hash"]) != r_hash or base_row["vals"]:
                    bases.append((row_id, r_hash, None))
                later = (str(values[stamp_at] or ""), str(values[device_at] or "")) > (
                    str(found[width + stamp_meta] or ""),
                    str(found[width + device_meta] or ""),
                )
                if ctx.write and later:
                    local = dict(zip(spec.columns, found, strict=True))
                    theirs = list(pick(values))
                    meta = {m: values[at[m]] for m in META}
                    _apply(ctx, spec, local, Decision("same", theirs_dict(spec, theirs), meta, []),
                           dict(zip(columns, values, strict=True)))  # fmt: skip
                continue
            local = dict(zip(spec.columns, found, strict=True))
            remote = dict(zip(columns, values, strict=True))
            theirs = [remote[f] if f in remote else local[f] for f in spec.data]
            if theirs == [local[f] for f in spec.data]:  # the same data, a field left out
                r_hash = hashes[n] if hashes else digest(spec, theirs)
                counts.unchanged += 1
                if base_row is None or bytes(base_row["hash"]) != r_hash or base_row["vals"]:
                    bases.append((row_id, r_hash, None))
                if ctx.write and meta_key(remote) > meta_key(local):
                    meta = {m: remote[m] for m in META}
                    _apply(ctx, spec, local, Decision("same", theirs_dict(spec, theirs), meta, []),
                           remote)  # fmt: skip
                continue
            decision, r_hash = classify(ctx, spec, local, remote, base_row)
            _count(counts, decision)
            keep_vals = None
            if decision.kind in ("keep", "merge"):
                keep_vals = json.dumps({f: remote.get(f, decision.values[f]) for f in spec.data},
                                       ensure_ascii=False)  # fmt: skip
            if base_row is None or bytes(base_row["hash"]) != r_hash or (
                    base_row["vals"] != keep_vals):  # fmt: skip
                bases.append((row_id, r_hash, keep_vals))
            if ctx.write and decision.kind != "keep":
                _apply(ctx, spec, local, decision, remote)
        if ctx.write:
            written.inserted += _insert(ctx, spec, ["id", *present, *META], at, inserts)
            ctx.reg.conn.executemany(
                "INSERT OR REPLACE INTO handover_base (peer_no, tbl, row_id, hash, vals) "
                "VALUES (?, ?, ?, ?, ?)",
                [(ctx.peer_no, spec.name, i, h, v) for i, h, v in bases],
            )


def _picker(where: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A row's values at `where`, as a tuple (also for one position, or none)."""
    if len(where) > 1:
        return itemgetter(*where)
    return lambda row: tuple(row[i] for i in where)


def theirs_dict(spec: TableSpec, values: Sequence[Any]) -> Row:
    """Data values in `spec.data` order as a mapping."""
    return dict(zip(spec.data, values, strict=True))


def _count(counts: Counts, decision: Decision) -> None:
    if decision.kind == "new":
        counts.new += 1
    elif decision.conflicts:
        counts.conflicts += 1
    elif decision.kind in ("take", "merge"):
        counts.changed += 1
    else:
        counts.unchanged += 1


def _insert(ctx: Context, spec: TableSpec, names: list[str], at: Mapping[str, int],
            rows: list[list[Any]]) -> int:  # fmt: skip
    """Insert new rows as they came (fields an older bundle lacks get the column default)."""
    if not rows:
        return 0
    where = [at[n] for n in names]
    params: list[Any]
    if where == list(range(len(where))):
        params = [values[: len(where)] for values in rows]  # the bundle's own column order
    else:
        params = [[values[i] for i in where] for values in rows]
    derived = DERIVED.get(spec.name, ())
    if derived:
        fast = replace(ctx, reg=cast(Register, _VillageNames(ctx.reg)))
        for row in params:
            full = _with_derived(fast, spec, dict(zip(names, row, strict=True)))
            row += [full[k] for k in derived]
    columns = [*names, *derived]
    ctx.reg.conn.executemany(
        f"INSERT INTO [{spec.name}] ({', '.join(f'[{n}]' for n in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})",
        params,
    )
    if ctx.journal:
        ctx.reg.conn.executemany(
            "INSERT INTO handover_journal (tbl, row_id) VALUES (?, ?)",
            [(spec.name, row[0]) for row in params],
        )
    return len(rows)


def _apply(ctx: Context, spec: TableSpec, local: Row, decision: Decision, remote: Row) -> None:
    diff = {
        f: [local.get(f), decision.values[f]]
        for f in spec.data
        if norm(local.get(f)) != norm(decision.values[f])
    }
    meta = {k: v for k, v in decision.meta.items() if local.get(k) != v}
    if diff or meta:
        changes: Row = {f: pair[1] for f, pair in diff.items()} | meta
        if diff and spec.name in DERIVED:
            derived = _with_derived(ctx, spec, {**local, **decision.values})
            changes |= {k: derived[k] for k in DERIVED[spec.name]}
        columns = ", ".join(f"[{k}] = ?" for k in changes)
        ctx.reg.conn.execute(
            f"UPDATE [{spec.name}] SET {columns} WHERE id = ?", [*changes.values(), local["id"]]
        )
    if diff:
        action = "delete" if list(diff) == ["deleted"] and diff["deleted"][1] else "update"
        log_change(ctx.reg, ctx.at, spec.name, local["id"], action, diff)
        if ctx.journal:
            ctx.reg.conn.execute(
                "INSERT INTO handover_journal (tbl, row_id) VALUES (?, ?)", [spec.name, local["id"]]
            )
        if spec.name == "villages" and "name" in diff:
            ctx.renamed_villages.add(local["id"])
    if decision.kind in ("take", "same"):
        # The other side moved on from a version both had, or made a later change that agrees
        # with ours: a conflict still open here on this row was settled there.
        stamp = str(remote.get("updated_at") or "")
        ctx.reg.conn.execute(
            "UPDATE handover_conflicts SET resolved_at = ?, resolved_by = ?, chosen = ?, "
            "chosen_value = '' WHERE tbl = ? AND row_id = ? AND resolved_at IS NULL "
            "AND (? = 'take' OR (? > local_at AND ? > remote_at))",
            [ctx.at, f"{remote.get('updated_by') or ''} (máy khác)",
             "remote" if decision.kind == "take" else "local", spec.name, local["id"],
             decision.kind, stamp, stamp],
        )  # fmt: skip
    for name in decision.conflicts:
        _record_conflict(ctx, spec, local, remote, name)


def _record_conflict(ctx: Context, spec: TableSpec, local: Row, remote: Row, name: str) -> None:
    mine = json.dumps(local.get(name), ensure_ascii=False)
    theirs = json.dumps(remote.get(name), ensure_ascii=False)
    known = ctx.reg.conn.execute(
        "SELECT 1 FROM handover_conflicts WHERE tbl = ? AND row_id = ? AND field = ? "
        "AND resolved_at IS NULL AND remote_value = ? AND local_value = ?",
        [spec.name, local["id"], name, theirs, mine],
    ).fetchone()
    if known:
        return
    ctx.reg.conn.execute(
        "INSERT INTO handover_conflicts (tbl, row_id, field, local_value, local_by, local_at, "
        "remote_value, remote_by, remote_at, remote_device, import_no, found_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [spec.name, local["id"], name, mine, local.get("updated_by") or "",
         local.get("updated_at") or "", theirs, remote.get("updated_by") or "",
         remote.get("updated_at") or "", remote.get("device_id") or ctx.source_device,
         ctx.import_no, ctx.at],
    )  # fmt: skip


def refresh_renamed_villages(ctx: Context) -> None:
    """People of a village renamed by the import are found by the new name (derived only)."""
    for village_id in sorted(ctx.renamed_villages):
        for row in ctx.reg.db.query("SELECT * FROM persons WHERE village_id = ?", [village_id]):
            derived = _derived(ctx.reg, row)
            if derived["search_text"] != row["search_text"]:
                ctx.reg.conn.execute(
                    "UPDATE persons SET search_text = ? WHERE id = ?",
                    [derived["search_text"], row["id"]],
                )
