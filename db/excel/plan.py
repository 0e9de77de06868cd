"""The plan of an Excel import: every row's fate, and what planning remembers as it reads.

`db.excel.importer` reads the sheets into a `Planner`; `db.excel.rows` decides each row's fate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from db.excel.common import DUPLICATE, IMPORT, REJECTED, Progress
from db.excel.match import Known, PeopleIndex, Villages
from db.excel.read import SheetLayout, SheetProblem
from db.store.register import Register

FATE_LABELS = {IMPORT: "Sẽ nhập", DUPLICATE: "Có thể trùng", REJECTED: "Bị từ chối"}
KIND_LABELS = {"people": "Đối tượng", "tests": "Xét nghiệm"}
PROGRESS_EVERY = 500


@dataclass(slots=True)
class PlanRow:
    """One row of the file and what the import does with it."""

    sheet: str
    row: int  # the row number Excel shows
    kind: str  # "people" or "tests"
    fate: str = IMPORT
    reason: str = ""  # why rejected, or whom it duplicates
    name: str = ""
    birth: str = ""  # as shown: "17/05/1990", "1990"
    id_number: str = ""
    detail: str = ""  # what is imported: the category, or the test
    match: str = ""  # the person a duplicate repeats, or whom a test is about
    match_id: str | None = None  # that person's id when on the register
    raw: tuple[Any, ...] | None = None  # the row's cells, kept for rejected rows
    context: tuple[tuple[int, tuple[Any, ...]], ...] = ()  # group headings above the row
    data: dict[str, Any] | None = None  # what apply_import writes


@dataclass
class ImportPlan:
    """The preview: every row's fate, the villages to create, and the sheets left out."""

    source: Path
    rows: list[PlanRow] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)  # new villages, created on apply
    problems: list[SheetProblem] = field(default_factory=list)
    layouts: list[SheetLayout] = field(default_factory=list)

    def count(self, fate: str, kind: str | None = None) -> int:
        """How many rows have this fate (of one kind, or of both)."""
        return sum(1 for r in self.rows if r.fate == fate and (kind is None or r.kind == kind))

    @property
    def importable(self) -> int:
        """Rows that will be imported."""
        return self.count(IMPORT)

    @property
    def duplicates(self) -> int:
        """Rows left out as possible duplicates."""
        return self.count(DUPLICATE)

    @property
    def rejected(self) -> int:
        """Rows refused, each with its reason."""
        return self.count(REJECTED)

    def summary(self) -> str:
        """The counts in one Vietnamese sentence."""
        people, tests = self.count(IMPORT, "people"), self.count(IMPORT, "tests")
        return (
            f"{self.importable} dòng sẽ nhập ({people} người, {tests} lần xét nghiệm), "
            f"{self.duplicates} dòng có thể trùng (không nhập), {self.rejected} dòng bị từ chối."
        )


class Planner:
    """What planning an import remembers as it reads: the register's people and villages, the
    people and tests of the file seen so far, and the plan being written."""

    def __init__(self, reg: Register, path: Path, progress: Progress | None) -> None:
        self.reg = reg
        self.path = path
        self.progress = progress
        self.index = PeopleIndex(reg)
        self.villages = Villages(reg)
        self.tests_seen: dict[tuple[Any, str, str], PlanRow] = {}
        self.plan = ImportPlan(path)
        self.done = 0

    def add_person(self, row: PlanRow, values: dict[str, Any], village: str) -> None:
        """Remember a people row so later rows and tests can find it."""
        self.index.add(
            Known(
                values["name_folded"], values["full_name"], values["birth_date"],
                values["id_number"], village, sheet=row.sheet, row=row.row,
                importable=row.fate == IMPORT,
            )
        )  # fmt: skip

    def test_seen(self, row: PlanRow, who: Known, when: date, result: str) -> PlanRow | None:
        """An earlier row of the file with the same test; remembers this one."""
        key = (who.person_id or (who.sheet, who.row), when.isoformat(), result)
        earlier = self.tests_seen.get(key)
        if earlier is None:
            self.tests_seen[key] = row
        return earlier
