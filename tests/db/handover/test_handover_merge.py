"""Two laptops (and a province) exchanging bundles: records meet by UUID, changes merge field by
field, the same field changed twice is a conflict a person settles, and nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.commune import places
from db.commune.settings import get_settings, save_settings
from db.handover import bundle, bundle_read, bundle_write, conflicts, receive, send
from db.handover.merge import BASE_COLUMN
from db.persons import drugtests, episodes, people
from db.persons.search import find
from tests.support.handover import (
    PASS,
    commune,
    counts,
    export,
    laptop,
    move,
    snapshot,
    state,
)


def handed_over(tmp_path: Path) -> tuple[receive.Register, receive.Register, list[str]]:
    """Laptop A with people, tests and an episode; laptop B made from A's full bundle."""
    a = laptop(tmp_path, "a", "an")
    ids = commune(a, persons=4)
    episodes.open_episode(a, ids[0], "user", "2026-05-04", decision_no="12/QĐ-UBND")
    drugtests.record_test(a, ids[0], "2026-06-01", result="negative", kind="periodic")
    b = laptop(tmp_path, "b", "binh")
    result = receive.import_bundle(b, export(a, tmp_path, "Máy B", full=True).path, PASS,
                                take_over=True)  # fmt: skip
    assert result.took_over
    assert b.commune_id == a.commune_id
    return a, b, ids


def test_a_full_bundle_makes_the_same_register(tmp_path: Path) -> None:
    a, b, _ = handed_over(tmp_path)
    assert snapshot(b) == snapshot(a)
    assert [r["full_name"] for r in find(b, "duc")] == ["Đặng Văn Đức"]  # FTS and đ-folding
    assert get_settings(b)["unit_name"] == "Công an xã Chiềng Mung"


def test_two_laptops_exchanging_both_ways_end_the_same(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    # A: a new phone for one person, a new test, a deletion; B: a job for the same person,
    # a new person, a new episode, a renamed village.
    people.update_person(a, ids[0], {"phone": "0912 345 678"})
    drugtests.record_test(a, ids[1], "2026-11-02", result="positive", positives="MET")
    people.delete_person(a, ids[3])
    people.update_person(b, ids[0], {"occupation": "Làm nương"})
    new = people.add_person(b, {"full_name": "Hà Văn Mới", "birth_date": "1999"})
    episodes.open_episode(b, ids[2], "suspect", "2026-11-10")
    village = a.conn.execute("SELECT id FROM villages").fetchone()[0]
    places.save_village(b, {"name": "Bản Mòng Mới", "population": 520}, village)

    # B has never made a bundle for "Máy A": a full one, whose rows A mostly has already.
    to_a = move(b, a, tmp_path, "Máy A")
    assert to_a.manifest["kind"] == "full"
    assert counts(to_a)["persons"] == {"new": 1, "changed": 1, "unchanged": 3}
    to_b = move(a, b, tmp_path, "Máy B")
    assert to_b.manifest["kind"] == "incremental"
    assert snapshot(a) == snapshot(b)
    assert conflicts.count_open(a) == conflicts.count_open(b) == 0
    person = people.get_person(a, ids[0])
    assert (person["phone"], person["occupation"]) == ("0912 345 678", "Làm nương")
    assert [r["id"] for r in find(a, "ha van moi")] == [new]
    assert {r["full_name"] for r in find(b, "mong moi")} == {  # search follows the new name
        "Đặng Văn Đức", "Lò Thị Hoa", "Quàng Văn Ẳm"}  # fmt: skip
    with pytest.raises(people.NotFound):
        people.get_person(b, ids[3])  # the deletion travelled
    # Nothing more to exchange: both incremental bundles are empty or unchanged.
    again = move(b, a, tmp_path, "Máy A")
    assert again.total.new == again.total.changed == again.total.conflicts == 0
    assert snapshot(a) == snapshot(b)


def test_the_same_field_changed_on_both_sides_is_a_conflict(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(a, ids[1], {"notes": "Đã chuyển nhà", "phone": "0988000111"})
    people.update_person(b, ids[1], {"notes": "Đang đi làm ăn xa", "ethnicity": "Thái"})
    result = move(b, a, tmp_path, a.device_id)  # B knows A from A's bundle: by its device
    assert counts(result)["persons"] == {"conflicts": 1}
    person = people.get_person(a, ids[1])
    # Different fields merged; the disputed one keeps this laptop's value until a choice.
    assert (person["phone"], person["ethnicity"], person["notes"]) == (
        "0988000111", "Thái", "Đã chuyển nhà")  # fmt: skip
    [shown] = conflicts.open_conflicts(a)
    assert shown["record"] == "Lò Thị Hoa"
    assert shown["field_label"] == "Ghi chú"
    assert (shown["local_shown"], shown["local_by"]) == ("Đã chuyển nhà", "an")
    assert (shown["remote_shown"], shown["remote_by"]) == ("Đang đi làm ăn xa", "binh")
    assert shown["local_when"] and shown["remote_when"]

    # B sees it too once A's merged row arrives; the chief of A settles it, and it travels.
    move(a, b, tmp_path, "Máy B")
    assert conflicts.count_open(b) == 1
    conflicts.resolve_conflict(a, shown["id"], "remote")
    assert people.get_person(a, ids[1])["notes"] == "Đang đi làm ăn xa"
    assert conflicts.count_open(a) == 0
    move(a, b, tmp_path, "Máy B")
    assert conflicts.count_open(b) == 0
    move(b, a, tmp_path, a.device_id)
    assert snapshot(a) == snapshot(b)
    log = a.conn.execute(
        "SELECT changes FROM change_log WHERE row_id = ? ORDER BY seq DESC LIMIT 1", [ids[1]]
    ).fetchone()[0]
    assert json.loads(log) == {"notes": ["Đã chuyển nhà", "Đang đi làm ăn xa"]}


def test_keeping_this_laptops_value_travels_too(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(a, ids[2], {"occupation": "Thợ xây"})
    people.update_person(b, ids[2], {"occupation": "Làm ruộng"})
    move(b, a, tmp_path, a.device_id)
    [shown] = conflicts.open_conflicts(a)
    conflicts.resolve_conflict(a, shown["id"], "local")
    move(a, b, tmp_path, "Máy B")
    assert people.get_person(b, ids[2])["occupation"] == "Thợ xây"
    assert conflicts.count_open(b) == 0
    assert snapshot(a) == snapshot(b)


def test_a_resolved_conflict_cannot_be_resolved_again(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(a, ids[2], {"occupation": "Thợ xây"})
    people.update_person(b, ids[2], {"occupation": "Làm ruộng"})
    move(b, a, tmp_path, a.device_id)
    [shown] = conflicts.open_conflicts(a)
    conflicts.resolve_conflict(a, shown["id"], "remote")
    with pytest.raises(conflicts.UserError, match="đã được giải quyết"):
        conflicts.resolve_conflict(a, shown["id"], "local")


def test_importing_the_same_bundle_twice_changes_nothing(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(b, ids[0], {"phone": "0912345678"})
    made = export(b, tmp_path, a.device_id)
    first = receive.import_bundle(a, made.path, PASS)
    assert counts(first)["persons"] == {"changed": 1}
    before = state(a)
    second = receive.import_bundle(a, made.path, PASS)
    assert second.imported_at == first.imported_at  # recognised by the import log
    assert state(a) == before
    merged_again = receive.import_bundle(a, made.path, PASS, again=True)  # the merge itself
    assert merged_again.total.changed == merged_again.total.new == 0
    assert snapshot(a) == before[0]


def test_preview_counts_without_writing(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(b, ids[0], {"phone": "0912345678"})
    people.update_person(a, ids[1], {"notes": "A"})
    people.update_person(b, ids[1], {"notes": "B"})
    people.add_person(b, {"full_name": "Hà Văn Mới"})
    made = export(b, tmp_path, a.device_id)
    before = state(a)
    preview = receive.preview_bundle(a, made.path, PASS)
    assert counts(preview)["persons"] == {"new": 1, "changed": 1, "conflicts": 1}
    assert preview.sha256 == bundle.file_sha256(made.path)
    assert preview.source_label == "Công an xã Chiềng Mung, cán bộ Lò Văn Thắng"
    assert not preview.other_commune
    assert state(a) == before


def test_an_incremental_bundle_holds_only_what_changed(tmp_path: Path) -> None:
    a, _b, ids = handed_over(tmp_path)
    nothing = export(a, tmp_path, "Máy B")
    assert nothing.kind == "incremental" and sum(nothing.counts.values()) == 0
    people.update_person(a, ids[0], {"phone": "0912345678"})
    one = export(a, tmp_path, "Máy B")
    assert {t: n for t, n in one.counts.items() if n} == {"persons": 1}


def test_a_first_incremental_bundle_for_someone_new_is_full(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=2)
    made = export(a, tmp_path, "Công an tỉnh")
    assert made.kind == "full" and made.fell_back
    assert made.counts["persons"] == 2


def test_rows_carry_the_base_the_receiver_sent(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(b, ids[0], {"phone": "0912345678"})
    move(b, a, tmp_path, a.device_id)
    people.update_person(a, ids[0], {"notes": "mới"})
    made = export(a, tmp_path, "Máy B")
    opened = bundle_read.open_bundle(made.path, PASS)
    for table, columns, batches in opened.tables():
        rows = [r for batch in batches for r in batch]
        if table == "persons":
            assert len(rows) == 1 and rows[0][columns.index(BASE_COLUMN)]


def test_a_bundle_of_another_commune_asks_first(tmp_path: Path) -> None:
    xa = laptop(tmp_path, "xa")
    commune(xa, persons=2, unit="Công an xã Chiềng Mung")
    made = export(xa, tmp_path, full=True)
    tinh = laptop(tmp_path, "tinh")
    save_settings(tinh, {"unit_name": "Công an tỉnh Sơn La"})
    before = state(tinh)
    preview = receive.preview_bundle(tinh, made.path, PASS)
    assert preview.other_commune and preview.can_take_over
    with pytest.raises(receive.OtherCommune, match="Chiềng Mung") as caught:
        receive.import_bundle(tinh, made.path, PASS)
    assert caught.value.exit_code == 2
    assert state(tinh) == before

    result = receive.import_bundle(tinh, made.path, PASS, accept_other_commune=True)
    assert counts(result)["settings"] == {"skipped": 3}
    assert tinh.commune_id != xa.commune_id
    communes = tinh.conn.execute("SELECT DISTINCT commune_id FROM persons").fetchall()
    assert communes == [(xa.commune_id,)]  # records keep their commune
    assert get_settings(tinh)["unit_name"] == "Công an tỉnh Sơn La"  # its own settings stay

    other = laptop(tmp_path, "xa2")
    commune(other, persons=3, unit="Công an xã Mường Bú")
    receive.import_bundle(tinh, export(other, tmp_path, full=True).path, PASS,
                       accept_other_commune=True)  # fmt: skip
    listed = {c["name"]: c["people"] for c in receive.communes(tinh)}
    assert listed == {"Công an tỉnh Sơn La": 0, "Công an xã Chiềng Mung": 2,
                      "Công an xã Mường Bú": 3}  # fmt: skip


def test_taking_over_needs_an_empty_register(tmp_path: Path) -> None:
    xa = laptop(tmp_path, "xa")
    commune(xa, persons=1)
    made = export(xa, tmp_path, full=True)
    busy = laptop(tmp_path, "busy")
    commune(busy, persons=1, unit="Công an xã Mường Bú")
    with pytest.raises(receive.UserError, match="còn trống"):
        receive.import_bundle(busy, made.path, PASS, take_over=True)


def test_a_fresh_laptops_settings_give_way_when_taking_over(tmp_path: Path) -> None:
    xa = laptop(tmp_path, "xa")
    commune(xa, persons=1)
    made = export(xa, tmp_path, full=True)
    fresh = laptop(tmp_path, "fresh")
    save_settings(fresh, {"unit_name": "CÔNG AN XÃ (chưa đặt)"})
    result = receive.import_bundle(fresh, made.path, PASS, take_over=True)
    assert conflicts.count_open(fresh) == 0
    assert counts(result)["settings"] == {"new": 2, "changed": 1}
    assert get_settings(fresh)["unit_name"] == "Công an xã Chiềng Mung"


def test_a_bundle_missing_a_parent_is_refused_whole(tmp_path: Path) -> None:
    a, b, _ids = handed_over(tmp_path)
    new = people.add_person(a, {"full_name": "Hà Văn Mới"})
    export(a, tmp_path, "Máy B")  # this one is lost on the way
    drugtests.record_test(a, new, "2026-11-12", result="negative")
    made = export(a, tmp_path, "Máy B")
    before = state(b)
    with pytest.raises(receive.UserError, match="thiếu bản ghi gốc"):
        receive.import_bundle(b, made.path, PASS)
    assert state(b) == before


def test_own_bundle_is_not_imported(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=1)
    made = export(a, tmp_path, full=True)
    with pytest.raises(receive.UserError, match="chính máy này"):
        receive.import_bundle(a, made.path, PASS)


def _rewrite(path: Path, target: Path, change_columns: object) -> Path:
    """Copy a bundle through a function that changes each table's columns and rows."""
    opened = bundle_read.open_bundle(path, PASS)

    def produce(writer: bundle_write.BundleWriter) -> dict[str, object]:
        for table, columns, batches in opened.tables():
            new_columns, keep = change_columns(table, columns)  # type: ignore[operator]
            writer.table(table, new_columns)
            for batch in batches:
                for row in batch:
                    writer.row([row[i] for i in keep])
            writer.end_table()
        manifest = dict(opened.manifest)
        manifest.pop("counts")
        return manifest

    return bundle_write.create_bundle(target, PASS, produce, kdf_n=1 << 10).path


def test_a_bundle_from_an_older_version_still_imports(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    ids = commune(a, persons=2)
    drugtests.record_test(a, ids[0], "2026-06-01", result="negative", notes="ghi chú")
    made = export(a, tmp_path, full=True)

    def without_notes(table: str, columns: list[str]) -> tuple[list[str], list[int]]:
        keep = [i for i, c in enumerate(columns) if not (table == "drug_tests" and c == "notes")]
        return [columns[i] for i in keep], keep

    older = _rewrite(made.path, tmp_path / "cu.sotd", without_notes)
    b = laptop(tmp_path, "b")
    receive.import_bundle(b, older, PASS, take_over=True)
    assert b.conn.execute("SELECT notes FROM drug_tests").fetchall() == [("",)]


def test_a_bundle_with_fields_this_version_does_not_know_is_refused(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=1)
    made = export(a, tmp_path, full=True)

    def with_more(table: str, columns: list[str]) -> tuple[list[str], list[int]]:
        keep = list(range(len(columns)))
        if table == "persons":
            return [*columns, "gps"], [*keep, 0]
        return columns, keep

    newer = _rewrite(made.path, tmp_path / "moi.sotd", with_more)
    b = laptop(tmp_path, "b")
    before = state(b)
    with pytest.raises(bundle.NewerBundle, match="gps"):
        receive.import_bundle(b, newer, PASS, take_over=True)
    assert state(b) == before


def test_receivers_are_remembered(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    people.update_person(b, ids[0], {"phone": "0912345678"})
    move(b, a, tmp_path, "Máy A")
    known = send.receivers(a)
    assert known[0].label == "Máy B"
    assert known[0].device_id == b.device_id  # learnt from B's acknowledgement
    assert known[0].acked


def test_the_journal_keeps_only_what_a_receiver_still_needs(tmp_path: Path) -> None:
    a, b, ids = handed_over(tmp_path)
    export(b, tmp_path, a.device_id)  # B has made a bundle: from now on its imports journal
    people.update_person(a, ids[0], {"phone": "0912345678"})
    move(a, b, tmp_path, "Máy B")
    assert b.conn.execute("SELECT count(*) FROM handover_journal").fetchone()[0] == 1
    again = export(b, tmp_path, a.device_id)
    assert again.counts["persons"] == 0  # A sent that very version: it has it
    assert b.conn.execute("SELECT count(*) FROM handover_journal").fetchone()[0] == 0
