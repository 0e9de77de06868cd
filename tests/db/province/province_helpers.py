"""A province register built from the bundles of three demo communes (different settings, a
village name in all three), for the scope, overview and plan tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.commune import places
from db.commune.settings import save_settings
from db.demo.fill import fill_demo
from db.handover import receive
from db.store.register import Register
from tests.support.handover import PASS, export, laptop

# Each commune's own settings: other cut-off days, test intervals and warning windows, so a
# figure computed with the province's settings instead of the commune's would differ.
COMMUNES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("chieng-mung", "Công an xã Chiềng Mung", {}),
    ("muong-bu", "Công an xã Mường Bú",
     {"report_cutoff_day": 15, "test_interval.user": 20, "test_interval.post_rehab": 45}),
    ("chieng-ban", "Công an xã Chiềng Ban",
     {"test_interval.addict": 60, "due_window_days": 14, "ending_soon_days": 45}),
)  # fmt: skip
SHARED_VILLAGE = "Bản Nà Hạ"  # added in every commune: three villages of one name


@dataclass
class Province:
    """The province register and each commune's own register, by commune id."""

    reg: Register
    communes: dict[str, Register]
    names: dict[str, str]


def receive_bundle(province: Register, bundle: Path, source: Register) -> receive.Preview:
    """Import a commune's bundle into the province register: the import keeps the commune's
    settings apart (its cut-off day, baseline, intervals) for its figures there."""
    preview = receive.import_bundle(province, bundle, PASS, accept_other_commune=True)
    kept = dict(province.conn.execute(
        "SELECT key, value FROM commune_settings WHERE commune_id = ?", [source.commune_id]
    ))  # fmt: skip
    own = dict(source.conn.execute("SELECT key, value FROM settings WHERE deleted = 0"))
    assert kept == {k: v for k, v in own.items() if k in kept} and kept, "settings not kept"
    return preview


def build_province(folder: Path, persons: int = 80) -> Province:
    """Three demo communes (seeds 1–3), their full bundles imported into a province register."""
    communes: dict[str, Register] = {}
    names: dict[str, str] = {}
    province = laptop(folder, "tinh", "tinh")
    save_settings(province, {"unit_name": "CÔNG AN TỈNH SƠN LA", "province_name": "SƠN LA"})
    for seed, (code, unit, settings) in enumerate(COMMUNES, start=1):
        reg = laptop(folder, code, f"cb-{code}")
        fill_demo(reg, persons, seed=seed)
        save_settings(reg, {"unit_name": unit, "commune_name": unit.split(" xã ")[-1],
                            **settings})  # fmt: skip
        places.save_village(reg, {"name": SHARED_VILLAGE, "population": 300 + 100 * seed,
                                  "drug_free": seed != 2})  # fmt: skip
        made = export(reg, folder, full=True)
        receive_bundle(province, made.path, reg)
        communes[reg.commune_id] = reg
        names[reg.commune_id] = unit
    return Province(province, communes, names)
