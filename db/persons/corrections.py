"""Corrections, never silent: a test voided or corrected, an episode reopened or its dates and
decision corrected, a person entered by mistake deleted — each with a reason.

Each correction is one transaction through db.store.records: the row's change (old → new) is
logged as every change is, and in the same transaction a *correction note* (change-log action
"correct") on the same row says which correction it was, why, and the earliest month whose
figures it touches. The person's history shows the two as one line (db.persons.history_view);
the next monthly report lists the notes since the last one (`corrections_since`), as reports
already sent are not rewritten. The due list and the figures read the register live, so they
follow at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from db.core.dates import add_months, from_iso, future_error, iso, parse_date, show
from db.core.errors import NotFound, UserError, ValidationError
from db.core.textfold import clean
from db.law.categories import LABELS, Category
from db.persons.correction_log import (
    FIGURE_DAYS,
    KINDS,
    Correction,
    chief_refusal,
    corrections_since,
    month_of,
    note,
    reason_error,
)
from db.persons.drugtests import RESULTS, check_test
from db.persons.people import get_person, person_tables
from db.store import records
from db.store.register import Register

__all__ = [
    "DELETE_WHAT",
    "KINDS",
    "Correction",
    "check_delete_person",
    "check_episode_correction",
    "check_test_correction",
    "chief_refusal",
    "correct_episode",
    "correct_test",
    "corrections_since",
    "delete_person",
    "reopen_episode",
    "void_test",
]

TEST_FIELDS = ("test_date", "kind", "method", "substances", "positives", "result", "officer",
               "place", "notes")  # fmt: skip
# Planned ends a decision or a court sets (the officer may correct them); the others move with a
# corrected start.
SET_BY_DECISION = (Category.REHAB_FACILITY, Category.REHAB_COMPULSORY, Category.METHADONE)
NOTHING_CHANGED = "Chưa có gì thay đổi."


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}


# --- Tests. ------------------------------------------------------------------------------------


def describe_test(test: Mapping[str, Any]) -> str:
    """What a test was, in words: "Xét nghiệm ngày 12/10/2026 (Dương tính: MET)"."""
    result = RESULTS.get(test["result"], test["result"])
    positives = str(test.get("positives") or "").replace(",", ", ")
    shown = f"{result}: {positives}" if positives else result
    return f"Xét nghiệm ngày {show(test['test_date'])} ({shown})"


def _corrected_test(reg: Register, test: Mapping[str, Any], values: Mapping[str, Any]
                    ) -> dict[str, Any]:  # fmt: skip
    """The test as corrected, checked by the same check as a new test (ValidationError)."""
    fields = {k: test[k] for k in TEST_FIELDS} | {k: v for k, v in values.items()
                                                  if k in TEST_FIELDS}  # fmt: skip
    if values.get("result") == "negative" and "positives" not in values:
        fields["positives"] = ""
    return check_test(reg, test["person_id"], fields.pop("test_date"), **fields)


def check_test_correction(reg: Register, test_id: str, values: Mapping[str, Any]
                          ) -> dict[str, str]:  # fmt: skip
    """What is wrong with correcting (or, with `void`, voiding) a test (field → message)."""
    errors: dict[str, str] = {}
    if message := reason_error(values.get("reason")):
        errors["reason"] = message
    try:
        test = records.get(reg, "drug_tests", test_id)
    except NotFound as exc:
        return {**errors, "test": exc.message}
    if values.get("void"):
        return errors
    try:
        row = _corrected_test(reg, test, values)
    except ValidationError as exc:
        return {**exc.errors, **errors}
    if not _changed(test, {k: row[k] for k in TEST_FIELDS}):
        errors.setdefault("changes", NOTHING_CHANGED)
    return errors


def correct_test(reg: Register, test_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Correct a test's date, result, substances (…) with `values["reason"]`, or void it when
    `values["void"]`; returns what changed."""
    with records.transaction(reg):
        errors = check_test_correction(reg, test_id, values)
        if errors:
            raise ValidationError(errors)
        test = records.get(reg, "drug_tests", test_id)
        person = get_person(reg, test["person_id"])
        reason = str(values["reason"])
        if values.get("void"):
            records.soft_delete(reg, "drug_tests", test_id)
            old = {k: test[k] for k in ("test_date", "result", "positives", "substances")}
            note(reg, "drug_tests", test_id, "void_test", reason, what=describe_test(test),
                 person=person, month=month_of(test["test_date"]), fields={"old": old})  # fmt: skip
            return {"deleted": [0, 1]}
        row = _corrected_test(reg, test, values)
        diff = records.update(reg, "drug_tests", test_id, {k: row[k] for k in TEST_FIELDS})
        note(reg, "drug_tests", test_id, "correct_test", reason, what=describe_test(test),
             person=person, month=month_of(*diff.get("test_date", ()), test["test_date"]),
             fields=diff)  # fmt: skip
        return diff


def void_test(reg: Register, test_id: str, reason: str) -> None:
    """Void a test typed wrongly (kept, with the reason, in the log)."""
    correct_test(reg, test_id, {"void": True, "reason": reason})


# --- Episodes. ---------------------------------------------------------------------------------


def describe_episode(episode: Mapping[str, Any]) -> str:
    """What an episode is, in words: "<category> từ 10/05/2026 (QĐ 5/QĐ)"."""
    text = f"{LABELS[Category(episode['category'])]} từ {show(episode['start_date'])}"
    return text + (f" (QĐ {episode['decision_no']})" if episode.get("decision_no") else "")


def _day(values: Mapping[str, Any], episode: Mapping[str, Any], key: str, label: str,
         errors: dict[str, str], today: date) -> date | None:  # fmt: skip
    raw = values.get(key, episode.get(key))
    if raw in (None, ""):
        return None
    try:
        day = parse_date(raw, label)
    except UserError as exc:
        errors[key] = exc.message
        return None
    if message := future_error(day, today, label):
        errors[key] = message
    return day


def shifted_end(old_start: date, old_end: date, new_start: date) -> date:
    """The planned end moved with a corrected start: the same whole months and extra days
    (the period the decision gave, unreported absences) counted from the new start."""
    months = (old_end.year - old_start.year) * 12 + old_end.month - old_start.month
    if add_months(old_start, months) > old_end:
        months -= 1
    return add_months(new_start, months) + (old_end - add_months(old_start, months))


def _planned(episode: Mapping[str, Any], start: date, values: Mapping[str, Any],
             errors: dict[str, str]) -> date | None:  # fmt: skip
    """The planned end after the correction: moved with the start where the law fixes the
    period, as corrected where a decision or a court set it (or it came with a move)."""
    cat = Category(episode["category"])
    old = from_iso(episode["planned_end"])
    if cat in SET_BY_DECISION or episode["moved_from"]:
        raw = values.get("planned_end", episode["planned_end"])
        try:
            planned = parse_date(raw, "Ngày kết thúc dự kiến") if raw else None
        except UserError as exc:
            errors["planned_end"] = exc.message
            return old
        if planned and planned < start:
            errors["planned_end"] = "Ngày kết thúc dự kiến: trước ngày bắt đầu."
        return planned
    if old is None:
        return None
    return shifted_end(date.fromisoformat(episode["start_date"]), old, start)


def _overlap(reg: Register, episode: Mapping[str, Any], start: date, end: date | None
             ) -> str | None:  # fmt: skip
    """The message when another episode of the same category overlaps [start, end)."""
    cat = Category(episode["category"])
    for other in reg.db.query(
        "SELECT start_date, end_date FROM episodes WHERE person_id = ? AND category = ? "
        "AND deleted = 0 AND id <> ? AND start_date < ? AND (end_date IS NULL OR end_date > ?) "
        "ORDER BY start_date LIMIT 1",
        [episode["person_id"], cat.value, episode["id"], iso(end) or "9999-12-31",
         start.isoformat()],
    ):  # fmt: skip
        if other["end_date"] is None:
            return (f"Người này đang trong diện “{LABELS[cat]}” từ "
                    f"{show(other['start_date'])}; hãy kết thúc diện đó trước.")  # fmt: skip
        return (f"Người này có diện “{LABELS[cat]}” từ {show(other['start_date'])} đến "
                f"{show(other['end_date'])}, trùng thời gian với diện này.")  # fmt: skip
    return None


def _corrected_episode(reg: Register, episode: Mapping[str, Any], values: Mapping[str, Any]
                       ) -> tuple[dict[str, Any], dict[str, str]]:  # fmt: skip
    errors: dict[str, str] = {}
    today = reg.today()
    reopen = bool(values.get("reopen"))
    closed = episode["end_date"] is not None
    if reopen and not closed:
        errors["reopen"] = "Diện này đang mở, không cần mở lại."
    start = _day(values, episode, "start_date", "Ngày bắt đầu", errors, today)
    if start is None and "start_date" not in errors:
        errors["start_date"] = "Ngày bắt đầu: không được để trống."
    decided = _day(values, episode, "decision_date", "Ngày quyết định", errors, today)
    end: date | None = None
    if closed and not reopen:
        end = _day(values, episode, "end_date", "Ngày kết thúc", errors, today)
        if end is None and "end_date" not in errors:
            errors["end_date"] = "Ngày kết thúc: không được để trống."
    elif values.get("end_date") and not closed:
        errors["end_date"] = "Diện này chưa kết thúc: ghi việc kết thúc ở mục các việc."
    if start and end and end < start:
        errors["end_date"] = f"Ngày kết thúc: {show(end)} trước ngày bắt đầu {show(start)}."
    row: dict[str, Any] = {
        "start_date": iso(start) or episode["start_date"],
        "decision_no": clean(str(values.get("decision_no", episode["decision_no"]) or "")),
        "decision_date": iso(decided),
        "end_date": iso(end),
    }
    if start:
        row["planned_end"] = iso(_planned(episode, start, values, errors))
        if not errors and (message := _overlap(reg, episode, start, end)):
            errors["reopen" if reopen else "start_date"] = message
    if reopen:
        row.update(end_kind=None, end_reason="", moved_to="", notice_date=None)
    return row, errors


def check_episode_correction(reg: Register, episode_id: str, values: Mapping[str, Any]
                             ) -> dict[str, str]:  # fmt: skip
    """What is wrong with reopening an episode or correcting its dates and decision, or, with
    `void`, voiding it (field → message)."""
    errors: dict[str, str] = {}
    if message := reason_error(values.get("reason")):
        errors["reason"] = message
    try:
        episode = records.get(reg, "episodes", episode_id)
    except NotFound as exc:
        return {**errors, "episode": exc.message}
    if values.get("void"):
        return errors
    row, found = _corrected_episode(reg, episode, values)
    if not found and not _changed(episode, row):
        found["changes"] = NOTHING_CHANGED
    return {**found, **errors}


def correct_episode(reg: Register, episode_id: str, values: Mapping[str, Any]
                    ) -> dict[str, Any]:  # fmt: skip
    """Reopen an episode (`reopen`), correct its start, end, decision number and date, or void
    it (`void`), with `values["reason"]`; returns what changed."""
    with records.transaction(reg):
        errors = check_episode_correction(reg, episode_id, values)
        if errors:
            raise ValidationError(errors)
        episode = records.get(reg, "episodes", episode_id)
        person = get_person(reg, episode["person_id"])
        reason, what = str(values["reason"]), describe_episode(episode)
        if values.get("void"):
            records.soft_delete(reg, "episodes", episode_id)
            old = {k: episode[k] for k in ("category", "start_date", "end_date", "decision_no")}
            note(reg, "episodes", episode_id, "void_episode", reason, what=what, person=person,
                 month=month_of(episode["start_date"]), fields={"old": old})  # fmt: skip
            return {"deleted": [0, 1]}
        row, _ = _corrected_episode(reg, episode, values)
        diff = records.update(reg, "episodes", episode_id, row)
        kind = "reopen_episode" if values.get("reopen") else "correct_episode"
        days = [d for k in ("start_date", "end_date") for d in diff.get(k, ())]
        if "decision_no" in diff or "decision_date" in diff:
            days.append(episode["start_date"])  # "with a case file" counts from the start
        note(reg, "episodes", episode_id, kind, reason, what=what, person=person,
             month=month_of(*days), fields=diff)  # fmt: skip
        return diff


def reopen_episode(reg: Register, episode_id: str, reason: str) -> dict[str, Any]:
    """Reopen an episode closed by mistake."""
    return correct_episode(reg, episode_id, {"reopen": True, "reason": reason})


# --- People. -----------------------------------------------------------------------------------

DELETE_WHAT = "xóa người nhập nhầm"


def check_delete_person(reg: Register, person_id: str, reason: object) -> dict[str, str]:
    """What stops deleting a person entered by mistake (field → message)."""
    errors: dict[str, str] = {}
    if refused := chief_refusal(reg, DELETE_WHAT):
        errors["person"] = refused
    if message := reason_error(reason):
        errors["reason"] = message
    try:
        get_person(reg, person_id)
    except NotFound as exc:
        errors["person"] = exc.message
    return errors


def delete_person(reg: Register, person_id: str, reason: str) -> int:
    """Delete a person entered by mistake, and their episodes, tests, contacts and team (soft:
    kept, with the reason, in the log); the chief's. Returns how many rows went with them."""
    with records.transaction(reg):
        errors = check_delete_person(reg, person_id, reason)
        if errors:
            raise ValidationError(errors)
        person = get_person(reg, person_id)
        days: list[str] = []
        counts: dict[str, int] = {}
        for table in person_tables(reg):
            rows = list(
                reg.db.query(
                    f"SELECT * FROM [{table}] WHERE person_id = ? AND deleted = 0", [person_id]
                )
            )
            for row in rows:
                records.soft_delete(reg, table, row["id"])
                if table in FIGURE_DAYS and row[FIGURE_DAYS[table]]:
                    days.append(row[FIGURE_DAYS[table]])
            counts[table] = len(rows)
        records.soft_delete(reg, "persons", person_id)
        born = show(person["birth_date"])
        what = f"{person['full_name']}{', sinh ' + born if born else ''}"
        note(reg, "persons", person_id, "delete_person", reason, what=what, person=person,
             month=month_of(*days), detail={"rows": counts})  # fmt: skip
    return sum(counts.values())
