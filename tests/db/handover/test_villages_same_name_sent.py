"""A sender's own villages stay distinct among themselves: a register holding two villages of
one name (an old register, a bulk import) sends both, and the receiver keeps both — whether they
arrive in one batch or in two — and meets only its own village of that name with one of them
(issue 14's villages-by-commune merge found at 100,000 people: "UNIQUE constraint failed")."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.commune import places
from db.handover import bundle_read, receive
from db.store import records
from db.store.register import Register
from tests.support.handover import PASS, commune, export, laptop


def _two_of_one_name(reg: Register) -> list[str]:
    """Two live villages "Bản Mòng" in one commune, as a bulk import of old data leaves them."""
    made = []
    for population in (500, 120):
        village = places.save_village(reg, {"name": f"Tạm {population}", "population": population})
        records.update(reg, "villages", village, {"name": "Bản Mòng", "name_folded": "ban mong"})
        made.append(village)
    return made


@pytest.mark.parametrize("batch", [1000, 1], ids=["one-batch", "a-batch-each"])
def test_a_senders_two_villages_of_one_name_stay_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(bundle_read, "BATCH", batch)
    sender = laptop(tmp_path, "a", "an")
    commune(sender, persons=1)  # its own "Bản Mòng" too: three of one name
    sent = _two_of_one_name(sender)
    made = export(sender, tmp_path, full=True)
    empty = laptop(tmp_path, "tinh", "binh")
    receive.import_bundle(empty, made.path, PASS, accept_other_commune=True)
    ids = {r[0] for r in empty.conn.execute("SELECT id FROM villages WHERE deleted = 0")}
    assert set(sent) <= ids and len(ids) == 3


def test_a_receivers_village_is_met_by_one_of_them_only(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a", "an")
    commune(a, persons=1)
    b = laptop(tmp_path, "b", "binh")
    receive.import_bundle(b, export(a, tmp_path, "Máy B", full=True).path, PASS, take_over=True)
    own = places.save_village(b, {"name": "Bản Nà Hừ", "population": 90})
    for population in (300, 40):  # A holds two "Bản Nà Hừ" of its own
        village = places.save_village(a, {"name": f"Tạm {population}", "population": population})
        records.update(a, "villages", village, {"name": "Bản Nà Hừ", "name_folded": "ban na hu"})
    receive.import_bundle(b, export(a, tmp_path, "Máy B").path, PASS)
    named = b.conn.execute(
        "SELECT id FROM villages WHERE name_folded = 'ban na hu' AND deleted = 0"
    ).fetchall()
    assert len(named) == 2 and own in {r[0] for r in named}
