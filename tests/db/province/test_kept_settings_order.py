"""A commune's settings kept at the province follow the newest change, whichever laptop's
bundle comes last: an old laptop's bundle does not put an older cut-off day back (found in
review), and a setting the commune took back falls back to the program's default."""

from __future__ import annotations

import time
from pathlib import Path

from db.commune.settings import save_settings
from db.handover import receive
from db.store.register import open_register
from tests.support.handover import PASS, commune, export, laptop
from tests.support.registers import TODAY


def _kept(reg, commune_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = reg.conn.execute(
        "SELECT key, value FROM commune_settings WHERE commune_id = ?", [commune_id]
    )
    return dict(rows.fetchall())


def test_an_older_laptops_bundle_does_not_undo_a_newer_setting(tmp_path: Path) -> None:
    old_laptop = laptop(tmp_path, "may-cu", "cb-a")
    commune(old_laptop, persons=1)
    save_settings(old_laptop, {"report_cutoff_day": 10})
    new_laptop = laptop(tmp_path, "may-moi", "cb-b")
    receive.import_bundle(new_laptop, export(old_laptop, tmp_path, "Máy mới", full=True).path,
                          PASS, take_over=True)  # fmt: skip
    time.sleep(0.01)  # a later change
    save_settings(new_laptop, {"report_cutoff_day": 15})
    open_register(tmp_path / "tinh.db", create=True, user="tinh", today=lambda: TODAY).close()
    with open_register(tmp_path / "tinh.db", user="tinh", today=lambda: TODAY) as province:
        for source in (new_laptop, old_laptop):  # the old laptop's bundle arrives last
            receive.import_bundle(province, export(source, tmp_path / source.path.stem,
                                                   full=True).path,
                                  PASS, accept_other_commune=True)  # fmt: skip
        assert _kept(province, old_laptop.commune_id)["report_cutoff_day"] == "15"
