"""Villages belong to their commune: the same village added on two laptops of one commune
becomes one when their bundles meet (its people follow it); the same name in two communes
stays two villages."""

from __future__ import annotations

from pathlib import Path

from db.commune import places
from db.handover import receive
from db.persons import people
from db.province.scope import scoped
from db.store.register import Register
from tests.support.handover import PASS, commune, export, laptop, move, snapshot


def _one_commune_two_laptops(tmp_path: Path) -> tuple[Register, Register]:
    a = laptop(tmp_path, "a", "an")
    commune(a, persons=1)
    b = laptop(tmp_path, "b", "binh")
    receive.import_bundle(b, export(a, tmp_path, "Máy B", full=True).path, PASS, take_over=True)
    return a, b


def _villages(reg: Register) -> list[tuple[str, str]]:
    return [
        (r[0], r[1])
        for r in reg.conn.execute(
            "SELECT name, id FROM villages WHERE deleted = 0 ORDER BY name_folded"
        )
    ]


def test_one_village_added_on_two_laptops_becomes_one(tmp_path: Path) -> None:
    a, b = _one_commune_two_laptops(tmp_path)
    # Both laptops add "Bản Pá Sang" (typed differently) and a person living there.
    on_a = places.save_village(a, {"name": "Bản Pá Sang", "population": 420})
    on_b = places.save_village(b, {"name": "bản pá sang", "population": 420})
    assert on_a != on_b
    lo = people.add_person(a, {"full_name": "Lò Văn Pá", "birth_date": "1988", "village_id": on_a})
    ca = people.add_person(b, {"full_name": "Cầm Thị Sang", "birth_date": "1990",
                               "village_id": on_b})  # fmt: skip

    preview = move(b, a, tmp_path, "Máy A")
    assert preview.tables["villages"].new == 0  # met by name: not a second village
    assert [n for n, _ in _villages(a)] == ["Bản Mòng", "Bản Pá Sang"]
    assert people.get_person(a, ca)["village_id"] == on_a  # B's person lives in A's village
    assert people.get_person(a, lo)["village_id"] == on_a

    move(a, b, tmp_path, "Máy B")
    assert [n for n, _ in _villages(b)] == ["Bản Mòng", "bản pá sang"]
    assert people.get_person(b, lo)["village_id"] == on_b  # and the other way round
    # Exchanging again changes nothing on either side: the two stay one village each.
    again = move(b, a, tmp_path, "Máy A")
    assert again.tables["villages"].new == 0 and again.tables["persons"].new == 0
    assert len(_villages(a)) == 2 and len(_villages(b)) == 2


def test_different_fields_of_the_merged_village_wait_for_a_person(tmp_path: Path) -> None:
    a, b = _one_commune_two_laptops(tmp_path)
    places.save_village(a, {"name": "Bản Pá Sang", "population": 420})
    places.save_village(b, {"name": "Bản Pá Sang", "population": 430})
    preview = move(b, a, tmp_path, "Máy A")
    assert preview.tables["villages"].conflicts == 1
    row = a.conn.execute("SELECT population FROM villages WHERE name = 'Bản Pá Sang'").fetchone()
    assert row[0] == 420  # ours kept until the chief chooses; nothing lost
    assert a.conn.execute(
        "SELECT remote_value FROM handover_conflicts WHERE tbl = 'villages' AND field = "
        "'population'"
    ).fetchone() == ("430",)


def test_the_same_name_in_two_communes_stays_two_villages(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=2)
    b = laptop(tmp_path, "b")
    commune(b, persons=2, unit="Công an xã Mường Bú")  # also has "Bản Mòng"
    province = laptop(tmp_path, "tinh")
    for reg in (a, b):
        receive.import_bundle(province, export(reg, tmp_path, full=True).path, PASS,
                              accept_other_commune=True)  # fmt: skip
    rows = province.conn.execute(
        "SELECT commune_id FROM villages WHERE name = 'Bản Mòng' ORDER BY commune_id"
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted([a.commune_id, b.commune_id])
    for reg in (a, b):
        with scoped(province, reg.commune_id) as one:
            assert snapshot(one)["villages"] == snapshot(reg)["villages"]
            assert snapshot(one)["persons"] == snapshot(reg)["persons"]


def test_the_province_gets_one_village_from_two_laptops_of_a_commune(tmp_path: Path) -> None:
    a, b = _one_commune_two_laptops(tmp_path)
    on_a = places.save_village(a, {"name": "Bản Pá Sang", "population": 420})
    on_b = places.save_village(b, {"name": "Bản Pá Sang", "population": 420})
    people.add_person(a, {"full_name": "Lò Văn Pá", "birth_date": "1988", "village_id": on_a})
    people.add_person(b, {"full_name": "Cầm Thị Sang", "birth_date": "1990", "village_id": on_b})
    province = laptop(tmp_path, "tinh")
    for reg in (a, b):
        receive.import_bundle(province, export(reg, tmp_path, "Công an tỉnh").path, PASS,
                              accept_other_commune=True)  # fmt: skip
    assert [n for n, _ in _villages(province)] == ["Bản Mòng", "Bản Pá Sang"]
    with scoped(province, a.commune_id) as one:
        there = one.conn.execute(
            "SELECT p.full_name FROM persons p JOIN villages v ON v.id = p.village_id "
            "WHERE v.name = 'Bản Pá Sang' ORDER BY p.full_name"
        ).fetchall()
    assert there == [("Cầm Thị Sang",), ("Lò Văn Pá",)]


def test_a_later_bundle_naming_the_senders_village_points_to_ours(tmp_path: Path) -> None:
    """Found in review: the alias lived for one import only, so the next bundle — a person added
    on B in the merged village, with no village row — was refused."""
    a, b = _one_commune_two_laptops(tmp_path)
    on_a = places.save_village(a, {"name": "Bản Pá Sang", "population": 420})
    on_b = places.save_village(b, {"name": "Bản Pá Sang", "population": 420})
    move(b, a, tmp_path / "1", "Máy A")
    move(a, b, tmp_path / "2", "Máy B")
    later = people.add_person(b, {"full_name": "Quàng Văn Sau", "birth_date": "1992",
                                  "village_id": on_b})  # fmt: skip
    preview = move(b, a, tmp_path / "3", "Máy A")
    assert preview.tables["persons"].new == 1
    assert people.get_person(a, later)["village_id"] == on_a
    assert [n for n, _ in _villages(a)] == ["Bản Mòng", "Bản Pá Sang"]
