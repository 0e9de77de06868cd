"""Bundles crafted with the right passphrase: every value is checked before the register takes it.

Each crafted bundle is refused with a Vietnamese message naming the record (never a traceback)
and the register is left as it was — or, where the bundle is sound, it merges and the commands
run afterwards (stats, check, the Excel export, the due list) still work.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from db.duties.due import due_items
from db.excel.export import export_people
from db.figures.stats import figures
from db.handover import receive
from db.handover.bundle import BundleError, DamagedBundle, InvalidBundle
from db.persons import contacts, drugtests, episodes, people
from db.store.check import check_register
from db.store.register import Register
from tests.db.handover.crafting import rewrite, set_value, table, take_apart
from tests.support.handover import PASS, commune, export, laptop, state


def later_commands_work(reg: Register, folder: Path) -> None:
    """What an officer runs next on this register: none of it may fail."""
    figures(reg, on=reg.today())
    due_items(reg)
    export_people(reg, folder / f"xuat-{uuid.uuid4().hex[:6]}.xlsx",
                  tests_between=(date(1900, 1, 1), reg.today()))  # fmt: skip
    assert check_register(reg) == []


@pytest.fixture
def source(tmp_path: Path) -> tuple[Register, Path]:
    """Laptop A with people, an episode, a test and a contact; its full bundle."""
    a = laptop(tmp_path, "a", "an")
    ids = commune(a, persons=3)
    episodes.open_episode(a, ids[0], "user", "2026-05-04")
    drugtests.record_test(a, ids[0], "2026-06-01", result="negative", kind="periodic")
    contacts.add_contact(a, ids[1], "2026-06-02", "home_visit")
    return a, export(a, tmp_path, full=True).path


def _refused(reg: Register, path: Path, folder: Path, match: str, **kw: Any) -> BundleError:
    before = state(reg)
    with pytest.raises(BundleError, match=match) as caught:
        receive.import_bundle(reg, path, PASS, **kw)
    assert state(reg) == before
    later_commands_work(reg, folder)
    return caught.value


A_UUID = "0b3f2c1e-9a5d-4c7e-8f10-2a3b4c5d6e7f"
CELLS = [
    ("persons", "id", ["x"], "phải là một giá trị"),
    ("persons", "id", "not-a-uuid", "mã không hợp lệ"),
    ("persons", "id", 1.5, "mã không hợp lệ"),
    ("persons", "full_name", ["An", "Bình"], "Họ và tên"),
    ("persons", "full_name", "", "không được để trống"),
    ("persons", "full_name", None, "không được để trống"),
    ("persons", "notes", {"a": 1}, "Ghi chú"),
    ("persons", "birth_date", "1990-13", "Ngày sinh"),
    ("persons", "sex", "X", "Giới tính"),
    ("persons", "deleted", 2, "Đã xóa"),
    ("persons", "deleted", True, "Đã xóa"),
    ("persons", "created_at", None, "created_at"),
    ("persons", "updated_at", "hôm qua", "updated_at"),
    ("villages", "population", 10**30, "số quá lớn"),
    ("villages", "population", -5, "không được âm"),
    ("drug_tests", "test_date", "2026-02-31", "không có trong lịch"),
    ("drug_tests", "test_date", "31/01/2026", "YYYY-MM-DD"),
    ("drug_tests", "test_date", "9999-01-01", "năm không hợp lệ"),
    ("drug_tests", "result", "maybe", "Kết quả"),
    ("episodes", "category", "zzz", "Diện"),
    ("episodes", "team", "nope", "JSON"),
    ("episodes", "end_date", "2026-01-01", "Ngày kết thúc"),  # before start, no end kind
    ("contacts", "at_address", 7, "Có mặt"),
    ("settings", "value", "{not json", "JSON"),
    ("settings", "value", '"ngày mai"', "Ngày"),  # baseline_date must be a date
    ("persons", "_base", "zz", "mã kiểm tra"),
]


@pytest.mark.parametrize(("name", "column", "value", "match"), CELLS)
def test_a_crafted_value_is_refused_naming_the_record(
    tmp_path: Path, source: tuple[Register, Path], name: str, column: str, value: Any, match: str
) -> None:
    _, path = source
    tables, manifest = take_apart(path)
    if name == "settings" and value == '"ngày mai"':
        rows = table(tables, "settings")
        keys = rows[1].index("key")
        rows[2].append([*rows[2][0]])
        rows[2][-1][keys], rows[2][-1][rows[1].index("id")] = "baseline_date", A_UUID
        set_value(tables, name, column, value, row=len(rows[2]) - 1)
    else:
        set_value(tables, name, column, value)
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    b = laptop(tmp_path, "b")
    error = _refused(b, crafted, tmp_path, match, take_over=True)
    assert isinstance(error, InvalidBundle)
    assert "Không có gì được nhập vào sổ" in error.message
    with pytest.raises(InvalidBundle):  # the preview says the same before anything is asked
        receive.preview_bundle(b, crafted, PASS)


def test_a_row_pointing_to_a_person_this_register_lacks_names_both(
    tmp_path: Path, source: tuple[Register, Path]
) -> None:
    _, path = source
    tables, manifest = take_apart(path)
    set_value(tables, "drug_tests", "person_id", A_UUID)
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    error = _refused(laptop(tmp_path, "b"), crafted, tmp_path, "thiếu bản ghi gốc", take_over=True)
    assert A_UUID in error.message
    assert "Xét nghiệm" in error.message


def test_two_rows_with_one_id_are_refused(tmp_path: Path, source: tuple[Register, Path]) -> None:
    _, path = source
    tables, manifest = take_apart(path)
    people_rows = table(tables, "persons")[2]
    people_rows.append(list(people_rows[0]))
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    _refused(laptop(tmp_path, "b"), crafted, tmp_path, "trùng mã", take_over=True)


def test_an_overlapping_episode_is_refused_before_check_would_see_it(
    tmp_path: Path, source: tuple[Register, Path]
) -> None:
    _, path = source
    tables, manifest = take_apart(path)
    rows = table(tables, "episodes")[2]
    rows.append(list(rows[0]))
    set_value(tables, "episodes", "id", A_UUID, row=1)
    set_value(tables, "episodes", "start_date", "2026-07-01", row=1)
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    error = _refused(laptop(tmp_path, "b"), crafted, tmp_path, "chồng thời gian", take_over=True)
    assert "Đặng Văn Đức" in error.message


@pytest.mark.parametrize(
    ("field", "value"),
    [("seq", "7"), ("seq", 10**30), ("seq", 0), ("bundle_id", ["x"]), ("kind", "all"),
     ("format", [1]), ("acks", {"x": "y"}), ("created_by", {"a": 1}), ("since_seq", -1),
     ("receiver", 5)],
)  # fmt: skip
def test_a_bad_manifest_field_is_refused_naming_it(
    tmp_path: Path, source: tuple[Register, Path], field: str, value: Any
) -> None:
    _, path = source
    tables, manifest = take_apart(path)
    manifest[field] = value
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    error = _refused(laptop(tmp_path, "b"), crafted, tmp_path, "bản kê khai", take_over=True)
    assert f"“{field}”" in error.message


def test_bad_counts_and_source_in_the_manifest_are_refused(
    tmp_path: Path, source: tuple[Register, Path]
) -> None:
    _, path = source
    tables, manifest = take_apart(path)
    b = laptop(tmp_path, "b")
    crafted = rewrite(tmp_path / "c1.sotd", tables, manifest, counts={"persons": 10**40})
    _refused(b, crafted, tmp_path, "counts", take_over=True)
    manifest["source"] = {**manifest["source"], "device_id": ["x"]}
    crafted = rewrite(tmp_path / "c2.sotd", tables, manifest)
    _refused(b, crafted, tmp_path, "source.device_id", take_over=True)
    del manifest["source"]
    crafted = rewrite(tmp_path / "c3.sotd", tables, manifest)
    with pytest.raises(DamagedBundle, match="nơi lập gói"):
        receive.import_bundle(b, crafted, PASS, take_over=True)


def test_a_table_naming_a_column_twice_is_refused(
    tmp_path: Path, source: tuple[Register, Path]
) -> None:
    _, path = source
    tables, manifest = take_apart(path)
    tables.insert(0, ["persons", ["id", "id"], []])
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    with pytest.raises(DamagedBundle, match="cấu trúc"):
        receive.import_bundle(laptop(tmp_path, "b"), crafted, PASS, take_over=True)


def test_a_sound_crafted_bundle_merges_and_the_register_stays_usable(
    tmp_path: Path, source: tuple[Register, Path]
) -> None:
    _, path = source
    tables, manifest = take_apart(path)
    set_value(tables, "persons", "notes", "ghi chú ‹mới› — \u0000 \U0001f600")
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    b = laptop(tmp_path, "b")
    receive.import_bundle(b, crafted, PASS, take_over=True)
    later_commands_work(b, tmp_path)
    assert people.count_people(b) == 3
