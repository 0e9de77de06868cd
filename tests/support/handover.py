"""Helpers of the handover tests: laptops (registers) with a few people, bundles, snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from db.commune import places
from db.commune.settings import save_settings
from db.handover import receive, send
from db.handover.merge import table_spec
from db.persons import people
from db.store.register import Register, open_register
from tests.support.registers import TODAY

PASS = "mật khẩu gói 2026"
KDF = 1 << 10  # fast in tests; bundles for real use 2**16


def laptop(folder: Path, name: str, user: str | None = None) -> Register:
    """A fresh register file `<name>.db` in folder, today 20/11/2026."""
    return open_register(folder / f"{name}.db", create=True, user=user or name, today=lambda: TODAY)


def commune(reg: Register, persons: int = 3, unit: str = "Công an xã Chiềng Mung") -> list[str]:
    """Settings, a village and some people; returns the people's ids."""
    save_settings(reg, {"unit_name": unit, "commune_name": unit.split(" xã ")[-1],
                        "officer_name": "Lò Văn Thắng"})  # fmt: skip
    village = places.save_village(reg, {"name": "Bản Mòng", "population": 500})
    names = ["Đặng Văn Đức", "Lò Thị Hoa", "Quàng Văn Ẳm", "Cầm Thị Ơn", "Vì Văn Ư"]
    return [
        people.add_person(reg, {"full_name": names[i % len(names)] + ("" if i < 5 else f" {i}"),
                                "village_id": village, "birth_date": str(1980 + i)})
        for i in range(persons)
    ]  # fmt: skip


def export(reg: Register, folder: Path, receiver: str = "", *, full: bool = False,
           **kw: Any) -> send.ExportResult:  # fmt: skip
    """Make a bundle in folder (incremental unless `full`)."""
    return send.export_bundle(
        reg, folder, PASS, full=full or not receiver, receiver=receiver, kdf_n=KDF, **kw
    )


def move(src: Register, dst: Register, folder: Path, receiver: str, **kw: Any) -> receive.Preview:
    """An incremental bundle from src for `receiver`, imported into dst."""
    made = export(src, folder, receiver)
    return receive.import_bundle(dst, made.path, PASS, **kw)


def snapshot(reg: Register) -> dict[str, Any]:
    """Every synced row (derived columns included; settings by key), sorted: two registers
    hold the same records when their snapshots are equal."""
    out: dict[str, Any] = {}
    for table in receive.HANDOVER_TABLES:
        spec = table_spec(reg, table)
        columns = [c for c in spec.columns if not (table == "settings" and c == "id")]
        if table == "persons":
            columns += ["name_folded", "search_text", "sort_key"]
        rows = reg.conn.execute(f"SELECT {', '.join(columns)} FROM [{table}]").fetchall()
        out[table] = sorted(json.dumps(r, ensure_ascii=False) for r in rows)
    return out


def state(reg: Register) -> tuple[dict[str, Any], int, int]:
    """Snapshot, change-log length and import-log length: unchanged means nothing written."""
    log = reg.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    imports = reg.conn.execute("SELECT count(*) FROM handover_imports").fetchone()[0]
    return snapshot(reg), int(log), int(imports)


def counts(preview: receive.Preview) -> dict[str, dict[str, int]]:
    """Non-zero counts per table."""
    return {
        t: {k: v for k, v in c.as_dict().items() if v}
        for t, c in preview.tables.items()
        if any(c.as_dict().values())
    }


Edit = Callable[[Register], object]
