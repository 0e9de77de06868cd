"""Lists back out as spreadsheets, the round trip, and the three commands (issue 7)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from cli.xlsx_commands import add_xlsx_parsers
from db.commune import places
from db.core.errors import UserError
from db.demo.fill import fill_demo
from db.duties import actions
from db.excel.export import export_people, export_tests
from db.excel.importer import apply_import, plan_import
from db.persons import drugtests, people
from db.persons.listing import PersonFilter
from db.store.register import Register, open_register

TODAY = date(2026, 11, 20)


@pytest.fixture
def small(reg: Register) -> dict[str, str]:
    mong = places.save_village(reg, {"name": "Bản Mòng"})
    na = places.save_village(reg, {"name": "Bản Nà Sản"})
    an = people.add_person(
        reg,
        {"full_name": "Nguyễn Văn An", "birth_date": "17/05/1990", "sex": "Nam",
         "id_number": "001090012345", "village_id": mong, "notes": "Hay đi rẫy"},
    )  # fmt: skip
    binh = people.add_person(
        reg, {"full_name": "Lò Thị Bình", "birth_date": "1995", "sex": "Nữ", "village_id": na}
    )
    actions.management_decision(reg, an, "01/03/2026", decision_no="12/QĐ-UBND")
    actions.start_treatment(reg, binh, "rehab_home", "01/06/2026", decision_no="3/QĐ")
    drugtests.record_test(reg, an, "02/03/2026", positives="MET")
    drugtests.record_test(reg, an, "02/10/2026", result="negative", kind="surprise")
    drugtests.record_test(reg, binh, "05/11/2026", result="negative", officer="Cầm Văn Cán")
    return {"an": an, "binh": binh, "mong": mong}


def rows_of(path: Path, sheet: str) -> list[list[Any]]:
    return [list(r) for r in load_workbook(path)[sheet].iter_rows(values_only=True)]


def test_the_register_as_a_spreadsheet(reg: Register, small: dict[str, str], tmp_path: Path):
    out = tmp_path / "so.xlsx"
    done = export_people(reg, out)
    assert (done.people, done.tests) == (2, None)
    book = load_workbook(out)
    assert book.sheetnames == ["Đối tượng"]
    sheet = book["Đối tượng"]
    header = [c.value for c in sheet[1]]
    assert header[:19] == [
        "STT", "Họ và tên", "Tên gọi khác", "Ngày sinh", "Giới tính", "Số CCCD", "Dân tộc",
        "Thôn/Bản/Tổ dân phố", "Nơi thường trú", "Nơi ở hiện tại", "Nghề nghiệp",
        "Diện quản lý", "Ngày bắt đầu", "Số quyết định", "Ngày quyết định",
        "Ngày kết thúc dự kiến", "Cai nghiện trước đó", "Chất sử dụng", "Ghi chú",
    ]  # fmt: skip
    assert "Tình trạng hiện tại" in header and "Xét nghiệm gần nhất" in header
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    by_name = {r[1]: dict(zip(header, r, strict=False)) for r in rows_of(out, "Đối tượng")[1:]}
    an, binh = by_name["Nguyễn Văn An"], by_name["Lò Thị Bình"]
    # In Vietnamese order: An before Bình.
    assert [r[1] for r in rows_of(out, "Đối tượng")[1:]] == ["Nguyễn Văn An", "Lò Thị Bình"]
    assert an["Ngày sinh"] == datetime(1990, 5, 17) and binh["Ngày sinh"] == "1995"
    assert an["Số CCCD"] == "001090012345" and an["Giới tính"] == "Nam"
    assert an["Diện quản lý"] == "Sử dụng trái phép (đang quản lý)"
    assert an["Ngày bắt đầu"] == datetime(2026, 3, 1) and an["Số quyết định"] == "12/QĐ-UBND"
    # What the person declared (none yet), not the positive test of 02/03/2026.
    assert an["Chất sử dụng"] is None and an["Ghi chú"] == "Hay đi rẫy"
    assert an["Ngày kết thúc dự kiến"] == datetime(2027, 3, 1)
    assert an["Xét nghiệm gần nhất"] == datetime(2026, 10, 2)
    assert binh["Diện quản lý"] == "Cai nghiện tự nguyện tại gia đình, cộng đồng"
    assert binh["Tình trạng hiện tại"] == (
        "Cai nghiện tự nguyện tại gia đình, cộng đồng; Nghiện ma túy"
    )
    date_cell = sheet.cell(2, header.index("Ngày sinh") + 1)
    assert date_cell.number_format == "dd/mm/yyyy" and date_cell.is_date
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["B"] >= len("Nguyễn Văn An") and widths["Q"] > widths["A"]


def test_the_filtered_list_and_the_tests_of_a_period(
    reg: Register, small: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "loc.xlsx"
    done = export_people(
        reg, out, PersonFilter(village_id=small["mong"]),
        tests_between=(date(2026, 10, 1), date(2026, 11, 30)),
    )  # fmt: skip
    assert (done.people, done.tests) == (1, 2)
    assert [r[1] for r in rows_of(out, "Đối tượng")[1:]] == ["Nguyễn Văn An"]
    tests = rows_of(out, "Xét nghiệm")
    assert tests[0][:10] == [
        "STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Ngày xét nghiệm",
        "Hình thức (Định kỳ / Đột xuất)", "Kết quả (Âm tính / Dương tính)", "Chất dương tính",
        "Người thực hiện", "Ghi chú",
    ]  # fmt: skip
    assert [r[1:8] for r in tests[1:]] == [
        ["Nguyễn Văn An", datetime(1990, 5, 17), "001090012345", datetime(2026, 10, 2),
         "Đột xuất", "Âm tính", None],
        ["Lò Thị Bình", "1995", None, datetime(2026, 11, 5), "Định kỳ", "Âm tính", None],
    ]  # fmt: skip
    only = tmp_path / "xn.xlsx"
    assert export_tests(reg, only, date(2026, 3, 1), date(2026, 3, 31)) == 1
    assert rows_of(only, "Xét nghiệm")[1][7] == "Methamphetamine (ma túy đá)"


def test_an_export_that_cannot_be_written(
    reg: Register, small: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UserError, match="không tồn tại"):
        export_people(reg, tmp_path / "khong-co" / "so.xlsx")
    out = tmp_path / "so.xlsx"
    out.write_bytes(b"the officer's older file")

    def locked(self: Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"half")
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Workbook, "save", locked)
    with pytest.raises(UserError, match="đang mở trong Excel"):
        export_people(reg, out)
    # Nothing half-written: the old file is as it was, and no temporary file is left.
    assert out.read_bytes() == b"the officer's older file"
    # (The register's own files beside it are not the export's.)
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("so.db"))
    assert left == ["so.xlsx"]


def test_round_trip_brings_in_nothing_new(tmp_path: Path) -> None:
    reg = open_register(tmp_path / "so.db", create=True, today=lambda: TODAY)
    fill_demo(reg, persons=150, seed=7)
    out = tmp_path / "so.xlsx"
    done = export_people(reg, out, tests_between=(date(2000, 1, 1), TODAY))
    plan = plan_import(reg, out)
    assert plan.importable == 0 and plan.rejected == 0
    assert plan.duplicates == done.people + (done.tests or 0)
    # The same file into an empty register brings everyone and every test in.
    fresh = open_register(tmp_path / "moi.db", create=True, today=lambda: TODAY)
    again = plan_import(fresh, out)
    assert again.rejected == 0 and again.duplicates == 0
    result = apply_import(fresh, again)
    assert (result.people, result.tests) == (done.people, done.tests)
    assert plan_import(fresh, out).importable == 0
    reg.close()
    fresh.close()


def run(argv: list[str], db: Path) -> int:
    parser = argparse.ArgumentParser()
    add_xlsx_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.handler(db, args))


def test_the_commands(
    reg: Register, small: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = reg.path
    template = tmp_path / "mau.xlsx"
    assert run(["template-xlsx", "--db", str(db), "--out", str(template)], db) == 0
    assert load_workbook(template).sheetnames == ["Đối tượng", "Xét nghiệm", "Hướng dẫn"]

    source = tmp_path / "ds.xlsx"
    book = Workbook()
    for row in (["Họ và tên", "Ngày sinh", "Số CCCD", "Diện quản lý", "Ngày bắt đầu"],
                ["Nguyễn Văn An", "17/05/1990", "001090012345"],
                ["Vì Văn Mới", "1988", None, "Nghi vấn", "01/11/2026"],
                ["Vì Văn Sai", "1988", "123"]):  # fmt: skip
        book.active.append(row)
    book.save(source)
    capsys.readouterr()
    assert run(["import-xlsx", "--db", str(db), str(source), "--dry-run"], db) == 0
    out = capsys.readouterr().out
    assert "Chạy thử (--dry-run): chưa ghi gì vào sổ." in out
    assert "Đã nhập: 0; có thể trùng: 1; bị từ chối: 1." in out
    assert "Vì Văn Sai — Số CCCD" in out and "ds-loi.xlsx" in out
    assert (tmp_path / "ds-loi.xlsx").exists()
    assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 2

    assert run(["import-xlsx", "--db", str(db), str(source)], db) == 0
    out = capsys.readouterr().out
    assert "Đã nhập: 1; có thể trùng: 1; bị từ chối: 1." in out
    assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 3

    exported = tmp_path / "ra.xlsx"
    argv = ["export-xlsx", "--db", str(db), "--out", str(exported), "--village", "ban mong",
            "--tests-from", "01/01/2026", "--tests-to", "2026-11-20"]  # fmt: skip
    assert run(argv, db) == 0
    assert "1 người, 3 lần xét nghiệm." in capsys.readouterr().out
    assert run(["export-xlsx", "--db", str(db), "--out", str(exported), "--category",
                "nghi vấn"], db) == 0  # fmt: skip
    assert [r[1] for r in rows_of(exported, "Đối tượng")[1:]] == ["Vì Văn Mới"]
    with pytest.raises(UserError, match="Không có thôn/bản “Bản Xa”"):
        run(["export-xlsx", "--db", str(db), "--out", str(exported), "--village", "Bản Xa"], db)
