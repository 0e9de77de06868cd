"""A person's history as an officer reads it: Vietnamese field names and values, the laptop's
local time (dd/mm/yyyy hh:mm), the account's name, no internal ids.

The entries come from db.store.history (the person's own, their episodes', tests' and contacts')
plus their management team's and, after a merge, those of the records merged into this one. A
correction note (db.persons.correction_log) and the change it explains show as one line with
its reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from db.core.dates import show
from db.law.categories import END_KINDS, LABELS, Category
from db.persons import contacts, drugtests, people, team
from db.persons.correction_log import CORRECT, KINDS
from db.store import history
from db.store.register import Register

EMPTY = "(trống)"
_COMMON = {"person_id": "Hồ sơ", "notes": "Ghi chú", "deleted": "Trạng thái"}
FIELD_LABELS: dict[str, dict[str, str]] = {
    "persons": {**people.FIELDS, "merged_into": "Gộp vào hồ sơ", "deleted": "Trạng thái"},
    "episodes": {
        **_COMMON, "category": "Diện", "decision_no": "Số quyết định",
        "decision_date": "Ngày quyết định", "signer": "Người ký", "start_date": "Ngày bắt đầu",
        "planned_end": "Dự kiến kết thúc", "absence_days": "Số ngày vắng mặt",
        "end_date": "Ngày kết thúc", "end_kind": "Hình thức kết thúc",
        "end_reason": "Lý do kết thúc", "moved_to": "Nơi chuyển đến",
        "moved_from": "Chuyển đến từ", "notice_date": "Ngày gửi thông báo",
        "team": "Tổ quản lý (theo quyết định)",
    },
    "drug_tests": {
        **_COMMON, "test_date": "Ngày xét nghiệm", "kind": "Hình thức", "method": "Phương pháp",
        "substances": "Chất đã thử", "positives": "Chất dương tính", "result": "Kết quả",
        "officer": "Người thực hiện", "place": "Nơi xét nghiệm",
    },
    "contacts": {
        **_COMMON, "contact_date": "Ngày", "kind": "Loại", "at_address": "Có mặt tại nơi cư trú",
        "officer": "Cán bộ", "notes": "Nội dung",
    },
    "management_team": {**_COMMON, **team.FIELDS},
}  # fmt: skip
# Columns the program keeps for itself: never shown.
_HIDDEN = {"id", "rid", "commune_id", "name_folded", "search_text", "sort_key", "id_kind"}
_CODES: dict[tuple[str, str], Mapping[str, str]] = {
    ("drug_tests", "kind"): drugtests.KINDS,
    ("drug_tests", "method"): drugtests.METHODS,
    ("drug_tests", "result"): drugtests.RESULTS,
    ("contacts", "kind"): contacts.KINDS,
    ("management_team", "role"): team.ROLES,
    ("episodes", "end_kind"): END_KINDS,
    ("episodes", "category"): {c.value: LABELS[c] for c in Category},
    ("persons", "sex"): {"M": "Nam", "F": "Nữ"},
}
_DATES = {"birth_date", "start_date", "end_date", "planned_end", "decision_date", "notice_date",
          "test_date", "contact_date", "from_date", "to_date"}  # fmt: skip
_PEOPLE = {"person_id", "merged_into"}


def local_time(stored: str) -> str:
    """A stored UTC time as the laptop's local dd/mm/yyyy hh:mm."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


class _Names:
    """Names for the ids a log entry holds (people, villages, accounts), looked up once."""

    def __init__(self, reg: Register) -> None:
        self.reg = reg
        self.accounts = {login: name for login, name in reg.db.execute(
            "SELECT login, full_name FROM accounts") if name}  # fmt: skip
        self._cache: dict[tuple[str, str], str] = {}

    def of(self, table: str, row_id: str) -> str:
        key = (table, row_id)
        if key not in self._cache:
            column = "full_name" if table == "persons" else "name"
            row = self.reg.db.execute(f"SELECT {column} FROM [{table}] WHERE id = ?",
                                      [row_id]).fetchone()  # fmt: skip
            self._cache[key] = str(row[0]) if row else "?"
        return self._cache[key]


def _substances(value: str) -> str:
    names = [drugtests.SUBSTANCES.get(c, c).split(" (")[0] for c in value.split(",") if c]
    return ", ".join(names)


def show_value(table: str, field: str, value: Any, names: _Names) -> str:
    """A stored value as the officer reads it."""
    if value is None or value == "" or value == "[]":
        return EMPTY
    if field in _PEOPLE:
        return names.of("persons", str(value))
    if field == "village_id":
        return names.of("villages", str(value))
    if field == "deleted":
        return "đã xóa" if value else "đang dùng"
    if field in _DATES:
        return show(str(value)) or str(value)
    if field == "at_address":
        return "Có" if value else "Không"
    if field in ("substances", "positives"):
        return _substances(str(value))
    if field == "team":
        members = json.loads(value) if isinstance(value, str) else value
        return ", ".join(f"{m.get('name', '')} ({m.get('role', '')})" for m in members) or EMPTY
    codes = _CODES.get((table, field))
    return codes.get(str(value), str(value)) if codes else str(value)


def _label(table: str, field: str) -> str:
    return FIELD_LABELS.get(table, {}).get(field, field)


def _changes(table: str, changes: Mapping[str, Any], names: _Names) -> list[str]:
    return [
        f"{_label(table, k)}: {show_value(table, k, old, names)} → "
        f"{show_value(table, k, new, names)}"
        for k, (old, new) in changes.items()
        if k not in _HIDDEN
    ]


def _values(table: str, values: Mapping[str, Any], names: _Names) -> list[str]:
    return [
        f"{_label(table, k)}: {show_value(table, k, v, names)}"
        for k, v in values.items()
        if k not in _HIDDEN and k != "person_id" and v not in (None, "", "[]")
    ]


def _what(table: str, row: Mapping[str, Any] | None) -> str:
    """The record an entry is about, in words."""
    label = history.TABLE_LABELS.get(table, table)
    if row is None:
        return label
    if table == "drug_tests":
        return f"Xét nghiệm ngày {show(row['test_date'])}"
    if table == "episodes":
        return f"{LABELS[Category(row['category'])]} (từ {show(row['start_date'])})"
    if table == "contacts":
        return f"{contacts.KINDS.get(row['kind'], row['kind'])} ngày {show(row['contact_date'])}"
    if table == "management_team":
        return f"Tổ quản lý: {row['name']}"
    if table == "persons" and row.get("merged_into"):
        return f"Hồ sơ đã gộp: {row['full_name']}"
    return label


def _rows_of(reg: Register, entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The current rows (deleted ones too) the entries are about, by id."""
    by_table: dict[str, set[str]] = {}
    for entry in entries:
        by_table.setdefault(entry["table_name"], set()).add(entry["row_id"])
    found: dict[str, dict[str, Any]] = {}
    for table, ids in by_table.items():
        if table not in FIELD_LABELS:
            continue
        for row in reg.db.query(
            f"SELECT * FROM [{table}] WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted(ids))],
        ):
            found[row["id"]] = row
    return found


def _entries(reg: Register, person_id: str, limit: int) -> list[dict[str, Any]]:
    """The raw log entries of the person, their team and the records merged into theirs."""
    merged = [r[0] for r in reg.db.execute("SELECT id FROM persons WHERE merged_into = ?",
                                           [person_id])]  # fmt: skip
    entries = {e["seq"]: e for pid in (person_id, *merged)
               for e in history.person_history(reg, pid, limit)}  # fmt: skip
    for row in reg.db.query(
        "SELECT seq, at, user, device_id, table_name, row_id, action, changes FROM change_log "
        "WHERE row_id IN (SELECT id FROM management_team WHERE person_id = ?) "
        "ORDER BY seq DESC LIMIT ?",
        [person_id, limit],
    ):
        entries[row["seq"]] = row
    return [entries[s] for s in sorted(entries, reverse=True)[:limit]]


def person_history(reg: Register, person_id: str, limit: int = 500) -> list[dict[str, str]]:
    """The person's history, newest first: `at` (local dd/mm/yyyy hh:mm), `who`, `what`,
    `action` and `summary`, all in words."""
    entries = _entries(reg, person_id, limit)
    names = _Names(reg)
    rows = _rows_of(reg, entries)
    notes = {(e["seq"], e["row_id"]) for e in entries if e["action"] == CORRECT}
    out = []
    for entry in entries:
        if (entry["seq"] + 1, entry["row_id"]) in notes:
            continue  # the correction note right after says it, with its reason
        table, action = entry["table_name"], entry["action"]
        changes = json.loads(entry["changes"])
        row = rows.get(entry["row_id"])
        what = _what(table, row)
        if action == CORRECT:
            kind = str(changes.get("kind", ""))
            label = KINDS.get(kind, kind)
            fields = changes.get("fields") or {}
            parts = [str(changes.get("what") or "")]
            if "old" in fields:
                parts += _values(table, fields["old"], names)
            elif kind not in ("merge", "unmerge", "delete_person"):
                parts += _changes(table, fields, names)
            parts.append(f"Lý do: {changes.get('reason', '')}")
            summary = "; ".join(p for p in parts if p)
        else:
            label = history.ACTION_LABELS.get(action, action)
            if action == "update":
                summary = "; ".join(_changes(table, changes, names))
            elif action == "insert":
                summary = "; ".join(_values(table, changes, names))
            else:  # a deletion (the row says what), events: a printed sheet, a sign-off
                summary = ""
        who = names.accounts.get(entry["user"], entry["user"])
        out.append({"at": local_time(entry["at"]), "who": who, "what": what, "action": label,
                    "summary": summary})  # fmt: skip
    return out
