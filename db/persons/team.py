"""The management team (Tổ quản lý) of a person (Decree 105 Art. 40): a commune police officer
leads, a village representative is deputy, family members and mass organisations are members,
and a helper is paid to help the person; each with the dates they served.

Teams typed with a decision before this table existed live in the episode's `team` column; they
are read alongside (`members_of`), so the screen and the sheet show one team.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from db.core.dates import future_error, iso, parse_date, show
from db.core.errors import UserError, ValidationError
from db.core.textfold import clean
from db.persons.episodes import open_episodes
from db.persons.people import get_person, phone_error
from db.store import records
from db.store.register import Register

ROLES = {
    "leader": "Tổ trưởng (cán bộ Công an xã)",
    "deputy": "Tổ phó (đại diện thôn, bản)",
    "family": "Thành viên gia đình",
    "organisation": "Đại diện đoàn thể",
    "helper": "Người được giao giúp đỡ",
}
# One at a time: the team has one leader and one deputy.
SINGLE = ("leader", "deputy")
# The episode column's free-text roles (before this table), as one of ROLES.
_OLD_ROLES = {"Tổ trưởng": "leader", "Tổ phó": "deputy", "Người được giao giúp đỡ": "helper"}
FIELDS = {
    "role": "Vai trò",
    "name": "Họ và tên",
    "relation": "Quan hệ / đơn vị",
    "phone": "Số điện thoại",
    "from_date": "Từ ngày",
    "to_date": "Đến ngày",
    "notes": "Ghi chú",
}


def relation_label(role: str) -> str:
    """What the "relation" field asks for a role: kinship for family, else the organisation."""
    return "Quan hệ với người được quản lý" if role == "family" else "Đơn vị, tổ chức"


def _day(value: Any, key: str, errors: dict[str, str], today: date) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = parse_date(value, FIELDS[key])
    except UserError as exc:
        errors[key] = exc.message
        return None
    if message := future_error(day, today, FIELDS[key]):
        errors[key] = message
    return day


def _active(row: Mapping[str, Any], on: date) -> bool:
    """Serving on `on`: `to_date` is the day the member stopped (as an episode's end)."""
    return not row.get("to_date") or str(row["to_date"]) > on.isoformat()


def check_member(
    reg: Register, person_id: str, values: Mapping[str, Any], member_id: str | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Cleaned values of a team member form and an error message per wrong field."""
    errors: dict[str, str] = {}
    get_person(reg, person_id)
    role = str(values.get("role") or "")
    if role not in ROLES:
        errors["role"] = f"Vai trò “{role}” không hợp lệ."
    name = clean(values.get("name"))
    if not name:
        errors["name"] = "Họ và tên: không được để trống."
    phone = clean(values.get("phone"))
    if message := phone_error(phone):
        errors["phone"] = message
    today = reg.today()
    start = _day(values.get("from_date"), "from_date", errors, today)
    end = _day(values.get("to_date"), "to_date", errors, today)
    if start and end and end < start:
        errors["to_date"] = f"Đến ngày: {show(end)} trước ngày bắt đầu {show(start)}."
    if role in SINGLE and "role" not in errors and (end is None or end > today):
        for other in _rows(reg, person_id):
            if other["id"] != member_id and other["role"] == role and _active(other, today):
                errors["role"] = (
                    f"Tổ đã có {ROLES[role].split(' (')[0].lower()}: {other['name']}"
                    f"{' (từ ' + show(other['from_date']) + ')' if other['from_date'] else ''}; "
                    "hãy cho người đó thôi trước."
                )
                break
    cleaned = {
        "person_id": person_id,
        "role": role,
        "name": name,
        "relation": clean(values.get("relation")),
        "phone": phone,
        "from_date": iso(start),
        "to_date": iso(end),
        "notes": clean(values.get("notes")),
    }
    return cleaned, errors


def add_member(reg: Register, person_id: str, values: Mapping[str, Any]) -> str:
    """Check and add a member to the person's team."""
    cleaned, errors = check_member(reg, person_id, values)
    if errors:
        raise ValidationError(errors)
    return records.insert(reg, "management_team", cleaned)


def update_member(reg: Register, member_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and change a member (the fields not given stay); returns what changed."""
    current = records.get(reg, "management_team", member_id)
    merged = {k: current.get(k) for k in FIELDS} | dict(values)
    cleaned, errors = check_member(reg, current["person_id"], merged, member_id)
    if errors:
        raise ValidationError(errors)
    cleaned.pop("person_id")
    return records.update(reg, "management_team", member_id, cleaned)


def check_end(reg: Register, member_id: str, to_date: date | str | None) -> dict[str, str]:
    """What is wrong with ending a member's service on `to_date` (field → message)."""
    try:
        current = records.get(reg, "management_team", member_id)
    except UserError as exc:
        return {"member": exc.message}
    if to_date in (None, ""):
        return {"to_date": "Đến ngày: không được để trống."}
    _, errors = check_member(reg, current["person_id"],
                             {**current, "to_date": to_date}, member_id)  # fmt: skip
    return errors


def end_member(reg: Register, member_id: str, to_date: date | str) -> dict[str, Any]:
    """The member stops serving on the team from `to_date` (kept, with their dates)."""
    errors = check_end(reg, member_id, to_date)
    if errors:
        raise ValidationError(errors)
    return update_member(reg, member_id, {"to_date": to_date})


def remove_member(reg: Register, member_id: str) -> None:
    """Remove a member typed by mistake (soft: the deletion is kept and travels)."""
    records.soft_delete(reg, "management_team", member_id)


def _rows(reg: Register, person_id: str) -> list[dict[str, Any]]:
    return list(
        reg.db.query(
            "SELECT * FROM management_team WHERE person_id = ? AND deleted = 0 "
            "ORDER BY to_date IS NOT NULL, to_date DESC, "
            "CASE role WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 WHEN 'helper' THEN 2 "
            "WHEN 'family' THEN 3 ELSE 4 END, from_date, name",
            [person_id],
        )
    )


def members_of(
    reg: Register, person_id: str, *, on: date | None = None, ended: bool = True
) -> list[dict[str, Any]]:
    """The person's team: serving members first (leader, deputy, helper, family, organisations),
    then former ones (unless `ended` is False).

    Each row has `role_label` and `active`; members typed with a still-open decision before the
    team had its own table come last with `source` "episode" and no `id` (they change with the
    decision, not here).
    """
    day = on or reg.today()
    rows = []
    for row in _rows(reg, person_id):
        active = _active(row, day)
        if active or ended:
            rows.append({**row, "role_label": ROLES[row["role"]], "active": active,
                         "source": "team"})  # fmt: skip
    for episode in open_episodes(reg, person_id, day):
        for member in _old_team(episode.get("team")):
            role = _OLD_ROLES.get(member.get("role", ""), "organisation")
            rows.append({
                "id": None, "person_id": person_id, "role": role,
                "role_label": member.get("role") or ROLES[role], "name": member.get("name", ""),
                "relation": member.get("unit", ""), "phone": member.get("phone", ""),
                "from_date": episode["start_date"], "to_date": None, "notes": "",
                "active": True, "source": "episode",
            })  # fmt: skip
    return rows


def _old_team(value: Any) -> list[dict[str, str]]:
    if isinstance(value, list):
        return [m for m in value if isinstance(m, dict)]
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return []
    return [m for m in found if isinstance(m, dict)] if isinstance(found, list) else []
