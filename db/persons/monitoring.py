"""Electronic monitoring (giám sát điện tử), Law 120/2025/QH15 (in force 01/07/2026): the head
of the commune police may order it for a person in voluntary rehab at home or in the community,
in substitution treatment, or under post-rehab management.

Each order keeps its date, who ordered it, the days it covers (from and to, both included), the
device, and when and why it ended. An order is in effect on a day from its first day to its last,
unless it ended earlier (not in effect from the day it ended). Only the station chief orders;
whether it applies to the person's status is db.duties.applies' question, asked before every
order (`ELIGIBLE` is the one list of those statuses).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from db.core.dates import future_error, parse_date, show
from db.core.errors import NotAllowed, NotFound, UserError, ValidationError
from db.law.categories import LABELS, Category
from db.law.rules import in_force, rule
from db.persons.episodes import open_episodes
from db.store import records
from db.store.register import Register
from db.store.roles import require_chief

RULE = "electronic_monitoring"
ELIGIBLE = (Category.REHAB_HOME, Category.METHADONE, Category.POST_REHAB)
_LABELS = {
    "ordered_on": "Ngày quyết định giám sát",
    "start": "Giám sát từ ngày",
    "end": "Giám sát đến ngày",
    "ended_on": "Ngày kết thúc giám sát",
}
_IN_EFFECT = (
    "deleted = 0 AND from_date <= :on AND to_date >= :on AND (ended_on IS NULL OR ended_on > :on)"
)


def not_in_force(on: date) -> str:
    """Why an order on `on` is refused because the law is not in force yet ("" when it is)."""
    if in_force(RULE, on):
        return ""
    r = rule(RULE, on)
    return (
        f"Giám sát điện tử áp dụng từ ngày {show(r.effective)} ({r.source}); ngày {show(on)} "
        "luật chưa có hiệu lực."
    )


def not_chief(reg: Register) -> str:
    """Why this account may not order monitoring ("" for the chief)."""
    try:
        require_chief(reg, "ra quyết định giám sát điện tử")
    except NotAllowed as exc:
        return exc.message
    return ""


def _day(value: date | str | None, key: str, errors: dict[str, str]) -> date | None:
    if value is None or value == "":
        errors[key] = f"{_LABELS[key]}: không được để trống."
        return None
    try:
        return parse_date(value, _LABELS[key])
    except UserError as exc:
        errors[key] = exc.message
        return None


def check_order(
    reg: Register,
    person_id: str,
    ordered_on: date | str | None,
    *,
    ordered_by: str,
    start: date | str | None,
    end: date | str | None,
) -> dict[str, str]:
    """What is wrong with this order, besides the person's status (field → message: "person",
    "ordered_on", "ordered_by", "start", "end"); writes nothing."""
    errors: dict[str, str] = {}
    if refused := not_chief(reg):
        errors["person"] = refused
    ordered = _day(ordered_on, "ordered_on", errors)
    first, last = _day(start, "start", errors), _day(end, "end", errors)
    if ordered is not None:
        if message := future_error(ordered, reg.today(), _LABELS["ordered_on"]):
            errors["ordered_on"] = message
        elif refused := not_in_force(ordered):
            errors["ordered_on"] = refused
    if not ordered_by.strip():
        errors["ordered_by"] = "Người ra quyết định: không được để trống."
    if ordered and first and first < ordered:
        errors.setdefault("start", f"{_LABELS['start']}: {show(first)} trước ngày quyết định.")
    if first and last and last < first:
        errors.setdefault("end", f"{_LABELS['end']}: {show(last)} trước ngày {show(first)}.")
    if first and last and "start" not in errors and "end" not in errors:
        a, b = first.isoformat(), last.isoformat()
        for other in orders_of(reg, person_id):
            # In effect from its first day to its last, or to the day before it ended.
            still = other["ended_on"] is None or other["ended_on"] > a
            if other["from_date"] <= b and other["to_date"] >= a and still:
                errors["start"] = (
                    f"Người này đã có lệnh giám sát điện tử từ {show(other['from_date'])} đến "
                    f"{show(other['to_date'])}: kết thúc lệnh đó trước."
                )
                break
    return errors


def order_monitoring(
    reg: Register,
    person_id: str,
    ordered_on: date | str,
    *,
    ordered_by: str,
    start: date | str,
    end: date | str,
    device: str = "",
    notes: str = "",
) -> str:
    """Record an order of electronic monitoring (chief only, from the law's effective date) for
    a person in one of the `ELIGIBLE` statuses on the order's date; logged."""
    errors = check_order(reg, person_id, ordered_on, ordered_by=ordered_by, start=start, end=end)
    if errors.get("person"):
        raise NotAllowed(errors["person"])
    if errors:
        raise ValidationError(errors)
    day = parse_date(ordered_on, _LABELS["ordered_on"])
    basis = [e for e in open_episodes(reg, person_id, day) if Category(e["category"]) in ELIGIBLE]
    if not basis:
        allowed = ", ".join(f"“{LABELS[c]}”" for c in ELIGIBLE)
        raise ValidationError({"person": f"Giám sát điện tử chỉ áp dụng cho diện {allowed}."})
    return records.insert(
        reg,
        "monitoring_orders",
        {
            "person_id": person_id,
            "episode_id": basis[0]["id"],
            "category": basis[0]["category"],
            "ordered_on": day.isoformat(),
            "ordered_by": ordered_by.strip(),
            "from_date": parse_date(start, _LABELS["start"]).isoformat(),
            "to_date": parse_date(end, _LABELS["end"]).isoformat(),
            "device": device.strip(),
            "notes": notes.strip(),
        },
    )


def check_end(
    reg: Register, order_id: str, ended_on: date | str | None, reason: str
) -> dict[str, str]:
    """What is wrong with ending this order (field → message: "order", "ended_on", "reason")."""
    errors: dict[str, str] = {}
    try:
        order = records.get(reg, "monitoring_orders", order_id) if order_id else None
    except NotFound:
        order = None
    if order is None:
        errors["order"] = "Chọn lệnh giám sát điện tử cần kết thúc."
    elif order["ended_on"]:
        errors["order"] = f"Lệnh giám sát này đã kết thúc ngày {show(order['ended_on'])}."
    day = _day(ended_on, "ended_on", errors)
    if day is not None:
        if message := future_error(day, reg.today(), _LABELS["ended_on"]):
            errors["ended_on"] = message
        elif order is not None and day.isoformat() < order["from_date"]:
            errors["ended_on"] = (
                f"{_LABELS['ended_on']}: {show(day)} trước ngày bắt đầu giám sát "
                f"{show(order['from_date'])}."
            )
    if not reason.strip():
        errors["reason"] = "Lý do kết thúc giám sát: không được để trống."
    return errors


def end_monitoring(reg: Register, order_id: str, ended_on: date | str, reason: str) -> None:
    """Record when and why a monitoring order ended (at its term, or earlier); logged."""
    errors = check_end(reg, order_id, ended_on, reason)
    if errors:
        raise ValidationError(errors)
    day = parse_date(ended_on, _LABELS["ended_on"])
    records.update(
        reg, "monitoring_orders", order_id,
        {"ended_on": day.isoformat(), "end_reason": reason.strip()},
    )  # fmt: skip


def orders_of(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """Every monitoring order of a person, newest first, with the status it was ordered for
    (`category_label`) and whether it is in effect today (`in_effect`): for the person screen."""
    rows = list(
        reg.db.query(
            "SELECT *, (" + _IN_EFFECT + ") AS in_effect FROM monitoring_orders "
            "WHERE person_id = :p AND deleted = 0 ORDER BY from_date DESC, created_at DESC",
            {"p": person_id, "on": reg.today().isoformat()},
        )
    )
    for row in rows:
        row["category_label"] = LABELS[Category(row["category"])]
        row["in_effect"] = bool(row["in_effect"])
    return rows


def open_orders(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """The person's orders not yet ended (the ones an officer may record the end of)."""
    return [o for o in orders_of(reg, person_id) if o["ended_on"] is None]


def monitoring_counts(reg: Register, on: date, since: date | None = None) -> dict[str, int]:
    """People under electronic monitoring on `on` (in all and by the status ordered for), and
    orders made in (`since`, `on`] (all orders up to `on` without `since`): for the figures."""
    counts = {"in_effect": 0, **{c.value: 0 for c in ELIGIBLE}}
    for category, people in reg.db.execute(
        f"SELECT category, count(DISTINCT person_id) FROM monitoring_orders WHERE {_IN_EFFECT} "
        "GROUP BY category",
        {"on": on.isoformat()},
    ):
        counts[category] = people
    counts["in_effect"] = reg.db.execute(
        f"SELECT count(DISTINCT person_id) FROM monitoring_orders WHERE {_IN_EFFECT}",
        {"on": on.isoformat()},
    ).fetchone()[0]
    counts["ordered"] = reg.db.execute(
        "SELECT count(*) FROM monitoring_orders WHERE deleted = 0 AND ordered_on <= ? "
        "AND ordered_on > ?",
        [on.isoformat(), since.isoformat() if since else ""],
    ).fetchone()[0]
    return counts
