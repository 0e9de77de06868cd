"""The province's plan: how many communes and villages are to be drug-free by the end of each
year (Sơn La's plan: 44, 68 and 92 of its 204 communes by the ends of 2023, 2024 and 2025,
1,359 of 2,303 villages by the end of 2023, all by 2030), with the plan's name and number.

    set_target(reg, 2025, 92, 1500, 204, 2303, "Kế hoạch xây dựng xã không ma túy", "125/KH-UBND")
    progress(reg, 2025, commune_rows(reg, month))   # met against this year's target

Kept in the table `province_plan` (migration m015), one row per year; setting a year again
replaces it. Only the chief sets targets; every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from db.core.errors import ValidationError
from db.core.stamps import now_utc
from db.province.overview import CommuneRow, meets_all
from db.store.records import log_change, transaction
from db.store.register import Register
from db.store.roles import require_chief

_COLUMNS = (
    "year, communes, villages, total_communes, total_villages, plan_name, plan_number, "
    "updated_at, updated_by"
)


@dataclass(frozen=True)
class Target:
    """A year's target: communes and villages drug-free by the end of `year`, out of all."""

    year: int
    communes: int
    villages: int
    total_communes: int
    total_villages: int
    plan_name: str
    plan_number: str
    updated_at: str = ""
    updated_by: str = ""

    def plan_text(self) -> str:
        """The plan as printed: "Kế hoạch … số 125/KH-UBND" (what is known of it)."""
        parts = [p for p in (self.plan_name, f"số {self.plan_number}" if self.plan_number else "")
                 if p]  # fmt: skip
        return " ".join(parts)


@dataclass(frozen=True)
class Progress:
    """This year's target against what the overview's rows meet now."""

    year: int
    target: Target | None
    communes_met: int
    villages_met: int
    communes_listed: int
    villages_listed: int
    closest: tuple[str, ...]  # communes not yet meeting every criterion, closest first

    @property
    def communes_short(self) -> int | None:
        """Communes still to reach this year's target (0: reached; None: no target)."""
        return None if self.target is None else max(0, self.target.communes - self.communes_met)

    @property
    def villages_short(self) -> int | None:
        """Villages still to reach this year's target (0: reached; None: no target)."""
        return None if self.target is None else max(0, self.target.villages - self.villages_met)


def targets(reg: Register) -> list[Target]:
    """Every year's target, by year."""
    return [
        Target(*row)
        for row in reg.conn.execute(f"SELECT {_COLUMNS} FROM province_plan ORDER BY year")
    ]


def target_for(reg: Register, year: int) -> Target | None:
    """The target of one year, if set."""
    row = reg.conn.execute(
        f"SELECT {_COLUMNS} FROM province_plan WHERE year = ?", [year]
    ).fetchone()
    return Target(*row) if row else None


def check_target(
    year: int, communes: int, villages: int, total_communes: int, total_villages: int,
    plan_name: str, plan_number: str,
) -> dict[str, str]:  # fmt: skip
    """What is wrong with a target, per field (empty: nothing)."""
    errors: dict[str, str] = {}
    if not 2000 <= year <= 2100:
        errors["year"] = "Năm: từ 2000 đến 2100."
    if total_communes <= 0:
        errors["total_communes"] = "Tổng số xã của tỉnh: phải lớn hơn 0."
    if total_villages <= 0:
        errors["total_villages"] = "Tổng số thôn, bản của tỉnh: phải lớn hơn 0."
    if communes < 0 or (total_communes > 0 and communes > total_communes):
        errors["communes"] = f"Số xã đạt không ma túy: từ 0 đến tổng số xã ({total_communes})."
    if villages < 0 or (total_villages > 0 and villages > total_villages):
        errors["villages"] = (
            f"Số thôn, bản đạt không ma túy: từ 0 đến tổng số thôn, bản ({total_villages})."
        )
    if not plan_name.strip():
        errors["plan_name"] = "Tên kế hoạch: không được để trống."
    if len(plan_name) > 300 or len(plan_number) > 60:
        errors.setdefault("plan_name", "Tên hoặc số kế hoạch quá dài.")
    return errors


def set_target(
    reg: Register, year: int, communes: int, villages: int, total_communes: int,
    total_villages: int, plan_name: str, plan_number: str = "",
) -> Target:  # fmt: skip
    """Set (or replace) a year's target: the chief only, checked, in the audit log."""
    require_chief(reg, "đặt chỉ tiêu kế hoạch của tỉnh")
    plan_name, plan_number = plan_name.strip(), plan_number.strip()
    errors = check_target(year, communes, villages, total_communes, total_villages, plan_name,
                          plan_number)  # fmt: skip
    if errors:
        raise ValidationError(errors)
    old = target_for(reg, year)
    row = Target(year, communes, villages, total_communes, total_villages, plan_name,
                 plan_number, now_utc(), reg.user)  # fmt: skip
    with transaction(reg):
        reg.conn.execute(
            f"INSERT OR REPLACE INTO province_plan ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [row.year, row.communes, row.villages, row.total_communes, row.total_villages,
             row.plan_name, row.plan_number, row.updated_at, row.updated_by],
        )  # fmt: skip
        new = {
            k: getattr(row, k)
            for k in (
                "communes",
                "villages",
                "total_communes",
                "total_villages",
                "plan_name",
                "plan_number",
            )
        }
        if old is None:
            log_change(reg, row.updated_at, "province_plan", str(year), "insert", new)
        else:
            changes = {k: [getattr(old, k), v] for k, v in new.items() if getattr(old, k) != v}
            log_change(reg, row.updated_at, "province_plan", str(year), "update", changes)
    return row


def progress(reg: Register, year: int, rows: Sequence[CommuneRow]) -> Progress:
    """Communes and villages meeting the criteria now (the overview's rows) against `year`'s
    target; the communes not yet there, closest first."""
    waiting = sorted((r for r in rows if not meets_all(r)), key=lambda r: (-r.closeness, r.name))
    return Progress(
        year=year,
        target=target_for(reg, year),
        communes_met=sum(1 for r in rows if meets_all(r)),
        villages_met=sum(r.villages_drug_free for r in rows),
        communes_listed=len(rows),
        villages_listed=sum(r.villages_total for r in rows),
        closest=tuple(r.name for r in waiting),
    )
