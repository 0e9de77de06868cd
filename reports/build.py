"""Making reports: the three calls the window and the command line use, and the outbox's exports.

    built = monthly_report(reg, "2026-10", out=Path("bc.pdf"), progress=progress)
    person_report(reg, person_id, Path("phieu.pdf"))
    round_report(reg, Path("ds.pdf"), village="Bản Mòng")
    box = outbox_for(reg)                       # sealed beside an encrypted register
    open_report(reg, box, entry_id)             # a clear copy in the program's temp folder
    save_report(reg, box, entry_id, target)     # a clear copy where the officer chose

A monthly report always goes into the register's outbox (with its figures and hashes) and, if
asked, is also written to `out`. Person and round sheets hold one person's or one village's
sensitive data for the paper file: they are written only where asked, never kept elsewhere.
Every file written in clear — a copy saved, opened to print, put on a stick, uploaded — is in the
audit log. Files are readable by this user only (0600 on POSIX).
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
from db.store.roles import require_chief
from reports.monthly import (
    ANNEX_LIMIT,
    MonthlyData,
    Since,
    gather,
    month_text,
    parse_month,
    unnamed,
)
from reports.monthly_pages import render_monthly
from reports.outbox import REPORT_WORDING, Entry, Outbox, default_folder
from reports.sheets import person_sheet, round_sheet
from reports.tempfiles import scratch
from reports.typeface import load_fonts
from reports.upload import SendResult, send_pending
from reports.upload_config import UploadConfig, load_config, save_config, tls_context

Progress = Callable[[str, int, int], None]


def _quiet(text: str, done: int, total: int) -> None:
    """No progress to show."""


@dataclass(frozen=True)
class Built:
    """A report made: where its PDF is, and its outbox entry (monthly reports)."""

    path: Path
    entry: Entry | None = None


def outbox_for(reg: Register, folder: Path | None = None) -> Outbox:
    """The register's outbox (default: the `outbox` folder next to the register file): sealed
    under the register's key when it is encrypted. Reports left in clear from before the
    register was encrypted are sealed now (and their clear files removed), once, logged."""
    box = Outbox(folder or default_folder(reg.path), reg.commune_id, reg.key)
    sealed = box.migrate()
    if sealed:
        log_event(reg, "encrypt", {"outbox": str(box.folder), "reports": sealed})
    previous = getattr(reg.key, "previous", None)  # a key change under way (db.security.rekey)
    if previous is not None and reg.key is not None:
        reseal_outbox(reg, bytes(previous), box.folder)
    return box


def reseal_outbox(reg: Register, old_key: bytes, folder: Path | None = None) -> int:
    """After the register's key changed: seal again under the new key what the outbox holds
    under the old one (call it right after the key change); how many files."""
    if reg.key is None:
        return 0
    old = Outbox(folder or default_folder(reg.path), reg.commune_id, old_key)
    return old.reseal(bytes(reg.key))


def _bound(reg: Register, box: Outbox | None) -> Outbox:
    """`box` keyed for this register: an outbox made without the key (plain) never writes a
    clear report beside an encrypted register."""
    if box is None:
        return outbox_for(reg)
    if reg.key is not None and not box.sealed:
        return outbox_for(reg, box.folder)
    return box


def outbox_figures(data: MonthlyData) -> dict[str, Any]:
    """The figures the outbox keeps and sends: what the report prints, no more. The annex lists
    names (without the register's ids) only up to ANNEX_LIMIT people; past it the report prints
    counts per village, and so do these figures."""
    figures = data.as_json()
    due = figures.pop("due_tests")
    printed = ("full_name", "birth_date", "village", "due", "overdue", "categories")
    if len(due) <= ANNEX_LIMIT:
        figures["due_tests"] = [{k: d.get(k) for k in printed} for d in due]
        return figures
    villages: dict[str, dict[str, Any]] = {}
    for d in due:
        row = villages.setdefault(d["village"], {"village": d["village"], "due": 0, "overdue": 0})
        row["due"] += 1
        row["overdue"] += bool(d["overdue"])
    figures["due_tests"] = []
    figures["due_by_village"] = sorted(villages.values(), key=lambda v: str(v["village"]))
    figures["corrections"] = [unnamed(c) for c in figures["corrections"]]
    return figures


def previous_report(box: Outbox, year: int, month: int) -> Since:
    """The report the corrections noted by `year`-`month`'s report count from: the latest
    earlier month in the outbox, its newest sent version (else its newest version)."""
    key = f"monthly:{year:04d}-{month:02d}"
    earlier = [e for e in box.entries() if e.kind == "monthly" and e.key < key and not e.damaged]
    if not earlier:
        return Since()
    last = max(e.key for e in earlier)
    versions = sorted((e for e in earlier if e.key == last), key=lambda e: (e.sent, e.created_at))
    entry = versions[-1]
    try:
        anchor = str(box.with_data(entry).data.get("anchor") or "")
    except UserError:
        anchor = ""  # changed on disk: its time still says when it was made
    y, m = (int(part) for part in last.removeprefix("monthly:").split("-"))
    return Since(month_text(y, m), entry.created_at, anchor)


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
    box = _bound(reg, outbox)
    data = gather(reg, year, number, step, since=previous_report(box, year, number))
    step("Dựng các trang báo cáo", 3, 5)
    fonts = load_fonts()
    pdf = render_monthly(data, fonts)
    step("Lưu vào hộp thư đi", 4, 5)
    title = f"Báo cáo tháng {month_text(year, number)}"
    entry = box.add(
        "monthly",
        f"monthly:{year:04d}-{number:02d}",
        title,
        pdf,
        outbox_figures(data),
        created_by=reg.user,
        font=fonts.describe(),
    )
    path = box.pdf_path(entry)
    if target is not None:
        atomic_write(target, pdf, REPORT_WORDING, private=True)
        path = target
    # Sensitive data leaving the register: the audit trail says who made which report.
    details = {"report": title, "id": entry.id, "file": str(path), "sha256": entry.sha256}
    log_event(reg, "print", {**details, "manifest_sha256": entry.manifest_sha256})
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
    atomic_write(path, pdf, REPORT_WORDING, private=True)
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
    atomic_write(path, pdf, REPORT_WORDING, private=True)
    log_event(reg, "print", {"report": "Danh sách xét nghiệm", "village": village or "",
                             "due": due, "file": str(path)})  # fmt: skip
    step("Xong", 2, 2)
    return Built(path)


def copy_report(reg: Register, box: Outbox, entry_id: str, folder: Path) -> Path:
    """Copy a report out of the outbox (to a USB stick), logged as data leaving the laptop."""
    box = _bound(reg, box)
    target = box.copy_to(entry_id, folder)
    log_event(reg, "export", {"report": entry_id, "to": str(target)})
    return target


def save_report(reg: Register, box: Outbox, entry_id: str, out: Path) -> Path:
    """Write a report of the outbox in clear where the officer chose ("Lưu thành…"), checked
    against its manifest hash first; logged."""
    box = _bound(reg, box)
    target = _check_out(out)
    entry, pdf = box.checked(entry_id)
    atomic_write(target, pdf, REPORT_WORDING, private=True)
    box.record_copy(entry_id, target)
    log_event(reg, "export", {"report": entry.title, "id": entry_id, "to": str(target),
                              "sha256": entry.sha256})  # fmt: skip
    return target


def open_report(reg: Register, box: Outbox, entry_id: str, folder: Path | None = None) -> Path:
    """A clear copy of a report in the program's temporary folder, to open and print (removed
    when the window closes, or at the next start after a crash); logged as printed."""
    box = _bound(reg, box)
    entry, pdf = box.checked(entry_id)
    target = (folder or scratch()) / entry.pdf
    atomic_write(target, pdf, REPORT_WORDING, private=True)
    log_event(reg, "print", {"report": entry.title, "id": entry_id, "file": str(target),
                             "sha256": entry.sha256})  # fmt: skip
    return target


def upload_config(reg: Register, box: Outbox | None = None) -> UploadConfig:
    """The commune's upload credential and CA (reports.upload_config), for this register."""
    return load_config(_bound(reg, box))


def set_upload_config(reg: Register, config: UploadConfig, box: Outbox | None = None) -> None:
    """Keep the credential the province issued and its CA (the chief only); logged without
    the token."""
    require_chief(reg, "đặt mã xác thực gửi báo cáo")
    clean = save_config(_bound(reg, box), config)
    log_event(reg, "password", {"what": "upload_credential", **clean.shown()})


def send_reports(reg: Register, box: Outbox, url: str, **options: Any) -> SendResult:
    """Upload the pending reports (see reports.upload.send_pending) with the commune's token
    and CA; each upload is logged."""
    box = _bound(reg, box)
    if "context" not in options or "token" not in options:
        config = load_config(box)
        options.setdefault("token", config.token)
        options.setdefault("context", tls_context(config))
    result = send_pending(box, url, **options)
    if result.sent:
        log_event(reg, "export", {"uploaded": result.sent, "to": url})
    return result
