"""What a bundle can claim and what it cannot: an older bundle never puts older values back, a
forged base never overwrites a local edit unseen, and account rows and the chief's settings are
never taken from a bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.commune.settings import get_settings, save_settings
from db.handover import conflicts, receive
from db.handover.bundle import OlderBundle
from db.handover.merge import data_hash, table_spec
from db.persons import people
from db.store.register import Register
from tests.db.handover.crafting import rewrite, set_value, table, take_apart
from tests.support.handover import PASS, commune, counts, export, laptop, move, state


def handed_over(tmp_path: Path) -> tuple[Register, Register, list[str]]:
    """Laptop A with people; laptop B made from A's full bundle (same commune)."""
    a = laptop(tmp_path, "a", "an")
    ids = commune(a, persons=3)
    b = laptop(tmp_path, "b", "binh")
    receive.import_bundle(b, export(a, tmp_path, "Máy B", full=True).path, PASS, take_over=True)
    return a, b, ids


def phone(reg: Register, person: str) -> str:
    return str(people.get_person(reg, person)["phone"])


def test_an_older_bundle_from_the_same_laptop_is_refused(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(a, ids[0], {"phone": "0911111111"})
    older = export(a, tmp_path, "Máy B")
    people.update_person(a, ids[0], {"phone": "0922222222"})
    newer = export(a, tmp_path, "Máy B")
    receive.import_bundle(b, newer.path, PASS)
    assert phone(b, ids[0]) == "0922222222"
    before = state(b)
    with pytest.raises(OlderBundle, match=f"số {older.seq}.*cũ hơn gói số {newer.seq}"):
        receive.import_bundle(b, older.path, PASS)
    with pytest.raises(OlderBundle):
        receive.preview_bundle(b, older.path, PASS)
    assert state(b) == before
    assert phone(b, ids[0]) == "0922222222"
    # The same bundle again is still "already imported", not refused.
    assert receive.import_bundle(b, newer.path, PASS).imported_at


def test_a_second_bundle_under_a_number_already_used_is_refused(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(a, ids[0], {"phone": "0911111111"})
    made = export(a, tmp_path, "Máy B")
    receive.import_bundle(b, made.path, PASS)
    tables, manifest = take_apart(made.path)
    manifest["bundle_id"] = "0b3f2c1e-9a5d-4c7e-8f10-2a3b4c5d6e7f"
    set_value(tables, "persons", "phone", "0999999999")
    twin = rewrite(tmp_path / "twin.sotd", tables, manifest)
    with pytest.raises(OlderBundle, match="cùng số"):
        receive.import_bundle(b, twin, PASS)
    assert phone(b, ids[0]) == "0911111111"


def test_a_forged_base_does_not_overwrite_a_local_edit(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(a, ids[0], {"phone": "0911111111"})  # A's edit, never sent anywhere
    people.update_person(b, ids[0], {"occupation": "Làm nương", "phone": "0933333333"})
    made = export(b, tmp_path, a.device_id)
    tables, manifest = take_apart(made.path)
    # B claims it started from A's current version (which it never had).
    spec = table_spec(a, "persons")
    forged = data_hash(spec, people.get_person(a, ids[0])).hex()
    persons = table(tables, "persons")
    row = next(n for n, r in enumerate(persons[2]) if r[persons[1].index("id")] == ids[0])
    set_value(tables, "persons", "_base", forged, row=row)
    crafted = rewrite(tmp_path / "forged.sotd", tables, manifest)
    result = receive.import_bundle(a, crafted, PASS)
    assert phone(a, ids[0]) == "0911111111"  # A's edit stays
    assert counts(result)["persons"] == {"conflicts": 1}
    # With the claimed base refused no common version is known: every differing field is
    # left for a person to settle, nothing is overwritten.
    assert {c["field"] for c in conflicts.open_conflicts(a)} == {"phone", "occupation"}


def test_a_true_base_still_takes_the_other_sides_change(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(a, ids[0], {"phone": "0911111111"})
    move(a, b, tmp_path, "Máy B")  # A's edit reaches B: now both had it
    people.update_person(b, ids[0], {"phone": "0933333333"})
    result = move(b, a, tmp_path, "Máy A")
    assert phone(a, ids[0]) == "0933333333"
    assert counts(result)["persons"]["changed"] == 1
    assert conflicts.count_open(a) == 0


def test_the_chiefs_settings_never_come_from_a_bundle(tmp_path: Path) -> None:
    a, b, _ = handed_over(tmp_path)
    save_settings(a, {"upload_url": "https://gia-mao.example/nhan", "backup_keep": 1})
    result = move(a, b, tmp_path, "Máy B")
    assert get_settings(b)["upload_url"] == ""
    assert get_settings(b)["backup_keep"] == 14
    assert counts(result)["settings"] == {"skipped": 2}
    assert any("backup_keep" in note and "upload_url" in note for note in result.notes)


def test_account_rows_in_a_bundle_are_skipped_with_a_note(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(a, ids[0], {"phone": "0911111111"})
    made = export(a, tmp_path, "Máy B")
    tables, manifest = take_apart(made.path)
    stamp = "2026-11-20T00:00:00.000+00:00"
    tables.append([
        "accounts",
        ["id", "login", "role", "disabled", "created_at", "created_by", "updated_at",
         "updated_by", "device_id", "deleted"],
        [["0b3f2c1e-9a5d-4c7e-8f10-2a3b4c5d6e7f", "ke gian", "chief", 0, stamp, "x", stamp,
          "x", a.device_id, 0]],
    ])  # fmt: skip
    crafted = rewrite(tmp_path / "accounts.sotd", tables, manifest)
    result = receive.import_bundle(b, crafted, PASS)
    assert b.conn.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0
    assert any("tài khoản" in note for note in result.notes)
    assert phone(b, ids[0]) == "0911111111"  # the rest of the bundle is merged


def test_an_encrypted_register_taking_over_keeps_its_chiefs_seal_whole(
    tmp_path: Path, fast_keys: None
) -> None:
    from db.security.encryption import create_register
    from db.store.register import open_register
    from tests.support.registers import PASSWORD, TODAY

    a = laptop(tmp_path, "a", "an")
    commune(a, persons=2)
    b, _code = create_register(tmp_path / "b.db", "binh", PASSWORD, today=lambda: TODAY)
    with b:
        result = receive.import_bundle(b, export(a, tmp_path, full=True).path, PASS,
                                       take_over=True)  # fmt: skip
        assert counts(result)["settings"]["new"] == 3
    # The settings the bundle brought are under the chief's seal: the register opens again.
    with open_register(tmp_path / "b.db", user="binh", password=PASSWORD) as again:
        assert get_settings(again)["unit_name"] == "Công an xã Chiềng Mung"
