"""The provincial monthly report's figures, gathered once (reports/provincial.py makes the PDF).

    data = gather(reg, 2026, 10)                    # every commune as of the month's end

What it prints comes from db.province (one row per commune, the province's totals, the plan's
progress) — the same calls the overview screen makes, so screen and paper agree. A past month
is asked for as of its own end, so printing it again gives the same figures (only a commune's
report arriving later, or a correction logged since, changes them). The pages are laid out in
reports/provincial_pages.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from db.commune.settings import get_settings
from db.core.errors import UserError
from db.core.textfold import fold
from db.province.overview import CommuneRow, commune_rows, province_totals
from db.province.plan import Progress
from db.province.plan import progress as plan_progress
from db.store.register import Register
from reports.layout import number
from reports.monthly import month_text

Step = Callable[[str, int, int], None]


def _quiet(text: str, done: int, total: int) -> None:
    """No progress to show."""


def when(stamp: datetime | str | None) -> str:
    """A stored (UTC) time as the officer reads it: dd/mm/yyyy hh:mm, local time; "" if none."""
    if not stamp:
        return ""
    moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


def month_end(year: int, month: int) -> date:
    """The last day of a calendar month."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def plan_line(progress: Progress | None) -> str:
    """The plan's progress in one line: "Kế hoạch số 125/KH-UBND: năm 2025 mục tiêu 92/204 xã,
    1.500/2.303 thôn, bản; đã đạt 57 xã, 1.210 thôn, bản"; "" when that year has no target."""
    if progress is None or progress.target is None:
        return ""
    t = progress.target
    head = f"Kế hoạch số {t.plan_number}" if t.plan_number else t.plan_name
    return (
        f"{head}: năm {progress.year} mục tiêu {number(t.communes)}/{number(t.total_communes)} "
        f"xã, {number(t.villages)}/{number(t.total_villages)} thôn, bản; đã đạt "
        f"{number(progress.communes_met)} xã, {number(progress.villages_met)} thôn, bản"
    )


def commune_name(row: CommuneRow) -> str:
    """A commune as listed: "Công an xã Chiềng Mung" → "Xã Chiềng Mung"."""
    name = row.name.strip()
    if fold(name).startswith("cong an ") and len(name) > 8:
        rest = name[8:].lstrip()
        return rest[:1].upper() + rest[1:]
    return name


def baseline_text(row: CommuneRow) -> str:
    """Users and addicts now against the count when the commune registered: "12/15" ("12/—"
    before the baseline is entered)."""
    now, base = row.count_vs_baseline
    return f"{number(now)}/{number(base) if row.baseline_set else '—'}"


def report_state(row: CommuneRow) -> str:
    """Whether the commune's report of the month is in: "Đã gửi" (", bản 2" for a later
    version), or "Chưa gửi"."""
    if not row.report_in:
        return "Chưa gửi"
    version = row.report_version or 1
    return "Đã gửi" if version == 1 else f"Đã gửi (bản {version})"


def criteria_met(row: CommuneRow) -> int:
    """How many of the drug-free criteria a commune meets."""
    return sum(1 for met in row.criteria.values() if met)


def closest(data: ProvincialData, limit: int = 5) -> list[CommuneRow]:
    """The communes not yet meeting every criterion, closest first (as the plan orders them)."""
    if data.progress is None:
        return []
    by_name = {r.name: r for r in data.rows}
    return [by_name[n] for n in data.progress.closest[:limit] if n in by_name]


@dataclass(frozen=True)
class ProvincialData:
    """Everything the provincial report prints, as the register gave it."""

    year: int
    month: int
    end: date
    complete: bool
    issued: date
    settings: dict[str, Any]
    rows: list[CommuneRow]
    totals: dict[str, Any]
    progress: Progress | None = None
    plan: str = ""

    @property
    def label(self) -> str:
        return month_text(self.year, self.month)

    @property
    def missing(self) -> list[CommuneRow]:
        """The communes whose report of this month has not arrived."""
        return [r for r in self.rows if not r.report_in]


def gather(reg: Register, year: int, month: int, progress: Step | None = None) -> ProvincialData:
    """Ask the register for every commune's figures of a month (as of its end, or today for
    the month under way) and the plan's progress for that year."""
    step = progress or _quiet
    today = reg.today()
    first = date(year, month, 1)
    if first > today:
        raise UserError(
            f"Tháng báo cáo: tháng {month_text(year, month)} chưa bắt đầu.", field="month"
        )
    end = month_end(year, month)
    step("Tính số liệu từng xã", 0, 3)
    rows = commune_rows(reg, first)
    step("Tính tiến độ kế hoạch", 1, 3)
    plan = plan_progress(reg, year, rows)
    settings = get_settings(reg)
    return ProvincialData(
        year=year,
        month=month,
        end=min(end, today),
        complete=end <= today,
        issued=today,
        settings=dict(settings),
        rows=list(rows),
        totals=dict(province_totals(rows)),
        progress=plan,
        plan=plan_line(plan),
    )
