"""Finding the list in a sheet: which row is the header, which column is which, what kind of list.

Communes put a title above the table, use two header rows ("Ngày sinh" over "Nam" | "Nữ"),
number the columns under the header, keep one sheet per village and add columns of their own;
this module turns such a sheet into a `SheetLayout` that says where each field is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from db.core.textfold import clean, fold
from db.excel.book import Book, Sheet
from db.excel.common import (
    PEOPLE_FIELDS,
    REASON_HEADER,
    SOURCE_ROW_HEADER,
    TESTS_FIELDS,
    field_of,
    header_key,
    sheet_kind_by_name,
)
from db.excel.guard import EMPTY_RUN, MAX_DATA_ROWS
from db.excel.values import cell_text, is_blank

HEADER_SCAN_ROWS = 30
NAME_FIELDS = ("full_name", "name_given", "name_family")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,3}\)?$")
# The end of an official list: the place and date, the signatures, the totals.
_FOOTER = re.compile(
    r"^(nguoi lap|nguoi ky|truong cong an|pho truong cong an|chu tich|xac nhan|tm ubnd|"
    r"ky ghi ro ho ten|ky va ghi ro ho ten|tong cong|tong so|cong \d|danh sach nay co)"
    r"|ngay \d{1,2} thang \d{1,2} nam \d{4}"
)
# A group heading inside a list: "I. BẢN MÒNG", "2) Người nghiện", "Thôn Nà Sản".
_NUMBERING = re.compile(r"^\(?(?:[ivxlcdm]+|[a-z]|\d{1,2})\s*[.):\-]\s*")
_ROMAN = re.compile(r"^(?:[ivxlcdm]+|[a-z])$")
PLACE_WORDS = ("bản ", "thôn ", "tổ dân phố ", "tiểu khu ", "xóm ", "khối ", "ấp ", "buôn ",
                "làng ", "tổ ")  # fmt: skip
_IDENTITY = ("birth_date", "birth_male", "birth_female", "id_number", "test_date")
_GROUPS = ("birth_date", "sex")  # header cells merged over "Nam" | "Nữ"
_OWN_COLUMNS = {header_key(REASON_HEADER), header_key(SOURCE_ROW_HEADER)}


@dataclass
class SheetLayout:
    """Where the table of one sheet is: its kind, header, and the column of each field."""

    title: str
    kind: str  # "people" or "tests"
    header_row: int  # Excel row number of the (last) header row
    headers: list[str]  # the header text of each column, as written
    columns: dict[str, int]  # field → 0-based column index
    ignored: list[str] = field(default_factory=list)  # headers of columns not used
    combine_name: bool = False  # full name = "Họ" column + "Tên" column
    footer: tuple[int, str] | None = None  # (row, text) where the list's signatures begin
    stopped: str | None = None  # why reading stopped before the sheet's end (a cap)
    _last: tuple[object, dict[str, Any]] = field(default=(None, {}), repr=False, compare=False)

    def values(self, row: Sequence[Any]) -> dict[str, Any]:
        """The cells of one data row by field (a fresh dict: the caller may change it)."""
        if row is self._last[0]:  # asked four times a row: empty? footer? heading? the row
            return dict(self._last[1])
        found = {f: row[i] if i < len(row) else None for f, i in self.columns.items()}
        if self.combine_name:
            parts = (cell_text(found.pop("name_family")), cell_text(found.pop("name_given")))
            found["full_name"] = " ".join(p for p in parts if p)
        self._last = (row, dict(found))
        return found

    def footer_text(self, row: Sequence[Any]) -> str | None:
        """The text that shows a row is the list's footer (date line, signatures, totals)."""
        cells = self.values(row)
        if any(not is_blank(cells.get(f)) for f in _IDENTITY):
            return None
        name = cell_text(cells.get("full_name"))
        if name and not _FOOTER.search(header_key(name)):
            return None  # a person's row, whatever its notes say
        for value in row:
            if isinstance(value, str) and _FOOTER.search(header_key(value)):
                return value.strip()
        return None

    def section_title(self, row: Sequence[Any]) -> str | None:
        """The title of a group heading row, numbering removed; None for a row of the list."""
        cells = self.values(row)
        name = clean(cell_text(cells.get("full_name")))
        others = (v for f, v in cells.items() if f not in ("stt", "full_name"))
        if not name or any(not is_blank(v) for v in others):
            return None
        stt = fold(cell_text(cells.get("stt")))
        if stt and not _ROMAN.match(stt):
            return None  # a numbered row is a person, however the name reads
        lower = name.lower()
        numbered = _NUMBERING.match(lower)
        if numbered or stt or lower.startswith(PLACE_WORDS):
            return name[numbered.end() :].strip() if numbered else name
        return None

    def is_empty(self, row: Sequence[Any]) -> bool:
        """A row with nothing but (perhaps) a pre-filled STT: not a row of the list."""
        return all(is_blank(v) for f, v in self.values(row).items() if f != "stt")


@dataclass
class SheetProblem:
    """A sheet that could not be read as a list, or a note about columns left out."""

    title: str
    message: str
    rejected: bool  # True: the whole sheet was left out


def _fields(row: Sequence[Any]) -> list[str | None]:
    return [field_of(v) if isinstance(v, str) else None for v in row]


def _is_header(fields: list[str | None]) -> bool:
    known = [f for f in fields if f]
    return len(known) >= 2 and any(f in NAME_FIELDS for f in known)


def _kind(title: str, fields: list[str | None]) -> str:
    by_name = sheet_kind_by_name(title)
    if by_name in ("people", "tests"):
        return by_name
    if "test_date" in fields and ("result" in fields or "positives" in fields):
        return "tests"
    return "people"


def _sub_header(layout: SheetLayout, row: Sequence[Any], allowed: frozenset[str]) -> bool:
    """Merge a second header row ("Nam" | "Nữ" under "Ngày sinh"); False if it is data.

    Every filled cell must be a header word, and it may only name a column the first row left
    unnamed or named as a group ("Ngày sinh", "Giới tính" spanning two columns).
    """
    filled = [(i, cell_text(v)) for i, v in enumerate(row) if not is_blank(v)]
    fields = _fields(row)
    if not filled or any(fields[i] is None for i, _ in filled):
        return False
    by_column = {col: f for f, col in layout.columns.items()}
    changes = []
    for index, text in filled:
        sub = fields[index]
        if sub is None or sub not in allowed or sub in layout.columns:
            continue
        if by_column.get(index) not in (None, *_GROUPS):
            return False
        changes.append((index, sub, text))
    if not changes:
        return False
    for index, sub, text in changes:
        if index in by_column:
            del layout.columns[by_column[index]]
        layout.columns[sub] = index
        while len(layout.headers) <= index:
            layout.headers.append("")
        layout.headers[index] = text
    return True


def _numbering(row: Sequence[Any]) -> bool:
    """The row of column numbers "(1) (2) (3)…" printed under a header in official forms."""
    cells = [cell_text(v) for v in row if not is_blank(v)]
    return len(cells) >= 3 and all(_COLUMN_NUMBER.match(c) for c in cells)


def _finish(layout: SheetLayout, allowed: frozenset[str]) -> str | None:
    """Settle the name columns; the message when there is no name column at all."""
    cols = layout.columns
    if "full_name" in cols:
        for extra in ("name_family", "name_given"):
            if extra in cols:
                layout.ignored.append(layout.headers[cols.pop(extra)])
    elif "name_family" in cols and "name_given" in cols:
        layout.combine_name = True
    elif "name_given" in cols:
        cols["full_name"] = cols.pop("name_given")
    else:
        return f"Sheet “{layout.title}”: thiếu cột “Họ và tên”; sheet này không được nhập."
    if layout.kind == "tests" and "test_date" not in cols:
        return f"Sheet “{layout.title}”: thiếu cột “Ngày xét nghiệm”; sheet này không được nhập."
    for f in list(cols):
        if f not in allowed:
            layout.ignored.append(layout.headers[cols.pop(f)])
    return None


def find_layout(title: str, head: list[tuple[Any, ...]]) -> SheetLayout | SheetProblem | None:
    """The layout of a sheet from its first rows; a problem, or None for an empty sheet."""
    if all(all(is_blank(v) for v in row) for row in head):
        return None
    for number, row in enumerate(head, start=1):
        fields = _fields(row)
        if not _is_header(fields):
            continue
        kind = _kind(title, fields)
        allowed = PEOPLE_FIELDS if kind == "people" else TESTS_FIELDS
        headers = [cell_text(v) for v in row]
        layout = SheetLayout(title, kind, number, headers, {})
        for index, f in enumerate(fields):
            if f is None:
                if headers[index] and header_key(headers[index]) not in _OWN_COLUMNS:
                    layout.ignored.append(headers[index])
            elif f in layout.columns:
                layout.ignored.append(headers[index])
            else:
                layout.columns[f] = index
        for extra in head[number : number + 2]:
            if _sub_header(layout, extra, allowed) or _numbering(extra):
                layout.header_row += 1
            else:
                break
        problem = _finish(layout, allowed)
        return SheetProblem(title, problem, True) if problem else layout
    known = max((len([f for f in _fields(r) if f]) for r in head), default=0)
    if known >= 2:
        message = f"Sheet “{title}”: thiếu cột “Họ và tên”; sheet này không được nhập."
        return SheetProblem(title, message, True)
    return SheetProblem(
        title,
        f"Sheet “{title}”: không tìm thấy dòng tiêu đề (cần các cột như “STT”, “Họ và tên”, "
        "“Ngày sinh”…); sheet này không được nhập.",
        True,
    )


def read_layouts(book: Book) -> tuple[list[tuple[Sheet, SheetLayout]], list[SheetProblem]]:
    """Each sheet's layout (people sheets first), and the sheets left out with the reason."""
    found: list[tuple[Sheet, SheetLayout]] = []
    problems: list[SheetProblem] = []
    for name in book.sheet_names:
        if sheet_kind_by_name(name) == "ignore":
            continue
        sheet = book.sheet(name)
        head = list(islice(sheet.rows(), HEADER_SCAN_ROWS))
        layout = find_layout(sheet.title, head)
        if isinstance(layout, SheetProblem):
            problems.append(layout)
        elif layout is not None:
            found.append((sheet, layout))
            problems.extend(SheetProblem(sheet.title, note, False) for note in sheet.notes)
            if layout.ignored:
                names = ", ".join(f"“{h}”" for h in layout.ignored)
                note = f"Sheet “{sheet.title}”: bỏ qua các cột không dùng: {names}."
                problems.append(SheetProblem(sheet.title, note, False))
    found.sort(key=lambda pair: pair[1].kind != "people")
    return found, problems


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def data_rows(sheet: Sheet, layout: SheetLayout) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, cells) of every non-empty row under the header, up to the footer.

    A cell merged down several rows gives its value to each of them. Reading stops after
    `MAX_DATA_ROWS` rows under the header and at `EMPTY_RUN` empty rows in a row; the layout
    then says so (`stopped`).
    """
    merges = sheet.merges()
    carry: dict[int, tuple[int, Any]] = {}  # column → (last row, value)
    empty = 0
    for number, row in enumerate(sheet.rows(), start=1):
        if number in merges or carry:
            cells = list(row)
            for column, last in merges.get(number, ()):
                carry[column] = (last, cells[column] if column < len(cells) else None)
            for column, (last, value) in list(carry.items()):
                if number > last:
                    del carry[column]
                    continue
                cells.extend([None] * (column + 1 - len(cells)))
                if cells[column] is None:
                    cells[column] = value
            row = tuple(cells)
        if number <= layout.header_row:
            continue
        if layout.is_empty(row):
            empty += 1
            if empty >= EMPTY_RUN:
                if sheet.height is None or sheet.height > number:
                    layout.stopped = (
                        f"Sheet “{layout.title}”: sau dòng {_n(number - empty)} có hơn "
                        f"{_n(EMPTY_RUN)} dòng trống liền nhau; phần bên dưới không được đọc. "
                        "Nếu còn danh sách ở đó, hãy xóa các dòng trống rồi nhập lại."
                    )
                return
            continue
        empty = 0
        if number - layout.header_row > MAX_DATA_ROWS:
            layout.stopped = (
                f"Sheet “{layout.title}”: chỉ đọc {_n(MAX_DATA_ROWS)} dòng dưới dòng tiêu đề; "
                f"từ dòng {_n(number)} trở đi không được đọc. Hãy tách phần còn lại sang một "
                "tệp khác rồi nhập tiếp."
            )
            return
        footer = layout.footer_text(row)
        if footer is not None:
            layout.footer = (number, footer)
            return
        yield number, row
