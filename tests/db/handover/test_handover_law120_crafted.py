"""Crafted bundles (made with the right passphrase) holding bad values in the Law 120/2025 and
post-rehab tables: each is refused before anything is written, with a Vietnamese message naming
the table and the record, and the register is left as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from db.handover import receive
from db.handover.bundle import BundleError, InvalidBundle
from db.persons import episodes
from tests.db.handover.crafting import rewrite, set_value, table, take_apart
from tests.db.handover.test_handover_crafted import later_commands_work
from tests.db.handover.test_handover_law120 import record_everything
from tests.support.handover import PASS, commune, export, laptop, state

A_UUID = "0b3f2c1e-9a5d-4c7e-8f10-2a3b4c5d6e7f"
LIST = ["Ghi chú", "thứ hai"]
HUGE = 10**30
LABELS = {
    "absences": "Vắng mặt không báo", "monitoring_orders": "Giám sát điện tử",
    "substance_declarations": "Khai báo chất sử dụng", "management_team": "Tổ quản lý",
}  # fmt: skip
CELLS = [
    # absences (Law 73/2021 Art. 40: both days counted)
    ("absences", "days", "5", "Số ngày”: phải là số nguyên"),
    ("absences", "start_date", "2026-02-30", "Vắng mặt từ ngày”: ngày không có trong lịch"),
    ("absences", "days", HUGE, "Số ngày”: số quá lớn"),
    ("absences", "notes", LIST, "Ghi chú”: phải là một giá trị, không phải danh sách"),
    ("absences", "days", 0, "Số ngày”: phải lớn hơn 0"),
    ("absences", "days", 4, "Số ngày”: phải là 5"),  # 03/08–07/08/2026 is 5 days
    ("absences", "end_date", "2026-08-01", "Đến ngày”: trước ngày bắt đầu"),
    ("absences", "episode_id", "diện-1", "Diện quản lý”: mã không hợp lệ"),
    # electronic monitoring (Law 120/2025, from 01/07/2026)
    ("monitoring_orders", "ordered_by", 7, "Người quyết định”: phải là chữ"),
    ("monitoring_orders", "from_date", "2026-06-31", "Giám sát từ ngày”: ngày không có"),
    ("monitoring_orders", "deleted", HUGE, "Đã xóa”: phải là 0 hoặc 1"),
    ("monitoring_orders", "device", LIST, "Thiết bị”: phải là một giá trị"),
    ("monitoring_orders", "category", "user", "Diện”: giá trị không hợp lệ"),
    ("monitoring_orders", "ordered_by", "  ", "Người quyết định”: không được để trống"),
    ("monitoring_orders", "ended_on", "2026-07-01", "Ngày kết thúc giám sát”: trước ngày"),
    ("monitoring_orders", "to_date", "2026-07-09", "Giám sát đến ngày”: trước ngày bắt đầu"),
    ("monitoring_orders", "ordered_on", "2026-06-30", "áp dụng từ ngày 01/07/2026"),
    ("monitoring_orders", "end_reason", "", "Lý do kết thúc giám sát”: phải ghi lý do"),
    # declared substances (Law 120/2025)
    ("substance_declarations", "declared_on", 20260715, "Ngày khai báo”: phải là ngày"),
    ("substance_declarations", "declared_on", "2026-13-01", "Ngày khai báo”: ngày không có"),
    ("substance_declarations", "notes", HUGE, "Ghi chú”: phải là chữ"),
    ("substance_declarations", "substances", LIST, "Chất khai sử dụng”: phải là một giá trị"),
    ("substance_declarations", "substances", "", "Chất khai sử dụng”: không được để trống"),
    # the management team (Decree 105 Art. 40)
    ("management_team", "role", 1, "Vai trò”: giá trị không hợp lệ"),
    ("management_team", "from_date", "2026-02-29", "Từ ngày”: ngày không có trong lịch"),
    ("management_team", "deleted", HUGE, "Đã xóa”: phải là 0 hoặc 1"),
    ("management_team", "name", LIST, "Họ và tên”: phải là một giá trị"),
    ("management_team", "to_date", "2026-03-01", "Đến ngày”: trước ngày bắt đầu"),
    ("management_team", "role", "chief", "Vai trò”: giá trị không hợp lệ"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A's full bundle: a post-rehab person with one row of each of the four kinds."""
    folder = tmp_path_factory.mktemp("a")
    a = laptop(folder, "a", "an")
    person = commune(a, persons=2)[0]
    episode = episodes.open_episode(a, person, "post_rehab", "2026-03-02", planned="2027-03-02",
                                    decision_date="2026-03-02")  # fmt: skip
    record_everything(a, person, episode)
    return export(a, folder, full=True).path


def refused(tmp_path: Path, crafted: Path, match: str) -> BundleError:
    """Importing the crafted bundle into a fresh laptop: refused, nothing written."""
    b = laptop(tmp_path, "b", "binh")
    before = state(b)
    with pytest.raises(BundleError, match=match) as caught:
        receive.import_bundle(b, crafted, PASS, take_over=True)
    assert state(b) == before
    later_commands_work(b, tmp_path)
    return caught.value


@pytest.mark.parametrize(("name", "column", "value", "match"), CELLS)
def test_a_bad_value_in_a_new_table_is_refused_naming_the_record(
    tmp_path: Path, bundle: Path, name: str, column: str, value: Any, match: str
) -> None:
    tables, manifest = take_apart(bundle)
    found = table(tables, name)
    row_id = found[2][0][found[1].index("id")]
    set_value(tables, name, column, value)
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    error = refused(tmp_path, crafted, match)
    assert isinstance(error, InvalidBundle)
    assert f"{LABELS[name]} (bản ghi mã {row_id})" in error.message
    assert "Không có gì được nhập vào sổ" in error.message
    with pytest.raises(InvalidBundle, match=match):  # the preview says it before anything
        receive.preview_bundle(laptop(tmp_path, "c"), crafted, PASS)


@pytest.mark.parametrize("name", list(LABELS))
def test_a_row_of_a_person_this_register_lacks_is_refused_naming_both(
    tmp_path: Path, bundle: Path, name: str
) -> None:
    tables, manifest = take_apart(bundle)
    found = table(tables, name)
    row_id = found[2][0][found[1].index("id")]
    set_value(tables, name, "person_id", A_UUID)
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    error = refused(tmp_path, crafted, "thiếu bản ghi gốc")
    assert f"{LABELS[name]} mã {row_id} trỏ tới người trong sổ mã {A_UUID}" in error.message


@pytest.mark.parametrize("name", ["absences", "monitoring_orders"])
def test_a_row_of_an_episode_this_register_lacks_is_refused_naming_both(
    tmp_path: Path, bundle: Path, name: str
) -> None:
    tables, manifest = take_apart(bundle)
    found = table(tables, name)
    row_id = found[2][0][found[1].index("id")]
    set_value(tables, name, "episode_id", A_UUID)
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    error = refused(tmp_path, crafted, "thiếu bản ghi gốc")
    assert f"{LABELS[name]} mã {row_id} trỏ tới diện quản lý mã {A_UUID}" in error.message
