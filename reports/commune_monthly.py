"""One commune's monthly report made from the province's register (issue 14): to read at the
province, never put in any outbox (the commune sends its own); the print is in the province
register's audit log. Used by `report monthly --commune` and the province screen."""

from __future__ import annotations

from pathlib import Path

from db.core.errors import UserError
from db.core.files import atomic_write
from db.province.scope import scoped
from db.store.audit import log_event
from db.store.register import Register
from reports.monthly import gather
from reports.monthly_pages import render_monthly
from reports.outbox import REPORT_WORDING
from reports.typeface import load_fonts


def pdf_path(out: Path) -> Path:
    """The file a report is saved as: `.pdf` added if missing, its folder checked."""
    out = out.expanduser()
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    if not out.parent.is_dir():
        raise UserError(f"Thư mục “{out.parent}” không tồn tại; hãy chọn thư mục khác.",
                        field="out")  # fmt: skip
    return out


def save_commune_monthly(reg: Register, commune_id: str, year: int, month: int,
                         out: Path) -> tuple[Path, str]:  # fmt: skip
    """Write the commune's report for the month to `out`: (the file, the commune's name)."""
    out = pdf_path(out)
    with scoped(reg, commune_id) as one:
        data = gather(one, year, month)
    pdf = render_monthly(data, load_fonts())
    atomic_write(out, pdf, REPORT_WORDING, private=True)
    name = str(data.settings.get("unit_name") or commune_id)
    log_event(reg, "print", {"report": f"Báo cáo tháng {month:02d}/{year} của {name}",
                             "commune_id": commune_id, "file": str(out)})  # fmt: skip
    return out, name
