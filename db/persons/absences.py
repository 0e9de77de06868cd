"""Unreported absences during post-rehab management: the days do not count toward the period
(Law 73/2021 Art. 40; Decree 116/2021 Art. 77–81), so each one recorded adds its days to the
episode's recorded end — the end decided, not one recomputed from the rules.

An absence runs from its first to its last day, both counted. It lies within the open period it
belongs to (from the start, beginning before the current end) and overlaps no other absence of
the same period; its end is not in the future (it is recorded once it is known).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from db.core.dates import from_iso, future_error, parse_date, show
from db.core.errors import NotFound, UserError, ValidationError
from db.law.categories import Category
from db.persons.episodes import extend_for_absence
from db.store import records
from db.store.register import Register

_LABELS = {"start": "Vắng mặt từ ngày", "end": "Đến ngày"}


def _day(value: date | str | None, key: str, errors: dict[str, str]) -> date | None:
    if value is None or value == "":
        errors[key] = f"{_LABELS[key]}: không được để trống."
        return None
    try:
        return parse_date(value, _LABELS[key])
    except UserError as exc:
        errors[key] = exc.message
        return None


def _episode(reg: Register, episode_id: str, errors: dict[str, str]) -> dict[str, Any] | None:
    try:
        episode = records.get(reg, "episodes", episode_id)
    except NotFound:
        errors["episode"] = "Không tìm thấy diện quản lý sau cai nghiện này."
        return None
    if episode["category"] != Category.POST_REHAB:
        errors["episode"] = "Chỉ ghi thời gian vắng mặt cho diện quản lý sau cai nghiện."
    elif episode["end_date"]:
        errors["episode"] = (
            f"Diện quản lý sau cai nghiện này đã kết thúc ngày {show(episode['end_date'])}."
        )
    return episode


def check_absence(
    reg: Register, episode_id: str, start: date | str | None, end: date | str | None
) -> dict[str, str]:
    """What is wrong with recording this absence (field → message: "episode", "start", "end");
    writes nothing."""
    errors: dict[str, str] = {}
    episode = _episode(reg, episode_id, errors)
    first, last = _day(start, "start", errors), _day(end, "end", errors)
    if last and (message := future_error(last, reg.today(), _LABELS["end"])):
        errors.setdefault("end", message)
    if first and last and last < first:
        errors.setdefault("end", f"Đến ngày: {show(last)} trước ngày {show(first)}.")
    if episode is None or first is None or errors:
        return errors
    begun, current_end = date.fromisoformat(episode["start_date"]), from_iso(episode["planned_end"])
    if first < begun:
        errors["start"] = (
            f"{_LABELS['start']}: {show(first)} trước ngày bắt đầu quản lý sau cai nghiện "
            f"{show(begun)}."
        )
    elif current_end is not None and first >= current_end:
        errors["start"] = (
            f"{_LABELS['start']}: {show(first)} không còn trong thời hạn quản lý sau cai nghiện "
            f"(kết thúc ngày {show(current_end)})."
        )
    elif last is not None and (other := _overlapping(reg, episode_id, first, last)):
        errors["start"] = (
            f"Trùng với lần vắng mặt đã ghi từ {show(other['start_date'])} đến "
            f"{show(other['end_date'])}."
        )
    return errors


def _overlapping(reg: Register, episode_id: str, first: date, last: date) -> dict[str, Any] | None:
    rows = reg.db.query(
        "SELECT * FROM absences WHERE episode_id = ? AND deleted = 0 AND start_date <= ? "
        "AND end_date >= ? ORDER BY start_date LIMIT 1",
        [episode_id, last.isoformat(), first.isoformat()],
    )
    return next(iter(rows), None)


def record_absence(
    reg: Register, episode_id: str, start: date | str, end: date | str, note: str = ""
) -> str:
    """Record an unreported absence (both days counted) and move the period's end by as many
    days; refused (ValidationError) outside the open period or over another absence. Logged."""
    errors = check_absence(reg, episode_id, start, end)
    if errors:
        raise ValidationError(errors)
    first, last = parse_date(start, _LABELS["start"]), parse_date(end, _LABELS["end"])
    days = (last - first).days + 1
    with records.transaction(reg):
        episode = records.get(reg, "episodes", episode_id)
        absence = records.insert(
            reg,
            "absences",
            {
                "person_id": episode["person_id"],
                "episode_id": episode_id,
                "start_date": first.isoformat(),
                "end_date": last.isoformat(),
                "days": days,
                "notes": note.strip(),
            },
        )
        extend_for_absence(reg, episode, days)
    return absence


def delete_absence(reg: Register, absence_id: str) -> None:
    """Take back an absence recorded by mistake: the period's end moves back by its days."""
    absence = records.get(reg, "absences", absence_id)
    with records.transaction(reg):
        records.soft_delete(reg, "absences", absence_id)
        episode = records.get(reg, "episodes", absence["episode_id"])
        extend_for_absence(reg, episode, -int(absence["days"]))


def absences_of(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """A person's recorded absences, newest first."""
    return list(
        reg.db.query(
            "SELECT * FROM absences WHERE person_id = ? AND deleted = 0 ORDER BY start_date DESC",
            [person_id],
        )
    )


def _days_covered(spans: list[tuple[str, str]]) -> int:
    """Days covered by the spans (both ends counted), a day covered twice counted once."""
    covered = 0
    last: date | None = None
    for first_text, end_text in sorted(spans):
        first, end = date.fromisoformat(first_text), date.fromisoformat(end_text)
        if last is not None and first <= last:
            first = last + timedelta(days=1)
        if end >= first:
            covered += (end - first).days + 1
        last = end if last is None or end > last else last
    return covered


def reconcile_after_handover(reg: Register, import_no: int, at: str) -> list[str]:
    """After a bundle merged absences: a period whose recorded days are fewer than the days its
    live absences cover (two laptops each recorded a different absence, each moving the end by
    its own) gets the missing days added to its end, and the open conflicts of this import on
    its end and days — where neither side had every absence — are closed as recomputed. A day
    covered twice (the same absence recorded on both) counts once; days recorded without an
    absence row are left as they are. The caller holds the import's transaction; the ids of
    the periods whose end moved."""
    spans: dict[str, list[tuple[str, str]]] = {}
    for episode_id, start, end in reg.conn.execute(
        "SELECT episode_id, start_date, end_date FROM absences WHERE deleted = 0"
    ):
        spans.setdefault(str(episode_id), []).append((str(start), str(end)))
    moved: list[str] = []
    for episode_id, episode_spans in spans.items():
        try:
            episode = records.get(reg, "episodes", episode_id)
        except NotFound:
            continue  # an absence whose period is gone: `check` names it
        if episode["category"] != Category.POST_REHAB or episode["deleted"]:
            continue
        missing = _days_covered(episode_spans) - int(episode["absence_days"] or 0)
        if missing <= 0:
            continue
        updated = extend_for_absence(reg, episode, missing)
        moved.append(episode_id)
        for field in ("planned_end", "absence_days"):
            reg.conn.execute(
                "UPDATE handover_conflicts SET resolved_at = ?, resolved_by = ?, chosen = 'local', "
                "chosen_value = ? WHERE tbl = 'episodes' AND row_id = ? AND field = ? "
                "AND import_no = ? AND resolved_at IS NULL",
                [at, "tính lại theo các lần vắng mặt", str(updated[field]), episode_id, field,
                 import_no],
            )  # fmt: skip
    return moved
