"""The monthly report (Báo cáo tháng): its figures, gathered once, and its pages.

`gather` asks the register for everything the report prints — `figures()` for the period, the
12-month series, the people due for a test next month, the corrections made to past months'
figures since the report before (`Since`), the change log's anchor — and `story` only lays it
out. The report computes no figure of its own, so it cannot say something the window does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from db.commune.settings import get_settings
from db.core.dates import add_months, show
from db.core.errors import UserError
from db.figures.corrections_note import NAMING, anchored_seq, past_corrections
from db.figures.series import (
    due_tests,
    last_months,
    monthly_series,
    open_categories,
    report_period,
)
from db.figures.stats import figures, period_for_month
from db.law.categories import SHORT_LABELS
from db.law.rules import DECREES, in_force, legal_basis
from db.persons.monitoring import ELIGIBLE
from db.persons.monitoring import RULE as MONITORING
from db.store.anchor import chain_anchor
from db.store.register import Register
from reports.layout import number

Progress = Callable[[str, int, int], None]
STEPS = 5
# A province-sized register can have tens of thousands due in a month; past this the annex
# gives counts per village (and no names anywhere in the report), and the per-village
# test-round sheets give the names.
ANNEX_LIMIT = 1500
SOMEONE = "một người trong sổ"
MISTAKEN = "một người nhập nhầm vào sổ"
_MONTH = re.compile(r"^\s*(?:(\d{4})-(\d{1,2})|(\d{1,2})[/.-](\d{4}))\s*$")


def parse_month(value: str) -> tuple[int, int]:
    """The month asked for, "2026-10" or "10/2026" → (2026, 10); UserError if neither."""
    m = _MONTH.match(value or "")
    if m:
        year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if 1 <= int(month) <= 12 and 2000 <= int(year) <= 2100:
            return int(year), int(month)
    raise UserError(
        f"Tháng báo cáo: “{value}” không hợp lệ (ghi MM/YYYY, ví dụ 10/2026).", field="month"
    )


def month_text(year: int, month: int) -> str:
    """The month as printed: 10/2026."""
    return f"{month:02d}/{year}"


def basis_text(documents: Sequence[str]) -> str:
    """The documents a report is made under, as its first sentence names them: "Luật …,
    Nghị định số … và Nghị định số … của Chính phủ"."""
    if not documents:
        return "quy định của pháp luật về phòng, chống ma túy"
    *first, last = documents
    text = f"{', '.join(first)} và {last}" if first else last
    return f"{text} của Chính phủ" if last in DECREES else text


@dataclass(frozen=True)
class Since:
    """The report before this one (the newest of an earlier month in the outbox): the
    corrections this report notes are those logged after it was made. Empty: none was found,
    and they count from the start of this report's period."""

    month: str = ""  # "10/2026"
    made_at: str = ""  # when it was made, as stored (UTC)
    anchor: str = ""  # the change log's head printed on it ("" for a report older than anchors)


def _utc_midnight(day: date) -> str:
    """The stored (UTC) time of the laptop's local midnight starting `day`."""
    local = datetime.combine(day, time()).astimezone()
    return local.astimezone(UTC).isoformat(timespec="milliseconds")


def unnamed(correction: dict[str, Any]) -> dict[str, Any]:
    """A correction as a report that prints no names prints it."""
    kind = correction["kind"]
    person = MISTAKEN if kind == "delete_person" else SOMEONE
    return {**correction, "person": person, "what": "" if kind in NAMING else correction["what"]}


@dataclass(frozen=True)
class MonthlyData:
    """Everything the monthly report prints, as the register gave it."""

    year: int
    month: int
    start: date
    end: date
    complete: bool
    issued: date
    settings: dict[str, Any]
    figures: dict[str, Any]
    series: list[dict[str, Any]]
    next_start: date
    next_end: date
    due: list[dict[str, Any]] = field(default_factory=list)
    # The documents the report is made under: those the rules in force on its date cite.
    basis: list[str] = field(default_factory=list)
    # Corrections since the report before that change a past month's figures (as printed).
    corrections: list[dict[str, Any]] = field(default_factory=list)
    since: dict[str, Any] = field(default_factory=dict)
    # The change log's head when the report was made (db.store.anchor), printed under the
    # signature: a log cut back later no longer holds it.
    anchor: str = ""

    @property
    def label(self) -> str:
        return month_text(self.year, self.month)

    def as_json(self) -> dict[str, Any]:
        """The figures the report was made from, for the outbox."""
        return {
            "month": f"{self.year:04d}-{self.month:02d}",
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "complete": self.complete,
            "issued": self.issued.isoformat(),
            "figures": self.figures,
            "series": self.series,
            "next_period": {"start": self.next_start.isoformat(), "end": self.next_end.isoformat()},
            "due_tests": self.due,
            "basis": self.basis,
            "settings": self.settings,
            "corrections": self.corrections,
            "corrections_since": self.since,
            "anchor": self.anchor,
        }


def monitoring_line(data: MonthlyData) -> str:
    """The report's line on electronic monitoring (markup), or "" for a period the law allowing
    it (Law 120/2025, see db.law.rules) did not apply in yet."""
    m = data.figures.get("monitoring")
    if m is None or not in_force(MONITORING, data.end):
        return ""
    split = ", ".join(f"{SHORT_LABELS[c]} {number(m[c.value])}" for c in ELIGIBLE)
    people = number(m["in_effect"])
    return (
        f"Người đang bị giám sát điện tử đến ngày {show(data.end)}: <b>{people}</b> "
        f"người ({split}); quyết định giám sát điện tử mới trong tháng: {number(m['ordered'])}."
    )


_PRINTED_SETTINGS = (
    "province_name", "unit_name", "commune_name", "place_name", "chief_name", "chief_title",
    "report_prefix", "report_cutoff_day",
)  # fmt: skip


def _corrections(reg: Register, year: int, month: int, start: date, since: Since
                 ) -> tuple[list[dict[str, Any]], dict[str, Any]]:  # fmt: skip
    """The corrections to note, as printed (names kept: `unnamed` drops them), and from when."""
    after = anchored_seq(reg, since.anchor) if since.anchor else None
    frm = {"report": since.month, "made_at": since.made_at, "anchor": since.anchor}
    if not since.made_at:  # no report before this one: since this period began
        frm = {"period_start": start.isoformat()}
    how = "anchor" if after is not None else "time"
    found = past_corrections(
        reg, date(year, month, 1), after_seq=after,
        since_at=since.made_at or _utc_midnight(start),
    )  # fmt: skip
    rows = [
        {"month": f"{c.month:%Y-%m}", "kind": c.kind, "label": c.label,
         "person": MISTAKEN if c.kind == "delete_person" else c.person_name, "what": c.what,
         "change": c.change, "reason": c.reason, "at": c.at, "by": c.by}
        for c in found
    ]  # fmt: skip
    return rows, {**frm, "counted_by": how}


def gather(
    reg: Register,
    year: int,
    month: int,
    progress: Progress | None = None,
    *,
    since: Since | None = None,
) -> MonthlyData:
    """Ask the register for the report's figures for a month (its period per the cut-off day),
    and for the corrections to past months made since the report `since` (reports.build finds
    it in the outbox; none given: since this period began)."""
    step = progress or (lambda text, done, total: None)
    settings = get_settings(reg)
    cutoff = int(settings["report_cutoff_day"])
    start, on = report_period(reg, year, month)  # UserError for a month not begun
    today = reg.today()
    end = period_for_month(year, month, cutoff)[1]  # past it, the period is complete
    step("Tính số liệu của kỳ báo cáo", 0, STEPS)
    data = figures(reg, on=on, start=start)
    step("Tính số liệu 12 tháng", 1, STEPS)
    periods = last_months(year, month, 12, cutoff)
    periods[-1] = (periods[-1][0], on)
    series = monthly_series(reg, periods)
    step("Lập danh sách đến hạn xét nghiệm tháng sau", 2, STEPS)
    following = add_months(date(year, month, 1), 1)
    next_start, next_end = period_for_month(following.year, following.month, cutoff)
    items = due_tests(reg, next_end)
    cats = open_categories(reg, [i.person_id for i in items], next_end)
    due = [
        {
            "person_id": i.person_id,
            "full_name": i.person.get("full_name", ""),
            "birth_date": i.person.get("birth_date"),
            "village": i.person.get("village") or "",
            "due": i.due.isoformat(),
            "overdue": i.due < next_start,
            "categories": cats.get(i.person_id, []),
        }
        for i in items
    ]
    corrections, frm = _corrections(reg, year, month, start, since or Since())
    return MonthlyData(
        year=year,
        month=month,
        start=start,
        end=on,
        complete=on == end,
        issued=today,
        settings={k: settings[k] for k in _PRINTED_SETTINGS},
        figures=data,
        series=series,
        next_start=next_start,
        next_end=next_end,
        due=due,
        basis=legal_basis(today),
        corrections=corrections,
        since=frm,
        # Last: nothing is written while a report is gathered, so this is the head it shows.
        anchor=chain_anchor(reg),
    )
