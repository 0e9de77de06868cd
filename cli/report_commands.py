"""`python main.py report …`: the monthly report, person and round sheets, and the outbox.

    report monthly --db PATH --month YYYY-MM [--out FILE.pdf] [--outbox DIR]
    report person  --db PATH --id ID --out FILE.pdf
    report round   --db PATH (--village NAME | --due) --out FILE.pdf
    report outbox list|send|mark-sent|copy|save|config --db PATH [--outbox DIR] …

Beside an encrypted register the outbox is sealed: `copy` (a USB stick) and `save` (a file) write
a report in clear, checked against its hashes and logged. `config` keeps the token the province
issued (from --token-file or SOTHEODOI_UPLOAD_TOKEN, never an argument), its CA and a client
certificate, the chief only.

Exit codes as for every command (0 done; 2 bad input; 3 the register file; 4 disk full; 5 not
the chief), and for `outbox send` 1 when some report could not be sent this time (it stays
pending, or its files changed on disk and it must be made again).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.security_commands import add_access_arguments, open_for_command
from db.core.errors import UserError

# The reports (ReportLab) and the register are imported when a report command runs.
if TYPE_CHECKING:
    from db.store.register import Register
    from reports.outbox import Outbox

EXIT_PENDING = 1
ENV_TOKEN = "SOTHEODOI_UPLOAD_TOKEN"


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="tệp sổ")
    add_access_arguments(parser)


def _outbox_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--outbox", type=Path, help="thư mục hộp thư đi (mặc định: outbox cạnh tệp sổ)"
    )


def add_report_parser(sub: Any) -> None:
    """Add `report` and its subcommands to the main parser's subparsers."""
    report = sub.add_parser("report", help="lập báo cáo PDF, phiếu theo dõi, danh sách xét nghiệm")
    _db(report)
    kinds = report.add_subparsers(dest="report_command", parser_class=type(report))
    kinds.required = True

    p = kinds.add_parser("monthly", help="báo cáo tháng (theo mẫu Nghị định 30/2020)")
    _db(p)
    p.add_argument("--month", required=True, help="tháng báo cáo, YYYY-MM (ví dụ 2026-10)")
    p.add_argument("--out", type=Path, help="ghi thêm một bản ra tệp PDF này")
    _outbox_arg(p)
    p.add_argument("--commune", metavar="MÃ_XÃ",
                   help="báo cáo của một xã trong sổ nhiều xã (chỉ ghi ra --out)")  # fmt: skip

    p = kinds.add_parser("person", help="phiếu theo dõi một người")
    _db(p)
    p.add_argument("--id", required=True, dest="person_id", help="mã người trong sổ")
    p.add_argument("--out", type=Path, required=True, help="tệp PDF")

    p = kinds.add_parser("round", help="danh sách xét nghiệm để ghi tay")
    _db(p)
    p.add_argument("--village", help="tên thôn, bản (không cần gõ dấu)")
    p.add_argument("--due", action="store_true", help="chỉ người đến hạn xét nghiệm")
    p.add_argument("--out", type=Path, required=True, help="tệp PDF")

    p = kinds.add_parser("outbox", help="hộp thư đi: xem, gửi, đánh dấu đã gửi, chép ra USB")
    _db(p)
    actions = p.add_subparsers(dest="outbox_command", parser_class=type(p))
    actions.required = True
    a = actions.add_parser("list", help="các báo cáo và trạng thái gửi")
    _db(a)
    _outbox_arg(a)
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("send", help="gửi các báo cáo chưa gửi lên địa chỉ đã cài đặt")
    _db(a)
    _outbox_arg(a)
    a.add_argument("--force", action="store_true", help="thử lại ngay, không chờ")
    a = actions.add_parser("mark-sent", help="đánh dấu một báo cáo đã gửi (nộp giấy, USB)")
    _db(a)
    _outbox_arg(a)
    a.add_argument("id", help="mã báo cáo (xem bằng `report outbox list`)")
    a = actions.add_parser("copy", help="chép một báo cáo ra thư mục khác (USB)")
    _db(a)
    _outbox_arg(a)
    a.add_argument("id", help="mã báo cáo")
    a.add_argument("--to", type=Path, required=True, help="thư mục đích")
    a = actions.add_parser("save", help="lưu một báo cáo thành tệp PDF (bản rõ, ghi nhật ký)")
    _db(a)
    _outbox_arg(a)
    a.add_argument("id", help="mã báo cáo")
    a.add_argument("--out", type=Path, required=True, help="tệp PDF")
    a = actions.add_parser("config", help="mã xác thực của xã và chứng chỉ để gửi lên tỉnh")
    _db(a)
    _outbox_arg(a)
    a.add_argument("--token-file", type=Path, help=f"tệp chứa mã do tỉnh cấp (hoặc {ENV_TOKEN})")
    a.add_argument("--clear-token", action="store_true", help="xóa mã xác thực")
    a.add_argument("--ca", help='tệp PEM chứng chỉ gốc (CA) của tỉnh; "" = của hệ thống')
    a.add_argument("--client-cert", help="tệp PEM chứng chỉ máy khách (nếu tỉnh cấp)")
    a.add_argument("--client-key", help="tệp PEM khóa của chứng chỉ máy khách")


def _box(reg: Register, args: argparse.Namespace) -> Outbox:
    from reports.build import outbox_for

    return outbox_for(reg, getattr(args, "outbox", None))


def _find(box: Outbox, wanted: str) -> str:
    """A report id from its full id or its first characters."""
    ids = [e.id for e in box.entries() if e.id.startswith(wanted.strip())]
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise UserError(f"Không có báo cáo mã “{wanted}” trong hộp thư đi “{box.folder}”.")
    raise UserError(f"Mã “{wanted}” khớp {len(ids)} báo cáo; hãy gõ thêm ký tự.")


def cmd_report(path: Path, args: argparse.Namespace) -> int:
    """Run one `report …` command; returns the exit code."""
    from reports.build import monthly_report, person_report, round_report

    with open_for_command(path, args) as reg:
        command = args.report_command
        if command == "monthly" and args.commune:
            from cli.province_commands import commune_monthly

            return commune_monthly(reg, args)
        if command == "monthly":
            built = monthly_report(reg, args.month, out=args.out, outbox=_box(reg, args))
            entry = built.entry
            assert entry is not None
            box = _box(reg, args)
            print(f"Đã lập {entry.title} (bản {entry.version}): {built.path}")
            sealed = " (đã mã hóa)" if box.sealed else ""
            print(f"  Lưu trong hộp thư đi: {box.pdf_path(entry)}{sealed}")
            print(f"  Mã báo cáo: {entry.id}  SHA-256: {entry.sha256}")
            return 0
        if command == "person":
            built = person_report(reg, args.person_id, args.out)
            print(f"Đã lập phiếu theo dõi: {built.path}")
            return 0
        if command == "round":
            if not args.village and not args.due:
                raise UserError("Danh sách xét nghiệm: cần --village TÊN hoặc --due.")
            built = round_report(reg, args.out, village=args.village, due=args.due)
            print(f"Đã lập danh sách xét nghiệm: {built.path}")
            return 0
        return _outbox(reg, args)


def _outbox(reg: Register, args: argparse.Namespace) -> int:
    from db.commune.settings import get_settings
    from db.core.dates import show
    from reports.build import copy_report, save_report, send_reports

    box = _box(reg, args)
    action = args.outbox_command
    if action == "list":
        entries = box.entries()
        if args.json:
            from cli.output import dump_json

            dump_json([{**e.as_json(), "state_text": e.state_text(), "intact": box.verify(e)}
                       for e in entries])  # fmt: skip
            return 0
        if not entries:
            print(f"Hộp thư đi “{box.folder}” chưa có báo cáo nào.")
            return 0
        for e in entries:
            intact = "" if box.verify(e) else "  [TỆP BỊ THAY ĐỔI HOẶC MẤT]"
            error = f"  (lần gửi cuối lỗi: {e.last_error()})" if e.last_error() else ""
            print(
                f"{e.id[:8]}  {e.title:<22} bản {e.version:<3} lập {show(e.created_day())}  "
                f"{e.state_text():<24} {e.pdf}{intact}{error}"
            )
        return 0
    if action == "send":
        url = str(get_settings(reg)["upload_url"] or "")
        if not url:
            raise UserError(
                "Chưa cài đặt địa chỉ nhận báo cáo (upload_url): không gửi gì. Báo cáo vẫn nằm "
                f"trong hộp thư đi “{box.folder}”; có thể chép ra USB."
            )
        unit = str(get_settings(reg)["unit_name"] or "")
        result = send_reports(reg, box, url, unit=unit, force=args.force)
        print(result.summary())
        for entry_id, error in result.failed.items():
            print(f"  {entry_id[:8]}: {error}", file=sys.stderr)
        return EXIT_PENDING if result.failed or result.waiting else 0
    if action == "mark-sent":
        entry = box.mark_sent(_find(box, args.id), "manual")
        print(f"{entry.title} (bản {entry.version}): {entry.state_text()}.")
        return 0
    if action == "save":
        target = save_report(reg, box, _find(box, args.id), args.out)
        print(f"Đã lưu {target} (đã kiểm tra mã SHA-256, ghi vào nhật ký).")
        return 0
    if action == "config":
        return _config(reg, box, args)
    entry_id = _find(box, args.id)
    target = copy_report(reg, box, entry_id, args.to)
    print(f"Đã chép sang {target} (đã kiểm tra SHA-256).")
    return 0


def _token(args: argparse.Namespace) -> str | None:
    """The new token: from --token-file (first line) or the environment; None: unchanged."""
    if args.clear_token:
        return ""
    if args.token_file is not None:
        try:
            lines = args.token_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UserError(f"Không đọc được “{args.token_file}”: {exc.strerror or exc}.") from exc
        return lines[0].strip() if lines else ""
    return os.environ.get(ENV_TOKEN)


def _config(reg: Register, box: Outbox, args: argparse.Namespace) -> int:
    from reports.build import set_upload_config, upload_config

    config = upload_config(reg, box)
    token = _token(args)
    given = {"ca_file": args.ca, "client_cert": args.client_cert, "client_key": args.client_key}
    changes = {name: value for name, value in given.items() if value is not None}
    if token is not None:
        changes["token"] = token
    if changes:
        set_upload_config(reg, replace(config, **changes), box)
        config = upload_config(reg, box)
        print("Đã lưu cài đặt gửi báo cáo" + (" (mã hóa cùng sổ)." if box.sealed else "."))
    shown = config.shown()
    print(f"  Mã xác thực của xã: {shown['token'] or '(chưa có)'}")
    print(f"  Chứng chỉ gốc (CA): {shown['ca_file'] or '(của hệ thống)'}")
    print(f"  Chứng chỉ máy khách: {shown['client_cert'] or '(không dùng)'}")
    return 0
