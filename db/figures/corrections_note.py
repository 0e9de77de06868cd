"""The corrections the next monthly report notes: those that change a past month's figures.

Reports already sent are not rewritten (db.persons.correction_log). The report made next lists
every correction note logged after the report before it was made — *after its anchor*, the
change log's head printed on that report (db.store.anchor), so the cut is exact whatever the
laptop's clock said; a report without an anchor, or one whose anchor this register no longer
holds (a restore), counts from the time it was made. Only corrections made on this laptop are
listed: a bundle carries the corrected rows, not the correction notes, so a correction made on
another laptop changes the figures here without a line in the next report (left for later).
Only corrections whose earliest month is before the report's own month are listed: the
report's own figures already include the others.

Each is worded as the report prints it: the month, the record, old → new in Vietnamese, the
reason, when (local dd/mm/yyyy hh:mm) and by whom (the account's name).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.law.categories import LABELS, Category
from db.persons.correction_log import CORRECT, KINDS
from db.persons.drugtests import RESULTS, SUBSTANCES
from db.persons.history_view import account_names, local_time, log_rows
from db.store.anchor import holds, parse_anchor
from db.store.register import Register

VOIDED = "đã hủy, không tính"
# The rows a deleted person took with them, as counted in words.
_ROWS = {"episodes": "diện quản lý", "drug_tests": "lượt xét nghiệm", "contacts": "lần tiếp xúc"}
# Corrections whose `what` names people: a report that prints no names words them by kind alone.
NAMING = frozenset({"merge", "unmerge", "delete_person"})


@dataclass(frozen=True)
class Noted:
    """One correction as the monthly report prints it."""

    seq: int  # its place in the change log
    month: date  # the first day of the earliest month whose figures it changes
    kind: str
    label: str  # the kind, in words
    person_id: str
    person_name: str
    what: str  # the record corrected, in words ("" when it would name a person)
    change: str  # old → new, in words
    reason: str
    at: str  # local dd/mm/yyyy hh:mm
    by: str  # the account's full name (or login)


def anchored_seq(reg: Register, code: str) -> int | None:
    """The log entry an anchor names, if this register still holds it unchanged (else None:
    not an anchor, or the log was cut back or rewritten since)."""
    parsed = parse_anchor(code or "")
    if parsed is None:
        return None
    seq, prefix = parsed
    return seq if holds(reg.conn, seq, prefix) else None


def _substances(codes: object) -> str:
    return ", ".join(SUBSTANCES.get(c, c).split(" (")[0] for c in str(codes or "").split(",") if c)


def _result(old: Mapping[str, Any]) -> str:
    result = RESULTS.get(str(old.get("result")), str(old.get("result") or ""))
    positives = _substances(old.get("positives"))
    return f"{result} ({positives})" if positives else result


def _deleted_rows(detail: Mapping[str, Any]) -> str:
    rows = detail.get("rows") or {}
    parts = [f"{n} {_ROWS[t]}" for t, n in rows.items() if t in _ROWS and n]
    return f" (kèm {', '.join(parts)})" if parts else ""


def _change(reg: Register, seq: int, table: str, row_id: str, data: Mapping[str, Any]) -> str:
    """Old → new in words."""
    kind = str(data.get("kind", ""))
    fields = data.get("fields") or {}
    if kind == "void_test":
        return f"Kết quả: {_result(fields.get('old') or {})} → {VOIDED}"
    if kind == "void_episode":
        category = str((fields.get("old") or {}).get("category", ""))
        try:
            label = LABELS[Category(category)]
        except ValueError:
            label = "Diện quản lý"
        return f"{label} → {VOIDED}"
    if kind == "delete_person":
        return f"Có trong sổ → đã xóa khỏi sổ{_deleted_rows(data.get('detail') or {})}"
    if kind == "merge":
        return "Hai hồ sơ → một hồ sơ"
    if kind == "unmerge":
        return "Một hồ sơ → hai hồ sơ"
    # A change of fields: worded as the audit log words an update of that record.
    entry = {"seq": seq, "at": "", "user": "", "table_name": table, "row_id": row_id,
             "action": "update", "changes": json.dumps(fields, ensure_ascii=False)}  # fmt: skip
    return str(log_rows(reg, [entry])[0]["summary"])


def past_corrections(
    reg: Register,
    before: date,
    *,
    after_seq: int | None = None,
    since_at: str = "",
) -> list[Noted]:
    """The corrections logged after entry `after_seq` (or, without it, at or after the stored
    UTC time `since_at`) that change the figures of a month before `before`, oldest first.
    A person deleted as entered by mistake is not someone a report is about: never named in
    `what`."""
    where, value = ("seq > ?", after_seq) if after_seq is not None else ("at >= ?", since_at)
    accounts = account_names(reg)
    out = []
    for seq, at, login, table, row_id, changes in reg.db.execute(
        f"SELECT seq, at, user, table_name, row_id, changes FROM change_log "
        f"WHERE action = ? AND {where} ORDER BY seq",
        [CORRECT, value],
    ):
        data = json.loads(changes)
        month = date.fromisoformat(data["month"]) if data.get("month") else None
        if month is None or month >= before.replace(day=1):
            continue  # no month's figures changed, or only this report's own
        kind = str(data.get("kind", ""))
        what = str(data.get("what", ""))
        if kind == "delete_person":
            what = ""
        out.append(Noted(
            seq=seq, month=month, kind=kind, label=KINDS.get(kind, kind),
            person_id=str(data.get("person_id", "")), person_name=str(data.get("person", "")),
            what=what, change=_change(reg, seq, table, row_id, data),
            reason=str(data.get("reason", "")), at=local_time(at),
            by=accounts.get(login, login),
        ))  # fmt: skip
    return out
