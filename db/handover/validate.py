"""Every value of a bundle checked before it reaches the register.

A bundle made with the right passphrase is authentic, not necessarily sound: whoever holds the
passphrase can write anything into it. So each row is checked against the schema's types (a
list where a text belongs, an integer SQLite cannot hold), its constraints (NOT NULL, CHECK) and
the register's own rules (dates that exist, in ISO form; a settings value that is JSON and
valid for its key; an episode that ends after it starts) — on the reading thread, batch by
batch, before the merge sees the rows. A fault is an `InvalidBundle` naming the table, the
record and the field, in Vietnamese; the import's transaction then rolls back whole.

Foreign keys and overlapping episodes depend on the register and are checked where the rows
are written (db/handover/merge_write.py, db/handover/receive.py).
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from db.commune.places import HOTSPOT_KINDS, INCIDENT_KINDS
from db.commune.settings import SETTINGS, parse_setting
from db.handover.bundle import DamagedBundle, InvalidBundle, NewerBundle
from db.handover.conflicts import FIELD_LABELS
from db.handover.merge import BASE_COLUMN, META, TableSpec
from db.handover.tables import TABLE_LABELS
from db.law.categories import END_KINDS, Category
from db.persons.contacts import KINDS as CONTACT_KINDS
from db.persons.drugtests import KINDS as TEST_KINDS
from db.persons.drugtests import RESULTS
from db.store.register import Register

Check = Callable[[Any], str | None]  # a value → what is wrong with it (None: nothing)
RowCheck = Callable[[Mapping[str, Any]], tuple[str, str] | None]  # → (field, problem)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARTIAL = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_HEX16 = re.compile(r"[0-9a-f]{32}")
_INT64 = (-(1 << 63), (1 << 63) - 1)
_YEARS = (1900, 2100)  # as db.core.dates reads a date typed in a form
_SETTINGS = {s.key: s for s in SETTINGS}


def _text(value: Any) -> str | None:
    return None if type(value) is str else "phải là chữ"


def _filled(value: Any) -> str | None:
    if type(value) is not str:
        return "phải là chữ"
    return None if value.strip() else "không được để trống"


def _integer(value: Any) -> str | None:
    if type(value) is not int:
        return "phải là số nguyên"
    return None if _INT64[0] <= value <= _INT64[1] else "số quá lớn"


def _count(value: Any) -> str | None:
    return _integer(value) or (None if value >= 0 else "không được âm")


def _real(value: Any) -> str | None:
    if type(value) not in (int, float) or not math.isfinite(value):
        return "phải là số"
    return None if abs(value) < 1e15 else "số quá lớn"


def _area(value: Any) -> str | None:
    return _real(value) or (None if value >= 0 else "không được âm")


def _flag(value: Any) -> str | None:
    return None if type(value) is int and value in (0, 1) else "phải là 0 hoặc 1"


def _uuid(value: Any) -> str | None:
    return None if type(value) is str and _UUID.fullmatch(value) else "mã không hợp lệ"


@lru_cache(maxsize=8192)
def _day(value: str) -> str | None:
    if not _DATE.fullmatch(value):
        return "không phải ngày dạng YYYY-MM-DD"
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return "ngày không có trong lịch"
    return None if _YEARS[0] <= day.year <= _YEARS[1] else "năm không hợp lệ"


def _date(value: Any) -> str | None:
    return _day(value) if type(value) is str else "phải là ngày"


@lru_cache(maxsize=8192)
def _birth(value: str) -> str | None:
    if not _PARTIAL.fullmatch(value):
        return "không phải ngày sinh hợp lệ"
    year, *rest = (int(part) for part in value.split("-"))
    if not _YEARS[0] <= year <= _YEARS[1]:
        return "năm không hợp lệ"
    return None if not rest or _day(f"{value}-01"[:10]) is None else "ngày không có trong lịch"


def _partial(value: Any) -> str | None:
    return _birth(value) if type(value) is str else "phải là ngày"


# A time stamp as the register writes them (ISO 8601, UTC): its shape here, its day by _day.
_STAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:[+-]\d{2}:\d{2}|Z)?"
)


def _stamp(value: Any) -> str | None:
    if type(value) is not str or not _STAMP.fullmatch(value):
        return "không phải thời điểm hợp lệ"
    return _day(value[:10])


def _one_of(*allowed: str) -> Check:
    choices = frozenset(allowed)

    def check(value: Any) -> str | None:
        return None if type(value) is str and value in choices else "giá trị không hợp lệ"

    return check


def _team(value: Any) -> str | None:
    """The management team: JSON, a list of members, each a mapping of texts."""
    if type(value) is not str:
        return "phải là chữ"
    try:
        team = json.loads(value)
    except (ValueError, RecursionError):
        return "không đọc được (không phải JSON)"
    members_ok = isinstance(team, list) and all(
        isinstance(m, dict) and all(isinstance(v, str) for v in m.values()) for m in team
    )
    return None if members_ok else "danh sách tổ quản lý không hợp lệ"


def _base(value: Any) -> str | None:
    return None if type(value) is str and _HEX16.fullmatch(value) else "mã kiểm tra không hợp lệ"


def _ends_after(start: str, end: str) -> RowCheck:
    def check(row: Mapping[str, Any]) -> tuple[str, str] | None:
        first, last = row.get(start), row.get(end)
        if first is not None and last is not None and last < first:
            return end, "trước ngày bắt đầu"
        return None

    return check


def _closed_with_kind(row: Mapping[str, Any]) -> tuple[str, str] | None:
    if (
        "end_date" in row
        and "end_kind" in row
        and (row["end_date"] is None) != (row["end_kind"] is None)
    ):
        return "end_kind", "ngày kết thúc và hình thức kết thúc phải có cùng nhau"
    return None


def _setting_value(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """A settings value is JSON, and for a key this version knows, a valid value of its kind."""
    try:
        value = json.loads(row.get("value") or "")
    except (ValueError, RecursionError):
        return "value", "không đọc được (không phải JSON)"
    setting = _SETTINGS.get(row.get("key") or "")
    if setting is None:
        return None  # another version's setting: skipped by the import, never read
    parsed, error = parse_setting(setting.key, value)
    if error:
        return "value", error
    if setting.kind == "text":
        return None if isinstance(value, str) else ("value", "phải là chữ")
    if type(parsed) is not type(value) or parsed != value:
        return "value", "không đúng kiểu của mục cài đặt"
    return None


_META_RULES: dict[str, Check] = {
    "id": _uuid, "created_at": _stamp, "updated_at": _stamp, "created_by": _text,
    "updated_by": _text, "device_id": _filled, "deleted": _flag, BASE_COLUMN: _base,
}  # fmt: skip
_NULLABLE_REFS = {"village_id", "person_id"}
RULES: dict[str, dict[str, Check]] = {
    "villages": {
        "commune_id": _uuid, "name": _filled, "kind": _text, "population": _count,
        "households": _count, "drug_free": _flag, "drug_free_since": _date, "notes": _text,
    },
    "persons": {
        "commune_id": _uuid, "full_name": _filled, "birth_date": _partial,
        "sex": _one_of("M", "F"), "id_kind": _one_of("", "cccd", "cmnd"), "village_id": _uuid,
    },
    "episodes": {
        "person_id": _uuid, "category": _one_of(*(c.value for c in Category)),
        "decision_date": _date, "start_date": _date, "planned_end": _date,
        "absence_days": _count, "end_date": _date, "end_kind": _one_of(*END_KINDS),
        "notice_date": _date, "team": _team,
    },
    "drug_tests": {
        "person_id": _uuid, "test_date": _date, "kind": _one_of(*TEST_KINDS),
        "result": _one_of(*RESULTS),
    },
    "contacts": {
        "person_id": _uuid, "contact_date": _date, "kind": _one_of(*CONTACT_KINDS),
        "at_address": _flag,
    },
    "hotspots": {
        "commune_id": _uuid, "village_id": _uuid, "name": _filled,
        "kind": _one_of(*HOTSPOT_KINDS), "found_date": _date, "cleared_date": _date,
    },
    "prevention_models": {
        "commune_id": _uuid, "village_id": _uuid, "name": _filled, "start_date": _date,
        "end_date": _date,
    },
    "incidents": {
        "commune_id": _uuid, "village_id": _uuid, "person_id": _uuid, "incident_date": _date,
        "kind": _one_of(*INCIDENT_KINDS), "serious": _flag, "count": _count, "area_m2": _area,
    },
    "settings": {"key": _filled, "value": _text},
    "calendar_days": {"day": _date, "kind": _one_of("holiday", "workday"), "name": _text},
}  # fmt: skip
ROW_RULES: dict[str, tuple[RowCheck, ...]] = {
    "episodes": (_ends_after("start_date", "end_date"), _closed_with_kind),
    "hotspots": (_ends_after("found_date", "cleared_date"),),
    "prevention_models": (_ends_after("start_date", "end_date"),),
    "settings": (_setting_value,),
}
_BY_TYPE: dict[str, Check] = {"TEXT": _text, "INTEGER": _integer, "REAL": _real}


_ANY_TEXT = frozenset({str})
# What each check lets through by type alone, and whether it also looks at the value.
_TYPES: dict[Check, tuple[frozenset[type], bool]] = {
    _text: (_ANY_TEXT, False),
    _integer: (frozenset({int}), True),
    _count: (frozenset({int}), True),
    _flag: (frozenset({int}), True),
    _real: (frozenset({int, float}), True),
    _area: (frozenset({int, float}), True),
}


_SHAPES: dict[Check, re.Pattern[str]] = {_uuid: _UUID, _base: _HEX16, _stamp: _STAMP}
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
            rule = RULES.get(table, {}).get(name) or _META_RULES.get(name)
            fallback = _BY_TYPE.get(str(kind).upper(), _text)
            columns[name] = Column.of(rule or fallback, not (notnull or primary))
        columns[BASE_COLUMN] = Column.of(_base, True)
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
                if column.check is not _stamp:
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
        label = FIELD_LABELS.get(name, name)
        return InvalidBundle(
            f"Gói “{self.path.name}” có dữ liệu không hợp lệ: {TABLE_LABELS.get(table, table)}"
            f"{record}, trường “{label}”: {problem}. Không có gì được nhập vào sổ; hãy báo bên "
            "gửi lập lại gói."
        )
