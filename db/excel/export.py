"""The register, a filtered list of it, and the tests of a period, as .xlsx for the officer.

Headers are Vietnamese and bold, the header row stays in view, dates are real Excel dates shown
dd/mm/yyyy, and columns are as wide as what they hold. The "Đối tượng" sheet has the template's
columns first, so an exported list imports back (and brings in nothing already on the register).
Workbooks are written in streaming mode and put in place only when complete.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from db.core.dates import from_iso, partial_from_iso, show
from db.excel.common import (
    PEOPLE_COLUMNS,
    PEOPLE_SHEET,
    TESTS_COLUMNS,
    TESTS_SHEET,
    Progress,
    save_atomic,
)
from db.excel.values import text_width, writable
from db.law.categories import LABELS, Category
from db.persons.declarations import substances_text
from db.persons.drugtests import KINDS, METHODS, RESULTS, SUBSTANCES
from db.persons.episodes import status_order
from db.persons.listing import PersonFilter, person_ids
from db.store.audit import log_event
from db.store.register import Register

EXCEL_MAX_ROWS = 1_048_576
WIDTH_SAMPLE = 2000  # rows looked at to size the columns
MAX_WIDTH = 50
CHUNK = 500
SEX_LABELS = {"M": "Nam", "F": "Nữ"}
PEOPLE_EXTRA = (
    "Số điện thoại",
    "Người thân liên hệ",
    "Tình trạng hiện tại",
    "Ngày khai báo",
    "Xét nghiệm gần nhất",
    "Kết quả xét nghiệm gần nhất",
)
TESTS_EXTRA = ("Phương pháp", "Nơi xét nghiệm", "Thôn/Bản/Tổ dân phố")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    people: int
    tests: int | None = None  # None: no tests sheet

    def summary(self) -> str:
        """The counts in Vietnamese."""
        text = f"{self.people} người"
        return text + (f", {self.tests} lần xét nghiệm." if self.tests is not None else ".")


@contextlib.contextmanager
def streaming_book() -> Iterator[Workbook]:
    """A workbook written row by row; if anything fails, its temporary files are removed.

    A streaming sheet keeps its rows in a temporary file until the workbook is saved: rows of
    sensitive data must not stay behind in the temporary folder after a failed export.
    """
    book = Workbook(write_only=True)
    try:
        yield book
    except BaseException:
        for sheet in book.worksheets:
            writer = getattr(sheet, "_writer", None)
            if writer is not None:
                with contextlib.suppress(Exception):
                    sheet.close()
                with contextlib.suppress(Exception):
                    writer.cleanup()
        raise


def _widths(headers: Sequence[str], sample: Sequence[Sequence[Any]]) -> list[float]:
    widths = [min(max(len(h), 6), 24) for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], min(text_width(value), MAX_WIDTH))
    return [w + 2 for w in widths]


def write_table(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Progress | None = None,
    total: int = 0,
) -> int:
    """A sheet (more when Excel's row limit is reached) with a header and rows; how many rows."""
    stream = iter(rows)
    sample = list(islice(stream, WIDTH_SAMPLE))
    widths = _widths(headers, sample)
    written = 0
    sheet: Any = None
    for row in chain(sample, stream):
        if sheet is None or written % (EXCEL_MAX_ROWS - 1) == 0:
            part = written // (EXCEL_MAX_ROWS - 1)
            name = title if part == 0 else f"{title} ({part + 1})"
            sheet = _new_sheet(book, name, headers, widths)
        sheet.append([writable(sheet, v) for v in row])
        written += 1
        if progress and written % CHUNK == 0:
            progress(f"Đang ghi sheet “{title}”…", written, max(total, written))
    if sheet is None:
        _new_sheet(book, title, headers, widths)
    return written


def _new_sheet(book: Workbook, title: str, headers: Sequence[str], widths: list[float]) -> Any:
    sheet = book.create_sheet(title[:31])
    # A streaming sheet writes its column widths before the first row: set them first.
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, text)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        cells.append(cell)
    sheet.append(cells)
    return sheet


def birth_cell(stored: str | None) -> date | str | None:
    """A birth date for a cell: a real date when whole, "05/1990" or "1990" when partial."""
    partial = partial_from_iso(stored)
    if partial is None:
        return None
    return partial.earliest() if partial.day else partial.display()


def substance_labels(codes: Iterable[str]) -> str:
    """ "MET,THC" → "Methamphetamine (ma túy đá), Cần sa (THC)"; unknown names as typed."""
    return ", ".join(SUBSTANCES.get(c, c) for c in codes if c)


def _chunk_people(reg: Register, rids: Sequence[int]) -> Iterator[dict[str, Any]]:
    """The people of some row ids, in that order, with village, open episodes, tests and latest
    declaration of the substances they use."""
    marks = ",".join("?" * len(rids))
    people = {
        r["rid"]: r
        for r in reg.db.query(
            "SELECT p.*, v.name AS village FROM persons p "
            f"LEFT JOIN villages v ON v.id = p.village_id WHERE p.rid IN ({marks})",
            list(rids),
        )
    }
    ids = [p["id"] for p in people.values()]
    marks = ",".join("?" * len(ids))
    on = reg.today().isoformat()
    episodes: dict[str, list[dict[str, Any]]] = {}
    for e in reg.db.query(
        f"SELECT * FROM episodes WHERE person_id IN ({marks}) AND deleted = 0 "
        "AND start_date <= ? AND (end_date IS NULL OR end_date > ?)",
        [*ids, on, on],
    ):
        episodes.setdefault(e["person_id"], []).append(e)
    tests: dict[str, list[dict[str, Any]]] = {}
    for t in reg.db.query(
        "SELECT person_id, test_date, result, positives FROM drug_tests "
        f"WHERE person_id IN ({marks}) AND deleted = 0 ORDER BY test_date, created_at",
        ids,
    ):
        tests.setdefault(t["person_id"], []).append(t)
    latest = _latest_declarations(reg, ids)
    for rid in rids:
        if rid in people:
            person = people[rid]
            yield {**person, "episodes": episodes.get(person["id"], []),
                   "tests": tests.get(person["id"], []),
                   "declaration": latest.get(person["id"])}  # fmt: skip


def _latest_declarations(reg: Register, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each person's latest declaration, as `db.persons.declarations.latest_declaration` gives
    it (newest day, then newest entry), in one query for a chunk of people: asking for each
    person alone costs about as much as the rest of the export."""
    marks = ",".join("?" * len(ids))
    rows = reg.db.query(
        "SELECT person_id, declared_on, substances FROM (SELECT person_id, declared_on, "
        "substances, row_number() OVER (PARTITION BY person_id ORDER BY declared_on DESC, "
        "created_at DESC) AS newest FROM substance_declarations "
        f"WHERE person_id IN ({marks}) AND deleted = 0) WHERE newest = 1",
        list(ids),
    )
    return {
        r["person_id"]: {**r, "text": substances_text(r["substances"].split(","))} for r in rows
    }


def _person_row(number: int, p: dict[str, Any]) -> list[Any]:
    order = status_order(e["category"] for e in p["episodes"])
    main = next(e for e in p["episodes"] if e["category"] == order[0]) if order else None
    # What the person declared (Law 120/2025), never the tests' positives: a list imported back
    # would make them a declaration. Substances an older import kept in the notes stay there.
    declaration = p["declaration"]
    substances = declaration["text"] if declaration else ""
    last = p["tests"][-1] if p["tests"] else None
    last_result = ""
    if last:
        found = substance_labels((last["positives"] or "").split(","))
        last_result = RESULTS[last["result"]] + (f" ({found})" if found else "")
    status = "; ".join(LABELS[Category(c)] for c in order) or "Không còn quản lý"
    return [
        number, p["full_name"], p["other_names"], birth_cell(p["birth_date"]),
        SEX_LABELS.get(p["sex"] or "", ""), p["id_number"], p["ethnicity"], p["village"],
        p["permanent_address"], p["current_address"], p["occupation"],
        LABELS[Category(main["category"])] if main else "",
        from_iso(main["start_date"]) if main else None,
        main["decision_no"] if main else "",
        from_iso(main["decision_date"]) if main else None,
        from_iso(main["planned_end"]) if main else None, "",
        substances, p["notes"],
        p["phone"], p["family_contact"], status,
        from_iso(declaration["declared_on"]) if declaration else None,
        from_iso(last["test_date"]) if last else None, last_result,
    ]  # fmt: skip


def _people_rows(reg: Register, rids: Sequence[int]) -> Iterator[list[Any]]:
    number = 0
    for start in range(0, len(rids), CHUNK):
        for person in _chunk_people(reg, rids[start : start + CHUNK]):
            number += 1
            yield _person_row(number, person)


def _test_rows(reg: Register, start: date, end: date) -> Iterator[list[Any]]:
    cursor = reg.db.execute(
        "SELECT p.full_name, p.birth_date, p.id_number, t.test_date, t.kind, t.result, "
        "t.positives, t.officer, t.notes, t.method, t.place, v.name "
        "FROM drug_tests t JOIN persons p ON p.id = t.person_id "
        "LEFT JOIN villages v ON v.id = p.village_id "
        "WHERE t.deleted = 0 AND p.deleted = 0 AND t.test_date BETWEEN ? AND ? "
        "ORDER BY t.test_date, p.sort_key, t.created_at",
        [start.isoformat(), end.isoformat()],
    )
    for number, r in enumerate(cursor, start=1):
        name, birth, id_number, day, kind, result, positives, officer, notes, method, place, v = r
        yield [
            number, name, birth_cell(birth), id_number, from_iso(day), KINDS.get(kind, kind),
            RESULTS.get(result, result), substance_labels((positives or "").split(",")),
            officer, notes, METHODS.get(method, method), place, v,
        ]  # fmt: skip


def _people_sheet(
    reg: Register, book: Workbook, person_filter: PersonFilter | None, progress: Progress | None
) -> int:
    rids = person_ids(reg, person_filter or PersonFilter())
    headers = [h for _, h in PEOPLE_COLUMNS] + list(PEOPLE_EXTRA)
    return write_table(book, PEOPLE_SHEET, headers, _people_rows(reg, rids), progress, len(rids))


def _tests_sheet(
    reg: Register, book: Workbook, start: date, end: date, progress: Progress | None
) -> int:
    total = reg.db.execute(
        "SELECT count(*) FROM drug_tests WHERE deleted = 0 AND test_date BETWEEN ? AND ?",
        [start.isoformat(), end.isoformat()],
    ).fetchone()[0]
    headers = [h for _, h in TESTS_COLUMNS] + list(TESTS_EXTRA)
    return write_table(book, TESTS_SHEET, headers, _test_rows(reg, start, end), progress, total)


def export_people(
    reg: Register,
    out_path: str | Path,
    person_filter: PersonFilter | None = None,
    *,
    tests_between: tuple[date, date] | None = None,
    progress: Progress | None = None,
) -> Exported:
    """The register (or the people matching a filter) to .xlsx; how many people and tests.

    With `tests_between`, the tests of that period go in a second sheet of the same file.
    """
    with streaming_book() as book:
        count = _people_sheet(reg, book, person_filter, progress)
        tests = None
        if tests_between is not None:
            tests = _tests_sheet(reg, book, *tests_between, progress)
        if progress:
            progress("Đang lưu tệp…", 1, 1)
        save_atomic(book, Path(out_path))
    log_event(reg, "export", {"file": str(out_path), "people": count, "tests": tests or 0})
    return Exported(count, tests)


def export_tests(
    reg: Register, out_path: str | Path, start: date, end: date, progress: Progress | None = None
) -> int:
    """The tests from `start` to `end` (both included) to .xlsx; how many tests."""
    with streaming_book() as book:
        count = _tests_sheet(reg, book, start, end, progress)
        if progress:
            progress("Đang lưu tệp…", 1, 1)
        save_atomic(book, Path(out_path))
    log_event(reg, "export", {"file": str(out_path), "tests": count,
                              "from": start.isoformat(), "to": end.isoformat()})  # fmt: skip
    return count


def period_label(start: date, end: date) -> str:
    """ "từ 01/10/2026 đến 31/10/2026"."""
    return f"từ {show(start)} đến {show(end)}"
