"""`python main.py template-xlsx | import-xlsx | export-xlsx`: Excel in and out.

Messages for people go to stderr in Vietnamese; results (counts, file names) go to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.security_commands import add_access_arguments, open_for_command
from db.core.dates import parse_date
from db.core.errors import UserError

# Excel (openpyxl, calamine) and the register are imported when an Excel command runs.
if TYPE_CHECKING:
    from db.excel.importer import ImportPlan
    from db.persons.listing import PersonFilter
    from db.store.register import Register

SHOWN_ROWS = 20  # rows of each kind listed on the terminal; the rest are in the file


def _day(text: str) -> date:
    try:
        return parse_date(text, "Ngày")
    except UserError:
        raise argparse.ArgumentTypeError(
            f"ngày “{text}” không hợp lệ (dd/mm/yyyy hoặc YYYY-MM-DD)"
        ) from None


def add_xlsx_parsers(sub: Any) -> None:
    """Add template-xlsx, import-xlsx and export-xlsx to the main parser's subcommands."""

    def command(name: str, help_text: str, handler: Callable[..., int]) -> Any:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="tệp sổ")
        add_access_arguments(p)
        p.set_defaults(handler=handler)
        return p

    p = command("template-xlsx", "lưu mẫu Excel để xã điền danh sách", cmd_template_xlsx)
    p.add_argument("--out", type=Path, required=True, help="tệp .xlsx sẽ lưu")
    p = command(
        "import-xlsx", "nhập danh sách từ tệp Excel (.xlsx, .xls), LibreOffice (.ods) hoặc CSV",
        cmd_import_xlsx,
    )  # fmt: skip
    p.add_argument("file", type=Path, help="tệp .xlsx, .xls, .ods hoặc .csv (UTF-8) cần nhập")
    p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không ghi vào sổ")
    p = command("export-xlsx", "xuất danh sách (và xét nghiệm) ra tệp Excel", cmd_export_xlsx)
    p.add_argument("--out", type=Path, required=True, help="tệp .xlsx sẽ lưu")
    p.add_argument("--find", default="", help="chỉ những người khớp (tên, CCCD, thôn)")
    p.add_argument("--village", help="chỉ một thôn/bản")
    p.add_argument("--category", help="chỉ một diện quản lý đang mở")
    p.add_argument("--active", action="store_true", help="chỉ người đang quản lý, theo dõi")
    p.add_argument("--tests-from", type=_day, help="thêm sheet xét nghiệm từ ngày")
    p.add_argument("--tests-to", type=_day, help="thêm sheet xét nghiệm đến ngày")


def _progress() -> Callable[[str, int, int], None]:
    last = [0.0]

    def report(text: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 1 or done == total:
            last[0] = now
            print(f"  {text} {done:,}/{total:,}".replace(",", "."), file=sys.stderr)

    return report


def cmd_template_xlsx(path: Path, args: argparse.Namespace) -> int:
    """Save the template (the register is not opened)."""
    from db.excel.template import write_template

    write_template(args.out)
    print(f"Đã lưu mẫu nhập danh sách: {args.out}")
    return 0


def _print_rows(plan: ImportPlan, fate: str, title: str) -> None:
    rows = [r for r in plan.rows if r.fate == fate]
    if not rows:
        return
    print(f"{title} ({len(rows)}):")
    for r in rows[:SHOWN_ROWS]:
        print(f"  {r.sheet.strip()}, dòng {r.row}: {r.name or '(không tên)'} — {r.reason}")
    if len(rows) > SHOWN_ROWS:
        print(f"  … và {len(rows) - SHOWN_ROWS} dòng khác.")


def cmd_import_xlsx(path: Path, args: argparse.Namespace) -> int:
    """Preview, import (unless --dry-run), and write the refused rows next to the file."""
    from db.excel.importer import (
        DUPLICATE,
        REJECTED,
        apply_import,
        plan_import,
        rejected_path,
        write_rejected,
    )

    source: Path = args.file
    with open_for_command(path, args) as reg:
        plan = plan_import(reg, source, _progress())
        print(f"Tệp “{source.name}”: {plan.summary()}")
        for problem in plan.problems:
            print(f"  {problem.message}")
        if plan.villages:
            print("Thôn/bản chưa có, sẽ tạo mới: " + ", ".join(plan.villages))
        _print_rows(plan, DUPLICATE, "Có thể trùng, không nhập")
        _print_rows(plan, REJECTED, "Bị từ chối")
        imported = 0
        if not args.dry_run and plan.importable:
            result = apply_import(reg, plan, _progress())
            imported = plan.importable
            print(result.summary())
        elif args.dry_run:
            print("Chạy thử (--dry-run): chưa ghi gì vào sổ.")
    if plan.rejected:
        out = rejected_path(source)
        write_rejected(plan, out)
        print(
            f"Các dòng bị từ chối đã ghi ra “{out}”: sửa theo cột “Lý do không nhập” rồi nhập lại."
        )
    print(f"Đã nhập: {imported}; có thể trùng: {plan.duplicates}; bị từ chối: {plan.rejected}.")
    return 0


def _filter(reg: Register, args: argparse.Namespace) -> PersonFilter:
    from db.commune.places import village_by_name
    from db.excel.values import parse_category_text
    from db.persons.listing import PersonFilter

    village_id = None
    if args.village:
        village = village_by_name(reg, args.village)
        if village is None:
            raise UserError(f"Không có thôn/bản “{args.village}” trong sổ.")
        village_id = village["id"]
    category = parse_category_text(args.category).value if args.category else None
    return PersonFilter(
        text=args.find, village_id=village_id, category=category, only_active=args.active
    )


def cmd_export_xlsx(path: Path, args: argparse.Namespace) -> int:
    """The register or a filtered list, and optionally the tests of a period."""
    from db.excel.export import export_people

    with open_for_command(path, args) as reg:
        tests = None
        if args.tests_from or args.tests_to:
            start = args.tests_from or date(1900, 1, 1)
            end = args.tests_to or reg.today()
            if end < start:
                raise UserError("Khoảng ngày xét nghiệm: ngày kết thúc trước ngày bắt đầu.")
            tests = (start, end)
        done = export_people(
            reg, args.out, _filter(reg, args), tests_between=tests, progress=_progress()
        )
    print(f"Đã xuất ra “{args.out}”: {done.summary()}")
    return 0
