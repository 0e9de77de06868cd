"""The provincial monthly report (Báo cáo tháng của Công an tỉnh): the PDF, written and logged.

    data, pdf = provincial_pdf(reg, 2026, 10)                 # every commune as of 31/10/2026
    provincial_report(reg, "10/2026", Path("bc-tinh.pdf"))   # checked, written, logged

The figures are gathered in reports/provincial_data.py (db.province: one row per commune, the
province's totals, the plan's progress — what the overview screen shows); the pages are laid
out in reports/provincial_pages.py. A past month is asked for as of its own end, so printing it
again gives the same figures.
"""

from __future__ import annotations

import os
from pathlib import Path

from db.core.dates import show
from db.core.errors import UserError
from db.core.files import atomic_write
from db.store.audit import log_event
from db.store.register import Register
from reports.monthly import parse_month
from reports.outbox import REPORT_WORDING
from reports.provincial_data import (
    ProvincialData,
    Step,
    baseline_text,
    closest,
    commune_name,
    criteria_met,
    gather,
    plan_line,
    report_state,
    when,
)
from reports.provincial_pages import render_provincial
from reports.typeface import load_fonts

TITLE = "Báo cáo tháng của Công an tỉnh"
__all__ = [
    "ProvincialData", "baseline_text", "closest", "commune_name", "criteria_met", "gather",
    "plan_line", "provincial_pdf", "provincial_report", "report_state", "when",
]  # fmt: skip


def _quiet(text: str, done: int, total: int) -> None:
    """No progress to show."""


def _check_out(out: Path) -> Path:
    """The output file, with .pdf added if it has no such suffix (the folder must exist)."""
    out = Path(out).expanduser()
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    if not out.parent.is_dir():
        raise UserError(
            f"Thư mục “{out.parent}” không tồn tại; hãy chọn thư mục khác.", field="out"
        )
    if not os.access(out.parent, os.W_OK):
        raise UserError(f"Không có quyền ghi vào thư mục “{out.parent}”.", field="out")
    if out.is_dir():
        raise UserError(f"“{out}” là một thư mục, không phải tệp PDF.", field="out")
    return out


def provincial_pdf(reg: Register, year: int, month: int, progress: Step | None = None
                   ) -> tuple[ProvincialData, bytes]:  # fmt: skip
    """The report's data and its PDF bytes."""
    step = progress or _quiet
    data = gather(reg, year, month, step)
    step("Dựng các trang báo cáo", 2, 3)
    return data, render_provincial(data, load_fonts())


def provincial_report(
    reg: Register, month: str | tuple[int, int], out: Path, progress: Step | None = None
) -> Path:
    """Write the provincial report of a month to `out` (checked first); logged as printed."""
    step = progress or _quiet
    target = _check_out(out)
    year, number = parse_month(month) if isinstance(month, str) else month
    data, pdf = provincial_pdf(reg, year, number, step)
    atomic_write(target, pdf, REPORT_WORDING, private=True)
    # Figures of every commune leaving the register: the audit trail says who printed them.
    log_event(reg, "print", {"report": f"{TITLE} {data.label}", "file": str(target),
                             "communes": len(data.rows), "as_of": show(data.end)})  # fmt: skip
    step("Xong", 3, 3)
    return target
