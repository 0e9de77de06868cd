"""Making a handover bundle: every row (full) or what changed since the last one (incremental).

    written = export_bundle(reg, Path("E:/"), passphrase, full=False, receiver="Công an tỉnh")

A full bundle holds every row (deleted ones too: deletions travel); an incremental one the rows
changed since the last bundle made for that receiver — found by this laptop's own sequences (the
change log for its own writes, the handover journal for rows imports wrote), never by comparing
the clocks of two laptops. Each row carries the hash of the version this register last got from
the receiver: the receiver's base for a three-way merge (db/handover/merge.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from db.commune.settings import get_settings
from db.core.errors import UserError
from db.core.stamps import new_id, now_utc
from db.core.textfold import fold
from db.handover import merge
from db.handover.bundle import FORMAT_VERSION, SUFFIX
from db.handover.bundle_write import BundleWriter, create_bundle
from db.handover.receive import (
    HANDOVER_TABLES,
    PROGRAM_VERSION,
    TABLE_LABELS,
    Progress,
    _one,
    _peer_no,
    _quiet,
)
from db.store.anchor import anchor_code, chain_head
from db.store.audit import log_event
from db.store.records import transaction
from db.store.register import Register


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:30]


@dataclass(frozen=True)
class ExportResult:
    """A bundle made: where, its SHA-256, sequence number, kind and rows per table."""

    path: Path
    sha256: str
    size: int
    seq: int
    kind: str
    counts: dict[str, int]
    receiver: str
    fell_back: bool  # asked for incremental, but nothing was ever sent to this receiver
    anchor: str = ""  # this register's chain anchor the bundle carries (db.store.anchor)


def bundle_name(reg: Register, seq: int, when: datetime | None = None) -> str:
    """A plain ASCII file name (FAT32 sticks): sotheodoi-<commune>-<yyyymmdd-hhmm>-<seq>.sotd."""
    settings = get_settings(reg)
    commune = _ascii(settings.get("commune_name") or settings.get("unit_name") or "") or "so"
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M")
    return f"sotheodoi-{commune}-{stamp}-{seq}{SUFFIX}"


# --- receivers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receiver:
    """Someone bundles were made for (or read from): the name used, device, last bundle."""

    label: str
    device_id: str | None
    last_seq: int | None
    last_at: str | None
    acked: bool


def receivers(reg: Register) -> list[Receiver]:
    """Receivers this register has made bundles for, then peers it has only read from."""
    out: list[Receiver] = []
    seen: set[str] = set()
    for label, key, device, seq, at, acked in reg.conn.execute(
        "SELECT receiver, receiver_key, receiver_device, seq, finished_at, acked_at "
        "FROM handover_exports e WHERE status = 'done' AND receiver_key <> '' AND seq = "
        "(SELECT max(seq) FROM handover_exports WHERE receiver_key = e.receiver_key "
        "AND status = 'done') ORDER BY seq DESC"
    ):
        out.append(Receiver(label, device, seq, at, acked is not None))
        seen.add(key)
        if device:
            seen.add(device)
    for device, label, unit, commune, officer in reg.conn.execute(
        "SELECT device_id, label, unit_name, commune_name, officer FROM handover_peers "
        "ORDER BY last_seen DESC"
    ):
        name = label or " — ".join(x for x in (unit or commune, officer) if x) or device[:8]
        if device not in seen and fold(name) not in seen:
            out.append(Receiver(name, device, None, None, False))
    return out


def _resolve(reg: Register, receiver: str) -> tuple[str, str, str | None]:
    """(label, key, device id if known) for what the officer typed."""
    label = receiver.strip()
    key = fold(label)
    if not key:
        return "", "", None
    device = _one(
        reg,
        "SELECT receiver_device FROM handover_exports WHERE receiver_key = ? "
        "AND receiver_device IS NOT NULL ORDER BY seq DESC LIMIT 1",
        [key],
    )
    if device:
        return label, key, str(device)
    matches = []
    for dev, plabel, unit, commune, officer in reg.conn.execute(
        "SELECT device_id, label, unit_name, commune_name, officer FROM handover_peers"
    ):
        shown = " — ".join(x for x in (unit or commune, officer) if x)
        names = {fold(plabel), fold(unit), fold(commune), fold(shown)} - {""}
        if key in names or (len(key) >= 6 and dev.startswith(label.lower())):
            matches.append(dev)
    return label, key, matches[0] if len(matches) == 1 else None


# --- export ----------------------------------------------------------------------------------


def _changed_ids(
    reg: Register, log_seq: int, journal_seq: int
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Rows changed since the watermarks: this laptop's own writes (change log), and rows
    imports wrote (journal) — the latter may have come from the receiver itself."""
    merged_at = {r[0] for r in reg.conn.execute("SELECT imported_at FROM handover_imports")}
    own: dict[str, set[str]] = {t: set() for t in HANDOVER_TABLES}
    imported: dict[str, set[str]] = {t: set() for t in HANDOVER_TABLES}
    for table, row_id, action, at, device, changes in reg.conn.execute(
        "SELECT table_name, row_id, action, at, device_id, changes FROM change_log WHERE seq > ?",
        [log_seq],
    ):
        if table not in own:
            continue
        if row_id != "*":
            if action in ("insert", "update", "delete"):  # not events (a printed sheet)
                # An import logs its updates at its own time stamp: those rows came in.
                (imported if at in merged_at else own)[table].add(row_id)
        elif action == "bulk" and not json.loads(changes).get("handover"):
            # A bulk insert (demo, spreadsheet) stamps every row with the entry's time.
            own[table].update(
                r[0]
                for r in reg.conn.execute(
                    f"SELECT id FROM [{table}] WHERE updated_at = ? AND device_id = ?",
                    [at, device],
                )
            )
    for table, row_id in reg.conn.execute(
        "SELECT tbl, row_id FROM handover_journal WHERE seq > ?", [journal_seq]
    ):
        if table in imported:
            imported[table].add(row_id)
    return own, imported


def _table_rows(
    reg: Register,
    spec: merge.TableSpec,
    peers: list[int],
    ids: set[str] | None,
    skippable: set[str] | None = None,
    skip_all: bool = False,
) -> Iterator[list[Any]]:
    """Rows to send, each with the hash of the version we last got from the receiver (or, when
    we do not know who it is, from the peers we heard from last): the receiver's common base."""
    select = ", ".join(f"t.[{c}]" for c in spec.columns)
    joins = "".join(
        f" LEFT JOIN handover_base b{i} ON b{i}.peer_no = {int(peer)} AND b{i}.tbl = "
        f"'{spec.name}' AND b{i}.row_id = t.id"
        for i, peer in enumerate(peers)
    )
    base = (
        f"coalesce({', '.join(f'b{i}.hash' for i in range(len(peers)))}, NULL)" if peers else "NULL"
    )
    sql = f"SELECT {select}, {base} FROM [{spec.name}] t{joins}"
    if ids is None:
        cursor: Iterator[Any] = reg.conn.execute(sql)
    else:
        ordered = sorted(ids)
        cursor = (
            row
            for start in range(0, len(ordered), 400)
            for row in reg.conn.execute(
                f"{sql} WHERE t.id IN ({','.join('?' * len(ordered[start : start + 400]))})",
                ordered[start : start + 400],
            )
        )
    # While a conflict is open here, the row is not what either side chose: it must not pass
    # for a descendant of the receiver's version.
    undecided = {
        r[0]
        for r in reg.conn.execute(
            "SELECT row_id FROM handover_conflicts WHERE tbl = ? AND resolved_at IS NULL",
            [spec.name],
        )
    }
    width = len(spec.columns)
    for row in cursor:
        digest = None if row[0] in undecided else row[width]
        if digest is not None and (skip_all or (skippable is not None and row[0] in skippable)):
            values = dict(zip(spec.data, row[1 : 1 + len(spec.data)], strict=True))
            if merge.data_hash(spec, values) == bytes(digest):
                continue  # the receiver sent us this very version: it has it
        yield [*row[:width], bytes(digest).hex() if digest is not None else None]


def export_bundle(
    reg: Register,
    out: Path,
    passphrase: str,
    *,
    full: bool = True,
    receiver: str = "",
    progress: Progress | None = None,
    kdf_n: int | None = None,
) -> ExportResult:
    """Make a bundle at `out` (a folder: a name is chosen; or a file name)."""
    step = progress or _quiet
    label, key, device = _resolve(reg, receiver)
    if not full and not key:
        raise UserError("Gói bổ sung cần tên bên nhận (đã gửi gói trước cho ai).", field="receiver")
    last = None
    if not full:
        last = reg.conn.execute(
            "SELECT seq, log_seq, journal_seq FROM handover_exports WHERE status = 'done' "
            "AND (receiver_key = ? OR (receiver_device IS NOT NULL AND receiver_device = ?)) "
            "ORDER BY seq DESC LIMIT 1",
            [key, device or ""],
        ).fetchone()
    kind = "incremental" if last else "full"
    with transaction(reg):
        seq = int(_one(reg, "SELECT coalesce(max(seq), 0) + 1 FROM handover_exports"))
        bundle_id = new_id()
        reg.conn.execute(
            "INSERT INTO handover_exports (seq, bundle_id, kind, receiver, receiver_key, "
            "receiver_device, since_seq, status, started_at, created_by, log_seq, journal_seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'writing', ?, ?, "
            "(SELECT coalesce(max(seq), 0) FROM change_log), "
            "(SELECT coalesce(max(seq), 0) FROM handover_journal))",
            [seq, bundle_id, kind, label, key, device, last[0] if last else None, now_utc(),
             reg.user],
        )  # fmt: skip
    out = Path(out).expanduser()
    target = out
    if out.is_dir():
        target = out / bundle_name(reg, seq)
        for n in range(2, 100):  # two laptops of one commune, the same minute, one stick
            if not target.exists():
                break
            target = out / bundle_name(reg, seq).replace(SUFFIX, f"-{n}{SUFFIX}")
    settings = get_settings(reg)
    if device:
        peers = [_peer_no(reg, device)]
    else:
        peers = [r[0] for r in reg.conn.execute(
            "SELECT peer_no FROM handover_peers ORDER BY last_seen DESC LIMIT 8")]  # fmt: skip

    def produce(writer: BundleWriter) -> dict[str, Any]:
        reg.conn.execute("BEGIN")  # one snapshot: the bundle is consistent across tables
        try:
            # The change log's head in the same snapshot as the rows: the anchor the bundle
            # carries outside this file (db.store.anchor), first read so the snapshot starts here.
            anchor = anchor_code(*chain_head(reg.conn))
            own, imported = _changed_ids(reg, last[1], last[2]) if last else ({}, {})
            # A first "incremental" bundle for a peer we know: every row it does not have yet.
            every_new = last is None and not full and device is not None

            def chosen(table: str) -> tuple[set[str] | None, set[str] | None]:
                """Rows to send (None: all) and those to leave out where the receiver has
                them already (only rows imports wrote: they may have come from it)."""
                if last is None:
                    return None, None
                both = own[table] | imported[table]
                return both, (imported[table] - own[table]) if device else None

            total = sum(
                len(own[t] | imported[t]) if last else
                int(_one(reg, f"SELECT count(*) FROM [{t}]")) for t in HANDOVER_TABLES
            )  # fmt: skip
            done = 0
            for table in HANDOVER_TABLES:
                spec = merge.table_spec(reg, table)
                writer.table(table, [*spec.columns, merge.BASE_COLUMN])
                ids, skippable = chosen(table)
                for row in _table_rows(reg, spec, peers, ids, skippable, every_new):
                    writer.row(row)
                    done += 1
                    if done % 20000 == 0:
                        step(f"Đang ghi gói: {TABLE_LABELS[table]}", done, total)
                writer.end_table()
        finally:
            reg.conn.execute("COMMIT")
        step("Đang kiểm tra lại gói vừa ghi", total, total)
        return {**_manifest(reg, settings, bundle_id, kind, seq, last, label, device),
                "anchor": anchor}  # fmt: skip

    try:
        written = create_bundle(target, passphrase, produce, kdf_n=kdf_n)
    except BaseException:
        with transaction(reg):
            reg.conn.execute(
                "UPDATE handover_exports SET status = 'failed', finished_at = ? WHERE seq = ?",
                [now_utc(), seq],
            )
        raise
    counts = written.manifest["counts"]
    log_event(reg, "export", {"what": "handover_bundle", "file": written.path.name,
                              "sha256": written.sha256, "receiver": label, "kind": kind,
                              "rows": sum(counts.values()),
                              "anchor": written.manifest["anchor"]})  # fmt: skip
    with transaction(reg):
        reg.conn.execute(
            "UPDATE handover_exports SET status = 'done', finished_at = ?, file_name = ?, "
            "sha256 = ?, counts = ? WHERE seq = ?",
            [now_utc(), written.path.name, written.sha256, json.dumps(counts), seq],
        )
    _prune_journal(reg)
    step("Xong", 1, 1)
    return ExportResult(
        written.path, written.sha256, written.size, seq, kind, counts, label,
        fell_back=not full and kind == "full", anchor=written.manifest["anchor"],
    )  # fmt: skip


def _prune_journal(reg: Register) -> None:
    """Forget journal entries every receiver's last bundle has passed (a receiver never sent
    anything gets a full bundle, which needs no journal)."""
    with transaction(reg):
        reg.conn.execute(
            "DELETE FROM handover_journal WHERE seq <= (SELECT min(last) FROM (SELECT "
            "max(journal_seq) AS last FROM handover_exports WHERE status = 'done' "
            "AND receiver_key <> '' GROUP BY receiver_key))"
        )


def _manifest(
    reg: Register, settings: dict[str, Any], bundle_id: str, kind: str, seq: int,
    last: Any, label: str, device: str | None,
) -> dict[str, Any]:  # fmt: skip
    acks = {
        r[0]: r[1]
        for r in reg.conn.execute(
            "SELECT source_device, max(source_seq) FROM handover_imports GROUP BY source_device"
        )
    }
    return {
        "format": FORMAT_VERSION, "program": PROGRAM_VERSION, "bundle_id": bundle_id,
        "kind": kind, "seq": seq, "since_seq": last[0] if last else None,
        "created_at": now_utc(), "created_by": reg.user,
        "source": {
            "device_id": reg.device_id, "commune_id": reg.commune_id,
            **{k: str(settings.get(k) or "") for k in (
                "commune_name", "unit_name", "province_name", "officer_name", "chief_name")},
        },
        "receiver": label, "receiver_device": device, "acks": acks,
        "tables": list(HANDOVER_TABLES),
    }  # fmt: skip
