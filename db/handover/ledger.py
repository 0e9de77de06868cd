"""The import's bookkeeping: the manifest checked field by field, the order of a sender's
bundles, the peers read from, the bundles imported and the acknowledgements they carry.

The manifest is authentic (the last chunk of the bundle) but written by whoever knows the
passphrase, so every field is checked before it is used. A sender's bundles carry growing
sequence numbers: one older than a bundle already merged from the same laptop would put older
values back, and is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from db.core.dates import show
from db.core.errors import UserError
from db.handover.bundle import (
    FORMAT_VERSION,
    DamagedBundle,
    InvalidBundle,
    NewerBundle,
    OlderBundle,
)
from db.store.anchor import parse_anchor
from db.store.register import Register

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SHA = re.compile(r"[0-9a-f]{64}")
_BIG = (1 << 63) - 1
_SOURCE_TEXTS = ("commune_name", "unit_name", "province_name", "officer_name", "chief_name")


def _count(value: Any, low: int = 0) -> bool:
    return type(value) is int and low <= value <= _BIG


def _short_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 500


def _problem(manifest: dict[str, Any]) -> str | None:
    """The first manifest field that is not what a bundle of this program writes."""
    source = manifest.get("source")
    checks: list[tuple[str, bool]] = [
        ("format", _count(manifest.get("format"), 1)),
        ("bundle_id", isinstance(manifest.get("bundle_id"), str)
         and bool(_UUID.fullmatch(manifest["bundle_id"]))),
        ("kind", manifest.get("kind") in ("full", "incremental")),
        ("seq", _count(manifest.get("seq"), 1)),
        ("since_seq", manifest.get("since_seq") is None or _count(manifest.get("since_seq"))),
        ("created_at", _short_text(manifest.get("created_at", ""))),
        ("created_by", _short_text(manifest.get("created_by", ""))),
        ("program", _short_text(manifest.get("program", ""))),
        ("receiver", _short_text(manifest.get("receiver", ""))),
        ("receiver_device", manifest.get("receiver_device") is None
         or _short_text(manifest.get("receiver_device"))),
        ("source", isinstance(source, dict)),
        ("counts", isinstance(manifest.get("counts"), dict)
         and all(isinstance(k, str) and _count(v) for k, v in manifest["counts"].items())),
        ("acks", isinstance(manifest.get("acks", {}), dict)
         and all(isinstance(k, str) and _count(v) for k, v in manifest.get("acks", {}).items())),
        ("tables", isinstance(manifest.get("tables", []), list)
         and all(isinstance(t, str) for t in manifest.get("tables", []))),
        ("content_sha256", isinstance(manifest.get("content_sha256"), str)
         and bool(_SHA.fullmatch(manifest["content_sha256"]))),
        # The sender's chain anchor (db.store.anchor); bundles of older versions have none.
        ("anchor", manifest.get("anchor") is None or (
            isinstance(manifest["anchor"], str) and len(manifest["anchor"]) <= 40
            and parse_anchor(manifest["anchor"]) is not None)),
    ]  # fmt: skip
    for name, ok in checks:
        if not ok:
            return name
    assert isinstance(source, dict)
    for name in ("device_id", "commune_id"):
        if not (isinstance(source.get(name), str) and _UUID.fullmatch(source[name])):
            return f"source.{name}"
    for name in _SOURCE_TEXTS:
        if not _short_text(source.get(name, "")):
            return f"source.{name}"
    return None


def check_manifest(path: Path, manifest: dict[str, Any], reg: Register) -> dict[str, Any]:
    """The manifest, each field checked; refused with a message naming the field."""
    name = Path(path).name
    source = manifest.get("source")
    if not isinstance(source, dict) or not source.get("device_id") or not source.get("commune_id"):
        raise DamagedBundle(f"Gói “{name}” thiếu thông tin nơi lập gói.")
    fmt = manifest.get("format")
    if type(fmt) is int and fmt > FORMAT_VERSION:
        raise NewerBundle(
            f"Gói “{name}” được tạo bởi phiên bản mới hơn ({str(manifest.get('program'))[:40]}). "
            "Hãy cập nhật Sổ theo dõi rồi nhập lại; sổ không bị thay đổi."
        )
    problem = _problem(manifest)
    if problem:
        raise InvalidBundle(
            f"Gói “{name}” có bản kê khai không hợp lệ (trường “{problem}”); không có gì được "
            "nhập vào sổ. Hãy báo bên gửi lập lại gói."
        )
    if source["device_id"] == reg.device_id:
        raise UserError(f"Gói “{name}” do chính máy này lập ra; không cần nhập lại vào sổ này.")
    return manifest


def previous_import(reg: Register, manifest: dict[str, Any]) -> tuple[int, str] | None:
    """(import number, when) if this very bundle was imported before."""
    row = reg.conn.execute(
        "SELECT import_no, imported_at FROM handover_imports WHERE source_device = ? "
        "AND source_seq = ? AND bundle_id = ?",
        [manifest["source"]["device_id"], manifest["seq"], manifest["bundle_id"]],
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def check_order(reg: Register, path: Path, manifest: dict[str, Any]) -> None:
    """OlderBundle if a bundle with this sequence number or a later one from the same laptop
    was merged here already (this very bundle again is the caller's business)."""
    row = reg.conn.execute(
        "SELECT source_seq, imported_at FROM handover_imports WHERE source_device = ? "
        "ORDER BY source_seq DESC LIMIT 1",
        [manifest["source"]["device_id"]],
    ).fetchone()
    if row is None or int(row[0]) < manifest["seq"]:
        return
    seq, latest, when = manifest["seq"], int(row[0]), show(str(row[1])[:10])
    same = "cùng số với" if latest == seq else "cũ hơn"
    raise OlderBundle(
        f"Gói “{Path(path).name}” (số {seq}) {same} gói số {latest} đã nhập từ cùng máy gửi "
        f"ngày {when}: nhập nó sẽ đưa giá trị cũ trở lại. Sổ không bị thay đổi; hãy xin bên "
        "gửi một gói mới."
    )


def anchor_note(reg: Register, manifest: dict[str, Any]) -> str | None:
    """What the sender's chain anchor says against the last one this register got from the
    same laptop: its change log can only grow, so a head further back, or the same entry with
    another hash, means entries were deleted or rewritten there (or a backup was restored)."""
    code = manifest.get("anchor")
    parsed = parse_anchor(code) if isinstance(code, str) else None
    if parsed is None:
        return None
    for (summary,) in reg.conn.execute(
        "SELECT summary FROM handover_imports WHERE source_device = ? AND source_seq < ? "
        "ORDER BY source_seq DESC LIMIT 1",
        [manifest["source"]["device_id"], manifest["seq"]],
    ):
        try:
            before = json.loads(summary).get("anchor")
        except (ValueError, AttributeError):
            return None
        earlier = parse_anchor(before) if isinstance(before, str) else None
        if earlier is None:
            return None
        if parsed[0] < earlier[0] or (parsed[0] == earlier[0] and parsed[1] != earlier[1]):
            return (
                f"Mốc nhật ký của máy gửi ({code}) lùi lại so với gói trước từ cùng máy "
                f"({before}): nhật ký thay đổi ở máy đó đã bị xóa hoặc viết lại, hoặc máy đó đã "
                "khôi phục một bản sao lưu cũ. Hãy hỏi lại bên gửi."
            )
    return None


def peer_no(reg: Register, device: str | None) -> int:
    """This register's number for a laptop it has read from (-1: never)."""
    if not device:
        return -1
    row = reg.conn.execute(
        "SELECT peer_no FROM handover_peers WHERE device_id = ?", [device]
    ).fetchone()
    return int(row[0]) if row else -1


def remember_peer(reg: Register, manifest: dict[str, Any], at: str) -> int:
    """Note (or refresh) the laptop a bundle came from; its peer number."""
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
    return peer_no(reg, src["device_id"])


def log_import(reg: Register, manifest: dict[str, Any], sha256: str, file_name: str,
               at: str) -> int:  # fmt: skip
    """Add the bundle to the import log; its import number."""
    cursor = reg.conn.execute(
        "INSERT INTO handover_imports (source_device, source_seq, bundle_id, sha256, kind, "
        "source_commune, made_by, made_at, imported_at, imported_by, file_name) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (source_device, source_seq, bundle_id) DO UPDATE SET imported_at = "
        "excluded.imported_at RETURNING import_no",
        [manifest["source"]["device_id"], manifest["seq"], manifest["bundle_id"], sha256,
         manifest["kind"], manifest["source"]["commune_id"], str(manifest.get("created_by", "")),
         str(manifest.get("created_at", "")), at, reg.user, file_name],
    )  # fmt: skip
    return int(cursor.fetchone()[0])


def acknowledge(reg: Register, manifest: dict[str, Any], at: str) -> None:
    """The bundle says which of our bundles its maker has read: mark them, learn its device."""
    acks = manifest.get("acks") or {}
    seq = acks.get(reg.device_id)
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
