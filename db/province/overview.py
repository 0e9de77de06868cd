"""The provincial overview: one row per commune of the register, figures from that commune's
own view of the register (db.province.scope), so each row says what the commune's own screens
and monthly report say.

    rows = commune_rows(reg, date(2026, 11, 1))   # the month's figures, per commune
    totals = province_totals(rows)

A row's figures are those of the commune's monthly report for the month: the period of its
cut-off day (its own settings), up to today for the running month. `closeness` is the share of
the drug-free criteria met (the baseline counts as not met until it is entered), for sorting.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from db.core.errors import UserError
from db.core.textfold import place_key
from db.figures.series import report_period
from db.figures.stats import figures
from db.handover.receive import communes
from db.law.categories import Category
from db.province import inbox
from db.province.scope import scoped
from db.store.register import Register

# The criteria counted in `closeness` and shown as met / not met (the drug-free page's keys);
# "villages_drug_free" there is a count, not a criterion met or not: shown as its own column.
INFORMATIONAL = ("villages_drug_free",)


@dataclass(frozen=True)
class CommuneRow:
    """A commune's line in the provincial overview."""

    commune_id: str
    name: str
    by_category: dict[str, int]
    tests_month: int
    positives_month: int
    overdue_tests: int
    criteria: dict[str, bool]
    villages_drug_free: int
    villages_total: int
    count_vs_baseline: tuple[int, int]
    latest_bundle_at: datetime | None
    latest_report_at: datetime | None
    report_in: bool
    closeness: float
    # Beyond the contract: what the screen and the report may show with the row.
    people: int = 0
    criteria_labels: dict[str, str] = field(default_factory=dict)
    baseline_set: bool = False
    period: tuple[date, date] | None = None
    report_version: int | None = None


def _stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def month_key(month: date) -> str:
    """The inbox's month key ("2026-11") of a month."""
    return f"{month.year:04d}-{month.month:02d}"


def month_period(reg: Register, month: date) -> tuple[date, date]:
    """The report period of `month` for this (scoped) register, its end no later than today."""
    return report_period(reg, month.year, month.month)


def row_from_figures(
    commune_id: str,
    name: str,
    data: dict[str, Any],
    *,
    latest_bundle_at: datetime | None = None,
    latest_report: inbox.Received | None = None,
    latest_report_at: datetime | None = None,
    period: tuple[date, date] | None = None,
) -> CommuneRow:
    """A row from `figures()` of one commune (its own register, or the scoped one)."""
    counted = [c for c in data["criteria"] if c["key"] not in INFORMATIONAL]
    criteria = {c["key"]: bool(c["met"]) for c in counted}
    labels = {c["key"]: c["label"] for c in data["criteria"]}
    villages = data["villages"]
    baseline = data["baseline"]
    met = sum(criteria.values())
    return CommuneRow(
        commune_id=commune_id,
        name=name,
        by_category={c.value: int(data["categories"][c.value]) for c in Category},
        tests_month=int(data["tests"]["total"]),
        positives_month=int(data["tests"]["positive"]),
        overdue_tests=int(data["tests"]["overdue"]),
        criteria=criteria,
        villages_drug_free=sum(1 for v in villages if v["drug_free"]),
        villages_total=len(villages),
        count_vs_baseline=(int(baseline["now_total"]), int(baseline["total"])),
        latest_bundle_at=latest_bundle_at,
        latest_report_at=latest_report_at,
        report_in=latest_report is not None,
        closeness=met / len(criteria) if criteria else 0.0,
        people=int(data["people_total"]),
        criteria_labels=labels,
        baseline_set=baseline["date"] is not None,
        period=period,
        report_version=latest_report.version if latest_report else None,
    )


def _latest_bundles(reg: Register) -> dict[str, datetime | None]:
    return {
        commune: _stamp(at)
        for commune, at in reg.conn.execute(
            "SELECT source_commune, max(imported_at) FROM handover_imports GROUP BY source_commune"
        )
    }


def _latest_reports(reg: Register) -> dict[str, datetime | None]:
    return {
        commune: _stamp(at)
        for commune, at in reg.conn.execute(
            "SELECT commune_id, max(received_at) FROM inbox_reports WHERE kind = 'monthly' "
            "GROUP BY commune_id"
        )
    }


def listed_communes(reg: Register) -> list[dict[str, Any]]:
    """The communes the overview lists: every commune whose people or villages the register
    holds (the province register's own commune only if it holds some)."""
    known = {c["commune_id"]: c for c in communes(reg)}
    found = {
        str(r[0])
        for r in reg.conn.execute(
            "SELECT commune_id FROM villages WHERE deleted = 0 UNION "
            "SELECT commune_id FROM handover_peers WHERE commune_id <> ? UNION "
            "SELECT commune_id FROM inbox_reports",
            [reg.commune_id],
        )
    }
    # A commune with no one under management (likely drug-free) or that only uploads reports
    # is listed too: the plan's progress and "not yet reported" count it.
    listed = [c for c in known.values() if c["people"] or c["commune_id"] in found]
    for cid in sorted(found - set(known)):
        listed.append({"commune_id": cid, "name": _name_of(reg, cid), "people": 0, "own": False})
    return listed


def _name_of(reg: Register, commune_id: str) -> str:
    """A commune's name as its bundles or its settings sent it ("" if never named)."""
    row = reg.conn.execute(
        "SELECT value FROM commune_settings WHERE commune_id = ? AND key = 'unit_name'",
        [commune_id],
    ).fetchone()
    try:
        return str(json.loads(row[0])) if row else ""
    except ValueError:
        return ""


def commune_rows(reg: Register, month: date, only: Iterable[str] | None = None) -> list[CommuneRow]:
    """One row per commune (or per commune id in `only`), figures for `month`'s report period."""
    wanted = set(only) if only is not None else None
    bundles, reports = _latest_bundles(reg), _latest_reports(reg)
    arrived = inbox.latest_by_commune(reg, month_key(month))
    rows = []
    for commune in listed_communes(reg):
        cid = commune["commune_id"]
        if wanted is not None and cid not in wanted:
            continue
        with scoped(reg, cid) as one:
            start, end = month_period(one, month)
            data = figures(one, on=end, start=start)
        rows.append(
            row_from_figures(
                cid, commune["name"] or cid, data,
                latest_bundle_at=bundles.get(cid), latest_report=arrived.get(cid),
                latest_report_at=reports.get(cid), period=(start, end),
            )
        )  # fmt: skip
    return rows


def province_totals(rows: Sequence[CommuneRow]) -> dict[str, Any]:
    """The province's totals over the rows: people per category, tests, communes meeting every
    criterion, villages drug-free, reports in."""
    by_category = {c.value: sum(r.by_category.get(c.value, 0) for r in rows) for c in Category}
    return {
        "communes": len(rows),
        "people": sum(r.people for r in rows),
        "by_category": by_category,
        "tests_month": sum(r.tests_month for r in rows),
        "positives_month": sum(r.positives_month for r in rows),
        "overdue_tests": sum(r.overdue_tests for r in rows),
        "communes_drug_free": sum(1 for r in rows if meets_all(r)),
        "villages_drug_free": sum(r.villages_drug_free for r in rows),
        "villages_total": sum(r.villages_total for r in rows),
        "reports_in": sum(1 for r in rows if r.report_in),
        "reports_missing": [r.name for r in rows if not r.report_in],
        "now_total": sum(r.count_vs_baseline[0] for r in rows),
        "baseline_total": sum(r.count_vs_baseline[1] for r in rows),
    }


def meets_all(row: CommuneRow) -> bool:
    """Whether a commune meets every drug-free criterion."""
    return bool(row.criteria) and all(row.criteria.values())


SORTS = {
    "ten": "tên xã",
    "gan-dat": "gần đạt tiêu chí nhất trước",
    "qua-han": "quá hạn xét nghiệm nhiều nhất trước",
    "duong-tinh": "dương tính nhiều nhất trước",
    "chua-bao-cao": "chưa gửi báo cáo trước",
}


def sort_rows(rows: Sequence[CommuneRow], by: str = "ten") -> list[CommuneRow]:
    """Rows sorted for the table (keys of SORTS); the name breaks ties."""

    def name(r: CommuneRow) -> str:
        return place_key(r.name)

    keys: dict[str, Any] = {
        "ten": lambda r: name(r),
        "gan-dat": lambda r: (-r.closeness, name(r)),
        "qua-han": lambda r: (-r.overdue_tests, name(r)),
        "duong-tinh": lambda r: (-r.positives_month, name(r)),
        "chua-bao-cao": lambda r: (r.report_in, name(r)),
    }
    if by not in keys:
        raise UserError(
            f"Cách sắp xếp “{by}” không có; chọn một trong: {', '.join(SORTS)}.", field="sort"
        )
    return sorted(rows, key=keys[by])


def last_day(month: date) -> date:
    """The month's last day."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
