"""What each value of a bundle must be: the checks of one value, and the rules of each table.

`RULES[table][column]` checks one value (a type, a shape, a date on the calendar, a code the
register knows); `ROW_RULES[table]` checks a row's values together (an end after its start). A
column with no rule is checked by the schema's declared type (`BY_TYPE`). Each check says what
is wrong in Vietnamese (None: nothing); db/handover/validate.py runs them over a bundle.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from db.commune.places import HOTSPOT_KINDS, INCIDENT_KINDS
from db.commune.settings import SETTINGS, parse_setting
from db.handover.merge import BASE_COLUMN
from db.law.categories import END_KINDS, Category
from db.persons.contacts import KINDS as CONTACT_KINDS
from db.persons.drugtests import KINDS as TEST_KINDS
from db.persons.drugtests import RESULTS
from db.persons.monitoring import ELIGIBLE, not_in_force
from db.persons.team import ROLES as TEAM_ROLES

Check = Callable[[Any], str | None]  # a value → what is wrong with it (None: nothing)
RowCheck = Callable[[Mapping[str, Any]], tuple[str, str] | None]  # → (field, problem)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARTIAL = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
HEX16 = re.compile(r"[0-9a-f]{32}")
_INT64 = (-(1 << 63), (1 << 63) - 1)
_YEARS = (1900, 2100)  # as db.core.dates reads a date typed in a form
_SETTINGS = {s.key: s for s in SETTINGS}


def text(value: Any) -> str | None:
    return None if type(value) is str else "phải là chữ"


def _filled(value: Any) -> str | None:
    if type(value) is not str:
        return "phải là chữ"
    return None if value.strip() else "không được để trống"


def integer(value: Any) -> str | None:
    if type(value) is not int:
        return "phải là số nguyên"
    return None if _INT64[0] <= value <= _INT64[1] else "số quá lớn"


def count(value: Any) -> str | None:
    return integer(value) or (None if value >= 0 else "không được âm")


def real(value: Any) -> str | None:
    if type(value) not in (int, float) or not math.isfinite(value):
        return "phải là số"
    return None if abs(value) < 1e15 else "số quá lớn"


def positive(value: Any) -> str | None:
    return integer(value) or (None if value > 0 else "phải lớn hơn 0")


def area(value: Any) -> str | None:
    return real(value) or (None if value >= 0 else "không được âm")


def flag(value: Any) -> str | None:
    return None if type(value) is int and value in (0, 1) else "phải là 0 hoặc 1"


def uuid(value: Any) -> str | None:
    return None if type(value) is str and UUID.fullmatch(value) else "mã không hợp lệ"


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
STAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:[+-]\d{2}:\d{2}|Z)?"
)


def stamp(value: Any) -> str | None:
    if type(value) is not str or not STAMP.fullmatch(value):
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


def base(value: Any) -> str | None:
    return None if type(value) is str and HEX16.fullmatch(value) else "mã kiểm tra không hợp lệ"


def _ends_after(start: str, end: str) -> RowCheck:
    def check(row: Mapping[str, Any]) -> tuple[str, str] | None:
        first, last = row.get(start), row.get(end)
        if first is not None and last is not None and last < first:
            return end, "trước ngày bắt đầu"
        return None

    return check


def _not_before(first: str, then: str, problem: str) -> RowCheck:
    def check(row: Mapping[str, Any]) -> tuple[str, str] | None:
        early, late = row.get(first), row.get(then)
        if early is not None and late is not None and late < early:
            return then, problem
        return None

    return check


def _absence_days(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """An absence counts both its days (db.persons.absences.record_absence)."""
    first, last, days = row.get("start_date"), row.get("end_date"), row.get("days")
    if not (type(first) is str and type(last) is str and type(days) is int):
        return None  # a column left out: the schema's default or NULL check speaks
    span = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    return None if days == span else ("days", f"phải là {span} (tính cả ngày đầu và ngày cuối)")


def _ended_with_reason(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """An electronic-monitoring order ended has its reason (db.persons.monitoring.check_end)."""
    reason = row.get("end_reason")
    if row.get("ended_on") is not None and type(reason) is str and not reason.strip():
        return "end_reason", "phải ghi lý do khi lệnh giám sát đã kết thúc"
    return None


def _ordered_in_force(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """Electronic monitoring is ordered only from the day Law 120/2025 took effect."""
    ordered = row.get("ordered_on")
    if type(ordered) is not str:
        return None
    refused = not_in_force(date.fromisoformat(ordered))
    return ("ordered_on", refused.rstrip(".")) if refused else None


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


META_RULES: dict[str, Check] = {
    "id": uuid, "created_at": stamp, "updated_at": stamp, "created_by": text,
    "updated_by": text, "device_id": _filled, "deleted": flag, BASE_COLUMN: base,
}  # fmt: skip
RULES: dict[str, dict[str, Check]] = {
    "villages": {
        "commune_id": uuid, "name": _filled, "kind": text, "population": count,
        "households": count, "drug_free": flag, "drug_free_since": _date, "notes": text,
    },
    "persons": {
        "commune_id": uuid, "full_name": _filled, "birth_date": _partial,
        "sex": _one_of("M", "F"), "id_kind": _one_of("", "cccd", "cmnd"), "village_id": uuid,
        "merged_into": uuid,
    },
    "episodes": {
        "person_id": uuid, "category": _one_of(*(c.value for c in Category)),
        "decision_date": _date, "start_date": _date, "planned_end": _date,
        "absence_days": count, "end_date": _date, "end_kind": _one_of(*END_KINDS),
        "notice_date": _date, "team": _team,
    },
    "drug_tests": {
        "person_id": uuid, "test_date": _date, "kind": _one_of(*TEST_KINDS),
        "result": _one_of(*RESULTS),
    },
    "contacts": {
        "person_id": uuid, "contact_date": _date, "kind": _one_of(*CONTACT_KINDS),
        "at_address": flag,
    },
    "hotspots": {
        "commune_id": uuid, "village_id": uuid, "name": _filled,
        "kind": _one_of(*HOTSPOT_KINDS), "found_date": _date, "cleared_date": _date,
    },
    "prevention_models": {
        "commune_id": uuid, "village_id": uuid, "name": _filled, "start_date": _date,
        "end_date": _date,
    },
    "incidents": {
        "commune_id": uuid, "village_id": uuid, "person_id": uuid, "incident_date": _date,
        "kind": _one_of(*INCIDENT_KINDS), "serious": flag, "count": count, "area_m2": area,
    },
    # Law 120/2025 and post-rehab management: the person's own rows.
    "absences": {
        "person_id": uuid, "episode_id": uuid, "start_date": _date, "end_date": _date,
        "days": positive, "notes": text,
    },
    "monitoring_orders": {
        "person_id": uuid, "episode_id": uuid, "category": _one_of(*(c.value for c in ELIGIBLE)),
        "ordered_on": _date, "ordered_by": _filled, "from_date": _date, "to_date": _date,
        "device": text, "ended_on": _date, "end_reason": text, "notes": text,
    },
    "substance_declarations": {
        "person_id": uuid, "declared_on": _date, "substances": _filled, "notes": text,
    },
    "management_team": {
        "person_id": uuid, "role": _one_of(*TEAM_ROLES), "name": _filled, "relation": text,
        "phone": text, "from_date": _date, "to_date": _date, "notes": text,
    },
    "settings": {"key": _filled, "value": text},
    "calendar_days": {"day": _date, "kind": _one_of("holiday", "workday"), "name": text},
}  # fmt: skip
ROW_RULES: dict[str, tuple[RowCheck, ...]] = {
    "episodes": (_ends_after("start_date", "end_date"), _closed_with_kind),
    "hotspots": (_ends_after("found_date", "cleared_date"),),
    "prevention_models": (_ends_after("start_date", "end_date"),),
    "settings": (_setting_value,),
    "absences": (_ends_after("start_date", "end_date"), _absence_days),
    "monitoring_orders": (
        _ends_after("from_date", "to_date"), _ends_after("from_date", "ended_on"),
        _not_before("ordered_on", "from_date", "trước ngày quyết định giám sát"),
        _ended_with_reason, _ordered_in_force,
    ),
    "management_team": (_ends_after("from_date", "to_date"),),
}  # fmt: skip
BY_TYPE: dict[str, Check] = {"TEXT": text, "INTEGER": integer, "REAL": real}
