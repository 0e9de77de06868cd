"""No formulas from data (issue 11): text that starts like a formula is written as text.

A name or a note typed as "=HYPERLINK(…)" must never become a live formula in a workbook the
program writes (the export, the rejected rows "…-loi.xlsx"): Excel shows it exactly as typed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from db.excel.common import save_atomic
from db.excel.export import streaming_book, write_table
from db.excel.importer import REJECTED, plan_import, write_rejected
from db.store.register import Register

LINK = '=HYPERLINK("http://x","y")'


def _source_xlsx(path: Path) -> Path:
    """A list whose name cell holds the text '=HYPERLINK(…)' (typed after an apostrophe)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Ngày sinh"])
    sheet.append([None, "32/13/1990"])
    sheet["A2"].value = LINK
    sheet["A2"].data_type = "s"
    book.save(path)
    return path


def _source_csv(path: Path) -> Path:
    path.write_text(f'Họ và tên;Ngày sinh\n"{LINK.replace(chr(34), chr(34) * 2)}";32/13/1990\n')
    return path


def _formulas(path: Path) -> list[str]:
    """The formulas stored in any sheet of a workbook (none expected)."""
    with zipfile.ZipFile(path) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


@pytest.mark.parametrize("make", [_source_xlsx, _source_csv], ids=["xlsx", "csv"])
def test_the_rejected_rows_file_keeps_a_formula_as_text(
    reg: Register, tmp_path: Path, make: object
) -> None:
    source = make(tmp_path / ("ds.csv" if make is _source_csv else "ds.xlsx"))  # type: ignore[operator]
    plan = plan_import(reg, source)
    (row,) = plan.rows
    assert (row.fate, row.name) == (REJECTED, LINK)
    out = tmp_path / "ds-loi.xlsx"
    assert write_rejected(plan, out) == 1
    cell = load_workbook(out)["Sheet" if make is _source_xlsx else "ds"]["A2"]
    assert (cell.value, cell.data_type) == (LINK, "s")
    assert _formulas(out) == []


def test_text_that_looks_like_a_formula_stays_text_and_numbers_stay_numbers(
    tmp_path: Path,
) -> None:
    values = ["=1+1", "+84 912 345 678", "-", "-5", "@SUM(A1)", -5, -2.5, 0, "Lò Văn An"]
    out = tmp_path / "ra.xlsx"
    with streaming_book() as book:
        write_table(book, "Đối tượng", [f"c{i}" for i in range(len(values))], [values])
        save_atomic(book, out)
    cells = load_workbook(out)["Đối tượng"][2]
    assert [c.value for c in cells] == values
    assert [c.data_type for c in cells] == ["s", "s", "s", "s", "s", "n", "n", "n", "s"]
    assert _formulas(out) == []
