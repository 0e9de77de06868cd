"""`python main.py [command]`: the window by default, or a command for scripts and checks.

Exit codes: 0 done; 2 bad input; 3 the register file cannot be used (also a wrong password);
4 disk full; 5 not allowed for this account's role; 70 a bug.
Messages for people go to stderr in Vietnamese; results go to stdout (or JSON with --json).
The password: --password-file FILE, or SOTHEODOI_PASSWORD, or typed (cli/security_commands.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from cli.episode_commands import add_episode_parsers
from cli.handover_commands import add_handover_parsers
from cli.province_commands import add_commune_argument, add_province_parsers
from cli.report_commands import add_report_parser
from cli.security_commands import add_access_arguments, add_security_parsers
from cli.xlsx_commands import add_xlsx_parsers
from db.core.errors import UserError
from db.core.version import describe

EXIT_BUG = 70


PORTABLE_MARKER = "portable.txt"  # beside the frozen program: a portable copy on a USB stick
PORTABLE_DATA = "DuLieu"


def portable_folder() -> Path | None:
    """The folder of a portable copy (a frozen program with `portable.txt` beside it), or None."""
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(sys.executable).resolve().parent
    return folder if (folder / PORTABLE_MARKER).exists() else None


def default_register_path() -> Path:
    """The default register: a file in the user's data folder, created on first start; for a
    portable copy, in its `DuLieu` folder on the stick itself."""
    portable = portable_folder()
    if portable is not None:
        return portable / PORTABLE_DATA / "so-theo-doi.db"
    from platformdirs import user_data_dir

    return Path(user_data_dir("SoTheoDoi", appauthor=False)) / "so-theo-doi.db"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày “{text}” không hợp lệ (YYYY-MM-DD)") from None


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” không phải số nguyên") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"cần số lớn hơn 0, không phải {number}")
    return number


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"Lỗi: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The parser for every command."""
    parser = _Parser(prog="main.py", description="Sổ theo dõi — công an xã.")
    parser.add_argument("--version", action="version", version=describe(),
                        help="in phiên bản chương trình rồi thoát")  # fmt: skip
    parser.add_argument("--db", type=Path, help="tệp sổ (mặc định: sổ trong thư mục dữ liệu)")
    parser.add_argument(
        "--bundle", type=Path, help="mở cửa sổ ở bước nhập gói bàn giao (.sotd) này"
    )
    add_access_arguments(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="tệp sổ")
        add_access_arguments(p)
        return p

    p = command("demo", "tạo sổ mẫu với dữ liệu giả lập để tập huấn")
    p.add_argument("--persons", type=_positive, default=500)
    p.add_argument("--seed", type=int, default=1)
    p = command("stats", "số liệu tại một ngày")
    p.add_argument("--on", type=_day)
    p.add_argument("--json", action="store_true")
    add_commune_argument(p)
    p = command("find", "tìm người (không phân biệt hoa thường, dấu, đ)")
    p.add_argument("text")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=_positive, default=50)
    p = command("due", "việc đến hạn và quá hạn")
    p.add_argument("--on", type=_day)
    p.add_argument("--json", action="store_true")
    add_commune_argument(p)
    command("check", "kiểm tra tính toàn vẹn của tệp sổ và chuỗi nhật ký thay đổi")
    add_security_parsers(sub, command)
    add_report_parser(sub)
    add_xlsx_parsers(sub)
    add_handover_parsers(sub)
    add_episode_parsers(sub)
    from cli.inbox_commands import add_inbox_parsers  # the province's inbox

    add_inbox_parsers(sub)
    add_province_parsers(sub, command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        # A Windows console is not UTF-8 by default; Vietnamese must still print.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    args = build_parser().parse_args(argv)
    db_path = args.db or default_register_path()
    try:
        if args.command is None:
            from gui.app import run_window

            return run_window(db_path, bundle=args.bundle)
        from cli import commands

        # Commands with a hyphen ("import-xlsx") name their handler themselves.
        handler = getattr(args, "handler", None) or getattr(commands, f"cmd_{args.command}")
        return int(handler(db_path, args))
    except UserError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The output was cut short (e.g. piped into `head`): not an error of the register.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep Python's exit flush quiet
        return 0
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu; sổ không bị thay đổi dở dang.", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - a bug: said plainly, with what a developer needs
        print(
            "Lỗi chương trình (không phải do dữ liệu nhập). Sổ không bị ghi dở. "
            "Hãy gửi nội dung dưới đây cho người phát triển:",
            file=sys.stderr,
        )
        traceback.print_exc()
        return EXIT_BUG
