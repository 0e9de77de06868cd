"""Bringing a commune's Excel list into the register: a preview of every row, then one transaction.

    plan = plan_import(reg, path, progress)     # reads and checks everything, writes nothing
    result = apply_import(reg, plan, progress)  # the importable rows, all or nothing
    write_rejected(plan, out_path)              # the refused rows, with why, to correct

Every row ends up imported, a possible duplicate (of the register or of an earlier row; not
imported), or rejected with its reason. People are checked by
`db.persons.people.check_person`, dates by `db.core.dates`, ID numbers by `db.persons.cccd`; the
rows are written as `add_person`, `open_episode` / `start_treatment`, `declare_substances` (the
substances of a person under management, db.excel.declared) and `record_test` write them, so an
import is recorded like typing the rows in — batched (db.excel.write), as 100,000 rows need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from db.commune.places import save_village, village_by_name
from db.core.errors import UserError
from db.excel.book import Sheet, open_book
from db.excel.common import (
    DUPLICATE,
    IMPORT,
    REASON_HEADER,
    REJECTED,
    SOURCE_ROW_HEADER,
    Progress,
    save_atomic,
)
from db.excel.match import Villages
from db.excel.plan import FATE_LABELS, KIND_LABELS, PROGRESS_EVERY, ImportPlan, Planner, PlanRow
from db.excel.read import PLACE_WORDS, SheetLayout, SheetProblem, data_rows, read_layouts
from db.excel.rows import plan_person, plan_test
from db.excel.values import is_blank, parse_category_text
from db.excel.write import WRITING, BatchWriter, write_people, write_tests
from db.law.categories import TREATMENT, Category
from db.store import records
from db.store.bulk_write import room_for
from db.store.register import Register


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    people: int
    episodes: int
    tests: int
    villages: int
    declarations: int = 0

    def summary(self) -> str:
        """The counts in one Vietnamese sentence."""
        declared = f", {self.declarations} khai báo chất sử dụng" if self.declarations else ""
        return (
            f"Đã nhập {self.people} người ({self.episodes} diện quản lý{declared}), "
            f"{self.tests} lần xét nghiệm; tạo mới {self.villages} thôn/bản."
        )


def _plan_sheet(planner: Planner, sheet: Sheet, layout: SheetLayout, total: int) -> None:
    """Plan every row of one sheet."""
    label = f"Đang kiểm tra sheet “{layout.title}”…"
    context: dict[str, tuple[int, tuple[Any, ...], str]] = {}
    headings: list[str] = []
    for number, cells in data_rows(sheet, layout):
        title = layout.section_title(cells)
        if title is not None:
            field = _heading_field(planner, title) if layout.kind == "people" else None
            if field is not None:
                context[field] = (number, tuple(cells), title)
            headings.append(f"{number} (“{title[:30]}”)")
            continue
        row = PlanRow(layout.title, number, layout.kind)
        values = layout.values(cells)
        if layout.kind == "people":
            for field, (_, _, title) in context.items():
                if is_blank(values.get(field)):
                    values[field] = title
            row.context = tuple((n, raw) for n, raw, _ in context.values())
            plan_person(planner, row, values)
        else:
            plan_test(planner, row, values)
        if row.fate == REJECTED:
            row.raw = tuple(cells)
        planner.plan.rows.append(row)
        planner.done += 1
        if planner.progress and planner.done % PROGRESS_EVERY == 0:
            planner.progress(label, planner.done, max(total, planner.done))
    if headings:
        note = (
            f"Sheet “{layout.title}”: dòng tiêu đề nhóm {', '.join(headings[:5])}"
            f"{' …' if len(headings) > 5 else ''}: không phải người; thôn/bản hoặc diện "
            "của nhóm được ghi cho các dòng bên dưới không ghi thôn/bản, diện."
        )
        planner.plan.problems.append(SheetProblem(layout.title, note, False))
    if layout.stopped is not None:
        planner.plan.problems.append(SheetProblem(layout.title, layout.stopped, False))
    if layout.footer is not None:
        number, text = layout.footer
        note = (
            f"Sheet “{layout.title}”: danh sách dừng ở dòng {number} (“{text[:40]}”); "
            "phần ký tên bên dưới không được nhập."
        )
        planner.plan.problems.append(SheetProblem(layout.title, note, False))


def _heading_field(planner: Planner, title: str) -> str | None:
    """What a group heading sets for the rows under it: "category", "village" or nothing."""
    try:
        parse_category_text(title)
        return "category"
    except UserError:
        pass
    if title.lower().startswith(PLACE_WORDS) or planner.villages.known(title):
        return "village"
    return None


def plan_import(reg: Register, path: str | Path, progress: Progress | None = None) -> ImportPlan:
    """Read and check a workbook: every row's fate, nothing written."""
    path = Path(path)
    with open_book(path) as book:
        found, problems = read_layouts(book)
        if not found:
            reasons = " ".join(p.message for p in problems if p.rejected)
            raise UserError(
                f"Tệp “{path.name}” không có danh sách nào nhập được. {reasons}".strip()
                if reasons
                else f"Tệp “{path.name}” không có dữ liệu: các sheet đều trống."
            )
        planner = Planner(reg, path, progress)
        planner.plan.problems = problems
        total = sum(max((s.height or 0) - layout.header_row, 0) for s, layout in found)
        for sheet, layout in found:
            planner.plan.layouts.append(layout)
            _plan_sheet(planner, sheet, layout, total)
    plan = planner.plan
    if not plan.rows:
        raise UserError(f"Tệp “{path.name}” có dòng tiêu đề nhưng không có dòng dữ liệu nào.")
    # Only the villages of rows that will be imported are created.
    used = {
        r.data["village"]
        for r in plan.rows
        if r.kind == "people" and r.data and r.data["village"] and r.data["village_id"] is None
    }
    plan.villages = [name for name in planner.villages.new.values() if name in used]
    if progress:
        progress("Đã kiểm tra xong.", len(plan.rows), len(plan.rows))
    return plan


def _village_ids(reg: Register, plan: ImportPlan) -> dict[str, str]:
    ids = {}
    for name in plan.villages:
        existing = village_by_name(reg, name)
        if existing is None:
            ids[name] = save_village(reg, {"name": name, "kind": Villages.kind_of(name)})
        else:
            ids[name] = existing["id"]
    return ids


def apply_import(reg: Register, plan: ImportPlan, progress: Progress | None = None) -> ImportResult:
    """Write the rows the preview marked to import, in one transaction: all of them or none.

    Written as typing them in would write them (db.excel.write), a few hundred rows at a time.
    """
    people = [r for r in plan.rows if r.kind == "people" and r.fate == IMPORT]
    tests = [r for r in plan.rows if r.kind == "tests" and r.fate == IMPORT]
    # In date order: a test ends a "suspected" episode on its day, the first test first.
    tests.sort(key=lambda r: r.data["test_date"] if r.data else date.min)
    total = len(people) + len(tests)
    episodes = sum(_episodes_of(r) for r in people)
    declared = sum(1 for r in people if (r.data or {}).get("declaration") is not None)
    adding = {"persons": len(people), "episodes": episodes, "drug_tests": len(tests),
              "substance_declarations": declared,
              "change_log": total + episodes + declared}  # fmt: skip
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(WRITING, done, total)

    def building(n: int, count: int) -> None:
        if progress:
            progress(f"Đang hoàn tất: lập chỉ mục tìm kiếm ({n}/{count})…", total, total)

    writer: BatchWriter | None = None
    try:
        with records.transaction(reg):
            villages = _village_ids(reg, plan)
            writer = BatchWriter(reg)
            with room_for(reg, adding, building):
                created = write_people(writer, people, villages, step)
                write_tests(writer, tests, created, step)
    except UserError as exc:
        current = writer.current if writer else None
        where = f"Sheet “{current.sheet}”, dòng {current.row}: " if current else ""
        raise UserError(
            f"{where}{exc.message} Không có dòng nào được nhập (sổ có thể đã thay đổi sau khi "
            "xem trước); hãy xem trước lại."
        ) from exc
    if progress:
        progress("Đã nhập xong.", total, total)
    return ImportResult(len(people), episodes, len(tests), len(plan.villages), declared)


def _episodes_of(row: PlanRow) -> int:
    """How many episodes a person's row opens: the addict episode comes with a treatment."""
    category: Category | None = (row.data or {}).get("category")
    if category is None:
        return 0
    return 2 if category in TREATMENT else 1


def rejected_path(source: str | Path) -> Path:
    """Where the refused rows of a file go: beside it, "<name>-loi.xlsx"."""
    source = Path(source)
    return source.with_name(f"{source.stem}-loi.xlsx")


def write_rejected(plan: ImportPlan, out_path: str | Path) -> int:
    """The refused rows with their original columns and "Lý do không nhập"; how many."""
    from db.excel.export import streaming_book, write_table

    written = 0
    with streaming_book() as book:
        for layout in plan.layouts:
            rows = [r for r in plan.rows if r.sheet == layout.title and r.fate == REJECTED]
            if not rows:
                continue
            width = max(len(layout.headers), *(len(r.raw or ()) for r in rows))
            headers = [*layout.headers, *[""] * (width - len(layout.headers))]
            table: list[list[Any]] = []
            shown: set[int] = set()
            for r in rows:
                # The group headings the row stood under, so the file imports the same way.
                for number, heading in r.context:
                    if number not in shown:
                        shown.add(number)
                        table.append([*heading, *[None] * (width - len(heading))])
                cells = r.raw or ()
                table.append([*cells, *[None] * (width - len(cells)), r.row, r.reason])
            write_table(book, layout.title, [*headers, SOURCE_ROW_HEADER, REASON_HEADER], table)
            written += len(rows)
        if written:
            save_atomic(book, Path(out_path))
    return written


__all__ = [
    "DUPLICATE", "FATE_LABELS", "IMPORT", "KIND_LABELS", "REJECTED", "ImportPlan", "ImportResult",
    "PlanRow", "apply_import", "plan_import", "rejected_path", "write_rejected",
]  # fmt: skip
