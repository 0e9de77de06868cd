"""Merging a bundle's rows into the register: record by record, field by field, nothing lost.

Records meet by UUID (settings by key). For each incoming row the register compares three
versions: its own, the incoming one, and the last version both sides had (the *base*). The base
is known by hash only — per peer, `handover_base` keeps the hash of the version that peer last
sent, and the sender puts in each row the hash of the version it last got from us — and its
field values are found by walking this register's change log backwards until a version with one
of those hashes appears (or, for merged rows, from the values `handover_base` keeps).

- same data on both sides: unchanged;
- only the incoming side moved from the base: it is taken;
- only this side moved: it is kept;
- both moved: field by field, the side that changed a field wins; a field both changed to
  different values is a conflict (this side's value stays until a person chooses).

Where no base is known every differing field is a conflict: nothing is overwritten silently.
Metadata (who and when) is not merged field by field: the result carries the later change's.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from operator import itemgetter
from pathlib import Path
from typing import Any

from db.store.register import Register

META = ("created_at", "created_by", "updated_at", "updated_by", "device_id")
DERIVED = {"persons": ("name_folded", "search_text", "sort_key"), "villages": ("name_folded",)}
LOCAL_ONLY = ("rid",)
BASE_COLUMN = "_base"
_WALK_LIMIT = 5000  # change-log entries looked at per row when finding the base

Row = dict[str, Any]
# One encoder made once: json.dumps with options builds a new one for every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_ENCODE = _ENCODER.encode
# Its C core made once too (JSONEncoder.encode makes it again for every value): the same text,
# a third of the time for the million rows of a full bundle. None where CPython has no C core.
_MAKE_C = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = (
    None
    if _MAKE_C is None
    else _MAKE_C(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",",
                 False, False, True)
)  # fmt: skip


def _encoded(values: Sequence[Any]) -> str:
    """`values` as the JSON text every row hash is taken of."""
    return _ENCODE(values) if _C_ENCODE is None else "".join(_C_ENCODE(values, 0))


@dataclass(frozen=True)
class TableSpec:
    """A synced table as it travels: id, the data fields (hashed and merged), metadata."""

    name: str
    data: tuple[str, ...]
    defaults: frozenset[str]
    real: tuple[int, ...] = ()  # positions in `data` of REAL columns (0.0 and 0 are one value)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns a bundle carries, in order."""
        return ("id", *self.data, *META)


def table_spec(reg: Register, table: str) -> TableSpec:
    """The spec of one synced table, read from the schema."""
    info = reg.db.execute(f"PRAGMA table_info([{table}])").fetchall()
    skip = {"id", *META, *LOCAL_ONLY, *DERIVED.get(table, ())}
    data = tuple(sorted(r[1] for r in info if r[1] not in skip))
    types = {r[1]: str(r[2]).upper() for r in info}
    real = tuple(i for i, name in enumerate(data) if types[name] in ("REAL", "FLOAT", "DOUBLE"))
    # Columns an older bundle may leave out: they have a default or may be NULL.
    defaults = frozenset(r[1] for r in info if r[4] is not None or not r[3])
    return TableSpec(table, data, defaults, real)


def norm(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a REAL column gives 0.0 back for 0: one value, one hash
    return value


def digest(spec: TableSpec, values: Sequence[Any]) -> bytes:
    """A 128-bit hash of a row's data fields given in `spec.data` order."""
    if spec.real:
        values = list(values)
        for i in spec.real:
            values[i] = norm(values[i])
    return blake2b(_encoded(values).encode(), digest_size=16).digest()


def data_hash(spec: TableSpec, values: Mapping[str, Any]) -> bytes:
    """A 128-bit hash of a row's data fields (not its id nor who/when)."""
    return digest(spec, [values.get(f) for f in spec.data])


def meta_key(row: Mapping[str, Any]) -> tuple[str, str]:
    return (str(row.get("updated_at") or ""), str(row.get("device_id") or ""))


@dataclass
class Counts:
    """What an import does to one table."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicts: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return dict(self.__dict__)


@dataclass
class Context:
    """One import: the peer, whether to write, and what the whole import has done so far."""

    reg: Register
    peer_no: int
    source_device: str
    import_no: int
    at: str
    write: bool
    journal: bool
    note: str
    prefer_remote_settings: bool = False
    renamed_villages: set[str] = field(default_factory=set)
    # A village the sender added that this register already has (same commune, same folded
    # name, another id): the sender's id -> ours, for the village and every row pointing to it.
    village_alias: dict[str, str] = field(default_factory=dict)
    # Every village id this bundle carries (the sender's villages stay distinct among
    # themselves: one of them is never taken for another it sent, even of the same name).
    villages_sent: set[str] = field(default_factory=set)
    villages_met: set[str] = field(default_factory=set)  # our villages met by name this import
    aliases_loaded: bool = False  # ctx.village_alias read from earlier imports (local_meta)
    episode_people: set[str] = field(default_factory=set)  # people whose episodes were written
    path: Path = Path("gói")  # the bundle, for messages


def _history(reg: Register, spec: TableSpec, current: Row) -> Iterator[tuple[bytes, Row]]:
    """This register's earlier versions of a row, newest first, rebuilt from the change log."""
    version = {f: current.get(f) for f in spec.data}
    cursor = reg.conn.execute(
        "SELECT action, changes FROM change_log WHERE row_id = ? AND table_name = ? "
        "ORDER BY seq DESC LIMIT ?",
        [current["id"], spec.name, _WALK_LIMIT],
    )
    for action, changes in cursor:
        if action == "insert":
            return
        if action not in ("update", "delete"):
            continue
        try:
            diff = json.loads(changes)
        except ValueError:
            return
        if not isinstance(diff, dict):
            return
        for name, pair in diff.items():
            if name in version and isinstance(pair, list) and len(pair) == 2:
                version[name] = pair[0]
        yield data_hash(spec, version), dict(version)


def classify(ctx: Context, spec: TableSpec, local: Row | None, remote: Row,
              base_row: Row | None) -> tuple[Decision, bytes]:  # fmt: skip
    """Which versions both sides had, then the decision for one row; and the incoming hash."""
    theirs = {f: remote[f] if f in remote else (local or {}).get(f) for f in spec.data}
    r_hash = data_hash(spec, theirs)
    if local is None:
        return decide(spec, None, remote, None, False, False), r_hash
    l_hash = data_hash(spec, local)
    if l_hash == r_hash:
        return decide(spec, local, remote, None, False, False), r_hash
    # `stored`: the version this peer last sent here. `sent`: the version the sender last got
    # from somewhere (from us, when it knew us as the receiver).
    stored = bytes(base_row["hash"]) if base_row is not None else None
    sent = bytes.fromhex(remote[BASE_COLUMN]) if remote.get(BASE_COLUMN) else None
    # A `_base` naming our current version is the sender's claim; it counts only for a version
    # that has left this register (a forged base must not overwrite a local edit unseen).
    l_in = l_hash == stored or (l_hash == sent and shared(ctx, spec, local, l_hash))
    r_in = r_hash == stored
    history: list[tuple[bytes, Row]] | None = None
    if sent is not None and r_hash == sent and not r_in and not l_in:
        # The sender kept a version it got elsewhere; it is a common one only if we had it too.
        history = list(_history(ctx.reg, spec, local))
        r_in = any(digest == sent for digest, _ in history)
    if not stored and not sent and ctx.prefer_remote_settings and spec.name == "settings":
        l_in = True  # taking over a register: its settings replace a fresh laptop's
    bases: list[Row] | None = None
    if l_in == r_in:
        wanted = {h for h in (stored, sent) if h is not None}
        found: dict[bytes, Row] = {}
        for digest, version in history if history is not None else _history(ctx.reg, spec, local):
            if digest in wanted and digest not in found:
                found[digest] = version
                if len(found) == len(wanted):
                    break
        if base_row is not None and base_row.get("vals") and stored not in found:
            found[stored or b""] = json.loads(base_row["vals"])
        bases = list(found.values())
    return decide(spec, local, remote, bases, l_in, r_in), r_hash


def shared(ctx: Context, spec: TableSpec, local: Row, l_hash: bytes) -> bool:
    """Whether this register's current version of a row is one others may hold: a peer sent
    it here, or a bundle made here since the row last changed carried it (to the sender, or to
    a receiver not yet known by its device)."""
    conn = ctx.reg.conn
    if conn.execute(
        "SELECT 1 FROM handover_base WHERE peer_no IN (SELECT peer_no FROM handover_peers) "
        "AND tbl = ? AND row_id = ? AND hash = ? LIMIT 1",
        [spec.name, local["id"], l_hash],
    ).fetchone():
        return True
    own = conn.execute(
        "SELECT max(seq) FROM change_log WHERE row_id = ? AND table_name = ? "
        "AND action IN ('insert', 'update', 'delete')",
        [local["id"], spec.name],
    ).fetchone()[0]
    # A bulk insert (demo, spreadsheet, an import) stamps its rows with the entry's time.
    bulk = conn.execute(
        "SELECT max(seq) FROM change_log WHERE row_id = '*' AND table_name = ? AND at = ?",
        [spec.name, str(local.get("updated_at") or "")],
    ).fetchone()[0]
    sent = conn.execute(
        "SELECT max(log_seq) FROM handover_exports WHERE status = 'done' "
        "AND (receiver_device IS NULL OR receiver_device = ?)",
        [ctx.source_device],
    ).fetchone()[0]
    return sent is not None and int(sent) >= max(int(own or 0), int(bulk or 0))


@dataclass
class Decision:
    kind: str  # new | take | keep | same | merge
    values: Row  # the data fields the row ends with
    meta: Row
    conflicts: list[str]


def decide(spec: TableSpec, local: Row | None, remote: Row, bases: list[Row] | None,
           l_in: bool, r_in: bool) -> Decision:  # fmt: skip
    """The merge of one row (pure: no database), given the bases when both sides moved."""
    remote_meta = {k: remote.get(k) for k in META}
    if local is None:
        return Decision("new", {f: remote.get(f) for f in spec.data}, remote_meta, [])
    mine = {f: local.get(f) for f in spec.data}
    theirs = {f: (remote[f] if f in remote else local.get(f)) for f in spec.data}
    local_meta = {k: local.get(k) for k in META}
    if all(norm(mine[f]) == norm(theirs[f]) for f in spec.data):
        later = remote_meta if meta_key(remote_meta) > meta_key(local_meta) else local_meta
        return Decision("same", mine, later, [])
    if l_in and not r_in:
        return Decision("take", theirs, remote_meta, [])
    if r_in and not l_in:
        return Decision("keep", mine, local_meta, [])
    result: Row = {}
    conflicts: list[str] = []
    for name in spec.data:
        a, b = norm(mine[name]), norm(theirs[name])
        if a == b:
            result[name] = mine[name]
            continue
        olds = {json.dumps(norm(base.get(name)), ensure_ascii=False) for base in bases or []}
        a_old = json.dumps(a, ensure_ascii=False) in olds
        b_old = json.dumps(b, ensure_ascii=False) in olds
        if a_old and not b_old:
            result[name] = theirs[name]
        elif b_old and not a_old:
            result[name] = mine[name]
        else:
            result[name] = mine[name]
            conflicts.append(name)
    if not conflicts and all(norm(result[f]) == norm(theirs[f]) for f in spec.data):
        return Decision("take", theirs, remote_meta, [])
    if not conflicts and all(norm(result[f]) == norm(mine[f]) for f in spec.data):
        return Decision("keep", mine, local_meta, [])
    later = remote_meta if meta_key(remote_meta) > meta_key(local_meta) else local_meta
    return Decision("merge", result, later, conflicts)


Batch = tuple[list[list[Any]], list[bytes] | None]  # rows, and their hashes if known


def hasher(specs: Mapping[str, TableSpec]) -> Callable[[str, list[str], list[list[Any]]], Batch]:
    """The incoming rows' hashes, computed where the batches are read (on a second thread)."""

    def prepare(table: str, columns: list[str], batch: list[list[Any]]) -> Batch:
        spec = specs.get(table)
        at = {c: i for i, c in enumerate(columns)}
        if spec is None or any(f not in at for f in spec.data):
            return batch, None  # an older bundle lacks a field: hashed with ours, later
        where = [at[f] for f in spec.data]
        if spec.real or len(where) < 2:
            return batch, [digest(spec, [row[i] for i in where]) for row in batch]
        pick, encoded = itemgetter(*where), _encoded  # a tuple encodes as the list would
        return batch, [blake2b(encoded(pick(row)).encode(), digest_size=16).digest()
                       for row in batch]  # fmt: skip

    return prepare
