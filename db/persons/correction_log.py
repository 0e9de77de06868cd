"""The correction notes in the change log, and the corrections the next monthly report notes.

A correction (db.persons.corrections, db.persons.duplicates) changes its row through
db.store.records, which logs the old and new values; in the same transaction `note` logs a
*correction note* (change-log action "correct") on the same row: which correction, why, what in
words, and the earliest month whose figures it changes. `corrections_since` reads them back for
the monthly report: reports already sent are not rewritten, the next one says what was corrected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from db.core.dates import iso
from db.core.errors import NotAllowed
from db.core.stamps import now_utc
from db.core.textfold import clean
from db.store import records
from db.store.register import Register
from db.store.roles import require_chief

CORRECT = "correct"  # the change log's action of a correction note
KINDS = {
    "void_test": "Hủy kết quả xét nghiệm",
    "correct_test": "Sửa kết quả xét nghiệm",
    "reopen_episode": "Mở lại diện quản lý",
    "correct_episode": "Sửa ngày, quyết định của diện quản lý",
    "void_episode": "Hủy diện quản lý nhập nhầm",
    "delete_person": "Xóa người nhập nhầm",
    "merge": "Gộp hồ sơ trùng",
    "unmerge": "Tách hồ sơ đã gộp",
}

# The day a person's row counts on in the figures: where a correction's month comes from.
FIGURE_DAYS = {"episodes": "start_date", "drug_tests": "test_date", "contacts": "contact_date",
               "incidents": "incident_date"}  # fmt: skip


@dataclass(frozen=True)
class Correction:
    """A correction as the monthly report notes it."""

    at: str  # when, as stored (UTC)
    by: str  # the account's name
    kind: str
    label: str  # the kind, in words
    what: str  # what was corrected, in words
    reason: str
    month: date | None  # the first day of the earliest month whose figures it changes
    person_id: str
    person_name: str


def reason_error(reason: object) -> str | None:
    """The message when no reason is given, else None."""
    if not clean(str(reason or "")):
        return "Lý do: phải ghi lý do (được lưu vào nhật ký)."
    return None


def chief_refusal(reg: Register, what: str) -> str:
    """Why the signed-in account may not do `what` ("" for the chief)."""
    try:
        require_chief(reg, what)
    except NotAllowed as exc:
        return exc.message
    return ""


def month_of(*days: date | str | None) -> date | None:
    """The first day of the earliest month among the dates given (None when there is none)."""
    found = [d if isinstance(d, date) else date.fromisoformat(d[:10]) for d in days if d]
    return min(found).replace(day=1) if found else None


def note(reg: Register, table: str, row_id: str, kind: str, reason: str, *, what: str,
         person: Mapping[str, Any], month: date | None, fields: Mapping[str, Any] | None = None,
         detail: Mapping[str, Any] | None = None) -> None:  # fmt: skip
    """The correction note: logged right after the change it explains, in its transaction.

    `fields` is the change as records.update logs it (field → [old, new]) or, for what was
    voided or deleted, {"old": {field: value}}; anything else goes in `detail`.
    """
    records.log_change(reg, now_utc(), table, row_id, CORRECT, {
        "kind": kind, "reason": clean(reason), "what": what, "person_id": person["id"],
        "person": person["full_name"], "month": iso(month), "fields": dict(fields or {}),
        "detail": dict(detail or {}),
    })  # fmt: skip


def _utc_start(day: date) -> str:
    """The stored (UTC) time of the laptop's local midnight starting `day`."""
    local = datetime.combine(day, time()).astimezone()
    return local.astimezone(UTC).isoformat(timespec="milliseconds")


def corrections_since(reg: Register, since: date) -> list[Correction]:
    """The corrections made since `since` (the laptop's local day), oldest first: what, when,
    by whom, why, and the earliest month whose figures they change — for the next monthly
    report to note (reports already sent are not rewritten)."""
    out = []
    for at, login, full_name, changes in reg.db.execute(
        "SELECT c.at, c.user, a.full_name, c.changes FROM change_log c "
        "LEFT JOIN accounts a ON a.login = c.user WHERE c.action = ? AND c.at >= ? "
        "ORDER BY c.seq",
        [CORRECT, _utc_start(since)],
    ):
        data = json.loads(changes)
        kind = str(data.get("kind", ""))
        out.append(Correction(
            at=at, by=full_name or login, kind=kind, label=KINDS.get(kind, kind),
            what=str(data.get("what", "")), reason=str(data.get("reason", "")),
            month=date.fromisoformat(data["month"]) if data.get("month") else None,
            person_id=str(data.get("person_id", "")), person_name=str(data.get("person", "")),
        ))  # fmt: skip
    return out
