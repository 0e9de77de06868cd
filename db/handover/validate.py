"""Every value of a bundle checked before it reaches the register.

A bundle made with the right passphrase is authentic, not necessarily sound: whoever holds the
passphrase can write anything into it. So each row is checked against the schema's types (a
list where a text belongs, an integer SQLite cannot hold), its constraints (NOT NULL, CHECK) and
the register's own rules (dates that exist, in ISO form; a settings value that is JSON and
valid for its key; an episode that ends after it starts: db/handover/values.py) — on the
reading thread, batch by batch, before the merge sees the rows. A fault is an `InvalidBundle`
naming the table, the record and the field, in Vietnamese; the import's transaction then rolls
back whole.

Foreign keys and overlapping episodes depend on the register and are checked where the rows
are written (db/handover/merge_write.py, db/handover/receive.py).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.handover.bundle import DamagedBundle, InvalidBundle, NewerBundle
from db.handover.conflicts import field_label
from db.handover.merge import BASE_COLUMN, META, TableSpec
from db.handover.tables import TABLE_LABELS
from db.handover.values import (
    BY_TYPE,
    HEX16,
    META_RULES,
    ROW_RULES,
    RULES,
    STAMP,
    UUID,
    Check,
    area,
    base,
    count,
    flag,
    integer,
    positive,
    real,
    stamp,
    text,
    uuid,
)
from db.store.register import Register

_ANY_TEXT = frozenset({str})
# What each check lets through by type alone, and whether it also looks at the value.
_TYPES: dict[Check, tuple[frozenset[type], bool]] = {
    text: (_ANY_TEXT, False),
    integer: (frozenset({int}), True),
    count: (frozenset({int}), True),
    positive: (frozenset({int}), True),
    flag: (frozenset({int}), True),
    real: (frozenset({int, float}), True),
    area: (frozenset({int, float}), True),
}


_SHAPES: dict[Check, re.Pattern[str]] = {uuid: UUID, base: HEX16, stamp: STAMP}
_DAY_OF = operator.itemgetter(slice(0, 10))


@dataclass(frozen=True)
class Column:
    """What the schema says of a column: its check, the Python types it may hold, whether the
    value itself is checked, and whether it may be empty (NULL)."""

    check: Check
    nullable: bool
    types: frozenset[type]
    by_value: bool
    shape: re.Pattern[str] | None = None  # checked on every value in one C loop

    @classmethod
    def of(cls, check: Check, nullable: bool) -> Column:
        types, by_value = _TYPES.get(check, (_ANY_TEXT, True))
        allowed = types | {type(None)} if nullable else types
        return cls(check, nullable, allowed, by_value, _SHAPES.get(check))


def schema_columns(reg: Register, tables: Sequence[str]) -> dict[str, dict[str, Column]]:
    """Each table's column checks: the rules above, else the schema's declared type."""
    out: dict[str, dict[str, Column]] = {}
    for table in tables:
        columns: dict[str, Column] = {}
        for _, name, kind, notnull, _, primary in reg.db.execute(
            f"PRAGMA table_info([{table}])"
        ).fetchall():
            rule = RULES.get(table, {}).get(name) or META_RULES.get(name)
            fallback = BY_TYPE.get(str(kind).upper(), text)
            columns[name] = Column.of(rule or fallback, not (notnull or primary))
        columns[BASE_COLUMN] = Column.of(base, True)
        out[table] = columns
    return out


def _problem(column: Column, value: Any) -> str:
    """Why a value of a type the column does not take is wrong."""
    if value is None:
        return "không được để trống"
    if isinstance(value, list | dict):
        return "phải là một giá trị, không phải danh sách"
    return column.check(value) or "kiểu giá trị không hợp lệ"


class Validator:
    """Checks a bundle's batches; made on the importing thread, used on the reading one."""

    def __init__(self, reg: Register, path: Path, specs: Mapping[str, TableSpec]) -> None:
        self.path = Path(path)
        self.specs = dict(specs)
        self.columns = schema_columns(reg, list(specs))
        self._checked: set[tuple[str, tuple[str, ...]]] = set()

    def check_columns(self, table: str, columns: Sequence[str]) -> None:
        """A column this version does not know is "newer"; a required one missing, damage."""
        spec = self.specs[table]
        known = {*spec.columns, BASE_COLUMN}
        unknown = [c for c in columns if c not in known]
        missing = [c for c in spec.data if c not in columns and c not in spec.defaults]
        if unknown:
            raise NewerBundle(
                f"Gói “{self.path.name}” có dữ liệu mà phiên bản này chưa biết ({table}: "
                f"{', '.join(unknown)}). Hãy cập nhật Sổ theo dõi rồi nhập lại; sổ không bị thay "
                "đổi."
            )
        if missing or "id" not in columns or any(m not in columns for m in META):
            raise DamagedBundle(f"Gói “{self.path.name}” thiếu cột bắt buộc của bảng {table}.")

    def check(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """InvalidBundle naming the first wrong value of a batch; nothing otherwise."""
        known = self.columns.get(table)
        if known is None:
            return  # a table this version does not merge: the import refuses or skips it
        if (table, tuple(columns)) not in self._checked:
            self.check_columns(table, columns)
            self._checked.add((table, tuple(columns)))
        # Column by column, in C loops: the types present, then the shape of every value (ids,
        # stamps) or each distinct value once (dates, kinds: a few per batch).
        for name, values in zip(columns, zip(*rows, strict=True), strict=False):
            column = known[name]
            types = set(map(type, values))
            if not types <= column.types:
                i = next(i for i, v in enumerate(values) if type(v) not in column.types)
                raise self.error(table, columns, rows[i], name, _problem(column, values[i]))
            if not column.by_value:
                continue
            present = [v for v in values if v is not None] if type(None) in types else values
            distinct: Iterable[Any] = present
            if column.shape is not None and all(map(column.shape.fullmatch, present)):
                if column.check is not stamp:
                    continue
                distinct = {f"{day}T00:00:00" for day in map(_DAY_OF, present)}
            for value in set(distinct):
                problem = column.check(value)
                if problem:
                    culprit = next((r for r, v in zip(rows, values, strict=True)
                                    if v == value or v is value), rows[0])  # fmt: skip
                    raise self.error(table, columns, culprit, name, problem)
        for rule in ROW_RULES.get(table, ()):
            for row in rows:
                found = rule(dict(zip(columns, row, strict=True)))
                if found:
                    raise self.error(table, columns, row, *found)

    def error(self, table: str, columns: Sequence[str], row: Sequence[Any], name: str,
              problem: str) -> InvalidBundle:  # fmt: skip
        """The message: the table, the record (its id when it has a readable one), the field."""
        record = ""
        if "id" in columns and row:
            row_id = row[columns.index("id")]
            if type(row_id) is str and len(row_id) <= 64:
                record = f" (bản ghi mã {row_id})"
        label = field_label(table, name)
        return InvalidBundle(
            f"Gói “{self.path.name}” có dữ liệu không hợp lệ: {TABLE_LABELS.get(table, table)}"
            f"{record}, trường “{label}”: {problem}. Không có gì được nhập vào sổ; hãy báo bên "
            "gửi lập lại gói."
        )
