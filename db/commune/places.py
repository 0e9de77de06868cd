"""Villages, drug hotspots, prevention models and incidents of the commune."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from db.core.dates import future_error, parse_date
from db.core.errors import UserError, ValidationError
from db.core.textfold import clean, fold, place_key
from db.persons.people import refresh_village_search
from db.store import records
from db.store.register import Register

VILLAGE_KINDS = ("thôn", "bản", "tổ dân phố", "tiểu khu", "khối", "ấp", "buôn", "làng")
HOTSPOT_KINDS = {
    "use": "Tụ điểm sử dụng",
    "harbour": "Địa điểm tổ chức, chứa chấp sử dụng",
    "trade": "Điểm mua bán",
}
INCIDENT_KINDS = {
    "psychosis": "Loạn thần do ma túy (“ngáo đá”)",
    "arrest": "Bắt giữ đối tượng phạm tội về ma túy",
    "plants": "Phát hiện, triệt phá cây có chứa chất ma túy",
    "other": "Khác",
}


def _day(value: Any, field: str, label: str, errors: dict[str, str], reg: Register) -> str | None:
    if value in (None, ""):
        return None
    try:
        day = parse_date(value, label)
    except UserError as exc:
        errors[field] = exc.message
        return None
    problem = future_error(day, reg.today(), label)
    if problem:
        errors[field] = problem
    return day.isoformat()


def _count(value: Any, field: str, label: str, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = f"{label}: phải là số nguyên."
        return None
    if number < 0:
        errors[field] = f"{label}: không được âm."
    return number


def _ref(reg: Register, table: str, value: Any, field: str, label: str,
         errors: dict[str, str]) -> str | None:  # fmt: skip
    """An id that must name a row of `table` (not deleted); a wrong one is a form error."""
    if not value:
        return None
    row = reg.db.execute(f"SELECT 1 FROM {table} WHERE id = ? AND deleted = 0", [value]).fetchone()
    if row is None:
        errors[field] = f"{label}: không có trong sổ."
    return str(value)


def village_by_name(reg: Register, name: str) -> dict[str, Any] | None:
    """A village of this register's own commune by name, ignoring case and diacritics (in a
    province's register another commune may have a village of the same name)."""
    rows = list(
        reg.db.query(
            "SELECT * FROM villages WHERE name_folded = ? AND commune_id = ? AND deleted = 0",
            [fold(name), reg.commune_id],
        )
    )
    return rows[0] if rows else None


def _village(reg: Register, data: Mapping[str, Any], village_id: str | None
             ) -> tuple[dict[str, Any], dict[str, str]]:  # fmt: skip
    """The row a village would be stored as, and what is wrong with it (field → message)."""
    errors: dict[str, str] = {}
    name = clean(data.get("name"))
    if not name:
        errors["name"] = "Tên thôn/bản: không được để trống."
    other = village_by_name(reg, name) if name else None
    if other and other["id"] != village_id:
        errors["name"] = f"Tên thôn/bản: “{name}” đã có."
    values = {
        "name": name,
        "name_folded": fold(name),
        "kind": clean(data.get("kind")) or "thôn",
        "population": _count(data.get("population"), "population", "Dân số", errors),
        "households": _count(data.get("households"), "households", "Số hộ", errors),
        "drug_free": int(bool(data.get("drug_free"))),
        "drug_free_since": _day(
            data.get("drug_free_since"), "drug_free_since", "Ngày công nhận", errors, reg
        ),
        "notes": clean(data.get("notes")),
    }
    return values, errors


def check_village(
    reg: Register, data: Mapping[str, Any], village_id: str | None = None
) -> dict[str, str]:
    """What `save_village` would refuse (field → message); writes nothing."""
    return _village(reg, data, village_id)[1]


def save_village(reg: Register, data: Mapping[str, Any], village_id: str | None = None) -> str:
    """Add a village, or change one (renaming it keeps its people findable by the new name)."""
    values, errors = _village(reg, data, village_id)
    if errors:
        raise ValidationError(errors)
    with records.transaction(reg):
        if village_id is None:
            return records.insert(reg, "villages", {**values, "commune_id": reg.commune_id})
        changed = records.update(reg, "villages", village_id, values)
        if "name" in changed:
            refresh_village_search(reg, village_id)
        return village_id


def villages(reg: Register) -> list[dict[str, Any]]:
    """The commune's villages in Vietnamese order of their names."""
    rows = list(reg.db.query("SELECT * FROM villages WHERE deleted = 0"))
    return sorted(rows, key=lambda r: place_key(r["name"]))


def _hotspot(reg: Register, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    name = clean(data.get("name"))
    if not name:
        errors["name"] = "Tên điểm: không được để trống."
    kind = data.get("kind") or "use"
    if kind not in HOTSPOT_KINDS:
        errors["kind"] = f"Loại điểm “{kind}” không hợp lệ."
    found = _day(data.get("found_date"), "found_date", "Ngày phát hiện", errors, reg)
    if found is None and "found_date" not in errors:
        errors["found_date"] = "Ngày phát hiện: không được để trống."
    cleared = _day(data.get("cleared_date"), "cleared_date", "Ngày xóa bỏ", errors, reg)
    if found and cleared and cleared < found:
        errors["cleared_date"] = "Ngày xóa bỏ: trước ngày phát hiện."
    village = _ref(reg, "villages", data.get("village_id"), "village_id", "Thôn/bản", errors)
    values = {
        "name": name, "kind": kind, "found_date": found, "cleared_date": cleared,
        "village_id": village, "address": clean(data.get("address")),
        "notes": clean(data.get("notes")),
    }  # fmt: skip
    return values, errors


def check_hotspot(reg: Register, data: Mapping[str, Any]) -> dict[str, str]:
    """What `save_hotspot` would refuse (field → message); writes nothing."""
    return _hotspot(reg, data)[1]


def save_hotspot(reg: Register, data: Mapping[str, Any], hotspot_id: str | None = None) -> str:
    """Add or change a drug hotspot (điểm, tụ điểm phức tạp)."""
    values, errors = _hotspot(reg, data)
    if errors:
        raise ValidationError(errors)
    if hotspot_id is None:
        return records.insert(reg, "hotspots", {**values, "commune_id": reg.commune_id})
    records.update(reg, "hotspots", hotspot_id, values)
    return hotspot_id


def _model(reg: Register, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    name = clean(data.get("name"))
    if not name:
        errors["name"] = "Tên mô hình: không được để trống."
    start = _day(data.get("start_date"), "start_date", "Ngày bắt đầu", errors, reg)
    if start is None and "start_date" not in errors:
        errors["start_date"] = "Ngày bắt đầu: không được để trống."
    end = _day(data.get("end_date"), "end_date", "Ngày kết thúc", errors, reg)
    if start and end and end < start:
        errors["end_date"] = "Ngày kết thúc: trước ngày bắt đầu."
    village = _ref(reg, "villages", data.get("village_id"), "village_id", "Thôn/bản", errors)
    values = {
        "name": name, "start_date": start, "end_date": end,
        "village_id": village, "notes": clean(data.get("notes")),
    }  # fmt: skip
    return values, errors


def check_model(reg: Register, data: Mapping[str, Any]) -> dict[str, str]:
    """What `save_model` would refuse (field → message); writes nothing."""
    return _model(reg, data)[1]


def save_model(reg: Register, data: Mapping[str, Any], model_id: str | None = None) -> str:
    """Add or change a drug-prevention model (mô hình phòng, chống ma túy)."""
    values, errors = _model(reg, data)
    if errors:
        raise ValidationError(errors)
    if model_id is None:
        return records.insert(reg, "prevention_models", {**values, "commune_id": reg.commune_id})
    records.update(reg, "prevention_models", model_id, values)
    return model_id


def _incident(reg: Register, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    kind = data.get("kind") or ""
    if kind not in INCIDENT_KINDS:
        errors["kind"] = f"Loại vụ việc “{kind}” không hợp lệ."
    day = _day(data.get("incident_date"), "incident_date", "Ngày xảy ra", errors, reg)
    if day is None and "incident_date" not in errors:
        errors["incident_date"] = "Ngày xảy ra: không được để trống."
    count = _count(data.get("count"), "count", "Số lượng", errors)
    area = data.get("area_m2") or 0
    try:
        area = float(area)
        if area < 0:
            errors["area_m2"] = "Diện tích: không được âm."
    except (TypeError, ValueError):
        errors["area_m2"] = "Diện tích: phải là số."
    village = _ref(reg, "villages", data.get("village_id"), "village_id", "Thôn/bản", errors)
    person = _ref(reg, "persons", data.get("person_id"), "person_id", "Người liên quan", errors)
    values = {
        "kind": kind, "incident_date": day, "count": 1 if count is None else count,
        "area_m2": area, "serious": int(bool(data.get("serious"))),
        "village_id": village, "person_id": person,
        "notes": clean(data.get("notes")),
    }  # fmt: skip
    return values, errors


def check_incident(reg: Register, data: Mapping[str, Any]) -> dict[str, str]:
    """What `save_incident` would refuse (field → message); writes nothing."""
    return _incident(reg, data)[1]


def save_incident(reg: Register, data: Mapping[str, Any], incident_id: str | None = None) -> str:
    """Add or change an incident: drug psychosis, arrests, drug plants destroyed."""
    values, errors = _incident(reg, data)
    if errors:
        raise ValidationError(errors)
    if incident_id is None:
        return records.insert(reg, "incidents", {**values, "commune_id": reg.commune_id})
    records.update(reg, "incidents", incident_id, values)
    return incident_id


def active_on(start: str | None, end: str | None, on: date) -> bool:
    """Whether a dated record (hotspot, model) is active on a day."""
    day = on.isoformat()
    return bool(start) and start <= day and (end is None or end > day)  # type: ignore[operator]


def _live(reg: Register, table: str, order_by: str) -> list[dict[str, Any]]:
    return list(
        reg.db.query(
            f"SELECT x.*, v.name AS village FROM [{table}] x "
            f"LEFT JOIN villages v ON v.id = x.village_id WHERE x.deleted = 0 ORDER BY {order_by}"
        )
    )


def hotspots(reg: Register) -> list[dict[str, Any]]:
    """The commune's hotspots, newest found first, with the village name."""
    return _live(reg, "hotspots", "x.found_date DESC, x.created_at DESC")


def prevention_models(reg: Register) -> list[dict[str, Any]]:
    """The commune's prevention models, newest first, with the village name."""
    return _live(reg, "prevention_models", "x.start_date DESC, x.created_at DESC")


def incidents(reg: Register) -> list[dict[str, Any]]:
    """The commune's incidents, newest first, with the village name."""
    return _live(reg, "incidents", "x.incident_date DESC, x.created_at DESC")
