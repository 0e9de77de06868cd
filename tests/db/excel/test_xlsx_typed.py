"""Values come in as typed (issue 11), from every format a commune may keep: .xlsx, .xls, .ods, CSV.

A birth year typed as a number into the program's own template (whose date columns are
formatted dd/mm/yyyy) used to come in as 1905: Excel keeps it as day 1985 of its calendar.
"""

from __future__ import annotations

import base64
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from db.excel.importer import IMPORT, REJECTED, apply_import, plan_import
from db.excel.template import write_template
from db.store.register import Register
from tests.db.excel.crafted import (
    ods,
    ods_date,
    ods_number,
    ods_row,
    ods_text,
    with_cached_value,
)
from tests.db.excel.test_xlsx_export import run

# Made by tests/db/excel/xls_fixture.py (xlwt 1.3.0); what it holds is said there.
XLS_LIST = (
    "eNrtWE1IVFEU/u57M85POo6mgQbTIGRlwsykki50Uitb5GA5VERQ2oiK+YxJAluUZS6DoFXRRjKijdmmH4oo2kR/Zi2C"
    "IBiTNrUqDFqor3PPvBlHM3CgBON9j3fePeee893z7t/7eTOWExu6XTiBBaiBilndgYwUm6DTkVDcoHpdl8XE1U6nbmJF"
    "wWGngcyw4kHWS5scQzneE1AwanlCEvhE5yEcR6hHa/MuI+o4hxYhc6gmKXCVLC4UcFa5LI+yXM3yFns+ZLmNLRdYVpNv"
    "TBzEWDBUUmnM4gNKEde5IHnvcswHtgSQj2dyFp+5KOK+VtRGO1uOrbAKjyUTw6ABbWjT2qJSz8Z1OIFIxNfd7esjxJBH"
    "gz2MH7oXmEqs6sde0768dgGy/5xvt/3BbqdBXGi/pFiAfuhHeJEMohBPLbLGIdxi3NNJ3r0YFZMeDe2YxmtkUp08VaA5"
    "HHZA7MIrjxcnEWPXL9DkHh9qj/V5T3RqHTaIZoyTQz0f20Hk4Y4pjQJ34zuF7IMqNLrWUiDx+gPl/soKvz+wpazcDlGH"
    "ax5Z20i+MoNkWBgdeEG0dWiheSnqccPTncJWz2YEtvr8Fb5AVVXAOccV4lSbWXPKO+UtzD1vC8vipZ1JMoJsLufwAndT"
    "H07f/Pa2sbUpeJgt/fzYij/c1su+hI6zMoKCXVzD3UkrCyjhiM0szzHrWi4XsswjH7oWN+UbhZ0D7HOea4upnTLGu+CG"
    "lPJGKg9+3XPPMzgZ3ETlkYaJU3kj74NDKKLeilC8PAZQKkrFlcsS94OJqzA2wo8sC37bFO2K28hdN57g2ZjhPgP1h0Rc"
    "k70jkppi9FVcU0lTk5qFNIvBLBYwn1acbMvhEZD+gpllz8XrFMo3Y12iTp3nKZltBrOyCLPCzE7DPz6idoNZYebnqoJH"
    "ZFOMLCWTugiTykwug0llJkdSU1JaUZlpFWmfjbuR3BbUKLm4IxOiR80cnDBhwoQJEyZMmFgBEPzCx58D/GJnNV6gbcZ/"
    "nRk6Z83fJP8t9qKHjl76oNpBH2i9iKIvrfmzBlaR4BJLjEn8L5TYT61H0YVWzqMr7flLH0Ai9X6WHOj+e0so3fZn08nz"
    "H7f/C0DVAuQ="
)


def filled_template(path: Path, birth: Any, cccd: str, **more: Any) -> Path:
    """The program's template with one person, the birth date cell holding `birth` as is."""
    write_template(path)
    book = load_workbook(path)
    sheet = book["Đối tượng"]
    row = {"A": 1, "B": "Lò Văn An", "D": birth, "E": "Nam", "F": cccd, **more}
    for column, value in row.items():
        sheet[f"{column}2"].value = value
    book.save(path)
    return path


def birth_of(reg: Register, name: str = "Lò Văn An") -> str:
    row = reg.db.execute("SELECT birth_date FROM persons WHERE full_name = ?", [name]).fetchone()
    return str(row[0])


@pytest.mark.parametrize(
    ("birth", "cached", "stored"),
    [
        (1985, None, "1985"),  # a year typed as a number into a dd/mm/yyyy cell
        (1985.0, None, "1985"),
        ("=1980+5", "1985", "1985"),  # a formula whose saved value is the year
        ("=1985*1", "1985.0", "1985"),
        ("=DATE(1990,5,17)", "33010", "1990-05-17"),  # a formula giving a date
        ("1985", None, "1985"),  # typed as text
        ("17/05/1990", None, "1990-05-17"),
        ("17-5-1990", None, "1990-05-17"),
        ("1990-05-17", None, "1990-05-17"),
        (date(1990, 5, 17), None, "1990-05-17"),  # a real date
    ],
    ids=[
        "year",
        "year-float",
        "formula-year",
        "formula-float",
        "formula-date",
        "text-year",
        "text-dmy",
        "text-d-m-y",
        "text-iso",
        "date",
    ],
)
def test_a_birth_date_comes_in_as_typed_in_the_template(
    reg: Register, tmp_path: Path, birth: Any, cached: str | None, stored: str
) -> None:
    cccd = "014085001234" if stored.startswith("1985") else "014090001234"
    path = filled_template(tmp_path / "mau.xlsx", birth, cccd)
    if cached is not None:
        with_cached_value(path, "D2", cached)
    plan = plan_import(reg, path)
    assert [(r.fate, r.reason) for r in plan.rows] == [(IMPORT, "")]
    apply_import(reg, plan)
    assert birth_of(reg) == stored


def test_a_year_in_a_full_date_column_is_refused_as_a_year(reg: Register, tmp_path: Path) -> None:
    # "Ngày bắt đầu" (column M) is a dd/mm/yyyy cell too: 2026 there is a year, not 18/07/1905.
    path = filled_template(
        tmp_path / "mau.xlsx", 1985, "014085001234", L="Sử dụng trái phép", M=2026
    )
    (row,) = plan_import(reg, path).rows
    assert row.fate == REJECTED
    assert row.reason == "Ngày bắt đầu: cần đủ ngày, tháng, năm (dd/mm/yyyy)."


CSV_ROWS = [
    "STT{d}Họ và tên{d}Ngày sinh{d}Số CCCD{d}Thôn{d}Ghi chú",
    '1{d}Lò Văn An{d}1985{d}014085001234{d}Bản Mòng{d}"Gia đình{d} hợp tác"',
    "2{d}Lò Thị Ba{d}17/05/1990{d}14190001234{d}Bản Mòng{d}",
    "3{d}Cầm Văn Ca{d}1991-05-17{d}{d}Bản Nà Sản{d}",
    "4{d}Cầm Thị Dung{d}17-5-1992{d}{d}{d}",
]


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf8", "utf8-bom"])
def test_a_csv_list(reg: Register, tmp_path: Path, delimiter: str, bom: bytes) -> None:
    path = tmp_path / "ds.csv"
    text = "\r\n".join(line.format(d=delimiter) for line in CSV_ROWS) + "\r\n"
    path.write_bytes(bom + text.encode())
    plan = plan_import(reg, path)
    assert [(r.row, r.fate) for r in plan.rows] == [(n, IMPORT) for n in (2, 3, 4, 5)]
    apply_import(reg, plan)
    saved = {
        r[0]: r[1:]
        for r in reg.db.execute("SELECT full_name, birth_date, id_number, notes FROM persons")
    }
    assert saved == {
        "Lò Văn An": ("1985", "014085001234", "Gia đình" + delimiter + " hợp tác"),
        # Saved from Excel as a number, the CCCD lost its leading zero: it gets it back.
        "Lò Thị Ba": ("1990-05-17", "014190001234", ""),
        "Cầm Văn Ca": ("1991-05-17", "", ""),
        "Cầm Thị Dung": ("1992-05-17", "", ""),
    }


def test_a_csv_with_commas_in_its_fields(reg: Register, tmp_path: Path) -> None:
    # Semicolons between fields, commas inside them (a header and an address): still `;`.
    path = tmp_path / "ds.csv"
    path.write_text(
        "STT;Họ và tên;Ngày, tháng, năm sinh;Nơi thường trú\n"
        "1;Lò Văn An;1985;Bản Mòng, Mường Bú, Sơn La\n"
        "2;Lò Thị Ba;17/05/1990;Thôn 1, xã Chiềng Sinh\n",
        encoding="utf-8",
    )
    apply_import(reg, plan_import(reg, path))
    saved = reg.db.execute("SELECT birth_date, permanent_address FROM persons ORDER BY birth_date")
    assert saved.fetchall() == [
        ("1985", "Bản Mòng, Mường Bú, Sơn La"), ("1990-05-17", "Thôn 1, xã Chiềng Sinh"),
    ]  # fmt: skip


def test_an_old_xls_list(reg: Register, tmp_path: Path) -> None:
    path = tmp_path / "ds.xls"
    path.write_bytes(zlib.decompress(base64.b64decode(XLS_LIST)))
    plan = plan_import(reg, path)
    assert [(r.row, r.fate) for r in plan.rows] == [(2, IMPORT), (3, IMPORT), (4, IMPORT)]
    apply_import(reg, plan)
    rows = reg.db.execute(
        "SELECT p.full_name, p.birth_date, p.id_number, v.name FROM persons p "
        "JOIN villages v ON v.id = p.village_id ORDER BY p.full_name"
    ).fetchall()
    assert rows == [
        ("Cầm Văn Ca", "1991-05-17", "", "Bản Nà Sản"),
        ("Lò Thị Ba", "1990-05-17", "", "Bản Mòng"),  # the village merged down two rows
        ("Lò Văn An", "1985", "014085001234", "Bản Mòng"),  # 1985 in a date cell: the year
    ]


def test_a_libreoffice_ods_list(reg: Register, tmp_path: Path) -> None:
    empty, covered = "<table:table-cell/>", "<table:covered-table-cell/>"
    merged = (
        '<table:table-cell table:number-rows-spanned="2" office:value-type="string">'
        "<text:p>Bản Mòng</text:p></table:table-cell>"
    )
    rows = (
        ods_row(ods_text("Họ và tên"), ods_text("Năm sinh"), ods_text("Số CCCD"), ods_text("Thôn"))
        + ods_row(ods_text("Lò Văn An"), ods_number(1985), ods_text("014085001234"), merged)
        + ods_row(ods_text("Lò Thị Ba"), ods_date("1990-05-17"), empty, covered)
        + ods_row(ods_text("Cầm Văn Ca"), ods_text("17/05/1991"), empty, ods_text("Bản Nà Sản"))
        # LibreOffice ends every sheet with its million empty rows, repeated.
        + ods_row('<table:table-cell table:number-columns-repeated="1024"/>', repeated=1048572)
    )
    plan = plan_import(reg, ods(tmp_path / "ds.ods", rows))
    assert [(r.row, r.fate) for r in plan.rows] == [(2, IMPORT), (3, IMPORT), (4, IMPORT)]
    apply_import(reg, plan)
    saved = reg.db.execute(
        "SELECT p.full_name, p.birth_date, v.name FROM persons p "
        "JOIN villages v ON v.id = p.village_id ORDER BY p.full_name"
    ).fetchall()
    assert saved == [
        ("Cầm Văn Ca", "1991-05-17", "Bản Nà Sản"),
        ("Lò Thị Ba", "1990-05-17", "Bản Mòng"),  # the village merged down two rows
        ("Lò Văn An", "1985", "Bản Mòng"),
    ]


def test_a_csv_list_from_the_command_line(
    reg: Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ds.csv"
    source.write_text("Họ và tên;Năm sinh\nLò Văn An;1985\nLò Văn Sai;32/13/1990\n")
    assert run(["import-xlsx", "--db", str(reg.path), str(source)], reg.path) == 0
    out = capsys.readouterr().out
    assert "Đã nhập: 1; có thể trùng: 0; bị từ chối: 1." in out
    assert birth_of(reg) == "1985"
    rejected = load_workbook(tmp_path / "ds-loi.xlsx")["ds"]
    assert [c.value for c in rejected[2]] == [
        "Lò Văn Sai", "32/13/1990", 3, "Ngày sinh: tháng 13 không hợp lệ (“32/13/1990”).",
    ]  # fmt: skip
