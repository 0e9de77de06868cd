"""Reading a handover bundle into the register: preview first, then one transaction.

    preview = preview_bundle(reg, path, passphrase)       # counts per table, nothing written
    result = import_bundle(reg, path, passphrase, accept_other_commune=True)

The bundle is decrypted and verified whole before anything is read into the register; the merge
(db/handover/merge.py) runs in one transaction, all of it or nothing; the import log of (source
device,
sequence, bundle id) makes a second import of the same bundle a no-op. Bundles are made by
db/handover/send.py. See docs/handover.md.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.commune.settings import get_settings
from db.core.errors import UserError
from db.core.stamps import now_utc
from db.handover import merge, merge_write
from db.handover.bundle import FORMAT_VERSION, DamagedBundle, NewerBundle
from db.handover.bundle_read import BundleReader, open_bundle, read_ahead
from db.store.records import transaction
from db.store.register import Register
from db.store.sqlerrors import INTEGRITY_ERRORS, is_foreign_key

PROGRAM_VERSION = "0.1.0"  # keep in step with pyproject.toml
# The tables a bundle carries, parents first (foreign keys hold row by row). Deliberately a
# list of its own: a new synced table travels only once someone has decided it may.
HANDOVER_TABLES = (
    "villages", "persons", "episodes", "drug_tests", "contacts", "hotspots",
    "prevention_models", "incidents", "settings", "calendar_days",
)  # fmt: skip
# A commune's own configuration: not merged into a register of another commune.
COMMUNE_LOCAL = ("settings", "calendar_days")
TABLE_LABELS = {
    "villages": "Thôn, bản", "persons": "Người trong sổ", "episodes": "Diện quản lý",
    "drug_tests": "Xét nghiệm", "contacts": "Tiếp xúc, kiểm tra", "hotspots": "Điểm phức tạp",
    "prevention_models": "Mô hình phòng chống", "incidents": "Vụ việc",
    "settings": "Cài đặt", "calendar_days": "Lịch nghỉ, làm bù",
}  # fmt: skip

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

    @property
    def total(self) -> merge.Counts:
        """The counts of every table added up."""
        out = merge.Counts()
        for counts in self.tables.values():
            for key, value in counts.as_dict().items():
                setattr(out, key, getattr(out, key) + value)
        return out

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
    if not device:
        return -1
    found = _one(reg, "SELECT peer_no FROM handover_peers WHERE device_id = ?", [device])
    return int(found) if found is not None else -1


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


def _check_manifest(reader: BundleReader, reg: Register) -> dict[str, Any]:
    manifest = reader.manifest
    source = manifest.get("source")
    if not isinstance(source, dict) or not source.get("device_id") or not source.get("commune_id"):
        raise DamagedBundle(f"Gói “{reader.path.name}” thiếu thông tin nơi lập gói.")
    if int(manifest.get("format", 0)) > FORMAT_VERSION:
        raise NewerBundle(
            f"Gói “{reader.path.name}” được tạo bởi phiên bản mới hơn ({manifest.get('program')}). "
            "Hãy cập nhật Sổ theo dõi rồi nhập lại; sổ không bị thay đổi."
        )
    if source["device_id"] == reg.device_id:
        raise UserError(
            f"Gói “{reader.path.name}” do chính máy này lập ra; không cần nhập lại vào sổ này."
        )
    return manifest


def _check_columns(reader: BundleReader, spec: merge.TableSpec, columns: list[str]) -> None:
    known = {*spec.columns, merge.BASE_COLUMN}
    unknown = [c for c in columns if c not in known]
    missing = [c for c in spec.data if c not in columns and c not in spec.defaults]
    if unknown:
        raise NewerBundle(
            f"Gói “{reader.path.name}” có dữ liệu mà phiên bản này chưa biết ({spec.name}: "
            f"{', '.join(unknown)}). Hãy cập nhật Sổ theo dõi rồi nhập lại; sổ không bị thay đổi."
        )
    if missing or "id" not in columns or any(m not in columns for m in merge.META):
        raise DamagedBundle(f"Gói “{reader.path.name}” thiếu cột bắt buộc của bảng {spec.name}.")


def _previous(reg: Register, manifest: dict[str, Any]) -> tuple[int, str] | None:
    row = reg.conn.execute(
        "SELECT import_no, imported_at FROM handover_imports WHERE source_device = ? "
        "AND source_seq = ? AND bundle_id = ?",
        [manifest["source"]["device_id"], manifest.get("seq"), manifest.get("bundle_id")],
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def _merge_all(reader: BundleReader, ctx: merge.Context, preview: Preview, step: Progress) -> None:
    total = sum(int(v) for v in reader.manifest["counts"].values()) or 1
    done = 0
    specs = {t: merge.table_spec(ctx.reg, t) for t in HANDOVER_TABLES}
    for table, columns, batches in read_ahead(reader.tables(), merge.hasher(specs)):
        if table not in HANDOVER_TABLES:
            raise NewerBundle(
                f"Gói “{reader.path.name}” có bảng “{table}” mà phiên bản này chưa biết. "
                "Hãy cập nhật Sổ theo dõi rồi nhập lại; sổ không bị thay đổi."
            )
        spec = specs[table]
        _check_columns(reader, spec, columns)
        label = TABLE_LABELS[table]

        def counted(batches: Iterator[merge.Batch], label: str = label) -> Iterator[merge.Batch]:
            nonlocal done
            for batch in batches:
                yield batch
                done += len(batch[0])
                step(f"Đang đối chiếu: {label}", done, total)

        if preview.other_commune and not preview.took_over and table in COMMUNE_LOCAL:
            skipped = sum(len(rows) for rows, _ in counted(batches))
            preview.tables[table] = merge.Counts(skipped=skipped)
            continue
        counts = merge_write.merge_table(ctx, spec, columns, counted(batches))
        if table in preview.tables:
            raise DamagedBundle(f"Gói “{reader.path.name}” có bảng {table} hai lần.")
        preview.tables[table] = counts
    for table, count in reader.manifest["counts"].items():
        got = preview.tables.get(table, merge.Counts()).as_dict()
        if sum(got.values()) != int(count):
            raise DamagedBundle(f"Gói “{reader.path.name}”: số dòng bảng {table} không khớp.")


def _open(
    reg: Register, path: Path, passphrase: str, step: Progress
) -> tuple[BundleReader, Preview]:
    step("Đang kiểm tra gói (giải mã, xác thực)", 0, 1)
    reader = open_bundle(path, passphrase, lambda done, total: step(
        "Đang kiểm tra gói (giải mã, xác thực)", done, total))  # fmt: skip
    manifest = _check_manifest(reader, reg)
    preview = Preview(Path(path), reader.sha256, manifest)
    preview.other_commune = manifest["source"]["commune_id"] != reg.commune_id
    preview.can_take_over = preview.other_commune and _is_empty(reg)
    previous = _previous(reg, manifest)
    if previous:
        preview.import_no, preview.imported_at = previous
    return reader, preview


def preview_bundle(
    reg: Register, path: Path, passphrase: str, progress: Progress | None = None
) -> Preview:
    """Verify a bundle and count what importing it would do, per table; writes nothing."""
    step = progress or _quiet
    reader, preview = _open(reg, path, passphrase, step)
    device = preview.manifest["source"]["device_id"]
    ctx = merge.Context(reg, _peer_no(reg, device), device, 0, now_utc(), write=False,
                        journal=False, note="")  # fmt: skip
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
            peer_no = _remember_peer(reg, manifest, at)
            import_no = _log_import(reg, manifest, preview, at)
            journal = bool(_one(reg, "SELECT 1 FROM handover_exports LIMIT 1"))
            ctx = merge.Context(
                reg, peer_no, source["device_id"], import_no, at, write=True, journal=journal,
                note=f"Nhập gói bàn giao số {manifest.get('seq')} ({preview.sha256[:12]}…)",
                prefer_remote_settings=preview.took_over,
            )  # fmt: skip
            _merge_all(reader, ctx, preview, step)
            merge_write.refresh_renamed_villages(ctx)
            _acknowledge(reg, manifest, at)
            summary = {t: c.as_dict() for t, c in preview.tables.items()}
            reg.conn.execute(
                "UPDATE handover_imports SET summary = ? WHERE import_no = ?",
                [json.dumps(summary), import_no],
            )
    except INTEGRITY_ERRORS as exc:  # both drivers: an encrypted register uses sqlcipher3
        if is_foreign_key(exc):
            raise UserError(
                "Gói thiếu bản ghi gốc mà sổ này chưa có (người, thôn… của một gói trước chưa "
                "được nhập). Hãy nhập các gói trước, hoặc xin bên gửi một gói đầy đủ. "
                "Sổ không bị thay đổi."
            ) from exc
        raise UserError(f"Gói có dữ liệu không hợp lệ ({exc}); sổ không bị thay đổi.") from exc
    if preview.took_over:
        reg.commune_id = source["commune_id"]
    preview.import_no, preview.imported_at = import_no, at
    step("Xong", 1, 1)
    return preview


def _remember_peer(reg: Register, manifest: dict[str, Any], at: str) -> int:
    src = manifest["source"]
    values = [src["commune_id"], src.get("commune_name", ""), src.get("unit_name", ""),
              src.get("province_name", ""), src.get("officer_name") or manifest.get("created_by")
              or "", at]  # fmt: skip
    reg.conn.execute(
        "INSERT INTO handover_peers (device_id, commune_id, commune_name, unit_name, "
        "province_name, officer, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (device_id) DO UPDATE SET commune_id = excluded.commune_id, "
        "commune_name = excluded.commune_name, unit_name = excluded.unit_name, "
        "province_name = excluded.province_name, officer = excluded.officer, "
        "last_seen = excluded.last_seen",
        [src["device_id"], *values[:-1], at, at],
    )
    return _peer_no(reg, src["device_id"])


def _log_import(reg: Register, manifest: dict[str, Any], preview: Preview, at: str) -> int:
    cursor = reg.conn.execute(
        "INSERT INTO handover_imports (source_device, source_seq, bundle_id, sha256, kind, "
        "source_commune, made_by, made_at, imported_at, imported_by, file_name) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (source_device, source_seq, bundle_id) DO UPDATE SET imported_at = "
        "excluded.imported_at RETURNING import_no",
        [manifest["source"]["device_id"], int(manifest.get("seq") or 0),
         str(manifest.get("bundle_id") or ""), preview.sha256, str(manifest.get("kind") or ""),
         manifest["source"]["commune_id"], str(manifest.get("created_by") or ""),
         str(manifest.get("created_at") or ""), at, reg.user, preview.path.name],
    )  # fmt: skip
    return int(cursor.fetchone()[0])


def _acknowledge(reg: Register, manifest: dict[str, Any], at: str) -> None:
    """The bundle says which of our bundles its maker has read: mark them, learn its device."""
    acks = manifest.get("acks") or {}
    seq = acks.get(reg.device_id) if isinstance(acks, dict) else None
    if not isinstance(seq, int):
        return
    device = manifest["source"]["device_id"]
    reg.conn.execute(
        "UPDATE handover_exports SET acked_at = ? WHERE seq <= ? AND acked_at IS NULL "
        "AND status = 'done' AND (receiver_device IS NULL OR receiver_device = ?)",
        [at, seq, device],
    )
    row = reg.conn.execute(
        "SELECT receiver, receiver_key FROM handover_exports WHERE seq = ?", [seq]
    ).fetchone()
    if row and row[1]:
        reg.conn.execute(
            "UPDATE handover_exports SET receiver_device = ? WHERE receiver_key = ? "
            "AND receiver_device IS NULL",
            [device, row[1]],
        )
        reg.conn.execute(
            "UPDATE handover_peers SET label = ? WHERE device_id = ? AND label = ''",
            [row[0], device],
        )


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
