"""Conflicts left by a handover import: the same field changed on two laptops.

The window lists them with both values, who changed each and when; the station chief chooses
one. The choice is written like any change (logged, stamped with who and when), so it travels
in the next bundle and the other laptop takes it: the two registers end the same.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from db.core.dates import show
from db.core.errors import NotFound, UserError
from db.core.stamps import now_utc
from db.core.textfold import fold
from db.handover.tables import TABLE_LABELS
from db.law.categories import END_KINDS, LABELS
from db.persons.contacts import KINDS as CONTACT_KINDS
from db.persons.drugtests import KINDS as TEST_KINDS
from db.persons.drugtests import RESULTS
from db.persons.people import FIELDS as PERSON_FIELDS
from db.persons.people import _derived
from db.persons.team import FIELDS as TEAM_FIELDS
from db.persons.team import ROLES as TEAM_ROLES
from db.store import seal
from db.store.records import log_change, transaction
from db.store.register import Register
from db.store.roles import require_chief

FIELD_LABELS = {
    **PERSON_FIELDS,
    "name": "Tên", "kind": "Loại", "notes": "Ghi chú", "deleted": "Đã xóa",
    "population": "Dân số", "households": "Số hộ", "drug_free": "Không ma túy",
    "drug_free_since": "Ngày công nhận không ma túy", "category": "Diện",
    "decision_no": "Số quyết định", "decision_date": "Ngày quyết định", "signer": "Người ký",
    "start_date": "Từ ngày", "planned_end": "Dự kiến kết thúc", "absence_days": "Số ngày vắng",
    "end_date": "Ngày kết thúc", "end_kind": "Hình thức kết thúc", "end_reason": "Lý do",
    "moved_to": "Chuyển đến", "moved_from": "Chuyển từ", "notice_date": "Ngày gửi thông báo",
    "team": "Tổ quản lý", "test_date": "Ngày xét nghiệm", "method": "Phương pháp",
    "substances": "Chất xét nghiệm", "positives": "Chất dương tính", "result": "Kết quả",
    "officer": "Cán bộ", "place": "Nơi xét nghiệm", "contact_date": "Ngày",
    "at_address": "Có mặt tại nơi cư trú", "address": "Địa chỉ", "found_date": "Ngày phát hiện",
    "cleared_date": "Ngày xóa bỏ", "incident_date": "Ngày xảy ra", "serious": "Nghiêm trọng",
    "count": "Số lượng", "area_m2": "Diện tích (m²)", "value": "Giá trị", "key": "Mục cài đặt",
    "day": "Ngày", "person_id": "Người", "commune_id": "Xã", "merged_into": "Gộp vào hồ sơ",
    "episode_id": "Diện quản lý", "days": "Số ngày", "ordered_on": "Ngày quyết định giám sát",
    "ordered_by": "Người quyết định", "from_date": "Từ ngày", "to_date": "Đến ngày",
    "device": "Thiết bị", "ended_on": "Ngày kết thúc giám sát", "declared_on": "Ngày khai báo",
    "role": "Vai trò", "relation": "Quan hệ / đơn vị",
}  # fmt: skip
# Where one table names a field otherwise than the others do.
_TABLE_FIELDS: dict[str, dict[str, str]] = {
    "absences": {"start_date": "Vắng mặt từ ngày", "end_date": "Đến ngày"},
    "monitoring_orders": {"from_date": "Giám sát từ ngày", "to_date": "Giám sát đến ngày",
                          "end_reason": "Lý do kết thúc giám sát"},
    "substance_declarations": {"substances": "Chất khai sử dụng"},
    "management_team": dict(TEAM_FIELDS),
}  # fmt: skip
_CODES: dict[str, dict[str, str]] = {
    "category": {c.value: label for c, label in LABELS.items()},
    "end_kind": END_KINDS,
    "result": RESULTS,
    "sex": {"M": "Nam", "F": "Nữ"},
}
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def field_label(table: str, name: str) -> str:
    """A field's name as an officer reads it, in the words of its table."""
    return _TABLE_FIELDS.get(table, {}).get(name) or FIELD_LABELS.get(name, name)


def when(stamp: str) -> str:
    """A stored UTC time as local dd/mm/yyyy hh:mm."""
    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return moment.strftime("%d/%m/%Y %H:%M")


def shown(reg: Register, table: str, name: str, value: Any) -> str:
    """A field's value as an officer reads it: dates dd/mm/yyyy, codes in words, names."""
    if value is None or value == "":
        return "(trống)"
    if name in ("deleted", "drug_free", "serious", "at_address"):
        return "Có" if value else "Không"
    if name == "village_id":
        row = reg.conn.execute("SELECT name FROM villages WHERE id = ?", [value]).fetchone()
        return str(row[0]) if row else str(value)
    if name == "person_id":
        row = reg.conn.execute("SELECT full_name FROM persons WHERE id = ?", [value]).fetchone()
        return str(row[0]) if row else str(value)
    if name == "episode_id":
        row = reg.conn.execute(
            "SELECT category, start_date FROM episodes WHERE id = ?", [value]
        ).fetchone()
        if row is None:
            return str(value)
        return f"{_CODES['category'].get(row[0], row[0])} (từ {show(row[1])})"
    if name == "role" and table == "management_team":
        return TEAM_ROLES.get(str(value), str(value))
    if name == "kind":
        codes = {"drug_tests": TEST_KINDS, "contacts": CONTACT_KINDS}.get(table, {})
        return codes.get(str(value), str(value))
    if name in _CODES:
        return _CODES[name].get(str(value), str(value))
    if isinstance(value, str) and _ISO_DATE.match(value):
        return show(value)
    if isinstance(value, str) and _STAMP.match(value):
        return when(value)
    return str(value)


def describe(reg: Register, table: str, row_id: str) -> str:
    """Which record: a person's name, with the date of a test or an episode."""
    row = reg.conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", [row_id]).fetchone()
    if row is None:
        return row_id
    names = [d[0] for d in reg.conn.execute(f"SELECT * FROM [{table}] LIMIT 0").description]
    record = dict(zip(names, row, strict=True))
    if table == "persons":
        return str(record["full_name"])
    if record.get("person_id"):
        person = shown(reg, table, "person_id", record["person_id"])
        if table == "management_team":
            return f"{person} — {record.get('name') or ''}"
        day = next((record[k] for k in ("test_date", "start_date", "contact_date",
                                        "incident_date", "from_date", "declared_on")
                    if record.get(k)), "")  # fmt: skip
        return f"{person} ({show(day)})" if day else person
    for key in ("name", "key", "day"):
        if record.get(key):
            return show(record[key]) if key == "day" else str(record[key])
    return row_id


def open_conflicts(reg: Register) -> list[dict[str, Any]]:
    """Conflicts waiting for a choice, oldest first, ready to show."""
    out = []
    for row in reg.db.query(
        "SELECT * FROM handover_conflicts WHERE resolved_at IS NULL ORDER BY id"
    ):
        local, remote = json.loads(row["local_value"]), json.loads(row["remote_value"])
        out.append(
            {
                **row,
                "table_label": TABLE_LABELS.get(row["tbl"], row["tbl"]),
                "record": describe(reg, row["tbl"], row["row_id"]),
                "field_label": field_label(row["tbl"], row["field"]),
                "local_shown": shown(reg, row["tbl"], row["field"], local),
                "remote_shown": shown(reg, row["tbl"], row["field"], remote),
                "local_when": when(row["local_at"]),
                "remote_when": when(row["remote_at"]),
            }
        )
    return out


def count_open(reg: Register) -> int:
    """How many conflicts wait for a choice."""
    row = reg.conn.execute(
        "SELECT count(*) FROM handover_conflicts WHERE resolved_at IS NULL"
    ).fetchone()
    return int(row[0])


def resolve_conflict(reg: Register, conflict_id: int, choice: str) -> None:
    """Settle a conflict with this laptop's value ("local") or the other's ("remote")."""
    if choice not in ("local", "remote"):
        raise UserError(f"Lựa chọn “{choice}” không hợp lệ.")
    require_chief(reg, "giải quyết xung đột dữ liệu bàn giao")
    with transaction(reg):
        found = list(reg.db.query("SELECT * FROM handover_conflicts WHERE id = ?", [conflict_id]))
        if not found:
            raise NotFound(f"Không tìm thấy xung đột số {conflict_id}.")
        conflict = found[0]
        if conflict["resolved_at"]:
            raise UserError("Xung đột này đã được giải quyết.")
        table, row_id, name = conflict["tbl"], conflict["row_id"], conflict["field"]
        value = json.loads(conflict[f"{choice}_value"])
        rows = list(reg.db.query(f"SELECT * FROM [{table}] WHERE id = ?", [row_id]))
        if not rows:
            raise NotFound(f"Bản ghi “{row_id}” không còn trong sổ.")
        current = rows[0]
        at = now_utc()
        changes: dict[str, Any] = {name: value}
        if table == "persons":
            changes |= _derived(reg, {**current, name: value})
        elif table == "villages" and name == "name":
            changes["name_folded"] = fold(value)
        changes |= {"updated_at": at, "updated_by": reg.user, "device_id": reg.device_id}
        columns = ", ".join(f"[{k}] = ?" for k in changes)
        reg.conn.execute(
            f"UPDATE [{table}] SET {columns} WHERE id = ?", [*changes.values(), row_id]
        )
        # Logged even when the value stays: the choice is a change that travels to the other side.
        log_change(reg, at, table, row_id, "update", {name: [current.get(name), value]})
        if table == "villages" and name == "name":
            from db.persons.people import refresh_village_search

            refresh_village_search(reg, row_id)
        if table in seal.PROTECTED:
            seal.reseal(reg)  # a setting (a conflict from before settings were protected)
        reg.conn.execute(
            "UPDATE handover_conflicts SET resolved_at = ?, resolved_by = ?, chosen = ?, "
            "chosen_value = ? WHERE tbl = ? AND row_id = ? AND field = ? AND resolved_at IS NULL",
            [at, reg.user, choice, json.dumps(value, ensure_ascii=False), table, row_id, name],
        )
