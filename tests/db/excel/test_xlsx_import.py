"""Importing the lists communes keep in Excel, however they are written (issue 7)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from db.commune import places
from db.core.errors import UserError
from db.duties import actions
from db.excel.common import REASON_HEADER
from db.excel.importer import (
    DUPLICATE,
    IMPORT,
    REJECTED,
    ImportPlan,
    PlanRow,
    apply_import,
    plan_import,
    rejected_path,
    write_rejected,
)
from db.persons import drugtests, people
from db.store.register import Register

PEOPLE = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn/Bản/Tổ dân phố",
          "Diện quản lý", "Ngày bắt đầu", "Số quyết định", "Ngày quyết định", "Chất sử dụng",
          "Ghi chú"]  # fmt: skip
TESTS = ["STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Ngày xét nghiệm", "Hình thức", "Kết quả",
         "Chất dương tính", "Người thực hiện"]  # fmt: skip


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook with these sheets and rows, saved to `path`."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def fates(plan: ImportPlan) -> list[tuple[int, str]]:
    return [(r.row, r.fate) for r in plan.rows]


def by_row(plan: ImportPlan, sheet: str, row: int) -> PlanRow:
    return next(r for r in plan.rows if r.sheet == sheet and r.row == row)


def persons(reg: Register) -> dict[str, dict[str, Any]]:
    rows = reg.db.query(
        "SELECT p.*, v.name AS village FROM persons p "
        "LEFT JOIN villages v ON v.id = p.village_id WHERE p.deleted = 0"
    )
    return {r["full_name"]: r for r in rows}


def test_a_messy_list_comes_in(reg: Register, village: str, tmp_path: Path) -> None:
    # Title rows above the header; headers reordered, in capitals, without diacritics, with
    # extra spaces and hints; a column of the commune's own; a sheet name not quite right.
    rows = [
        ["CÔNG AN XÃ MƯỜNG BÚ"],
        ["DANH SÁCH NGƯỜI SỬ DỤNG TRÁI PHÉP CHẤT MA TÚY NĂM 2026"],
        [],
        ["  so tt ", "HO  VA TEN", "SỐ CMND/CCCD", "ngay sinh (dd/mm/yyyy)", "Gioi tinh",
         "Số hồ sơ", "Thôn", "DIỆN QUẢN LÝ", "Ngày bắt đầu", "Số QĐ", "Ghi chu"],
        [1, unicodedata.normalize("NFD", "Nguyễn  Văn   An"), "001090012345",
         datetime(1990, 5, 17), "Nam", "HS-12", "bản mòng", "Sử dụng trái phép",
         "01/02/2026", "12/QĐ-UBND", "hay đi rẫy"],
        [2, "Lò Thị Bình", None, "3/4/95", "Nữ", None, "Bản Mòng", "nghien", "5/6/26", None, None],
        [None, None, None, None, None, None, None, None, None, None, None],
        [3, "Quàng Văn Chiến", None, 1988, "nam", None, "Mong", "SDTP", "15/09/2026", None, None],
        [4, "Cầm Văn Dũng", 12095001234, "1995", None, None, "Tổ dân phố 3"],
        [5, "Vì Thị Én", None, "1970", "Nữ", None, None, "Nghi vấn", datetime(2026, 10, 1)],
        [6],  # only the STT filled in ahead: not a row of the list
    ]  # fmt: skip
    path = workbook(tmp_path / "ds.xlsx", {" DANH SACH doi tuong ": rows})
    plan = plan_import(reg, path)
    assert fates(plan) == [(5, IMPORT), (6, IMPORT), (8, IMPORT), (9, IMPORT), (10, IMPORT)]
    assert plan.villages == ["Tổ dân phố 3"]  # listed before it is created
    assert "“Số hồ sơ”" in plan.problems[0].message and not plan.problems[0].rejected
    assert by_row(plan, " DANH SACH doi tuong ", 5).name == "Nguyễn Văn An"

    result = apply_import(reg, plan)
    assert (result.people, result.tests, result.villages) == (5, 0, 1)
    saved = persons(reg)
    assert set(saved) == {"Nguyễn Văn An", "Lò Thị Bình", "Quàng Văn Chiến", "Cầm Văn Dũng",
                          "Vì Thị Én"}  # fmt: skip
    an = saved["Nguyễn Văn An"]
    assert (an["birth_date"], an["sex"], an["id_number"]) == ("1990-05-17", "M", "001090012345")
    assert an["village"] == "Bản Mòng" and an["notes"] == "hay đi rẫy"
    assert saved["Lò Thị Bình"]["birth_date"] == "1995-04-03"  # d/m/yy
    assert saved["Quàng Văn Chiến"]["birth_date"] == "1988"  # a year alone stays a year
    assert saved["Quàng Văn Chiến"]["village"] == "Bản Mòng"  # "Mong" is Bản Mòng
    # An ID typed into a number cell lost its leading zero; it comes back.
    assert saved["Cầm Văn Dũng"]["id_number"] == "012095001234"
    assert saved["Cầm Văn Dũng"]["village"] == "Tổ dân phố 3"
    episodes = {
        (r["full_name"], r["category"], r["start_date"], r["decision_no"])
        for r in reg.db.query(
            "SELECT p.full_name, e.* FROM episodes e JOIN persons p ON p.id = e.person_id"
        )
    }
    assert episodes == {
        ("Nguyễn Văn An", "user", "2026-02-01", "12/QĐ-UBND"),
        ("Lò Thị Bình", "addict", "2026-06-05", ""),
        ("Quàng Văn Chiến", "user", "2026-09-15", ""),
        ("Vì Thị Én", "suspect", "2026-10-01", ""),
    }


def test_every_rejected_row_says_why(reg: Register, tmp_path: Path) -> None:
    rows = [
        PEOPLE,
        [1, "Nguyễn Văn An", "17/05/1990", "Nam", "0010900123", None, "Sử dụng trái phép",
         "01/02/2026"],
        [2, "Lò Văn Bảo", "1990", "Nam", None, None, "Nghiện nặng", "01/02/2026"],
        [3, "Lò Văn Cường", "31/02/1990"],
        [4, "Lò Văn Dậu", "1990", None, None, None, "Sử dụng trái phép"],
        [5, "Lò Văn Em", "1990", None, None, None, None, "01/02/2026"],
        [6, "Lò Văn Phúc", "1990", None, None, None, "Sau cai nghiện", "01/12/2026"],
        [7, None, "1990", "Nam"],
        [8, "Lò Văn Giang", "1990", "Nam", "014290000123"],
        [9, "Lò Văn Hà", "1991", "không rõ"],
        [10, "Lò Thị Ích", "1991", "Nữ", None, None, "Sau cai nghiện", "tháng 3"],
        [11, "Cầm Văn Khánh", "1992", None, None, None, "Methadone", None, None, "10/10/2026"],
    ]  # fmt: skip
    plan = plan_import(reg, workbook(tmp_path / "ds.xlsx", {"Đối tượng": rows}))
    reasons = {r.row: r.reason for r in plan.rows}
    assert {r.row for r in plan.rows if r.fate == REJECTED} == set(range(2, 12))
    assert "Số CCCD: phải có 12 chữ số" in reasons[2]
    assert "“Nghiện nặng” không nhận ra" in reasons[3] and "Cai nghiện bắt buộc" in reasons[3]
    assert "31/2/1990 không có trong lịch" in reasons[4]
    assert "Ngày bắt đầu: không được để trống" in reasons[5]
    assert "Diện quản lý: không được để trống" in reasons[6]
    assert "Ngày bắt đầu: 01/12/2026 là ngày trong tương lai" in reasons[7]
    assert reasons[8] == "Họ và tên: không được để trống."
    assert "số cho năm sinh 2090" in reasons[9]
    assert "Giới tính: “không rõ” không hợp lệ" in reasons[10]
    assert "Ngày bắt đầu: “tháng 3” không phải ngày hợp lệ" in reasons[11]
    # A category without a start date starts on the decision date.
    assert by_row(plan, "Đối tượng", 12).fate == IMPORT
    assert by_row(plan, "Đối tượng", 12).detail.endswith("từ 10/10/2026")


@pytest.mark.parametrize(
    ("written", "category"),
    [("Sử dụng trái phép", "user"), ("SDTP", "user"), ("sử dụng", "user"),
     ("Sử dụng trái phép (đang quản lý)", "user"), ("Nghiện", "addict"),
     ("NGHIỆN MA TÚY", "addict"), ("Cai nghiện tại gia đình", "rehab_home"),
     ("Cai nghiện tại cộng đồng", "rehab_home"), ("Cai nghien tu nguyen", "rehab_home"),
     ("Cai nghiện tự nguyện tại gia đình, cộng đồng", "rehab_home"),
     ("Cai nghiện tại cơ sở", "rehab_facility"), ("Cai nghiện bắt buộc", "rehab_compulsory"),
     ("Điều trị methadone", "methadone"), ("Methadone", "methadone"),
     ("Sau cai nghiện", "post_rehab"), ("Quản lý sau cai", "post_rehab"),
     ("Nghi vấn", "suspect"), ("Nghi sử dụng", "suspect"), ("Theo dõi", "watch"),
     ("post_rehab", "post_rehab")],
)  # fmt: skip
def test_category_in_the_words_officers_write(
    reg: Register, tmp_path: Path, written: str, category: str
) -> None:
    # A post-rehab period needs the rehab before it (1 or 2 years): the list says it.
    prior = "Cai nghiện tại gia đình" if category == "post_rehab" else None
    rows = [[*PEOPLE, "Hình thức cai nghiện trước đó"],
            [1, "Lò Văn An", "1990", "Nam", None, None, written, "01/03/2026", None, None, None,
             None, prior]]  # fmt: skip
    plan = plan_import(reg, workbook(tmp_path / "ds.xlsx", {"Đối tượng": rows}))
    assert plan.rows[0].fate == IMPORT, plan.rows[0].reason
    apply_import(reg, plan)
    opened = {r["category"] for r in reg.db.query("SELECT category FROM episodes")}
    # Rehab and methadone are for addicts: the addict episode opens with them.
    treatment = {"rehab_home", "rehab_facility", "rehab_compulsory", "methadone"}
    assert opened == ({category, "addict"} if category in treatment else {category})


def test_a_post_rehab_row_says_the_rehab_before_it(reg: Register, tmp_path: Path) -> None:
    # 1 or 2 years depend on the rehab before, which a new person's register does not hold:
    # the list gives it, or the end the decision states (as the export writes it).
    header = ["Họ và tên", "Năm sinh", "Diện quản lý", "Ngày bắt đầu", "Cai nghiện trước đó",
              "Kết thúc dự kiến"]  # fmt: skip
    rows = [header,
            ["Lò Văn An", "1990", "Sau cai nghiện", "01/03/2026", "Cai nghiện bắt buộc"],
            ["Lò Văn Ba", "1990", "Sau cai nghiện", "01/03/2026", "Cai tại gia đình"],
            ["Lò Văn Ca", "1990", "Sau cai nghiện", "01/03/2026"],
            ["Lò Văn Dũng", "1990", "Sau cai nghiện", "01/03/2026", "Methadone"],
            ["Lò Văn Em", "1990", "Sau cai nghiện", "01/03/2026", None, "01/09/2027"],
            ["Lò Văn Giang", "1990", "Sau cai nghiện", "01/03/2026", None, "01/02/2026"],
            ]  # fmt: skip
    plan = plan_import(reg, workbook(tmp_path / "ds.xlsx", {"Đối tượng": rows}))
    assert [r.fate for r in plan.rows] == [IMPORT, IMPORT, REJECTED, REJECTED, IMPORT, REJECTED]
    # Neither column filled: refused under "Cai nghiện trước đó", never a quiet 1 year.
    assert plan.rows[2].reason == (
        "Cai nghiện trước đó: cần biết để tính thời hạn quản lý sau cai nghiện (1 năm, hoặc 2 "
        "năm với người từ đủ 18 tuổi ra khỏi cơ sở cai nghiện bắt buộc), chương trình không tự "
        "cho 1 năm; ghi một trong: “Cai nghiện tại gia đình”, “Cai nghiện tại cộng đồng”, “Cai "
        "nghiện tại cơ sở”, “Cai nghiện bắt buộc” — hoặc ghi “Ngày kết thúc dự kiến” theo quyết "
        "định."
    )
    assert "Cai nghiện trước đó: “Methadone” không nhận ra" in plan.rows[3].reason
    assert plan.rows[5].reason == (
        "Ngày kết thúc dự kiến: 01/02/2026 không sau ngày bắt đầu 01/03/2026."
    )
    apply_import(reg, plan)
    ends = dict(reg.db.execute(
        "SELECT p.full_name, e.planned_end FROM episodes e JOIN persons p ON p.id = e.person_id"
    ).fetchall())  # fmt: skip
    # An adult leaving compulsory rehab: 2 years; after rehab at home: 1 year; else as decided.
    assert ends == {"Lò Văn An": "2028-03-01", "Lò Văn Ba": "2027-03-01",
                    "Lò Văn Em": "2027-09-01"}  # fmt: skip


def test_duplicates_of_the_register_and_within_the_file(
    reg: Register, add: Any, tmp_path: Path
) -> None:
    known = add("Hoàng Văn Tám", birth_date="1985", sex="Nam", id_number="014085000111")
    add("Lường Thị Mai", birth_date="12/12/1999")
    rows = [
        PEOPLE,
        [1, "Hoang Van Tam", "1985", "Nam", "014085000111"],  # same CCCD
        [2, "Lường Thị Mai", "1999"],  # same name and year
        [3, "Lường Thị Mai", "2001"],  # another Mai
        [4, "Đinh Văn Sơn", "1980", "Nam", "014080000222"],
        [5, "Đinh Văn Sơn", "1980", "Nam", "014080000222"],  # the same row twice
        [6, "Hà Văn Tuấn", "2000"],
        [7, "HÀ VĂN TUẤN", "2000"],
    ]  # fmt: skip
    plan = plan_import(reg, workbook(tmp_path / "ds.xlsx", {"Đối tượng": rows}))
    assert fates(plan) == [(2, DUPLICATE), (3, DUPLICATE), (4, IMPORT), (5, IMPORT),
                           (6, DUPLICATE), (7, IMPORT), (8, DUPLICATE)]  # fmt: skip
    tam = by_row(plan, "Đối tượng", 2)
    assert tam.match_id == known and tam.reason.startswith("Trùng số CCCD/CMND với Hoàng Văn Tám")
    assert by_row(plan, "Đối tượng", 3).reason.startswith("Trùng họ tên và năm sinh")
    assert "dòng 5" in by_row(plan, "Đối tượng", 6).reason
    assert by_row(plan, "Đối tượng", 6).match_id is None
    assert "dòng 7" in by_row(plan, "Đối tượng", 8).reason
    before = reg.db.execute("SELECT count(*) FROM persons").fetchone()[0]
    assert apply_import(reg, plan).people == 3
    assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == before + 3


def test_tests_are_matched_by_cccd_else_name_and_birth(
    reg: Register, add: Any, tmp_path: Path
) -> None:
    tam = add("Hoàng Văn Tám", birth_date="1985", sex="Nam", id_number="014085000111")
    mai = add("Lường Thị Mai", birth_date="12/12/1999", sex="Nữ")
    add("Lò Văn Hai", birth_date="1990")
    add("Lò Văn Hai", birth_date="1990-03")
    drugtests.record_test(reg, mai, "01/09/2026", result="negative")
    rows = [
        PEOPLE,
        [1, "Quàng Văn Mới", "07/07/2000", "Nam", None, None, "Nghi vấn", "01/10/2026"],
    ]
    tests = [
        ["DANH SÁCH XÉT NGHIỆM THÁNG 10"],
        TESTS,
        [1, None, None, "014085000111", datetime(2026, 10, 2), "Định kỳ", "Dương tính", "MET"],
        [2, "luong thi mai", "12/12/1999", None, "02/10/2026", "đột xuất", "Âm tính"],
        [3, "Lường Thị Mai", "1999", None, "01/09/2026", None, "am tinh"],  # already there
        [4, "Quàng Văn Mới", "2000", None, "03/10/2026", None, None, "ma túy đá, cần sa"],
        [5, "Quàng Văn Mới", "07/07/2000", None, "03/10/2026", None, "+"],  # same test again
        [6, "Lò Văn Hai", "1990", None, "03/10/2026", None, "-"],
        [7, "Không Ai Cả", "1990", None, "03/10/2026", None, "-"],
        [8, "Lường Thị Mai", None, None, "03/10/2026", None, "-"],
        [9, "Lường Thị Mai", "12/12/1999", "014085000111", "03/10/2026", None, "-"],
        [10, "Lường Thị Mai", "12/12/1999", None, "03/10/2026", None, "Âm tính", "MET"],
        [11, "Lường Thị Mai", "12/12/1999", None, "03/12/2026", None, "Âm tính"],
        [12, "Lường Thị Mai", "12/12/1999", None, "04/10/2026", "hàng tuần", "Âm tính"],
    ]  # fmt: skip
    path = workbook(tmp_path / "ds.xlsx", {"Xét nghiệm": tests, "Doi tuong": rows})
    plan = plan_import(reg, path)
    tested = {r.row: r for r in plan.rows if r.kind == "tests"}
    assert [(n, r.fate) for n, r in tested.items()] == [
        (3, IMPORT), (4, IMPORT), (5, DUPLICATE), (6, IMPORT), (7, DUPLICATE), (8, REJECTED),
        (9, REJECTED), (10, REJECTED), (11, REJECTED), (12, REJECTED), (13, REJECTED),
        (14, REJECTED),
    ]  # fmt: skip
    assert tested[3].match_id == tam and tested[4].match_id == mai
    assert tested[6].match_id is None and "dòng 2 sheet “Doi tuong”" in tested[6].match
    assert tested[6].detail.endswith("Dương tính (Methamphetamine (ma túy đá), Cần sa (THC))")
    assert "Sổ đã có lần xét nghiệm này" in tested[5].reason
    assert "Trùng với dòng 6" in tested[7].reason
    assert "Có 2 người tên Lò Văn Hai sinh 1990" in tested[8].reason
    assert "Không tìm thấy Không Ai Cả (1990)" in tested[9].reason
    assert "Cần số CCCD hoặc ngày sinh" in tested[10].reason
    assert "là của Hoàng Văn Tám" in tested[11].reason
    assert "ghi Âm tính nhưng có chất dương tính “MET”" in tested[12].reason
    assert "là ngày trong tương lai" in tested[13].reason
    assert "Hình thức xét nghiệm: “hàng tuần” không nhận ra" in tested[14].reason

    result = apply_import(reg, plan)
    assert (result.people, result.tests) == (1, 3)
    rows_saved = list(
        reg.db.query(
            "SELECT p.full_name, t.test_date, t.kind, t.result, t.positives FROM drug_tests t "
            "JOIN persons p ON p.id = t.person_id ORDER BY t.test_date, p.full_name"
        )
    )
    assert [tuple(r.values()) for r in rows_saved] == [
        ("Lường Thị Mai", "2026-09-01", "periodic", "negative", ""),
        ("Hoàng Văn Tám", "2026-10-02", "periodic", "positive", "MET"),
        ("Lường Thị Mai", "2026-10-02", "surprise", "negative", ""),
        ("Quàng Văn Mới", "2026-10-03", "periodic", "positive", "MET,THC"),
    ]
    # The new suspect was tested: the test ends the "suspected" episode, as typed in by hand.
    ended = reg.db.execute(
        "SELECT e.end_date, e.end_kind FROM episodes e JOIN persons p ON p.id = e.person_id "
        "WHERE p.full_name = 'Quàng Văn Mới'"
    ).fetchone()
    assert ended == ("2026-10-03", "tested")


def test_rejected_rows_come_back_to_correct_and_import_again(reg: Register, tmp_path: Path) -> None:
    rows = [
        ["Danh sách của xã"],
        PEOPLE,
        [1, "Nguyễn Văn An", datetime(1990, 5, 17), "Nam", "001090012345", "Bản Mòng",
         "Nghiện", "01/03/2026"],
        [2, "Lò Văn Bảo", "1990", "Nam", "12345", "Bản Mòng"],
        [3, "Lò Văn Cường", "1991", "Nam", None, "Bản Mòng", "Nghiện nặng", "01/03/2026"],
    ]  # fmt: skip
    tests = [TESTS, [1, "Lò Văn Bảo", "1990", None, "02/03/2026", None, "Âm tính"]]
    source = workbook(tmp_path / "ds.xlsx", {"Đối tượng": rows, "Xét nghiệm": tests})
    plan = plan_import(reg, source)
    assert plan.summary().startswith("1 dòng sẽ nhập (1 người, 0 lần xét nghiệm)")
    apply_import(reg, plan)
    out = rejected_path(source)
    assert out == tmp_path / "ds-loi.xlsx"
    assert write_rejected(plan, out) == 3

    book = load_workbook(out)
    sheet = book["Đối tượng"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == [*PEOPLE, "Dòng trong tệp gốc", REASON_HEADER]
    assert [v[1] for v in values[1:]] == ["Lò Văn Bảo", "Lò Văn Cường"]
    assert values[1][-2] == 4 and "Số CCCD" in values[1][-1]
    assert book["Xét nghiệm"].cell(2, 2).value == "Lò Văn Bảo"
    assert "dòng 4 sheet “Đối tượng” không nhập được" in book["Xét nghiệm"].cell(2, 11).value

    # The officer corrects the two people in the returned file and imports it.
    sheet.cell(2, 5).value = "001090000777"
    sheet.cell(3, 7).value = "Nghiện"
    book.save(out)
    again = plan_import(reg, out)
    assert [r.fate for r in again.rows] == [IMPORT, IMPORT, IMPORT]
    assert not [p for p in again.problems if p.rejected]
    apply_import(reg, again)
    assert set(persons(reg)) == {"Nguyễn Văn An", "Lò Văn Bảo", "Lò Văn Cường"}
    assert reg.db.execute("SELECT count(*) FROM drug_tests").fetchone()[0] == 1
    # The whole original file again: the rows in are duplicates, nothing is imported twice.
    last = plan_import(reg, source)
    assert last.importable == 0
    assert [r.fate for r in last.rows] == [DUPLICATE, DUPLICATE, DUPLICATE, DUPLICATE]
    assert "Dòng này còn lỗi: Diện quản lý: “Nghiện nặng”" in last.rows[2].reason


def test_import_is_all_or_nothing(reg: Register, tmp_path: Path) -> None:
    rows = [PEOPLE] + [[i, f"Người Thứ {chr(65 + i)}", "1990"] for i in range(5)]
    rows.append([9, "Lò Văn Sau", "1990", "Nam", "014090000999"])
    plan = plan_import(reg, workbook(tmp_path / "ds.xlsx", {"Đối tượng": rows}))
    assert plan.importable == 6
    # Someone types the same ID number in between the preview and the import.
    people.add_person(reg, {"full_name": "Lò Văn Sau", "id_number": "014090000999"})
    with pytest.raises(UserError, match=r"dòng 7: Số CCCD: 014090000999 đã có trong sổ.*xem "):
        apply_import(reg, plan)
    assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 1
    assert reg.db.execute("SELECT count(*) FROM villages").fetchone()[0] == 0


def test_header_forms_of_official_lists(reg: Register, tmp_path: Path) -> None:
    # Two header rows ("Ngày sinh" over "Nam" | "Nữ") and the row of column numbers; "Họ" and
    # "Tên" in two columns.
    rows = [
        ["TT", "Họ và tên đệm", "Tên", "Ngày sinh", None, "Nơi thường trú", "Loại đối tượng"],
        [None, None, None, "Nam", "Nữ"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        [1, "Lò Văn", "Khải", 1979, None, "Bản Mòng, xã Mường Bú", "Sau cai"],
        [2, "Cà Thị", "Lả", None, "02/03/1980", None, None],
        [3, "Cà Văn", "Nọi", "x", None],
        [4, "Cà Văn", "Ơn", "1981", "1981"],
    ]  # fmt: skip
    plan = plan_import(reg, workbook(tmp_path / "mau.xlsx", {"Sheet1": rows}))
    assert [(r.row, r.fate, r.name) for r in plan.rows] == [
        (4, REJECTED, "Lò Văn Khải"), (5, IMPORT, "Cà Thị Lả"), (6, IMPORT, "Cà Văn Nọi"),
        (7, REJECTED, "Cà Văn Ơn"),
    ]  # fmt: skip
    assert "Ngày bắt đầu: không được để trống" in plan.rows[0].reason
    assert "cả cột Nam và cột Nữ" in plan.rows[3].reason
    apply_import(reg, plan)
    saved = persons(reg)
    assert (saved["Cà Thị Lả"]["sex"], saved["Cà Thị Lả"]["birth_date"]) == ("F", "1980-03-02")
    assert (saved["Cà Văn Nọi"]["sex"], saved["Cà Văn Nọi"]["birth_date"]) == ("M", None)


def test_names_in_capitals_become_names(reg: Register, tmp_path: Path) -> None:
    rows = [PEOPLE, [1, "NGUYỄN THỊ ĐÀO", "2001", "NỮ"], [2, "ĐẶNG VĂN ĐỨC", "1999"]]
    apply_import(reg, plan_import(reg, workbook(tmp_path / "ds.xlsx", {"DS": rows})))
    assert set(persons(reg)) == {"Nguyễn Thị Đào", "Đặng Văn Đức"}


def test_a_sheet_without_names_is_left_out_with_its_reason(reg: Register, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "ds.xlsx",
        {
            "Đối tượng": [PEOPLE, [1, "Lò Văn An", "1990"]],
            "Thôn 2": [["STT", "Ngày sinh", "Giới tính"], [1, "1990", "Nam"]],
            "Hướng dẫn": [["Họ và tên", "Ngày sinh"], ["cách ghi", "dd/mm/yyyy"]],
        },
    )
    plan = plan_import(reg, path)
    assert [r.name for r in plan.rows] == ["Lò Văn An"]
    assert [(p.title, p.rejected) for p in plan.problems] == [("Thôn 2", True)]
    assert "thiếu cột “Họ và tên”" in plan.problems[0].message


def test_a_single_sheet_of_tests_is_read_as_tests(reg: Register, add: Any, tmp_path: Path) -> None:
    add("Lò Văn An", birth_date="1990")
    rows = [TESTS, [1, "Lò Văn An", "1990", None, "01/11/2026", "Đột xuất", "Âm tính"]]
    plan = plan_import(reg, workbook(tmp_path / "xn.xlsx", {"Sheet1": rows}))
    assert [(r.kind, r.fate) for r in plan.rows] == [("tests", IMPORT)]


def test_a_treatment_row_for_a_suspect_on_the_register_is_a_duplicate(
    reg: Register, person: str, tmp_path: Path
) -> None:
    actions.suspected(reg, person, "01/10/2026")
    rows = [PEOPLE, [1, "Nguyễn Văn An", "1990", "Nam", None, None, "Nghiện", "05/10/2026"]]
    plan = plan_import(reg, workbook(tmp_path / "ds.xlsx", {"Đối tượng": rows}))
    assert plan.rows[0].fate == DUPLICATE and plan.rows[0].match_id == person


def test_three_thousand_rows_with_progress(reg: Register, tmp_path: Path) -> None:
    places.save_village(reg, {"name": "Bản Mòng"})
    rows: list[list[Any]] = [PEOPLE]
    for i in range(3000):
        number = f"0140{90 + i % 10:02d}{i:06d}"
        rows.append([i + 1, f"Người Số {i}", str(1990 + i % 10), "Nam", number, "Bản Mòng",
                     "Sử dụng trái phép", date(2026, 1 + i % 10, 1)])  # fmt: skip
    tests = [TESTS] + [
        [i + 1, f"Người Số {i}", None, f"0140{90 + i % 10:02d}{i:06d}", date(2026, 11, 2),
         "Định kỳ", "Âm tính"]
        for i in range(0, 3000, 3)
    ]  # fmt: skip
    path = workbook(tmp_path / "lon.xlsx", {"Đối tượng": rows, "Xét nghiệm": tests})
    seen: list[tuple[str, int, int]] = []
    plan = plan_import(reg, path, lambda text, done, total: seen.append((text, done, total)))
    assert plan.importable == 4000 and plan.rejected == 0
    assert len(seen) > 5 and all(done <= total for _, done, total in seen)
    result = apply_import(reg, plan, lambda *a: seen.append(a))
    assert (result.people, result.episodes, result.tests) == (3000, 3000, 1000)
    assert seen[-1] == ("Đã nhập xong.", 4000, 4000)
    assert plan_import(reg, path).importable == 0


@pytest.mark.parametrize(
    ("cell", "stored"),
    [(datetime(1990, 5, 17), "1990-05-17"), ("17/05/1990", "1990-05-17"),
     ("17/5/90", "1990-05-17"), ("17.05.1990", "1990-05-17"), ("05/1990", "1990-05"),
     ("1990", "1990"), (1990, "1990"), (1990.0, "1990"), (32980, "1990-04-17"),
     ("1990-05-17 00:00:00", "1990-05-17"), (" 1990 ", "1990")],
)  # fmt: skip
def test_birth_dates_as_communes_write_them(
    reg: Register, tmp_path: Path, cell: Any, stored: str
) -> None:
    path = workbook(tmp_path / "ds.xlsx", {"DS": [["Họ tên", "Ngày sinh"], ["Lò Văn An", cell]]})
    apply_import(reg, plan_import(reg, path))
    assert persons(reg)["Lò Văn An"]["birth_date"] == stored


def test_numbers_that_lost_their_leading_zero(reg: Register, tmp_path: Path) -> None:
    rows = [["Họ tên", "Năm sinh", "CMND/CCCD", "SĐT"],
            ["Lò Văn An", 1990, 1090012345, 912345678],
            ["Lò Văn Ba", 1990, 12345678, "0912 345 678"]]  # fmt: skip
    apply_import(reg, plan_import(reg, workbook(tmp_path / "ds.xlsx", {"DS": rows})))
    saved = persons(reg)
    assert (saved["Lò Văn An"]["id_number"], saved["Lò Văn An"]["phone"]) == (
        "001090012345", "0912345678",
    )  # fmt: skip
    assert (saved["Lò Văn Ba"]["id_number"], saved["Lò Văn Ba"]["id_kind"]) == ("012345678", "cmnd")


def test_the_signatures_under_a_list_are_not_people(reg: Register, tmp_path: Path) -> None:
    rows = [
        PEOPLE,
        [1, "Lò Văn An", "1990", None, None, None, None, None, None, None, None, "Tổng cộng 2 lần"],
        [2, "Lò Văn Ba", "1991"],
        [],
        [None, None, None, None, None, None, None, "Mường Bú, ngày 20 tháng 11 năm 2026"],
        [None, "NGƯỜI LẬP BIỂU", None, None, None, None, None, "TRƯỞNG CÔNG AN XÃ"],
        [None, "(Ký, ghi rõ họ tên)"],
        [None, "Cầm Văn Cán", None, None, None, None, None, "Nguyễn Văn Trưởng"],
    ]  # fmt: skip
    plan = plan_import(reg, workbook(tmp_path / "ds.xlsx", {"Đối tượng": rows}))
    assert [r.name for r in plan.rows] == ["Lò Văn An", "Lò Văn Ba"]
    assert plan.problems[0].message == (
        "Sheet “Đối tượng”: danh sách dừng ở dòng 5 (“Mường Bú, ngày 20 tháng 11 năm 2026”); "
        "phần ký tên bên dưới không được nhập."
    )


def test_group_headings_give_their_village_and_category(reg: Register, tmp_path: Path) -> None:
    # Lists grouped by village, then by category, without a village or category column.
    rows = [
        ["STT", "Họ và tên", "Năm sinh", "Ngày bắt đầu"],
        ["I", "BẢN MÒNG"],
        [None, "1. Người nghiện"],
        [1, "Lò Văn An", 1990, "01/03/2026"],
        [2, "Lò Văn Ba", 1991],
        ["II", "Bản Nà Sản"],
        [3, "Cầm Văn Ca", 1992, "01/03/2026"],
    ]  # fmt: skip
    source = workbook(tmp_path / "nhom.xlsx", {"Đối tượng": rows})
    plan = plan_import(reg, source)
    assert [(r.row, r.name, r.fate) for r in plan.rows] == [
        (4, "Lò Văn An", IMPORT), (5, "Lò Văn Ba", REJECTED), (7, "Cầm Văn Ca", IMPORT),
    ]  # fmt: skip
    assert "Ngày bắt đầu: không được để trống (diện “Nghiện ma túy”" in plan.rows[1].reason
    assert plan.villages == ["Bản Mòng", "Bản Nà Sản"]
    assert "dòng tiêu đề nhóm 2 (“BẢN MÒNG”), 3 (“Người nghiện”), 6 (“Bản Nà Sản”)" in (
        plan.problems[0].message
    )
    apply_import(reg, plan)
    saved = persons(reg)
    assert (saved["Lò Văn An"]["village"], saved["Cầm Văn Ca"]["village"]) == (
        "Bản Mòng", "Bản Nà Sản",
    )  # fmt: skip
    categories = {r[0] for r in reg.db.execute("SELECT category FROM episodes")}
    assert categories == {"addict"}  # "Người nghiện" goes on to Cầm Văn Ca's group too
    # The rejected row comes back under its headings, and imports the same way once corrected.
    out = tmp_path / "nhom-loi.xlsx"
    write_rejected(plan, out)
    book = load_workbook(out)
    sheet = book["Đối tượng"]
    assert [r[:4] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("I", "BẢN MÒNG", None, None), (None, "1. Người nghiện", None, None),
        (2, "Lò Văn Ba", 1991, None),
    ]  # fmt: skip
    sheet.cell(4, 4).value = "02/03/2026"
    book.save(out)
    again = plan_import(reg, out)
    assert [r.fate for r in again.rows] == [IMPORT]
    apply_import(reg, again)
    assert persons(reg)["Lò Văn Ba"]["village"] == "Bản Mòng"


def test_a_village_merged_down_its_rows(reg: Register, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for row in (["STT", "Họ và tên", "Năm sinh", "Thôn", "Ghi chú"],
                [1, "Lò Văn An", 1990, "Bản Mòng", "gộp ô"],
                [2, "Lò Văn Ba", 1991],
                [3, "Lò Văn Ca", 1992],
                [4, "Cầm Văn Dũng", 1993, "Bản Nà Sản"]):  # fmt: skip
        sheet.append(row)
    sheet.merge_cells("D2:D4")
    sheet.merge_cells("E2:E3")
    book.save(tmp_path / "gop.xlsx")
    apply_import(reg, plan_import(reg, tmp_path / "gop.xlsx"))
    saved = persons(reg)
    assert [saved[n]["village"] for n in ("Lò Văn An", "Lò Văn Ba", "Lò Văn Ca")] == [
        "Bản Mòng"
    ] * 3
    assert saved["Cầm Văn Dũng"]["village"] == "Bản Nà Sản"
    assert [saved[n]["notes"] for n in ("Lò Văn An", "Lò Văn Ba", "Lò Văn Ca")] == [
        "gộp ô", "gộp ô", "",
    ]  # fmt: skip
