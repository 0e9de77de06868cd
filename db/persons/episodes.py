"""Episodes: a person's history of decisions, and the status derived from the open ones.

Planned ends come from the rules table for the episode's start date; they are written when the
episode opens (a later change of law does not shorten a running decision). An end that came from
a decision (a post-rehab decision on an imported row, the old decision of a person who moved in)
is kept as decided, and unreported absences are added to the recorded end (db.persons.absences),
never to a recomputed one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from db.core.dates import add_months, age_on, from_iso, future_error, iso, parse_date, show
from db.core.errors import UserError, ValidationError
from db.law.categories import (
    END_KINDS,
    IN_FACILITY,
    LABELS,
    STATUS_ORDER,
    STOP_REASONS,
    Category,
    parse_category,
)
from db.law.rules import rule
from db.persons.people import birth_of, get_person
from db.store import records
from db.store.register import Register

TEAM_ROLES = ("Tổ trưởng", "Tổ phó", "Thành viên", "Người được giao giúp đỡ")


def _date(value: date | str | None, field: str, label: str, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(value, label)
    except UserError as exc:
        errors[field] = exc.message
        return None


# An early end (dừng, Mẫu 09) must say why: the message wherever a form asks for the reason.
STOP_REASON_REQUIRED = "Lý do dừng: phải ghi lý do (Mẫu 09)."


def _not_future(
    reg: Register, d: date | None, field: str, label: str, errors: dict[str, str]
) -> None:
    if message := future_error(d, reg.today(), label):
        errors.setdefault(field, message)


# The rehab a post-rehab period follows: its kind decides 1 or 2 years (Law Art. 40).
PRIOR_REHAB = (Category.REHAB_HOME, Category.REHAB_FACILITY, Category.REHAB_COMPULSORY)
PRIOR_REHAB_UNKNOWN = (
    "Hình thức cai nghiện trước đó: sổ chưa có lần cai nghiện nào của người này trước ngày "
    "{start} — hãy chọn hình thức cai nghiện trước khi quản lý sau cai nghiện (thời hạn 1 năm, "
    "hoặc 2 năm với người từ đủ 18 tuổi ra khỏi cơ sở cai nghiện bắt buộc) hoặc nhập ngày kết "
    "thúc theo quyết định."
)


def parse_prior_rehab(value: Category | str | None) -> Category | None:
    """The kind of rehab before post-rehab (None when not given); ValidationError otherwise."""
    if value in (None, ""):
        return None
    try:
        found = parse_category(str(value))
    except UserError:
        found = None
    if found not in PRIOR_REHAB:
        choices = ", ".join(f"“{LABELS[c]}”" for c in PRIOR_REHAB)
        message = f"Hình thức cai nghiện trước đó “{value}” không hợp lệ: chọn {choices}."
        raise ValidationError({"prior_rehab": message})
    return found


def _post_rehab_months(
    reg: Register, person_id: str, start: date, prior: Category | None = None
) -> int:
    """1 year, or 2 for an adult leaving compulsory rehab: the rehab given, else the most recent
    one on the register before `start`; refused (field "prior_rehab") when neither is known."""
    if prior is None:
        row = reg.db.execute(
            "SELECT category FROM episodes WHERE person_id = ? AND deleted = 0 AND category IN "
            "('rehab_home', 'rehab_facility', 'rehab_compulsory') AND start_date <= ? "
            "ORDER BY COALESCE(end_date, start_date) DESC LIMIT 1",
            [person_id, start.isoformat()],
        ).fetchone()
        if row is None:
            # Not silently 1 year: the length depends on a history this register does not hold.
            raise ValidationError({"prior_rehab": PRIOR_REHAB_UNKNOWN.format(start=show(start))})
        prior = Category(row[0])
    if prior == Category.REHAB_COMPULSORY:
        birth = birth_of(get_person(reg, person_id))
        adult = int(rule("adult_age", start).value)
        # Compulsory rehab is for adults: only a person certainly under 18 gets 1 year.
        oldest = age_on(birth, start)[1] if birth else adult
        if oldest >= adult:
            return int(rule("post_rehab_period_compulsory_adult", start).value)
    return int(rule("post_rehab_period", start).value)


def planned_end(
    reg: Register,
    person_id: str,
    category: Category,
    start: date,
    duration_months: int | None = None,
    absence_days: int = 0,
    *,
    prior_rehab: Category | str | None = None,
) -> date | None:
    """The end the rules give an episode of `category` starting on `start` (a post-rehab period
    needs the kind of rehab before it: `prior_rehab`, or one on the register)."""
    months: int | None = None
    if category == Category.USER:
        months = int(rule("management_period", start).value)
    elif category == Category.POST_REHAB:
        months = _post_rehab_months(reg, person_id, start, parse_prior_rehab(prior_rehab))
    elif category == Category.WATCH:
        months = int(rule("watch_window", start).value)
    elif category == Category.REHAB_HOME:
        low = int(rule("rehab_home_min", start).value)
        high = int(rule("rehab_home_max", start).value)
        months = duration_months or low
        if not low <= months <= high:
            raise ValidationError(
                {"duration_months": f"Thời hạn cai nghiện tại gia đình, cộng đồng: từ {low} "
                 f"đến {high} tháng, không phải {months}."}
            )  # fmt: skip
    elif duration_months:
        months = duration_months
    if months is None:
        return None
    return add_months(start, months) + timedelta(days=absence_days)


# Moving in carries the old decision's remaining time over: these need its date or its end.
CARRY_OVER = (Category.USER, Category.POST_REHAB)
MOVE_IN_NEEDS_OLD_DECISION = (
    "Chuyển đến: người đang quản lý tính tiếp thời hạn còn lại của quyết định cũ (không tính "
    "lại từ đầu) — hãy nhập ngày quyết định cũ hoặc ngày kết thúc theo quyết định cũ."
)


def end_of(
    reg: Register,
    person_id: str,
    cat: Category,
    start: date,
    *,
    planned: date | None,
    decided: date | None,
    moved_from: str,
    prior: Category | str | None,
    duration_months: int | None,
) -> date | None:
    """The planned end `open_episode` gives a new episode (ValidationError names the field that
    is missing or wrong): the one rule, asked by forms before they save too."""
    moved_in = bool(moved_from.strip())
    if moved_in and cat in CARRY_OVER:
        if planned is None and decided is None:
            raise ValidationError({"planned_end": MOVE_IN_NEEDS_OLD_DECISION})
        if decided is not None and decided > start:
            raise ValidationError(
                {"decision_date": f"Ngày quyết định cũ: {show(decided)} sau ngày chuyển đến "
                 f"{show(start)}."}
            )  # fmt: skip
        end = planned or planned_end(reg, person_id, cat, decided or start, prior_rehab=prior)
        if end is not None and end <= start:
            raise ValidationError(
                {"planned_end": f"Quyết định cũ hết thời hạn ngày {show(end)}, không sau ngày "
                 f"chuyển đến {show(start)}: không còn thời hạn để tính tiếp."}
            )  # fmt: skip
        return end
    if cat == Category.POST_REHAB and planned is not None:
        # A post-rehab decision states its end (1 or 2 years, as the person's history decides):
        # kept as decided.
        return planned
    fixed_by_law = cat in (Category.USER, Category.POST_REHAB, Category.WATCH, Category.REHAB_HOME)
    if planned is not None and (not fixed_by_law or moved_in):
        return planned
    return planned_end(reg, person_id, cat, start, duration_months, prior_rehab=prior)


def _check_team(team: Iterable[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    members = []
    for member in team or ():
        name = str(member.get("name") or "").strip()
        if name:
            members.append(
                {
                    "role": str(member.get("role") or "Thành viên").strip(),
                    "name": name,
                    "unit": str(member.get("unit") or "").strip(),
                    "phone": str(member.get("phone") or "").strip(),
                }
            )
    return members


def open_episodes(reg: Register, person_id: str, on: date | None = None) -> list[dict[str, Any]]:
    """The person's episodes open on `on` (default today), most telling first."""
    day = (on or reg.today()).isoformat()
    rows = list(
        reg.db.query(
            "SELECT * FROM episodes WHERE person_id = ? AND deleted = 0 AND start_date <= ? "
            "AND (end_date IS NULL OR end_date > ?)",
            [person_id, day, day],
        )
    )
    order = {c.value: i for i, c in enumerate(STATUS_ORDER)}
    return sorted(rows, key=lambda r: order[r["category"]])


_STATUS_RANK = {c.value: i for i, c in enumerate(STATUS_ORDER)}


def status_order(categories: Iterable[str]) -> list[str]:
    """Distinct categories, most telling first (the first one is the status shown)."""
    return sorted(set(categories), key=_STATUS_RANK.__getitem__)


def status_label(categories: Sequence[str]) -> str:
    """The status shown for a set of open categories ("" = no longer managed)."""
    return "; ".join(LABELS[Category(c)] for c in status_order(categories))


def open_episode(
    reg: Register,
    person_id: str,
    category: Category | str,
    start: date | str,
    *,
    decision_no: str = "",
    decision_date: date | str | None = None,
    signer: str = "",
    duration_months: int | None = None,
    planned: date | str | None = None,
    moved_from: str = "",
    team: Iterable[Mapping[str, Any]] | None = None,
    notes: str = "",
    prior_rehab: Category | str | None = None,
) -> str:
    """Open an episode after checking its dates; the planned end comes from the rules.

    `planned` (an explicit planned end) is taken where the law does not fix the period (facility
    or compulsory rehab, set by the court), for post-rehab (the decision states 1 or 2 years),
    and when a person moves in (`moved_from` given) and the time left on the old commune's
    decision carries over. A moved-in user or post-rehab person needs the old decision's end
    (`planned`) or its date (`decision_date`: the period counts from it). A post-rehab period
    with no end given needs the kind of rehab before it (`prior_rehab`, or one on the register).
    """
    cat = parse_category(str(category.value if isinstance(category, Category) else category))
    get_person(reg, person_id)
    errors: dict[str, str] = {}
    start_d = _date(start, "start_date", "Ngày bắt đầu", errors)
    if start_d is None and "start_date" not in errors:
        errors["start_date"] = "Ngày bắt đầu: không được để trống."
    decision_d = _date(decision_date, "decision_date", "Ngày quyết định", errors)
    planned_d = _date(planned, "planned_end", "Ngày kết thúc dự kiến", errors)
    _not_future(reg, start_d, "start_date", "Ngày bắt đầu", errors)
    _not_future(reg, decision_d, "decision_date", "Ngày quyết định", errors)
    if start_d and planned_d and planned_d < start_d:
        errors["planned_end"] = "Ngày kết thúc dự kiến: trước ngày bắt đầu."
    if errors:
        raise ValidationError(errors)
    assert start_d is not None
    # Open on the start day, or still open (not ended) though it starts later: a back-dated
    # episode must not run alongside a later one that nobody closed.
    later_open = reg.db.query(
        "SELECT * FROM episodes WHERE person_id = ? AND category = ? AND deleted = 0 "
        "AND end_date IS NULL AND start_date > ?",
        [person_id, cat.value, start_d.isoformat()],
    )
    for other in [*open_episodes(reg, person_id, start_d), *later_open]:
        if other["category"] == cat.value:
            raise ValidationError(
                {"category": f"Người này đang trong diện “{LABELS[cat]}” từ "
                 f"{show(other['start_date'])}; hãy kết thúc diện đó trước."}
            )  # fmt: skip
    end = end_of(
        reg, person_id, cat, start_d, planned=planned_d, decided=decision_d,
        moved_from=moved_from, prior=prior_rehab, duration_months=duration_months,
    )  # fmt: skip
    return records.insert(
        reg,
        "episodes",
        {
            "person_id": person_id,
            "category": cat.value,
            "decision_no": decision_no.strip(),
            "decision_date": iso(decision_d),
            "signer": signer.strip(),
            "start_date": start_d.isoformat(),
            "planned_end": iso(end),
            "moved_from": moved_from.strip(),
            "team": json.dumps(_check_team(team), ensure_ascii=False),
            "notes": notes.strip(),
        },
    )


def close_episode(
    reg: Register,
    episode_id: str,
    end: date | str,
    end_kind: str,
    *,
    reason: str = "",
    moved_to: str = "",
) -> dict[str, Any]:
    """End an open episode; the end may not precede the start nor lie in the future."""
    episode = records.get(reg, "episodes", episode_id)
    errors: dict[str, str] = {}
    end_d = _date(end, "end_date", "Ngày kết thúc", errors)
    if end_d is None and "end_date" not in errors:
        errors["end_date"] = "Ngày kết thúc: không được để trống."
    _not_future(reg, end_d, "end_date", "Ngày kết thúc", errors)
    if end_d and end_d < date.fromisoformat(episode["start_date"]):
        errors["end_date"] = (
            f"Ngày kết thúc: {show(end_d)} trước ngày bắt đầu {show(episode['start_date'])}."
        )
    if end_kind not in END_KINDS:
        errors["end_kind"] = f"Hình thức kết thúc “{end_kind}” không hợp lệ."
    if end_kind == "stopped" and not reason.strip():
        errors["end_reason"] = STOP_REASON_REQUIRED
    if episode["end_date"]:
        errors["end_date"] = f"Diện này đã kết thúc ngày {show(episode['end_date'])}."
    if errors:
        raise ValidationError(errors)
    assert end_d is not None
    return records.update(
        reg,
        "episodes",
        episode_id,
        {
            "end_date": end_d.isoformat(),
            "end_kind": end_kind,
            "end_reason": STOP_REASONS.get(reason, reason).strip(),
            "moved_to": moved_to.strip(),
        },
    )


def extend_for_absence(reg: Register, episode: Mapping[str, Any], days: int) -> dict[str, Any]:
    """Add `days` (negative: take back) of unreported absence to a post-rehab episode's recorded
    end: the days do not count toward the period (Law Art. 40), whatever the end was decided as.
    The caller holds the transaction."""
    if episode["category"] != Category.POST_REHAB:
        raise ValidationError(
            {"absence_days": "Chỉ tính ngày vắng mặt cho diện quản lý sau cai nghiện."}
        )
    total = int(episode["absence_days"] or 0) + days
    if total < 0:
        raise ValidationError({"absence_days": "Số ngày vắng mặt: không được âm."})
    recorded = from_iso(episode["planned_end"])
    if recorded is None:  # an old row with no end: the rules' end, from its start
        start = date.fromisoformat(episode["start_date"])
        recorded = planned_end(reg, episode["person_id"], Category.POST_REHAB, start)
        days = total
    assert recorded is not None
    end = recorded + timedelta(days=days)
    return records.update(
        reg, "episodes", episode["id"], {"absence_days": total, "planned_end": iso(end)}
    )


def set_absence(reg: Register, episode_id: str, days: int) -> None:
    """Set the unreported absence days of a post-rehab period (in all): the recorded end moves
    by the difference, so an end decided elsewhere is kept and only the absences are added."""
    episode = records.get(reg, "episodes", episode_id)
    if days < 0:
        raise ValidationError({"absence_days": "Số ngày vắng mặt: không được âm."})
    with records.transaction(reg):
        extend_for_absence(reg, episode, days - int(episode["absence_days"] or 0))


def in_facility(categories: Iterable[str]) -> bool:
    """Whether any of the categories keeps the person in a rehab facility."""
    return any(Category(c) in IN_FACILITY for c in categories)


def history(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """Every episode of a person, newest first, team decoded."""
    rows = list(
        reg.db.query(
            "SELECT * FROM episodes WHERE person_id = ? AND deleted = 0 "
            "ORDER BY start_date DESC, created_at DESC",
            [person_id],
        )
    )
    for row in rows:
        row["team"] = json.loads(row["team"] or "[]")
    return rows
