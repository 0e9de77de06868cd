"""A commune with no one under management (the likeliest to be drug-free) is a row of the
overview too, with its villages (found in review: it was left out of the rows and the plan)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from db.commune import places
from db.commune.settings import save_settings
from db.province.overview import commune_rows
from db.store.register import open_register
from tests.db.province.province_helpers import receive_bundle
from tests.support.handover import commune, export, laptop
from tests.support.registers import TODAY


def test_a_commune_without_people_is_listed_with_its_villages(tmp_path: Path) -> None:
    busy = laptop(tmp_path, "co-nguoi", "cb-a")
    commune(busy, persons=2, unit="Công an xã Chiềng Mung")
    empty = laptop(tmp_path, "khong-nguoi", "cb-b")
    save_settings(empty, {"unit_name": "Công an xã Không Người", "commune_name": "Không Người"})
    places.save_village(empty, {"name": "Bản Trống", "population": 100})
    open_register(tmp_path / "tinh.db", create=True, user="tinh", today=lambda: TODAY).close()
    with open_register(tmp_path / "tinh.db", user="tinh", today=lambda: TODAY) as province:
        for source in (busy, empty):
            receive_bundle(province, export(source, tmp_path, full=True).path, source)
        rows = {r.commune_id: r for r in commune_rows(province, date(2026, 11, 1))}
    assert set(rows) == {busy.commune_id, empty.commune_id}
    none = rows[empty.commune_id]
    assert none.name == "Công an xã Không Người"
    assert none.people == 0 and none.villages_total == 1
