"""Bounds on what reading a workbook may cost, checked before the reader is let loose on it.

A workbook is a zip of XML parts, and a few hundred kilobytes of zip can unpack to gigabytes
(a "zip bomb" of shared strings) or declare cells a million rows and thousands of columns apart.
The reader (calamine) keeps a sheet's cells as one dense rectangle from its first to its last
filled cell, so one stray value in cell XFD1048576 would ask for seventeen billion cells.
These checks read the zip's directory and stream the sheet parts once, in bounded memory, and
refuse with a message naming the file before anything large is allocated. The caps are stated
in docs/excel.md.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

from db.core.errors import UserError

MAX_UNPACKED = 200 * 1024 * 1024  # bytes: all of a workbook's parts together, unpacked
MAX_CELLS = 10_000_000  # the filled rectangles of all sheets together (~32 bytes a cell)
MAX_DATA_ROWS = 200_000  # rows read under a sheet's header
MAX_COLUMNS = 100  # columns read from the left of a sheet
EMPTY_RUN = 10_000  # this many empty rows in a row end a sheet
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Extent:
    """How far one sheet's cells reach: its last row and column (1-based), from A1."""

    sheet: str
    rows: int
    columns: int

    @property
    def cells(self) -> int:
        """The rectangle the reader allocates (an upper bound)."""
        return self.rows * self.columns

    def corner(self) -> str:
        """The farthest cell, as Excel names it ("ZZ100000")."""
        return f"{get_column_letter(min(max(self.columns, 1), 18278))}{self.rows}"


def _n(number: int) -> str:
    """A count as Vietnamese writes it: 200.000."""
    return f"{number:,}".replace(",", ".")


def too_big(path: Path, unpacked: int) -> UserError:
    """The message for a file that unpacks to more than the cap."""
    return UserError(
        f"Tệp “{path.name}” quá lớn để nhập: nội dung giải nén hơn {_n(unpacked // 2**20)} MB, "
        f"vượt giới hạn {_n(MAX_UNPACKED // 2**20)} MB. Hãy tách danh sách thành nhiều tệp nhỏ "
        "hơn rồi nhập lần lượt."
    )


def too_wide(path: Path, extents: list[Extent]) -> UserError:
    """The message for sheets whose filled cells reach too far."""
    far = max(extents, key=lambda e: e.cells)
    return UserError(
        f"Tệp “{path.name}”: sheet “{far.sheet}” có dữ liệu tới ô {far.corner()}, vùng ô quá "
        f"lớn để đọc (tối đa {_n(MAX_CELLS)} ô cho cả tệp). Hãy mở tệp bằng Excel, xóa các ô "
        "thừa ở xa danh sách hoặc chép danh sách sang một sổ làm việc mới, rồi nhập lại."
    )


def check_cells(path: Path, extents: list[Extent]) -> None:
    """Refuse a workbook whose sheets together ask for more than `MAX_CELLS` cells."""
    if sum(e.cells for e in extents) > MAX_CELLS:
        raise too_wide(path, extents)


def check_zip(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose parts declare more than `MAX_UNPACKED` bytes in all."""
    declared = sum(info.file_size for info in archive.infolist())
    if declared > MAX_UNPACKED:
        raise too_big(path, declared)


class _Budget:
    """Counts the bytes actually unpacked (a zip may declare less than it holds)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.used = 0

    def pieces(self, archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
        """The part's bytes in pieces that end before a "<", so no tag is ever cut in two."""
        carry = b""
        with archive.open(name) as part:
            while chunk := part.read(_CHUNK):
                self.used += len(chunk)
                if self.used > MAX_UNPACKED:
                    raise too_big(self.path, self.used)
                data = carry + chunk
                cut = data.rfind(b"<")
                if cut <= 0:
                    carry = data[cut:] if cut == 0 else b""
                    continue
                yield data[:cut]
                carry = data[cut:]
        if carry:
            yield carry


# --- .xlsx -------------------------------------------------------------------------------------

_P = rb"<(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix before a tag name
# Cell tags as Excel, LibreOffice and openpyxl write them, `<c r="B12" …>`: their row, and
# their column when it has two letters or more (one letter is at most Z).
_ANY_ROW = re.compile(rb'<c r="[A-Z]+(\d+)"')
_ANY_WIDE = re.compile(rb'<c r="([A-Z]{2,})\d')
# The same, only for cells with content (a self-closing `<c …/>` holds no value).
_CELL_ROW = re.compile(rb'<c r="[A-Z]+(\d+)"[^>/]*>')
_WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,})\d+"[^>/]*>')
# Any other way of writing a cell tag (a prefix, attributes before r=): the slow patterns.
_UNUSUAL = re.compile(rb'<c(?:[>/]| (?!r="))|:c[\s>/]')
_ANY_CELL_ROW = re.compile(_P + rb'c\b[^>]*?\sr="[A-Z]+(\d+)"[^>]*(?<!/)>')
_ANY_CELL_WIDE = re.compile(_P + rb'c\b[^>]*?\sr="([A-Z]{2,})\d+"[^>]*(?<!/)>')
_NO_REF = re.compile(_P + rb'c(?=[\s/>])(?![^>]*\sr=")')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def _small(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    return archive.read(name) if info.file_size <= 4 * 2**20 else b""


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → the sheet's name, from the workbook and its relationships."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    targets = {}
    for tag in _REL.findall(_small(archive, "xl/_rels/workbook.xml.rels")):
        a = _attrs(tag)
        target = a.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[a.get("Id", "")] = posixpath.normpath(part)
    found = {}
    for tag in _SHEET.findall(_small(archive, "xl/workbook.xml")):
        a = _attrs(tag)
        found[targets.get(a.get("id", ""), "")] = a.get("name", "")
    return found


def _extent_pass(path: Path, pieces: Iterator[bytes], sheet: str, exact: bool) -> Extent:
    """How far a sheet's cells reach; counting formatted empty cells too unless `exact`."""
    rows = columns = 0
    for text in pieces:
        if _UNUSUAL.search(text) is None:  # every cell tag starts `<c r="…"`: simple patterns
            row, wide = (_CELL_ROW, _WIDE_COLUMN) if exact else (_ANY_ROW, _ANY_WIDE)
        elif _NO_REF.search(text):
            raise UserError(
                f"Tệp “{path.name}”: sheet “{sheet}” có ô không ghi địa chỉ (tệp không do Excel "
                "lưu). Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi nhập lại."
            )
        else:
            row, wide = _ANY_CELL_ROW, _ANY_CELL_WIDE
        found = row.findall(text)
        if found:
            rows = max(rows, *map(int, found))
            columns = max(columns, 26)  # one letter: at most column Z
        letters = wide.findall(text)
        if letters:
            columns = max(columns, *map(_column_number, set(letters)))
    return Extent(sheet, rows, columns)


def scan_xlsx(path: Path, archive: zipfile.ZipFile) -> None:
    """Check an .xlsx before reading: its size, and how far each sheet's cells reach."""
    check_zip(path, archive)
    budget = _Budget(path)
    names = _sheet_names(archive)
    parts: dict[str, str] = {}  # worksheet part → sheet name
    bounds = []
    # Every part is unpacked once to count its true size; the sheets are scanned as they pass,
    # first for an upper bound (fast: formatted empty cells counted too).
    for info in archive.infolist():
        name = info.filename
        if name in names or (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            parts[name] = names.get(name) or name.rsplit("/", 1)[-1]
            pieces = budget.pieces(archive, name)
            bounds.append(_extent_pass(path, pieces, parts[name], exact=False))
        else:
            for _ in budget.pieces(archive, name):
                pass  # only its true size matters: the reader keeps all of it
    if sum(e.cells for e in bounds) <= MAX_CELLS:
        return
    # Cells that are only formatted (`<c r="A9" s="1"/>`) hold nothing and cost the reader
    # nothing: count the cells with content before refusing.
    extents = [
        _extent_pass(path, _Budget(path).pieces(archive, part), sheet, exact=True)
        for part, sheet in parts.items()
    ]
    check_cells(path, extents)


# --- .ods --------------------------------------------------------------------------------------

_ODS_TOKEN = re.compile(
    rb"<table:table((?:\s[^>]*)?)>|<table:table-row\b([^>]*?)(/?)>|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')
_NAME = re.compile(rb'table:name="([^"]*)"')
_ROWS_SPANNED = re.compile(rb'number-rows-spanned="(\d+)"')
Merge = tuple[tuple[int, int], tuple[int, int]]


class _OdsCount:
    """Walks the rows and cells of content.xml, repeats included, without expanding them."""

    def __init__(self) -> None:
        self.extents: list[Extent] = []
        self.sheet = ""
        self.row = self.rows = self.columns = 0
        self.repeat = 1
        self.width = self.filled_width = 0
        # Cells merged down a column, by sheet, as the reader gives them for .xlsx: ((first
        # row, column), (last row, column)), 0-based (the reader has none for .ods).
        self.merges: dict[str, list[Merge]] = {}

    def close_sheet(self) -> None:
        if self.sheet:
            self.extents.append(Extent(self.sheet, self.rows, self.columns))

    def close_row(self) -> None:
        if self.filled_width:
            self.rows = self.row + self.repeat
            self.columns = max(self.columns, self.filled_width)
        self.row += self.repeat

    def feed(self, match: re.Match[bytes]) -> None:
        table, row_attrs, row_closed, cell_attrs, cell_closed = match.groups()
        if table is not None:
            self.close_sheet()
            name = _NAME.search(table)
            self.sheet = name.group(1).decode("utf-8", "replace") if name else "?"
            self.row = self.rows = self.columns = 0
        elif row_attrs is not None:
            repeated = _ROWS_REPEATED.search(row_attrs)
            self.repeat = int(repeated.group(1)) if repeated else 1
            self.width = self.filled_width = 0
            if row_closed:
                self.row += self.repeat
        elif cell_attrs is not None:
            spanned = _ROWS_SPANNED.search(cell_attrs)
            if spanned and int(spanned.group(1)) > 1:
                last = self.row + int(spanned.group(1)) - 1
                self.merges.setdefault(self.sheet, []).append(
                    ((self.row, self.width), (last, self.width))
                )
            repeated = _COLUMNS_REPEATED.search(cell_attrs)
            self.width += int(repeated.group(1)) if repeated else 1
            if not cell_closed or b"value-type" in cell_attrs:
                self.filled_width = self.width
        else:
            self.close_row()


def scan_ods(path: Path, archive: zipfile.ZipFile) -> dict[str, list[Merge]]:
    """Check an .ods before reading: its size, and how far each sheet's cells reach.

    Gives the cells merged down a column of each sheet, found on the way.
    """
    check_zip(path, archive)
    budget = _Budget(path)
    count = _OdsCount()
    for info in archive.infolist():
        for text in budget.pieces(archive, info.filename):
            if info.filename == "content.xml":
                for match in _ODS_TOKEN.finditer(text):
                    count.feed(match)
    count.close_sheet()
    check_cells(path, count.extents)
    return count.merges
