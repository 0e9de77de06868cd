"""Making reports: the three calls the window and the command line use.

    built = monthly_report(reg, "2026-10", out=Path("bc.pdf"), progress=progress)
    person_report(reg, person_id, Path("phieu.pdf"))
    round_report(reg, Path("ds.pdf"), village="Bản Mòng")

A monthly report always goes into the register's outbox (with its figures and SHA-256) and, if
asked, is also written to `out`. Person and round sheets hold one person's or one village's
sensitive data for the paper file: they are written only where asked, never kept elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from db.commune.settings import get_settings
from db.core.errors import UserError
from db.core.files import atomic_write
from db.store.audit import log_event
from db.store.register import Register
from reports.monthly import gather, month_text, parse_month
from reports.monthly_pages import render_monthly
from reports.outbox import REPORT_WORDING, Entry, Outbox, default_folder
from reports.sheets import person_sheet, round_sheet
from reports.typeface import load_fonts
from reports.upload import SendResult, send_pending

Progress = Callable[[str, int, int], None]


def _quiet(text: str, done: int, total: int) -> None:
    """No progress to show."""


@dataclass(frozen=True)
class Built:
    """A report made: where its PDF is, and its outbox entry (monthly reports)."""

    path: Path
    entry: Entry | None = None


def outbox_for(reg: Register, folder: Path | None = None) -> Outbox:
    """The register's outbox (default: the `outbox` folder next to the register file)."""
    return Outbox(folder or default_folder(reg.path), register_id=reg.commune_id)


def _check_out(out: Path) -> Path:
    """The output file, with .pdf added if it has no such suffix (the folder must exist)."""
    out = Path(out).expanduser()
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    folder = out.parent
    if not folder.is_dir():
        raise UserError(f"Thư mục “{folder}” không tồn tại; hãy chọn thư mục khác.", field="out")
    if not os.access(folder, os.W_OK):
        raise UserError(f"Không có quyền ghi vào thư mục “{folder}”.", field="out")
    if out.is_dir():
        raise UserError(f"“{out}” là một thư mục, không phải tệp PDF.", field="out")
    return out


def monthly_report(
    reg: Register,
    month: str | tuple[int, int],
    *,
    out: Path | None = None,
    outbox: Outbox | None = None,
    progress: Progress | None = None,
) -> Built:
    """Make the monthly report, keep it in the outbox, and write a copy to `out` if given."""
    step = progress or _quiet
    target = _check_out(out) if out is not None else None
    year, number = parse_month(month) if isinstance(month, str) else month
    data = gather(reg, year, number, step)
    step("Dựng các trang báo cáo", 3, 5)
    fonts = load_fonts()
    pdf = render_monthly(data, fonts)
    step("Lưu vào hộp thư đi", 4, 5)
    box = outbox or outbox_for(reg)
    title = f"Báo cáo tháng {month_text(year, number)}"
    entry = box.add(
        "monthly",
        f"monthly:{year:04d}-{number:02d}",
        title,
        pdf,
        data.as_json(),
        created_by=reg.user,
        font=fonts.describe(),
    )
    path = box.pdf_path(entry)
    if target is not None:
        atomic_write(target, pdf, REPORT_WORDING)
        path = target
    # Sensitive data leaving the register: the audit trail says who made which report.
    log_event(reg, "print", {"report": title, "file": str(path), "sha256": entry.sha256})
    step("Xong", 5, 5)
    return Built(path, entry)


def person_report(
    reg: Register, person_id: str, out: Path, progress: Progress | None = None
) -> Built:
    """Write one person's sheet (Phiếu theo dõi) to `out`."""
    step = progress or _quiet
    path = _check_out(out)
    step("Lập phiếu theo dõi", 0, 2)
    pdf = person_sheet(reg, person_id, load_fonts())
    atomic_write(path, pdf, REPORT_WORDING)
    log_event(reg, "print", {"report": "Phiếu theo dõi", "file": str(path)},
              table="persons", row_id=person_id)  # fmt: skip
    step("Xong", 2, 2)
    return Built(path)


def round_report(
    reg: Register,
    out: Path,
    *,
    village: str | None = None,
    due: bool = False,
    progress: Progress | None = None,
) -> Built:
    """Write a test-round sheet for a village, or for those due (within the warning window)."""
    step = progress or _quiet
    path = _check_out(out)
    step("Lập danh sách xét nghiệm", 0, 2)
    until = None
    if due:
        window = int(get_settings(reg)["due_window_days"])
        until = reg.today() + timedelta(days=window)
    pdf = round_sheet(reg, load_fonts(), village=village, due_until=until)
    atomic_write(path, pdf, REPORT_WORDING)
    log_event(reg, "print", {"report": "Danh sách xét nghiệm", "village": village or "",
                             "due": due, "file": str(path)})  # fmt: skip
    step("Xong", 2, 2)
    return Built(path)


def copy_report(reg: Register, box: Outbox, entry_id: str, folder: Path) -> Path:
    """Copy a report out of the outbox (to a USB stick), logged as data leaving the laptop."""
    target = box.copy_to(entry_id, folder)
    log_event(reg, "export", {"report": entry_id, "to": str(target)})
    return target


def send_reports(reg: Register, box: Outbox, url: str, **options: Any) -> SendResult:
    """Upload the pending reports (see reports.upload.send_pending); each upload is logged."""
    result = send_pending(box, url, **options)
    if result.sent:
        log_event(reg, "export", {"uploaded": result.sent, "to": url})
    return result
