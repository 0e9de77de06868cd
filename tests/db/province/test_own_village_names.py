"""In a province's register a village name belongs to its commune: another commune's "Bản
Mòng" neither blocks nor is found for the province's own "Bản Mòng" (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.commune import places
from db.core.errors import ValidationError
from db.handover import receive
from tests.support.handover import PASS, commune, export, laptop


def test_a_village_name_of_another_commune_is_not_this_communes(tmp_path: Path) -> None:
    other = laptop(tmp_path, "xa-khac", "an")
    commune(other, persons=1, unit="Công an xã Mường Bú")
    province = laptop(tmp_path, "tinh", "binh")
    receive.import_bundle(province, export(other, tmp_path, full=True).path, PASS,
                          accept_other_commune=True)  # fmt: skip
    assert places.village_by_name(province, "ban mong") is None  # the other commune's only
    own = places.save_village(province, {"name": "Bản Mòng", "population": 300})
    assert places.village_by_name(province, "BẢN MÒNG")["id"] == own  # type: ignore[index]
    with pytest.raises(ValidationError):
        places.save_village(province, {"name": "Bản Mòng", "population": 10})  # its own twice
