"""How the .xls fixture of test_xlsx_formats.py was made (nothing in the project can write .xls).

    pip install xlwt==1.3.0 && python tests/db/excel/xls_fixture.py [far]

prints the zlib-compressed, base64-encoded bytes of a small Excel 97–2003 workbook (BIFF8):
one sheet "Đối tượng" with a header, a year typed as a number in a cell formatted as a date (as
in the program's template), a real date, a date typed as text, a CCCD as text, and a village
written once and merged down two rows; with "far", the far-cell workbook of
test_xlsx_bounds.py. xlwt is not a dependency; the tests only read the bytes.
"""

from __future__ import annotations

import base64
import io
import zlib
from datetime import date


def make() -> bytes:
    import xlwt  # type: ignore[import-not-found]

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Đối tượng")
    as_date = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for column, header in enumerate(["STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Thôn"]):
        sheet.write(0, column, header)
    sheet.write(1, 0, 1)
    sheet.write(1, 1, "Lò Văn An")
    sheet.write(1, 2, 1985, as_date)  # shows 07/06/1905 in Excel: a year typed into the template
    sheet.write(1, 3, "014085001234")
    sheet.write_merge(1, 2, 4, 4, "Bản Mòng")
    sheet.write(2, 0, 2)
    sheet.write(2, 1, "Lò Thị Ba")
    sheet.write(2, 2, date(1990, 5, 17), as_date)
    sheet.write(3, 0, 3)
    sheet.write(3, 1, "Cầm Văn Ca")
    sheet.write(3, 2, "17/05/1991")
    sheet.write(3, 4, "Bản Nà Sản")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_far() -> bytes:
    """A list with one more value in the last cell an .xls sheet has (IV65536)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Đối tượng")
    sheet.write(0, 0, "Họ và tên")
    sheet.write(0, 1, "Năm sinh")
    sheet.write(1, 0, "Lò Văn An")
    sheet.write(1, 1, 1990)
    sheet.write(65535, 255, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


if __name__ == "__main__":
    import sys

    data = make_far() if sys.argv[1:] == ["far"] else make()
    text = base64.b64encode(zlib.compress(data, 9)).decode()
    print("\n".join(text[i : i + 92] for i in range(0, len(text), 92)))
