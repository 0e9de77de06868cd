"""Merging two records of one person (the chief's), and undoing it until the next handover.

A merge moves the episodes, tests, contacts, team members, incidents — every row with the
person's id (db.persons.people.person_tables) — of the merged-away record to the kept one (a row
typed in both, the same decision or the same test, stays once), fills the kept record's blank
identity fields from the other, and soft-deletes the merged-away record with a pointer to the
kept one (`merged_into`): both histories stay, the kept person's history shows both. It is one
transaction through db.store.records, with a correction note.

What undoing needs is kept in the local `person_merges` table. Once a handover bundle has been
made since the merge, the merge has left the laptop and can no longer be undone here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from db.core.dates import show
from db.core.errors import NotFound, ValidationError
from db.core.stamps import now_utc
from db.core.textfold import fold
from db.law.categories import LABELS, Category
from db.persons.correction_log import FIGURE_DAYS, chief_refusal, month_of, note
from db.persons.people import FIELDS, check_person, get_person, person_tables, update_person
from db.store import records
from db.store.register import Register

MERGE_WHAT = "gộp hồ sơ trùng"
UNMERGE_WHAT = "tách hồ sơ đã gộp"
# What makes two rows of one person one row (the same decision, the same test typed in both
# records): such a row stays once. Rows of other tables are all moved.
SAME = {
    "episodes": ("category", "start_date"),
    "drug_tests": ("test_date", "result", "positives"),
    "contacts": ("contact_date", "kind"),
    "management_team": ("role", "name"),
    "incidents": ("incident_date", "kind"),
}
FILLABLE = tuple(k for k in FIELDS if k not in ("full_name", "notes"))


def _rows(reg: Register, table: str, person_id: str) -> list[dict[str, Any]]:
    return list(reg.db.query(f"SELECT * FROM [{table}] WHERE person_id = ? AND deleted = 0",
                             [person_id]))  # fmt: skip


def _key(table: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(fold(str(row[k] or "")) for k in SAME.get(table, ("id",)))


def _overlaps(reg: Register, kept_id: str, merged_id: str) -> list[str]:
    """Episodes of the same category whose periods overlap across the two records (the same
    episode typed in both aside)."""
    kept = _rows(reg, "episodes", kept_id)
    same = {_key("episodes", e) for e in kept}
    found = []
    for other in _rows(reg, "episodes", merged_id):
        if _key("episodes", other) in same:
            continue
        for mine in kept:
            if (
                mine["category"] == other["category"]
                and mine["start_date"] < (other["end_date"] or "9999")
                and other["start_date"] < (mine["end_date"] or "9999")
            ):
                found.append(
                    f"“{LABELS[Category(mine['category'])]}” từ "
                    f"{show(mine['start_date'])} và từ {show(other['start_date'])}"
                )
    return found  # fmt: skip


def check_merge(reg: Register, kept_id: str, merged_id: str) -> dict[str, str]:
    """What stops merging `merged_id` into `kept_id` (field → message)."""
    if refused := chief_refusal(reg, MERGE_WHAT):
        return {"merge": refused}
    if kept_id == merged_id:
        return {"merge": "Chọn hai hồ sơ khác nhau để gộp."}
    try:
        kept, merged = get_person(reg, kept_id), get_person(reg, merged_id)
    except NotFound as exc:
        return {"merge": exc.message}
    if kept["id_number"] and merged["id_number"] and kept["id_number"] != merged["id_number"]:
        return {"merge": f"Hai hồ sơ có hai số CCCD khác nhau ({kept['id_number']}, "
                         f"{merged['id_number']}): đây là hai người, không gộp được."}  # fmt: skip
    if found := _overlaps(reg, kept_id, merged_id):
        return {"merge": "Hai hồ sơ có diện cùng loại trùng thời gian: " + "; ".join(found)
                + ". Hãy sửa hoặc hủy một diện trước khi gộp."}  # fmt: skip
    return {}


def _fill(reg: Register, kept: Mapping[str, Any], merged: Mapping[str, Any]) -> dict[str, Any]:
    """The kept record's blank fields the other fills, minus those its check refuses."""
    filled = {k: merged[k] for k in FILLABLE if not kept.get(k) and merged.get(k)}
    _, errors = check_person(reg, {**{k: kept.get(k) for k in FIELDS}, **filled})
    return {k: v for k, v in filled.items() if k not in errors}


def merge(reg: Register, kept_id: str, merged_id: str, reason: str = "") -> str:
    """Merge `merged_id` into `kept_id` (the chief's); returns the merge's id (for `unmerge`)."""
    with records.transaction(reg):
        errors = check_merge(reg, kept_id, merged_id)
        if errors:
            raise ValidationError(errors)
        kept, merged = get_person(reg, kept_id), get_person(reg, merged_id)
        log_seq = int(reg.db.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0])
        moved: list[list[str]] = []
        dropped: list[list[str]] = []
        days: list[str] = []
        for table in person_tables(reg):
            there = {_key(table, r) for r in _rows(reg, table, kept_id)}
            for row in _rows(reg, table, merged_id):
                if _key(table, row) in there:
                    records.soft_delete(reg, table, row["id"])
                    dropped.append([table, row["id"]])
                else:
                    records.update(reg, table, row["id"], {"person_id": kept_id})
                    moved.append([table, row["id"]])
                if table in FIGURE_DAYS and row[FIGURE_DAYS[table]]:
                    days.append(row[FIGURE_DAYS[table]])
        filled = _fill(reg, kept, merged)
        records.update(reg, "persons", merged_id, {"merged_into": kept_id, "deleted": 1})
        if filled:
            update_person(reg, kept_id, filled)
        merge_id = records.insert(reg, "person_merges", {
            "kept_id": kept_id, "merged_id": merged_id, "log_seq": log_seq,
            "moved": json.dumps(moved), "dropped": json.dumps(dropped),
            "filled": json.dumps({k: [kept.get(k), v] for k, v in filled.items()},
                                 ensure_ascii=False),
            "reason": reason.strip(),
        })  # fmt: skip
        note(reg, "persons", kept_id, "merge", reason or "Hai hồ sơ của cùng một người",
             what=f"Gộp hồ sơ {_who(merged)} vào hồ sơ {_who(kept)}", person=kept,
             month=month_of(*days), detail={"merged": merged["full_name"]})  # fmt: skip
    return merge_id


def _who(person: Mapping[str, Any]) -> str:
    born = show(person.get("birth_date"))
    village = person.get("village") or ""
    extra = ", ".join(x for x in (f"sinh {born}" if born else "", village) if x)
    return f"“{person['full_name']}”" + (f" ({extra})" if extra else "")


def merges(reg: Register, person_id: str | None = None) -> list[dict[str, Any]]:
    """Merges not undone (of one kept person, or all), newest first, each with the names and
    `refusal`: why it can no longer be undone ("" when it can)."""
    rows = list(reg.db.query(
        "SELECT m.*, k.full_name AS kept_name, g.full_name AS merged_name, "
        "g.birth_date AS merged_birth FROM person_merges m "
        "JOIN persons k ON k.id = m.kept_id JOIN persons g ON g.id = m.merged_id "
        "WHERE m.deleted = 0 AND m.undone_at IS NULL AND (:p IS NULL OR m.kept_id = :p) "
        "ORDER BY m.created_at DESC", {"p": person_id}))  # fmt: skip
    for row in rows:
        row["refusal"] = unmerge_refusal(reg, row["id"])
    return rows


def unmerge_refusal(reg: Register, merge_id: str) -> str:
    """Why a merge can no longer be undone ("" when it can)."""
    if refused := chief_refusal(reg, UNMERGE_WHAT):
        return refused
    try:
        merge_row = records.get(reg, "person_merges", merge_id)
    except NotFound as exc:
        return exc.message
    if merge_row["undone_at"]:
        return "Hai hồ sơ này đã được tách lại."
    sent = reg.db.execute(
        "SELECT finished_at, started_at FROM handover_exports WHERE status <> 'failed' "
        "AND log_seq > ? ORDER BY seq LIMIT 1",
        [merge_row["log_seq"]],
    ).fetchone()
    if sent:
        return ("Đã làm gói bàn giao sau khi gộp (ngày "
                f"{show((sent[0] or sent[1])[:10])}): việc gộp đã gửi đi, không tách lại ở "
                "đây được.")  # fmt: skip
    return ""


def _undelete(reg: Register, table: str, row_id: str, extra: Mapping[str, Any]) -> None:
    """Bring back a soft-deleted row, logged as a change (db.store.records has no restore yet:
    this writes through its own `_set` and `log_change`, inside the caller's transaction)."""
    row = records.get(reg, table, row_id, include_deleted=True)
    values = {"deleted": 0, **extra}
    diff = {k: [row.get(k), v] for k, v in values.items() if row.get(k) != v}
    if not diff:
        return
    at = now_utc()
    stamp = {"updated_at": at, "updated_by": reg.user, "device_id": reg.device_id}
    records._set(reg, table, row_id, {**values, **stamp})
    records.log_change(reg, at, table, row_id, "update", diff)


def unmerge(reg: Register, merge_id: str, reason: str = "") -> None:
    """Undo a merge (the chief's, before the next handover bundle): the merged-away record comes
    back with its rows; rows added to the kept record since stay there."""
    with records.transaction(reg):
        if refused := unmerge_refusal(reg, merge_id):
            raise ValidationError({"merge": refused})
        merge_row = records.get(reg, "person_merges", merge_id)
        kept_id, merged_id = merge_row["kept_id"], merge_row["merged_id"]
        _undelete(reg, "persons", merged_id, {"merged_into": None})
        for table, row_id in json.loads(merge_row["moved"]):
            row = records.get(reg, table, row_id, include_deleted=True)
            if row["person_id"] == kept_id and not row["deleted"]:
                records.update(reg, table, row_id, {"person_id": merged_id})
        for table, row_id in json.loads(merge_row["dropped"]):
            _undelete(reg, table, row_id, {})
        kept = get_person(reg, kept_id)
        back = {k: old for k, (old, new) in json.loads(merge_row["filled"]).items()
                if kept.get(k) == new}  # fmt: skip
        if back:
            update_person(reg, kept_id, back)
        records.update(reg, "person_merges", merge_id, {"undone_at": now_utc()})
        merged = get_person(reg, merged_id)
        note(reg, "persons", kept_id, "unmerge", reason or "Gộp nhầm hai người khác nhau",
             what=f"Tách hồ sơ {_who(merged)} khỏi hồ sơ {_who(kept)}", person=kept,
             month=month_of(*(records.get(reg, t, i, include_deleted=True)[FIGURE_DAYS[t]]
                              for t, i in json.loads(merge_row["moved"]) if t in FIGURE_DAYS)),
             detail={"merged": merged["full_name"]})  # fmt: skip
