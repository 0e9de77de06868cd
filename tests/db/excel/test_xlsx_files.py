"""Files that are not what the import expects: a clear message, never a crash or a half import.

And the template: what it holds, and that a filled-in template comes back in.
"""

from __future__ import annotations

import base64
import re
import zipfile
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from db.core.errors import UserError
from db.excel.importer import IMPORT, apply_import, plan_import
from db.excel.template import write_template
from db.store.register import Register

# A real password-protected workbook (password "secret"), encrypted by msoffcrypto-tool the way
# Excel does it: an OLE2 compound file holding EncryptionInfo and EncryptedPackage streams.
ENCRYPTED_XLSX = (
    "eNrtV1lz2lYUvniL7W5JlzR100SjVxoLsXkZIGU1m7ABs74JSYCMkGRJLKLTH5Of0H/Rt/apb51J3/obOlO7R0JgwH"
    "aKnHS6jI/m09W9V/d89yz3CH768dHrV9/v/IoWJIRW0cXlFtqYGXMAViadh+O+gYvLy8vJ8OW9/KfkD4ARv1WI3ZoV"
    "SyPmDwCbVv/i3k3/W5mc39WZWC/Gfxva9wDvAz4AfAj4aFwC0CPAx4BPAJ8CPgM8BnwOeAL4ArAD+BLwFPAV4Bngua"
    "X7Xv5ZKSAJLg1hKI5EaBWkIzvyGK1Pa/72Le+8/vrn3z2jXxyTdh1ZyQVisDImqwzsHGLRCaJhpAP3FvT/SnD4Is3a"
    "swz/Foz9Zs1toBgwaYAi7MBg5pBqw/4n8AWccK8taf/sXBn4FGDkIQoisi8P0YrDrv3GWNaau249Ba28NP8O8Bu1Y9"
    "369i/Db/yGkG/lT4EfmuCN5eQpcpj2PzBjad//RTPnDd+3FnJxHJHr+5sX7x38b+TJN9bcKfDRwKOaNiuoa9/+af5t"
    "/g32X9/fov2Oqf1bd+DfgPOuAFcXWOzWHmR+e+z738jVH9BN9Wdss50IPAP+Fet3sJ3682od/SskAKDAbsbMAhXQBD"
    "/soqjpCSPzeWiNGrV7Y6Wc/Adw3JF/01rbntGBLfFdcL+DszvL777jWaha6416+i1KwHWAwsgDrQvuL5AP+UFXAp68"
    "8ESaYxHYWQxmjNkwjJPgbRJGXGgP9mG89x3K2YjLsnu9LVZrb5E/a3AZtSzwctgVsD6nqLwkBnFy14VjnMhILC+2gn"
    "jpNPFiH8dUjRZZWpBELojrnIq/DG0H4CVFlzVYhYEGUQ3ibU2TDwlCZdpcl1Z3uzyjSKrU1HYZqUtIzSbPcITb5fIT"
    "V0vx8dpD2cbqDqfHxwokhZBpVR1ICjtRxNxVEcMpGg9ztMbhoW0MJADzMVqjMZUWtCI/AttJP441BInpXHXhpQivgf"
    "VuH/TatNoez/m9uKllKgwvtzklLLQkhdfa3SAejhdxazTapnnRdPjkiZJYLhqJjjXOLComwz7SjZt7KtNCD5iIaok8"
    "02OVRlpj805fjhOGiWQ+GMQxwjKEBStSosa1QImOWd7n2GSXZjKcHsQpdrTnjDvrjUqbHRKNmrcgpUjvaad1Gqun/E"
    "PJM2CzVJrNn0U0NiZS5J6gNWiP4MoohaLG1vbL5UK45aey53o1q+Qo7zBXr5fMHcxxWfsN90mmFD1PaQf9MB3JVkuF"
    "avK0kkmdKzR9xhBZV98/qvdPsoTGKXudci828FIjji2Lo0QuljmtuXtyrtkQ2L3qfiQSTZTLg2PXcDBr72xg1dA0DH"
    "PjWE/h3zrpQnMhDsiHU3vBr5gq82JU6okaZIrLENxGKs0nz4LMpdm7zaw38s5kXfGoUk/5+vulAZWKlz2xujPBRQdz"
    "MS9zCpwoTkkCUUqUe+CHk4rOx8MZJnEk1/O5cFrvHJSbLVj1RtobNVr7yPVraVU8Spwn83662RQUj6/i7dZ1Kp2lMt"
    "lj0u9JtOj2yRF/fNDP1ZxnZ5VWsSuKBNPLl1NiRM82crFjlzddSA89xw0iKdYP+GR4zg6IpUWWjrv0/KjGMUpM15m8"
    "4j06oflim9TSKYGSnEPSw8bZhGdYIpmrdDRTYy6BrDQlFvI0MFMYQ9voXu7ldvkTJ/pCRQ=="
)
# "Họ và tên;Ngày sinh / Lò Văn An;1990" as an old program saves it, in Windows-1258.
NOT_UTF8 = b"Ho\xf2 v\xe0 t\xean;Ng\xe0y sinh\nLo\xcc V\xe3n An;1990\n"


def unpack(data: str) -> bytes:
    return zlib.decompress(base64.b64decode(data))


def count(reg: Register, table: str) -> int:
    return int(reg.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _good(path: Path, rows: list[list[Any]] | None = None) -> Path:
    book = Workbook()
    for row in rows or [["Họ và tên", "Ngày sinh"], ["Lò Văn An", "1990"]]:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _write(d / "ds.xlsx", unpack(ENCRYPTED_XLSX)), "được đặt mật khẩu"),
        (lambda d: _write(d / "ds.csv", NOT_UTF8), "không phải tệp CSV mã UTF-8"),
        (
            lambda d: _write(d / "ds.xls", b"<html><table><tr><td>x</td></tr></table>"),
            "không phải tệp Excel",
        ),
        (lambda d: _write(d / "ds.xlsx", b"%PDF-1.4 not a workbook"), "không phải tệp Excel"),
        (lambda d: _write(d / "ds.xlsx", b""), "rỗng (0 byte)"),
        (lambda d: _write(d / "ds.xlsx", _good(d / "g.xlsx").read_bytes()[:900]), "bị hỏng"),
        (lambda d: d / "khong-co.xlsx", "Không tìm thấy tệp"),
        (lambda d: d, "là một thư mục"),
    ],
    ids=[
        "encrypted",
        "csv-not-utf8",
        "html-as-xls",
        "pdf",
        "empty-file",
        "truncated",
        "missing",
        "folder",
    ],
)
def test_a_file_that_cannot_be_read_says_why(
    reg: Register, tmp_path: Path, make: Any, message: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(UserError, match=re.escape(message)) as caught:
        plan_import(reg, path)
    if path.is_file():
        assert path.name in caught.value.message
    assert count(reg, "persons") == 0


def test_a_zip_that_is_not_a_workbook(reg: Register, tmp_path: Path) -> None:
    path = tmp_path / "ds.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UserError, match=r"ds\.ods” bị hỏng: .*LibreOffice \(\.ods\)"):
        plan_import(reg, path)


def test_a_workbook_open_in_another_program(
    reg: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _good(tmp_path / "ds.xlsx")

    def locked(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", locked)
    with pytest.raises(UserError, match="đang mở trong chương trình khác"):
        plan_import(reg, path)


def test_empty_sheets_and_a_header_without_rows(reg: Register, tmp_path: Path) -> None:
    book = Workbook()
    book.create_sheet("Trống 2")
    book.save(tmp_path / "trong.xlsx")
    with pytest.raises(UserError, match="không có dữ liệu: các sheet đều trống"):
        plan_import(reg, tmp_path / "trong.xlsx")
    _good(tmp_path / "tieude.xlsx", [["STT", "Họ và tên", "Ngày sinh"]])
    with pytest.raises(UserError, match="có dòng tiêu đề nhưng không có dòng dữ liệu"):
        plan_import(reg, tmp_path / "tieude.xlsx")
    _good(tmp_path / "khac.xlsx", [["Báo cáo tháng"], ["Số vụ", 3], ["Số người", 4]])
    with pytest.raises(UserError, match="không tìm thấy dòng tiêu đề"):
        plan_import(reg, tmp_path / "khac.xlsx")


def test_formulas_are_read_as_their_values(reg: Register, tmp_path: Path) -> None:
    # A workbook last saved by Excel keeps each formula's value; the import reads that value.
    path = _good(tmp_path / "ct.xlsx", [["Họ và tên", "Ngày sinh"], ["Lò Văn An", "=1980+10"]])
    plan = plan_import(reg, path)
    # openpyxl does not compute formulas: with no value saved the cell is empty, not "=1980+10".
    assert plan.rows[0].fate == IMPORT and plan.rows[0].birth == ""


def test_the_template(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(path)
    book = load_workbook(path)
    assert book.sheetnames == ["Đối tượng", "Xét nghiệm", "Hướng dẫn"]
    people = [c.value for c in book["Đối tượng"][1]]
    assert people == [
        "STT", "Họ và tên", "Tên gọi khác", "Ngày sinh", "Giới tính", "Số CCCD", "Dân tộc",
        "Thôn/Bản/Tổ dân phố", "Nơi thường trú", "Nơi ở hiện tại", "Nghề nghiệp",
        "Diện quản lý", "Ngày bắt đầu", "Số quyết định", "Ngày quyết định",
        "Ngày kết thúc dự kiến", "Cai nghiện trước đó", "Chất sử dụng", "Ghi chú",
    ]  # fmt: skip
    tests = [c.value for c in book["Xét nghiệm"][1]]
    assert tests == [
        "STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Ngày xét nghiệm",
        "Hình thức (Định kỳ / Đột xuất)", "Kết quả (Âm tính / Dương tính)", "Chất dương tính",
        "Người thực hiện", "Ghi chú",
    ]  # fmt: skip
    sheet = book["Đối tượng"]
    assert sheet["B1"].font.b and sheet.freeze_panes == "C2"
    assert sheet["D2"].number_format == "dd/mm/yyyy" and sheet["F2"].number_format == "@"
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["E2:E501"] == '"Nam,Nữ"'
    assert "Cai nghiện bắt buộc" in lists["L2:L501"] and "Nghi vấn" in lists["L2:L501"]
    # Post-rehab: the decided end (a date column) or the rehab before it (a list).
    assert sheet["P1"].value == "Ngày kết thúc dự kiến"
    assert sheet["P2"].number_format == "dd/mm/yyyy"
    assert sheet["Q1"].value == "Cai nghiện trước đó"
    assert lists["Q2:Q501"] == (
        '"Cai nghiện tại gia đình,Cai nghiện tại cộng đồng,Cai nghiện tại cơ sở,'
        'Cai nghiện bắt buộc"'
    )
    checks = {str(v.sqref): v.formula1 for v in book["Xét nghiệm"].data_validations.dataValidation}
    assert checks == {"F2:F501": '"Định kỳ,Đột xuất"', "G2:G501": '"Âm tính,Dương tính"'}
    assert "Hướng dẫn" not in [c.value for c in sheet[2]]


def test_a_filled_in_template_comes_in(reg: Register, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(path)
    book = load_workbook(path)
    book["Đối tượng"].append(
        [1, "Lò Văn An", "Tý", date(1990, 5, 17), "Nam", "014090001234", "Thái", "Bản Mòng",
         "Mường Bú", "Mường Bú", "Làm ruộng", "Cai nghiện tại cộng đồng", date(2026, 9, 1),
         "15/QĐ-UBND", date(2026, 8, 30), None, None, "Heroin", "Gia đình hợp tác"]
    )  # fmt: skip
    book["Xét nghiệm"].append(
        [1, "Lò Văn An", date(1990, 5, 17), "014090001234", date(2026, 10, 1), "Định kỳ",
         "Dương tính", "Heroin, MOP", "Lò Văn Cán", "Que thử 5 chân"]
    )  # fmt: skip
    book.save(path)
    plan = plan_import(reg, path)
    # The formatted but empty rows below are not rows of the list, nor is the guidance sheet.
    assert [(r.kind, r.fate) for r in plan.rows] == [("people", IMPORT), ("tests", IMPORT)]
    assert plan.villages == ["Bản Mòng"] and plan.problems == []
    result = apply_import(reg, plan)
    assert (result.people, result.episodes, result.tests, result.villages) == (1, 2, 1, 1)
    person = reg.db.execute(
        "SELECT other_names, ethnicity, occupation, notes FROM persons"
    ).fetchone()
    assert person == ("Tý", "Thái", "Làm ruộng", "Gia đình hợp tác")
    # Under management (rehab at home): the substances are declared on the day it began.
    declared = reg.db.execute("SELECT declared_on, substances FROM substance_declarations")
    assert declared.fetchall() == [("2026-09-01", "HER")]
    episode = reg.db.execute(
        "SELECT start_date, decision_no, decision_date, planned_end FROM episodes "
        "WHERE category = 'rehab_home'"
    ).fetchone()
    assert episode == ("2026-09-01", "15/QĐ-UBND", "2026-08-30", "2027-03-01")
    test = reg.db.execute("SELECT positives, officer, notes FROM drug_tests").fetchone()
    assert test == ("HER,MOP", "Lò Văn Cán", "Que thử 5 chân")
