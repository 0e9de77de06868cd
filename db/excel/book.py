"""Opening a list in the formats communes keep: .xlsx/.xlsm, old .xls, LibreOffice .ods, and CSV.

Workbooks are read by python-calamine (values as saved: a formula's cached result, dates as
dates), after `db.excel.guard` has checked what reading them may cost; CSV by the csv module,
UTF-8 only, the delimiter (`,` or `;`) found from the first rows. Every format gives the same
`Sheet`: rows from row 1, cells as None, text, int, float, bool or date, at most `MAX_COLUMNS`.
A bad file is a `UserError` naming it, never a traceback.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import time, timedelta
from pathlib import Path
from typing import IO, Any

import python_calamine

from db.core.errors import UserError
from db.excel.guard import (
    MAX_COLUMNS,
    MAX_UNPACKED,
    Extent,
    Merge,
    check_cells,
    scan_ods,
    scan_xlsx,
    too_big,
)
from db.excel.xls_scan import scan_xls

CSV_SUFFIXES = (".csv", ".txt")
Row = tuple[Any, ...]
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_PASSWORD = (
    "Tệp “{name}” được đặt mật khẩu, chương trình không mở được. Hãy mở tệp bằng Excel, bỏ mật "
    "khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu, xóa mật khẩu), lưu lại "
    "dạng .xlsx rồi nhập lại."
)
_KIND_NAMES = {"xlsx": "Excel (.xlsx)", "xls": "Excel cũ (.xls)", "ods": "LibreOffice (.ods)"}


class Sheet:
    """One sheet of a list: its name, its rows, and the cells merged down a column."""

    def __init__(self, title: str, height: int | None) -> None:
        self.title = title
        self.height = height  # rows, when the format tells (for progress); None for CSV
        self.notes: list[str] = []  # what was left unread, for the preview

    def rows(self) -> Iterator[Row]:
        """The rows from row 1 on (each call starts again from the top)."""
        raise NotImplementedError

    def merges(self) -> dict[int, list[tuple[int, int]]]:
        """Cells merged down a column: first row (1-based) → [(0-based column, last row)]."""
        return {}


def damaged(path: Path, kind: str, where: str = "") -> UserError:
    """The message for a file the reader cannot make sense of."""
    at = f" ở sheet “{where}”" if where else ""
    return UserError(
        f"Tệp “{path.name}” bị hỏng{at}: không đọc được như một bảng tính "
        f"{_KIND_NAMES.get(kind, 'Excel')}. Hãy mở bằng Excel hoặc LibreOffice và lưu lại dạng "
        ".xlsx."
    )


def _value(value: Any) -> Any:
    """A cell as the import reads it: no value is None, a whole float an int."""
    if isinstance(value, str):
        return value if value else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, time | timedelta):
        return str(value)
    return value


class _BookSheet(Sheet):
    def __init__(
        self,
        path: Path,
        kind: str,
        sheet: python_calamine.CalamineSheet,
        merged: list[Merge] | None = None,
    ) -> None:
        end = sheet.end
        super().__init__(sheet.name, end[0] + 1 if end else 0)
        self._sheet = sheet
        self._path, self._kind = path, kind
        self._merged = sheet.merged_cell_ranges or merged or []
        start = sheet.start
        # Rows come from row 1, but from the first filled column on: merges say where that is.
        self._first_column = start[1] if start else 0
        if sheet.width > MAX_COLUMNS:
            self.notes.append(
                f"Sheet “{sheet.name}”: chỉ đọc {MAX_COLUMNS} cột đầu của bảng; "
                f"{sheet.width - MAX_COLUMNS} cột bên phải bị bỏ qua."
            )

    def rows(self) -> Iterator[Row]:
        try:
            for row in self._sheet.iter_rows():
                yield tuple(_value(v) for v in row[:MAX_COLUMNS])
        except python_calamine.CalamineError as exc:
            raise damaged(self._path, self._kind, self.title) from exc

    def merges(self) -> dict[int, list[tuple[int, int]]]:
        found: dict[int, list[tuple[int, int]]] = {}
        for (first, column), (last, _) in self._merged:
            column -= self._first_column
            if last > first and 0 <= column < MAX_COLUMNS:
                found.setdefault(first + 1, []).append((column, last + 1))
        return found


# --- CSV ---------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^(?:0|[1-9]\d{0,14})(?:\.\d+)?$")
_SAMPLE = 64 * 1024


def _csv_value(text: str) -> Any:
    """A CSV field as Excel would read it: plain numbers become numbers (a leading 0 stays)."""
    text = text.strip()
    if not text:
        return None
    if _NUMBER.match(text):
        return _value(float(text)) if "." in text else int(text)
    return text


def not_utf8(path: Path, line: int | None = None) -> UserError:
    """The message for a CSV file in another encoding."""
    where = f" (dòng {line})" if line else ""
    return UserError(
        f"Tệp “{path.name}” không phải tệp CSV mã UTF-8{where}, chương trình không đọc được "
        "chữ tiếng Việt trong đó. Hãy mở tệp bằng Excel, chọn Lưu thành → “CSV UTF-8 (phân tách "
        "bằng dấu phẩy)” hoặc Sổ làm việc Excel (.xlsx), rồi nhập lại."
    )


def _delimiter(sample: str) -> str:
    """`,` or `;` (or a tab): the one that splits the first lines alike, into most fields.

    Addresses hold commas ("Bản Mòng, Mường Bú") and a header may too ("Ngày, tháng, năm
    sinh"), so the count of fields must agree from line to line, not only be large.
    """
    lines = [line for line in sample.splitlines()[:-1] if line.strip()][:20] or [sample]
    best, score = ",", (0, 0)
    for candidate in (",", ";", "\t"):
        counts = [len(row) for row in csv.reader(lines, delimiter=candidate)]
        found = (sum(c == counts[0] for c in counts), counts[0])
        if counts[0] > 1 and found > score:
            best, score = candidate, found
    return best


class _CsvSheet(Sheet):
    def __init__(self, path: Path, sample: bytes) -> None:
        super().__init__(path.stem, None)
        self._path = path
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
        self._delimiter = _delimiter(text)

    def rows(self) -> Iterator[Row]:
        reader: Any = None
        try:
            with self._path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle, delimiter=self._delimiter)
                for row in reader:
                    yield tuple(_csv_value(v) for v in row[:MAX_COLUMNS])
        except UnicodeDecodeError as exc:
            raise not_utf8(self._path, reader.line_num + 1 if reader else None) from exc
        except csv.Error as exc:
            line = reader.line_num if reader else 0
            raise UserError(
                f"Tệp “{self._path.name}” có dòng {line} không đọc được như CSV ({exc}). "
                "Hãy mở bằng Excel và lưu lại dạng .xlsx."
            ) from exc
        except OSError as exc:
            raise _unreadable(self._path, exc) from exc


# --- opening ------------------------------------------------------------------------------------


class Book:
    """An open list: its sheets by name, each read when asked for."""

    def __init__(
        self, path: Path, kind: str, book: python_calamine.CalamineWorkbook | None = None
    ) -> None:
        self.path, self.kind, self._book = path, kind, book
        self.merges: dict[str, list[Merge]] = {}  # for .ods, found by the scan
        self._extents: list[Extent] = []

    @property
    def sheet_names(self) -> Sequence[str]:
        """The worksheets in workbook order (chart sheets left out); the file's name for CSV."""
        if self._book is None:
            return [self.path.stem]
        worksheet = python_calamine.SheetTypeEnum.WorkSheet
        return [m.name for m in self._book.sheets_metadata if m.typ == worksheet]

    def sheet(self, name: str) -> Sheet:
        """One sheet, read into memory (its size was checked when the file was opened)."""
        if self._book is None:
            with self.path.open("rb") as handle:
                return _CsvSheet(self.path, handle.read(_SAMPLE))
        try:
            sheet = self._book.get_sheet_by_name(name)
        except python_calamine.PasswordError as exc:
            raise UserError(_PASSWORD.format(name=self.path.name)) from exc
        except python_calamine.CalamineError as exc:
            raise damaged(self.path, self.kind, name) from exc
        # Checked before reading already; checked again as read, whatever the scans missed.
        end = sheet.end or (-1, -1)
        self._extents.append(Extent(name, end[0] + 1, end[1] + 1))
        check_cells(self.path, self._extents)
        return _BookSheet(self.path, self.kind, sheet, self.merges.get(name))


def _unreadable(path: Path, exc: OSError) -> UserError:
    if isinstance(exc, FileNotFoundError):
        return UserError(f"Không tìm thấy tệp “{path}”.")
    if isinstance(exc, IsADirectoryError):
        return UserError(f"“{path}” là một thư mục, không phải tệp Excel.")
    return UserError(
        f"Không đọc được tệp “{path.name}”: tệp đang mở trong chương trình khác hoặc không có "
        "quyền đọc. Hãy đóng Excel rồi thử lại."
    )


def _kind(path: Path, handle: IO[bytes]) -> str:
    """ "xlsx", "ods", "xls" or "csv" from the file's first bytes; UserError for anything else."""
    name = f"“{path.name}”"
    head = handle.read(_SAMPLE)
    handle.seek(0)
    if not head:
        raise UserError(f"Tệp {name} rỗng (0 byte), không có dữ liệu để nhập.")
    if head.startswith(_CFB_MAGIC):
        if _ENCRYPTED in handle.read(4 * 1024 * 1024):
            raise UserError(_PASSWORD.format(name=path.name))
        handle.seek(0)
        return "xls"
    if head.startswith(b"PK"):
        return "ods" if _ODS_MIME in head[:200] or path.suffix.lower() == ".ods" else "xlsx"
    if path.suffix.lower() in CSV_SUFFIXES:
        try:
            codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        except UnicodeDecodeError as exc:
            raise not_utf8(path) from exc
        return "csv"
    raise UserError(
        f"Tệp {name} không phải tệp Excel (.xlsx, .xls), LibreOffice (.ods) hay CSV. Hãy mở "
        "bằng Excel và lưu lại dạng .xlsx."
    )


def _check_zip(path: Path, archive: zipfile.ZipFile) -> tuple[str | None, dict[str, list[Merge]]]:
    """Scan a zipped workbook by what it holds, not by its name: its kind when it tells, and
    the merged cells of an .ods."""
    names = archive.namelist()
    if "xl/workbook.bin" in names:
        raise UserError(
            f"Tệp “{path.name}” là sổ làm việc nhị phân Excel (.xlsb), chương trình không đọc. "
            "Hãy mở bằng Excel, chọn Lưu thành → Sổ làm việc Excel (.xlsx), rồi nhập tệp đó."
        )
    kind, merges = None, {}
    if any(name.startswith("xl/") for name in names):
        scan_xlsx(path, archive)
        kind = "xlsx"
    if "content.xml" in names:
        merges = scan_ods(path, archive)
        kind = "ods"
    return kind, merges


@contextlib.contextmanager
def open_book(path: Path) -> Iterator[Book]:
    """A list opened for reading, its cost checked first; UserError for a bad file."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    with handle:
        kind = _kind(path, handle)
        size = path.stat().st_size
        if size > MAX_UNPACKED:
            raise too_big(path, size)
        if kind == "csv":
            yield Book(path, kind)
            return
        merges: dict[str, list[Merge]] = {}
        if kind in ("xlsx", "ods"):
            try:
                with zipfile.ZipFile(handle) as archive:
                    found, merges = _check_zip(path, archive)
                    kind = found or kind
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError,
                    NotImplementedError) as exc:  # fmt: skip
                raise damaged(path, kind) from exc
            handle.seek(0)
        elif kind == "xls":
            scan_xls(path, handle.read())
            handle.seek(0)
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(handle)
        except python_calamine.PasswordError as exc:
            raise UserError(_PASSWORD.format(name=path.name)) from exc
        except python_calamine.CalamineError as exc:
            raise damaged(path, kind) from exc
        with book:
            opened = Book(path, kind, book)
            opened.merges = merges
            yield opened
