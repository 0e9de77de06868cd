"""Reading a handover bundle into the register: preview first, then one transaction.

    preview = preview_bundle(reg, path, passphrase)       # counts per table, nothing written
    result = import_bundle(reg, path, passphrase, accept_other_commune=True)

The bundle is decrypted and verified whole before anything is read into the register; every
value is checked (db/handover/validate.py) on the way; the merge (db/handover/merge.py) runs in
one transaction, all of it or nothing; the import log of (source device, sequence, bundle id)
makes a second import of the same bundle a no-op, and a bundle older than one already merged
from the same laptop is refused (db/handover/ledger.py). Account rows and the chief's settings
are never taken from a bundle (db/handover/tables.py). Bundles are made by db/handover/send.py.
See docs/handover.md.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.commune.settings import get_settings, keep_commune_settings
from db.core.errors import UserError
from db.core.stamps import now_utc
from db.core.version import VERSION
from db.handover import faults, ledger, merge, merge_write
from db.handover.bundle import DamagedBundle, NewerBundle
from db.handover.bundle_read import BundleReader, open_bundle, read_ahead
from db.handover.tables import COMMUNE_LOCAL as COMMUNE_LOCAL  # re-exported: callers use
from db.handover.tables import HANDOVER_TABLES as HANDOVER_TABLES  # receive.TABLE_LABELS etc.
from db.handover.tables import PROTECTED_TABLES, known_settings, protected_settings
from db.handover.tables import TABLE_LABELS as TABLE_LABELS
from db.handover.validate import Validator
from db.persons.absences import reconcile_after_handover
from db.store import seal
from db.store.keyslots import chief_secret_of
from db.store.records import transaction
from db.store.register import Register
from db.store.sqlerrors import INTEGRITY_ERRORS

PROGRAM_VERSION = VERSION  # written into each bundle's manifest (db.core.version)

Progress = Callable[[str, int, int], None]


def _quiet(text: str, done: int, total: int) -> None:
    """No progress to show."""


class OtherCommune(UserError):
    """The bundle belongs to another commune: merging needs the officer's say-so."""


@dataclass
class Preview:
    """What importing a bundle would do, per table; and who made it."""

    path: Path
    sha256: str
    manifest: dict[str, Any]
    tables: dict[str, merge.Counts] = field(default_factory=dict)
    other_commune: bool = False
    can_take_over: bool = False
    imported_at: str | None = None  # when this very bundle was imported before
    import_no: int | None = None
    took_over: bool = False
    notes: list[str] = field(default_factory=list)  # what was left out, for the officer

    @property
    def total(self) -> merge.Counts:
        """The counts of every table added up."""
        out = merge.Counts()
        for counts in self.tables.values():
            for key, value in counts.as_dict().items():
                setattr(out, key, getattr(out, key) + value)
        return out

    @property
    def anchor(self) -> str | None:
        """The sender's chain anchor when it made the bundle ("1834-3F9A0C7B21E4", see
        db.store.anchor): to show, and to compare with the sender's later anchors; None for a
        bundle of an older version, which has none."""
        code = self.manifest.get("anchor")
        return code if isinstance(code, str) else None

    @property
    def source_label(self) -> str:
        """Who made the bundle, as an officer reads it."""
        return source_label(self.manifest)


def source_label(manifest: dict[str, Any]) -> str:
    """Who made a bundle, from its manifest ("Công an xã …, cán bộ …")."""
    src = manifest.get("source", {})
    unit = src.get("unit_name") or src.get("commune_name") or "đơn vị chưa đặt tên"
    who = src.get("officer_name") or manifest.get("created_by") or ""
    return f"{unit}, cán bộ {who}" if who else unit


def _one(reg: Register, sql: str, params: list[Any] | None = None) -> Any:
    row = reg.conn.execute(sql, params or []).fetchone()
    return row[0] if row else None


# --- import ----------------------------------------------------------------------------------


def _peer_no(reg: Register, device: str | None) -> int:
    return ledger.peer_no(reg, device)


@contextlib.contextmanager
def _big_cache(reg: Register) -> Iterator[None]:
    """A larger page cache while a bundle is merged (random ids fill B-trees everywhere), and
    no cyclic garbage collection (a million short-lived rows would trigger it thousands of
    times for nothing: they hold no cycles)."""
    old = reg.conn.execute("PRAGMA cache_size").fetchone()[0]
    reg.conn.execute("PRAGMA cache_size = -262144")  # KiB; taken only as far as needed
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        reg.conn.execute(f"PRAGMA cache_size = {int(old)}")


def _is_empty(reg: Register) -> bool:
    """No records of its own yet (settings and calendar days aside): a fresh laptop."""
    return not any(
        _one(reg, f"SELECT 1 FROM [{t}] LIMIT 1") for t in HANDOVER_TABLES if t not in COMMUNE_LOCAL
    )


def _keep_other_settings(reg: Register, manifest: dict[str, Any], columns: list[str],
                         rows: list[list[Any]]) -> None:  # fmt: skip
    """Another commune's settings are never merged into this register's own, but kept apart
    for that commune's figures here (its cut-off day, baseline, test interval: db.province)."""
    source = manifest.get("source")
    commune_id = source.get("commune_id") if isinstance(source, dict) else None
    if not isinstance(commune_id, str) or not commune_id:
        return
    names = ("key", "value", "deleted", "updated_at")
    at = {name: columns.index(name) for name in names if name in columns}
    if "key" not in at or "value" not in at:
        return
    gone = {str(row[at["key"]]) for row in rows if "deleted" in at and row[at["deleted"]]}
    live = {str(row[at["key"]]): str(row[at["value"]]) for row in rows}
    stamps = {str(row[at["key"]]): str(row[at["updated_at"]]) for row in rows
              if "updated_at" in at and row[at["updated_at"]]}  # fmt: skip
    keep_commune_settings(reg, commune_id, {k: v for k, v in live.items() if k not in gone},
                          stamps, gone)  # fmt: skip


def _merge_all(reader: BundleReader, ctx: merge.Context, preview: Preview, step: Progress) -> None:
    total = sum(reader.manifest["counts"].values()) or 1
    done = 0
    specs = {t: merge.table_spec(ctx.reg, t) for t in HANDOVER_TABLES}
    validator = Validator(ctx.reg, reader.path, specs)
    hashed = merge.hasher(specs)

    def prepare(table: str, columns: list[str], batch: list[list[Any]]) -> merge.Batch:
        validator.check(table, columns, batch)  # on the reading thread, before the merge
        return hashed(table, columns, batch)

    left_out: dict[str, int] = {}
    for table, columns, batches in read_ahead(reader.tables(), prepare):
        if table in PROTECTED_TABLES:
            left_out[table] = left_out.get(table, 0) + sum(len(rows) for rows, _ in batches)
            continue
        if table not in HANDOVER_TABLES:
            raise NewerBundle(
                f"Gói “{reader.path.name}” có bảng “{table}” mà phiên bản này chưa biết. "
                "Hãy cập nhật Sổ theo dõi rồi nhập lại; sổ không bị thay đổi."
            )
        if table in preview.tables:
            raise DamagedBundle(f"Gói “{reader.path.name}” có bảng {table} hai lần.")
        validator.check_columns(table, columns)
        label = TABLE_LABELS[table]

        def counted(batches: Iterator[merge.Batch], label: str = label) -> Iterator[merge.Batch]:
            nonlocal done
            for batch in batches:
                yield batch
                done += len(batch[0])
                step(f"Đang đối chiếu: {label}", done, total)

        if preview.other_commune and not preview.took_over and table in COMMUNE_LOCAL:
            skipped = 0
            for sent, _ in counted(batches):
                skipped += len(sent)
                if table == "settings" and ctx.write:
                    _keep_other_settings(ctx.reg, reader.manifest, columns, sent)
            preview.tables[table] = merge.Counts(skipped=skipped)
            continue
        kept: list[str] = []
        rows = counted(batches)
        if table == "settings" and not (preview.took_over and _may_seal(ctx.reg)):
            rows = _settings_a_bundle_may_change(rows, columns, kept)
        counts = merge_write.merge_table(ctx, specs[table], columns, rows)
        counts.skipped += len(kept)
        preview.tables[table] = counts
        if kept:
            preview.notes.append(
                f"Không nhập {len(kept)} mục cài đặt ({', '.join(sorted(set(kept))[:8])}): chỉ "
                "chỉ huy của máy này được thay đổi cài đặt, gói không thay đổi được."
            )
        if table == "episodes" and ctx.write and ctx.episode_people:
            overlap = faults.overlapping_episode(ctx.reg, reader.path, ctx.episode_people)
            if overlap is not None:
                raise overlap
    for table, count in left_out.items():
        preview.notes.append(
            f"Không nhập {count} dòng của bảng “{table}” (tài khoản): tài khoản không bao giờ "
            "được nhận từ gói."
        )
    for table, count in reader.manifest["counts"].items():
        got = sum(preview.tables.get(table, merge.Counts()).as_dict().values())
        if got + left_out.get(table, 0) != count:
            raise DamagedBundle(f"Gói “{reader.path.name}”: số dòng bảng {table} không khớp.")


def _may_seal(reg: Register) -> bool:
    """Whether this session can sign the chief's seal again (a plain register has none)."""
    return reg.key is None or chief_secret_of(reg.key) is not None


def _settings_a_bundle_may_change(
    batches: Iterator[merge.Batch], columns: list[str], left_out: list[str]
) -> Iterator[merge.Batch]:
    """Settings rows without those only this register's chief may change (and without keys
    this version does not know); the keys left out are added to `left_out`."""
    at = columns.index("key")
    allowed = known_settings() - protected_settings()
    for rows, hashes in batches:
        keep = [n for n, row in enumerate(rows) if row[at] in allowed]
        if len(keep) == len(rows):
            yield rows, hashes
            continue
        left_out.extend(row[at] for n, row in enumerate(rows) if n not in set(keep))
        yield [rows[n] for n in keep], None if hashes is None else [hashes[n] for n in keep]


def _open(
    reg: Register, path: Path, passphrase: str, step: Progress
) -> tuple[BundleReader, Preview]:
    step("Đang kiểm tra gói (giải mã, xác thực)", 0, 1)
    reader = open_bundle(path, passphrase, lambda done, total: step(
        "Đang kiểm tra gói (giải mã, xác thực)", done, total))  # fmt: skip
    manifest = ledger.check_manifest(reader.path, reader.manifest, reg)
    preview = Preview(Path(path), reader.sha256, manifest)
    preview.other_commune = manifest["source"]["commune_id"] != reg.commune_id
    preview.can_take_over = preview.other_commune and _is_empty(reg)
    previous = ledger.previous_import(reg, manifest)
    if previous:
        preview.import_no, preview.imported_at = previous
    else:
        ledger.check_order(reg, reader.path, manifest)
    moved_back = ledger.anchor_note(reg, manifest)
    if moved_back:
        preview.notes.append(moved_back)
    return reader, preview


def preview_bundle(
    reg: Register, path: Path, passphrase: str, progress: Progress | None = None
) -> Preview:
    """Verify a bundle and count what importing it would do, per table; writes nothing."""
    step = progress or _quiet
    reader, preview = _open(reg, path, passphrase, step)
    device = preview.manifest["source"]["device_id"]
    ctx = merge.Context(reg, _peer_no(reg, device), device, 0, now_utc(), write=False,
                        journal=False, note="", path=reader.path)  # fmt: skip
    with _big_cache(reg):
        reg.conn.execute("BEGIN")  # one snapshot to compare against; nothing is written
        try:
            _merge_all(reader, ctx, preview, step)
        finally:
            reg.conn.execute("ROLLBACK")
    return preview


def import_bundle(
    reg: Register,
    path: Path,
    passphrase: str,
    *,
    accept_other_commune: bool = False,
    take_over: bool = False,
    progress: Progress | None = None,
    again: bool = False,
) -> Preview:
    """Merge a bundle into the register in one transaction; a second import changes nothing.

    A bundle of another commune is refused (OtherCommune) unless `accept_other_commune` (a
    register gathering communes: rows keep their commune) or `take_over` (an empty register
    becomes this commune's: a successor's or a second laptop). `again` merges a bundle already
    imported once more (it changes nothing; the tests use it).
    """
    step = progress or _quiet
    reader, preview = _open(reg, path, passphrase, step)
    manifest, source = preview.manifest, preview.manifest["source"]
    if preview.imported_at and not again:
        return preview
    if preview.other_commune:
        if take_over and not preview.can_take_over:
            raise UserError("Chỉ nhận sổ của đơn vị khác làm sổ của mình khi sổ này còn trống.")
        if not take_over and not accept_other_commune:
            raise OtherCommune(
                f"Gói là dữ liệu của {source.get('unit_name') or 'một xã khác'}, không phải của "
                "sổ này. Nếu đây là sổ tổng hợp nhiều xã, hãy xác nhận nhập (bản ghi giữ nguyên "
                "xã của mình); nếu sổ này còn trống và nhận bàn giao, hãy chọn nhận làm sổ của "
                "đơn vị mình. Sổ chưa bị thay đổi."
            )
        preview.took_over = take_over
    at = now_utc()
    try:
        with _big_cache(reg), transaction(reg):
            if preview.took_over:
                reg.conn.execute(
                    "UPDATE local_meta SET value = ? WHERE key = 'commune_id'",
                    [source["commune_id"]],
                )
            peer_no = ledger.remember_peer(reg, manifest, at)
            import_no = ledger.log_import(reg, manifest, preview.sha256, preview.path.name, at)
            journal = bool(_one(reg, "SELECT 1 FROM handover_exports LIMIT 1"))
            ctx = merge.Context(
                reg, peer_no, source["device_id"], import_no, at, write=True, journal=journal,
                note=f"Nhập gói bàn giao số {manifest['seq']} ({preview.sha256[:12]}…)",
                prefer_remote_settings=preview.took_over, path=reader.path,
            )  # fmt: skip
            _merge_all(reader, ctx, preview, step)
            merge_write.refresh_renamed_villages(ctx)
            if "absences" in preview.tables:  # each laptop moved the end by its own absences
                for episode_id in reconcile_after_handover(reg, import_no, at):
                    preview.notes.append(
                        f"Diện sau cai nghiện {episode_id[:8]}…: ngày kết thúc tính lại theo mọi "
                        "lần vắng mặt không báo cáo của hai máy."
                    )
            settings = preview.tables.get("settings", merge.Counts())
            if settings.new or settings.changed or settings.conflicts:
                seal.reseal(reg)  # taken over: the chief's seal covers the new settings
            ledger.acknowledge(reg, manifest, at)
            summary: dict[str, Any] = {t: c.as_dict() for t, c in preview.tables.items()}
            if preview.anchor:
                summary["anchor"] = preview.anchor  # the sender's, kept outside its file
            reg.conn.execute(
                "UPDATE handover_imports SET summary = ? WHERE import_no = ?",
                [json.dumps(summary), import_no],
            )
    except INTEGRITY_ERRORS as exc:  # what no check before foresaw (both drivers)
        raise faults.explain(reg, reader.path, "", [], [], exc) from exc
    if preview.took_over:
        reg.commune_id = source["commune_id"]
    preview.import_no, preview.imported_at = import_no, at
    step("Xong", 1, 1)
    return preview


def communes(reg: Register) -> list[dict[str, Any]]:
    """The communes whose people this register holds: id, name, people (own commune first)."""
    names = {
        r[0]: r[1] or r[2]
        for r in reg.conn.execute(
            "SELECT commune_id, unit_name, commune_name FROM handover_peers ORDER BY last_seen"
        )
    }
    settings = get_settings(reg)
    names[reg.commune_id] = settings.get("unit_name") or settings.get("commune_name") or ""
    rows = reg.conn.execute(
        "SELECT commune_id, count(*) FROM persons WHERE deleted = 0 GROUP BY commune_id"
    ).fetchall()
    counts = dict(rows)
    ids = [reg.commune_id, *sorted(set(counts) - {reg.commune_id}, key=lambda c: names.get(c, c))]
    return [{"commune_id": c, "name": names.get(c, ""), "people": counts.get(c, 0),
             "own": c == reg.commune_id} for c in ids]  # fmt: skip
