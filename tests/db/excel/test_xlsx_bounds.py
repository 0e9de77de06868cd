"""Bounded memory (issue 16): a small crafted workbook is refused or read within a stated cap.

A 403 KB workbook drove `import-xlsx` to 5.4 GB. The reader's peak memory is measured in a
fresh process (the reader allocates outside Python's heap, where tracemalloc cannot see).
"""

from __future__ import annotations

import base64
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from db.core.errors import UserError
from db.excel import read
from db.excel.guard import EMPTY_RUN
from db.excel.importer import IMPORT, plan_import
from db.store.register import Register
from tests.db.excel.crafted import ods, ods_row, ods_text, text_cell, xlsx

# The peak memory of the reading process, from Linux's /proc (getrusage's ru_maxrss would carry
# the forking test process's own size across exec).
pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
ROOT = Path(__file__).resolve().parents[3]
BOUND_MB = 400  # generous: the interpreter and its imports take ~60 MB; openpyxl took GBs
_READ = """
import re, sys
from pathlib import Path
from db.core.errors import UserError
from db.excel.book import open_book
try:
    with open_book(Path(sys.argv[1])) as book:
        for name in book.sheet_names:
            for _ in book.sheet(name).rows():
                pass
    print("read")
except UserError as exc:
    print("refused:", exc.message)
status = open("/proc/self/status").read()
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024)
"""
# A list with one more value in IV65536, the last cell of an .xls sheet (xls_fixture.py far).
FAR_XLS = (
    "eNrtWD1oU1EU/u5L0vzQpi81FRohhoJVaxdxcWmfFWodNFQHFRE0tUFDayoxCDpotWYUBCfFpdDFpdbFH3TQzUGpP4Mg"
    "CInddFJUHNo8zznvPZpqhwa1qNzvcc897/zce+7/u+/5TKw8cTtRwQ/ogQ9VO4yGGpmiFPZeTJDetpn18hAlW+OfQjhE"
    "A9kQwIOmp0EeQx7vCgxM+x8TBd5ROoSTSI/ms6kVxHaJIaM4hm6iCjdIEkWbRNUi9KjQVUJvieVDodtEclloN9mW1UHM"
    "WOnOre4sPmC0iy4KLveu+LwRyWa04gnP4vNXlGMbQG8hlxn5OxVJfyMmQePWn81nC5mRMuI0gJP4YqeAz95KfZTS8pWV"
    "K5D822J5cAn5VcMPjME+IhO8hAS++lgTVqZ6kcyRdRHTajaZxzHMoQ+s9MkmrHbiWTKF0yiL0XvkafdVafjUCRKcQo4E"
    "x9luFz6RYB8p8pT3kjjCBciqNxet+iZZDY1Eh9AsfEzWhEklz938+HL34IB1WCRjstM758E6bgJsXGAPco7WnBVMOsVj"
    "k9CLUuoa4RNC4zSTKe8YaHWZHeNic0m0HVTPFsEra30Nv4H40oc995KlWWsj8VP9lbPxqdfWBNqpyUPkz884ulSXun6N"
    "cd/ycuXuHW+Ftv20j4QMU+I3YLsNaca89BmoPxjOG/eOcu3VEvZK7LnEc0ZE4okhsdaxl9NSLdizBR+hMRmHHqMFd9iR"
    "9rEFRKChoaGhoaGhoaHx63C+XZ1rBX/JB9zbQND9rzNPqap/k/y32ItReop0N+yju2ERBZypa/6sRkB5Zall+nj/Cxn7"
    "qfYChjEocQzXPX/pNqdq27NsR/P3LaF666/WE+cfrv87pm3Pgg=="
)
HEADER = '<row r="1">' + text_cell("A1", "Họ và tên") + text_cell("B1", "Năm sinh") + "</row>"
PERSON = '<row r="2">' + text_cell("A2", "Lò Văn An") + '<c r="B2"><v>1990</v></c></row>'


def read_in_fresh_process(path: Path) -> tuple[str, int]:
    """What reading every row of `path` says, and the peak memory it took (MB)."""
    done = subprocess.run(
        [sys.executable, "-c", _READ, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    said, peak = done.stdout.strip().rsplit("\n", 1)
    return said, int(peak)


def test_a_huge_dimension_and_a_million_empty_styled_rows(reg: Register, tmp_path: Path) -> None:
    # Rows formatted but empty down to Excel's last row, as a 403 KB workbook had them.
    empty = b'<row s="1" customFormat="1" ht="15"/>' * (1_048_576 - 2)
    path = xlsx(tmp_path / "lon.xlsx", HEADER.encode() + PERSON.encode() + empty,
                dimension="A1:XFD1048576")  # fmt: skip
    assert path.stat().st_size < 500_000
    said, peak = read_in_fresh_process(path)
    assert said == "read" and peak < BOUND_MB
    assert [(r.row, r.fate) for r in plan_import(reg, path).rows] == [(2, IMPORT)]


@pytest.mark.parametrize("name", ["xa.xlsx", "xa.ods", "xa.csv"])  # the name does not matter
def test_a_value_far_from_the_list_is_refused(reg: Register, tmp_path: Path, name: str) -> None:
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = xlsx(tmp_path / name, HEADER + PERSON + far)
    said, peak = read_in_fresh_process(path)
    assert said.startswith(f"refused: Tệp “{name}”: sheet “Đối tượng” có dữ liệu tới ô XFD1048576")
    assert peak < BOUND_MB
    with pytest.raises(UserError, match="xóa các ô thừa"):
        plan_import(reg, path)


def test_an_xls_with_a_value_in_its_last_cell_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xa.xls"
    path.write_bytes(zlib.decompress(base64.b64decode(FAR_XLS)))
    said, peak = read_in_fresh_process(path)
    assert said.startswith("refused: Tệp “xa.xls”: sheet “Đối tượng” có dữ liệu tới ô IV65536")
    assert peak < BOUND_MB  # read, the sheet would take ~1 GB


def test_formatted_cells_far_away_are_no_cost(reg: Register, tmp_path: Path) -> None:
    # Borders down to row 200,000 and out to column XFD: cells without a value.
    styled = b"".join(
        b'<row r="%d"><c r="A%d" s="1"/><c r="XFD%d" s="1"/></row>' % (n, n, n)
        for n in range(3, 200_001)
    )
    path = xlsx(tmp_path / "vien.xlsx", HEADER.encode() + PERSON.encode() + styled)
    said, peak = read_in_fresh_process(path)
    assert said == "read" and peak < BOUND_MB
    assert [(r.row, r.fate) for r in plan_import(reg, path).rows] == [(2, IMPORT)]


def test_a_binary_workbook_is_refused(reg: Register, tmp_path: Path) -> None:
    # .xlsb sheets are binary: how far they reach cannot be checked before reading.
    path = tmp_path / "ds.xlsb"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    with pytest.raises(UserError, match=r"“ds\.xlsb” là sổ làm việc nhị phân Excel \(\.xlsb\)"):
        plan_import(reg, path)


def test_a_zip_bomb_of_shared_strings_is_refused(tmp_path: Path) -> None:
    strings = b'<sst count="1" uniqueCount="1"><si><t>' + b"A" * (300 * 2**20) + b"</t></si></sst>"
    path = xlsx(tmp_path / "bom.xlsx", HEADER + PERSON, shared=strings)
    assert path.stat().st_size < 2 * 2**20
    said, peak = read_in_fresh_process(path)
    assert said.startswith("refused: Tệp “bom.xlsx” quá lớn để nhập")
    assert "vượt giới hạn 200 MB" in said and peak < BOUND_MB


def test_a_zip_that_declares_less_than_it_holds_is_refused(tmp_path: Path) -> None:
    strings = b'<sst count="1" uniqueCount="1"><si><t>' + b"A" * (300 * 2**20) + b"</t></si></sst>"
    path = xlsx(tmp_path / "doi.xlsx", HEADER + PERSON, shared=strings)
    data = bytearray(path.read_bytes())
    name = b"xl/sharedStrings.xml"
    with zipfile.ZipFile(path) as archive:
        declared = archive.getinfo(name.decode()).file_size
    # Rewrite the declared size (local header and central directory) to a small one.
    small, start = (1000).to_bytes(4, "little"), 0
    while (at := data.find(name, start)) != -1:
        if data[at - 30 : at - 26] == b"PK\x03\x04":
            data[at - 8 : at - 4] = small
        elif data[at - 46 : at - 42] == b"PK\x01\x02":
            data[at - 22 : at - 18] = small
        start = at + 1
    assert declared > 300 * 2**20
    path.write_bytes(bytes(data))
    said, peak = read_in_fresh_process(path)
    assert said.startswith("refused: Tệp “doi.xlsx” bị hỏng") and peak < BOUND_MB


def test_an_ods_with_a_value_repeated_over_millions_of_cells_is_refused(tmp_path: Path) -> None:
    bomb = ods_row(
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" '
        'office:value="1"/>',
        repeated=1_000_000,
    )
    path = ods(tmp_path / "bom.ods", ods_row(ods_text("Họ và tên"), ods_text("Năm sinh")) + bomb)
    said, peak = read_in_fresh_process(path)
    assert said.startswith("refused: Tệp “bom.ods”: sheet “Đối tượng” có dữ liệu tới ô XFD1000001")
    assert peak < BOUND_MB


def test_columns_past_the_hundredth_are_not_read(reg: Register, tmp_path: Path) -> None:
    header = ["Họ và tên", "Năm sinh", *[f"Cột {i}" for i in range(3, 151)]]
    cells = "".join(text_cell(f"{_letters(i)}1", h) for i, h in enumerate(header, start=1))
    path = xlsx(tmp_path / "rong.xlsx", f'<row r="1">{cells}</row>' + PERSON)
    plan = plan_import(reg, path)
    assert [(r.row, r.fate) for r in plan.rows] == [(2, IMPORT)]
    notes = [p.message for p in plan.problems]
    assert "Sheet “Đối tượng”: chỉ đọc 100 cột đầu của bảng; 50 cột bên phải bị bỏ qua." in notes
    assert "“Cột 100”" in notes[-1] and "“Cột 101”" not in notes[-1]


def test_a_long_run_of_empty_rows_ends_the_sheet(reg: Register, tmp_path: Path) -> None:
    last = 2 + EMPTY_RUN + 1
    later = f'<row r="{last}">' + text_cell(f"A{last}", "Lò Văn Ba") + "</row>"
    plan = plan_import(reg, xlsx(tmp_path / "ds.xlsx", HEADER + PERSON + later))
    assert [r.name for r in plan.rows] == ["Lò Văn An"]
    assert plan.problems[-1].message == (
        "Sheet “Đối tượng”: sau dòng 2 có hơn 10.000 dòng trống liền nhau; phần bên dưới không "
        "được đọc. Nếu còn danh sách ở đó, hãy xóa các dòng trống rồi nhập lại."
    )


def test_rows_past_the_cap_are_not_read(
    reg: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_DATA_ROWS", 2)
    rows = "".join(
        f'<row r="{n}">' + text_cell(f"A{n}", f"Người Số {n}") + "</row>" for n in range(2, 6)
    )
    plan = plan_import(reg, xlsx(tmp_path / "ds.xlsx", HEADER + rows))
    assert [r.row for r in plan.rows] == [2, 3]
    assert plan.problems[-1].message == (
        "Sheet “Đối tượng”: chỉ đọc 2 dòng dưới dòng tiêu đề; từ dòng 4 trở đi không được đọc. "
        "Hãy tách phần còn lại sang một tệp khác rồi nhập tiếp."
    )


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
