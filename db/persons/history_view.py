"""A person's history as an officer reads it: Vietnamese field names and values, the laptop's
local time (dd/mm/yyyy hh:mm), the account's name, no internal ids.

The entries come from db.store.history (the person's own, their episodes', tests' and contacts')
plus their management team's and, after a merge, those of the records merged into this one. A
correction note (db.persons.correction_log) and the change it explains show as one line with
its reason.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
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
    "absences": _COMMON, "monitoring_orders": _COMMON,
    "substance_declarations": {**_COMMON, "substances": "Chất khai sử dụng"},
}  # fmt: skip
# Columns the program keeps for itself: never shown.
_HIDDEN = {"id", "rid", "commune_id", "name_folded", "search_text", "sort_key", "id_kind",
           "episode_id"}  # fmt: skip
_CODES: dict[tuple[str, str], Mapping[str, str]] = {
    ("drug_tests", "kind"): drugtests.KINDS,
    ("drug_tests", "method"): drugtests.METHODS,
    ("drug_tests", "result"): drugtests.RESULTS,
    ("contacts", "kind"): contacts.KINDS,
    ("management_team", "role"): team.ROLES,
    ("episodes", "end_kind"): END_KINDS,
    ("episodes", "category"): {c.value: LABELS[c] for c in Category},
    ("monitoring_orders", "category"): {c.value: LABELS[c] for c in Category},
    ("persons", "sex"): {"M": "Nam", "F": "Nữ"},
}
_DATES = {"birth_date", "start_date", "end_date", "planned_end", "decision_date", "notice_date",
          "test_date", "contact_date", "from_date", "to_date", "ordered_on", "ended_on",
          "declared_on"}  # fmt: skip
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
    return FIELD_LABELS.get(table, {}).get(field) or _MORE_LABELS.get(field, field)


def _changes(table: str, changes: Mapping[str, Any], names: _Names) -> list[str]:
    return [f"{_label(table, k)}: {show_value(table, k, old, names)} → "
            f"{show_value(table, k, new, names)}"
            for k, (old, new) in changes.items() if k not in _HIDDEN]  # fmt: skip


def _values(table: str, values: Mapping[str, Any], names: _Names) -> list[str]:
    return [f"{_label(table, k)}: {show_value(table, k, v, names)}" for k, v in values.items()
            if k not in _HIDDEN and k != "person_id" and v not in (None, "", "[]")]  # fmt: skip


def _what(table: str, row: Mapping[str, Any] | None) -> str:
    """The record an entry is about, in words."""
    label = _MORE_TABLES.get(table) or history.TABLE_LABELS.get(table, table)
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
    if table in ("absences", "monitoring_orders", "substance_declarations"):
        days = ("start_date", "from_date", "declared_on", "end_date", "to_date")
        return f"{label}: {' – '.join(show(row[k]) for k in days if row.get(k))}"
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
    """The raw log entries of the person, their own rows and the records merged into theirs."""
    merged = [r[0] for r in reg.db.execute("SELECT id FROM persons WHERE merged_into = ?",
                                           [person_id])]  # fmt: skip
    entries = {e["seq"]: e for pid in (person_id, *merged)
               for e in history.person_history(reg, pid, limit)}  # fmt: skip
    for row in reg.db.query(
        "SELECT seq, at, user, device_id, table_name, row_id, action, changes FROM change_log "
        "WHERE row_id IN (SELECT id FROM management_team WHERE person_id = :p UNION ALL SELECT id "
        "FROM absences WHERE person_id = :p UNION ALL SELECT id FROM monitoring_orders WHERE "
        "person_id = :p UNION ALL SELECT id FROM substance_declarations WHERE person_id = :p) "
        "ORDER BY seq DESC LIMIT :limit",
        {"p": person_id, "limit": limit},
    ):
        entries[row["seq"]] = row
    return [entries[s] for s in sorted(entries, reverse=True)[:limit]]


def person_history(reg: Register, person_id: str, limit: int = 500) -> list[dict[str, str]]:
    """The person's history, newest first: `at` (local dd/mm/yyyy hh:mm), `who`, `what`,
    `action_label` and `summary`, all in words (`action`: the log's own code, as in
    db.store.history)."""
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
        out.append({"at": local_time(entry["at"]), "who": who, "what": what, "action": action,
                    "action_label": label, "summary": summary})  # fmt: skip
    return out


# --- The audit log (gui/pages/audit.py): every table's entries and the events, in words. ------

# Fields of the register's other tables (and events' details), as an officer names them.
_MORE_LABELS = {
    "name": "Tên", "kind": "Loại", "population": "Dân số", "households": "Số hộ",
    "drug_free": "Không ma túy", "drug_free_since": "Ngày công nhận không ma túy",
    "address": "Địa chỉ", "found_date": "Ngày phát hiện", "cleared_date": "Ngày xóa bỏ",
    "incident_date": "Ngày xảy ra", "serious": "Nghiêm trọng", "count": "Số lượng",
    "area_m2": "Diện tích (m²)", "key": "Mục cài đặt", "value": "Giá trị", "day": "Ngày",
    "login": "Tài khoản", "full_name": "Họ và tên", "role": "Vai trò", "disabled": "Bị khóa",
    "days": "Số ngày", "start_date": "Từ ngày", "end_date": "Đến ngày",
    "from_date": "Từ ngày", "to_date": "Đến ngày", "ordered_on": "Ngày quyết định giám sát",
    "ordered_by": "Người quyết định", "device": "Thiết bị", "ended_on": "Ngày kết thúc",
    "end_reason": "Lý do kết thúc", "declared_on": "Ngày khai báo",
    "substances": "Chất", "category": "Diện", "village_id": "Thôn/bản",
    "person_id": "Người trong sổ", "notes": "Ghi chú", "deleted": "Trạng thái",
    # Events: a sign-in, a print, an export, a backup, a restore.
    "report": "Báo cáo", "file": "Tệp", "to": "Đến", "from": "Từ", "people": "Số người",
    "tests": "Số xét nghiệm", "failed_before": "Số lần nhập sai mật khẩu trước đó",
    "by": "Người thực hiện", "what": "Nội dung", "receiver": "Nơi nhận", "rows": "Số dòng",
    "note": "Ghi chú", "bytes": "Dung lượng", "kept": "Bản cũ giữ tại",
    "lost_entries": "Số mục nhật ký bị mất", "outbox": "Hộp thư đi", "reports": "Số báo cáo",
    "uploaded": "Số báo cáo đã gửi", "village": "Thôn/bản", "due": "Chỉ người đến hạn",
    "token": "Mã truy cập", "ca_file": "Tệp chứng chỉ", "client_cert": "Chứng chỉ máy",
    "client_key": "Khóa máy",
}  # fmt: skip
# Ids and fingerprints: the program's own, never shown.
_LOG_HIDDEN = _HIDDEN | {"episode_id", "kept_id", "merged_id", "log_seq", "person_a",
                         "person_b", "sha256", "manifest_sha256", "anchor", "backup_anchor",
                         "old_anchor", "undone_at"}  # fmt: skip
_MORE_CODES: dict[str, Mapping[str, str]] = {
    "kind": {"holiday": "Ngày nghỉ", "workday": "Ngày làm bù", "reset": "Chỉ huy đặt lại",
             "change": "Tự đổi", "full": "Toàn bộ", "incremental": "Phần thay đổi"},
    "what": {"handover_bundle": "Gói bàn giao", "upload_credential": "Thông tin gửi báo cáo"},
    "role": {"chief": "Chỉ huy", "officer": "Cán bộ"},
}  # fmt: skip
_FLAGS = {"drug_free", "serious", "disabled", "due", "at_address", "remote_area"}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A record of another table in words: its label, then what names the row.
_NAMED_BY = {"villages": "name", "hotspots": "name", "prevention_models": "name",
             "calendar_days": "day", "incidents": "incident_date", "absences": "start_date",
             "monitoring_orders": "from_date", "substance_declarations": "declared_on",
             "accounts": "full_name"}  # fmt: skip
_MORE_TABLES = {"absences": "Vắng mặt", "monitoring_orders": "Giám sát điện tử",
                "substance_declarations": "Khai báo chất sử dụng",
                "management_team": "Tổ quản lý"}  # fmt: skip


Words = Mapping[tuple[str, str], Mapping[str, str]]


def account_names(reg: Register) -> dict[str, str]:
    """login → the account's full name (accounts without one are left out)."""
    return {str(login): str(name) for login, name in _Names(reg).accounts.items()}


def _log_value(table: str, field: str, value: Any, names: _Names, words: Words) -> str:
    if (table, field) == ("settings", "value") and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)  # a setting is stored as JSON
        if isinstance(value, bool):
            return "Có" if value else "Không"
    if field in ("login", "by", "ordered_by") and isinstance(value, str) and table != "accounts":
        return str(names.accounts.get(value, value))
    if field in _FLAGS:
        return "Có" if value else "Không"
    if field == "bytes" and isinstance(value, int):
        return f"{value / 1_000_000:.1f} MB".replace(".", ",")
    if field == "village" and value:
        found = names.of("villages", str(value))
        return str(value) if found == "?" else found
    codes = words.get((table, field)) or _MORE_CODES.get(field)
    if codes and str(value) in codes and (table, field) not in _CODES:
        return codes[str(value)]
    if isinstance(value, str) and _ISO_DAY.match(value):
        return show(value)
    return show_value(table, field, value, names)


def _log_parts(table: str, changes: Any, names: _Names, words: Words, *,
               update: bool = False) -> list[str]:  # fmt: skip
    if not isinstance(changes, Mapping):
        return [str(changes)]
    if update:
        return [f"{_label(table, k)}: {_log_value(table, k, old, names, words)} → "
                f"{_log_value(table, k, new, names, words)}"
                for k, (old, new) in changes.items() if k not in _LOG_HIDDEN]  # fmt: skip
    return [f"{_label(table, k)}: {_log_value(table, k, v, names, words)}"
            for k, v in changes.items()  # the person, the setting: named in their own column
            if k not in _LOG_HIDDEN and k not in ("person_id", "key")
            and v not in (None, "", "[]")]  # fmt: skip


def _log_what(table: str, row: Mapping[str, Any] | None, changes: Any, words: Words) -> str:
    """The record an audit entry is about, in words (never its id)."""
    if isinstance(changes, Mapping) and changes.get("report"):
        return str(changes["report"])  # a printed or exported report names itself
    if table in FIELD_LABELS:
        return _what(table, row)
    label = _MORE_TABLES.get(table) or history.TABLE_LABELS.get(table, table)
    if row is not None and table == "settings":
        return f"{label}: {words.get(('settings', 'key'), {}).get(row['key'], row['key'])}"
    if row is None or table not in _NAMED_BY:
        return label
    named = row.get(_NAMED_BY[table]) or row.get("login") or ""
    return f"{label}: {show(named) if _ISO_DAY.match(str(named)) else named}"


def log_rows(reg: Register, entries: Sequence[Mapping[str, Any]],
             words: Words | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Audit log entries (db.store.audit.audit_log) in words, in their order: `at` (local
    dd/mm/yyyy hh:mm), `who` (the account's full name), `action`, `what` (the record, never an
    id), `person` (the name of the person it concerns, if any) and `summary`; `seq` and
    `person_id` stay for the screen. `words` gives codes named in the layers above this one:
    ("settings", "key") → a setting's label, ("hotspots", "kind") → the kinds of a place."""
    words = words or {}
    names = _Names(reg)
    rows = _rows_of(reg, entries)
    others: dict[str, set[str]] = {}
    for entry in entries:
        if entry["table_name"] not in FIELD_LABELS and entry["table_name"] in _LABELLED:
            others.setdefault(entry["table_name"], set()).add(entry["row_id"])
    for table, ids in others.items():
        for found in reg.db.query(f"SELECT * FROM [{table}] WHERE id IN (SELECT value FROM "
                                  "json_each(?))", [json.dumps(sorted(ids))]):  # fmt: skip
            rows[found["id"]] = found
    out = []
    for entry in entries:
        table, action, row = entry["table_name"], entry["action"], rows.get(entry["row_id"])
        changes = json.loads(entry["changes"])
        if action == CORRECT:
            label = KINDS.get(str(changes.get("kind", "")), str(changes.get("kind", "")))
            fields = changes.get("fields") or {}
            parts = [str(changes.get("what") or "")]
            parts += _log_parts(table, fields.get("old", fields), names, words,
                                update="old" not in fields and bool(fields))  # fmt: skip
            parts.append(f"Lý do: {changes.get('reason', '')}")
        else:
            label = history.ACTION_LABELS.get(action, action)
            parts = [] if action == "delete" else _log_parts(
                table, changes, names, words, update=action == "update")  # fmt: skip
        person_id = entry.get("person_id") or (row or {}).get("person_id")
        if not person_id and action == CORRECT:
            person_id = changes.get("person_id")
        person = entry.get("person_name") or (names.of("persons", person_id) if person_id
                                              else "")  # fmt: skip
        out.append({
            "seq": entry["seq"], "person_id": person_id, "at": local_time(entry["at"]),
            "who": names.accounts.get(entry["user"], entry["user"]), "action": label,
            "what": _log_what(table, row, changes, words), "person": person,
            "summary": "; ".join(p for p in parts if p),
        })  # fmt: skip
    return out


_LABELLED = {*_NAMED_BY, "settings", *_MORE_TABLES}
