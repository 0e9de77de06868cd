"""`python main.py inbox …`: the province's inbox for the reports communes upload.

    inbox serve --db PROVINCE.db --cert CERT.pem --key KEY.pem [--host 0.0.0.0] [--port 8443]
    inbox token add --db PROVINCE.db --commune CODE      (the chief; prints the token once)
    inbox token revoke --db PROVINCE.db ID               (the chief)
    inbox token list --db PROVINCE.db [--json]
    inbox list --db PROVINCE.db [--month MM/YYYY] [--json]
    inbox save --db PROVINCE.db RECEIPT --out FILE.pdf   (a received report, in clear, logged)

`token add` prints the new token alone on stdout (so `> token.txt` makes the file the commune
gives to `report outbox config --token-file`), and what to do with it on stderr. Exit codes as
for every command (0 done; 2 bad input; 3 the register file; 4 disk full; 5 not the chief).
docs/province.md tells the whole set-up.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

# Nothing heavy at import time: `main.py --help` must not load the register (issue 12).


def add_inbox_parsers(sub: Any) -> None:
    """Add `inbox` and its subcommands to the main parser's subparsers."""
    from cli.security_commands import add_access_arguments

    def db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="tệp sổ của tỉnh")
        add_access_arguments(p)
        return p

    inbox = db(sub.add_parser("inbox", help="tỉnh: nhận báo cáo các xã gửi lên (HTTPS)"))
    inbox.set_defaults(handler=cmd_inbox)
    actions = inbox.add_subparsers(dest="inbox_command", parser_class=type(inbox))
    actions.required = True

    p = db(actions.add_parser("serve", help="chạy hộp thư nhận báo cáo (HTTPS) đến khi Ctrl+C"))
    p.add_argument("--cert", type=Path, required=True, help="chứng chỉ máy chủ của tỉnh (PEM)")
    p.add_argument("--key", type=Path, required=True, help="khóa của chứng chỉ (PEM)")
    p.add_argument("--host", default="0.0.0.0", help="địa chỉ nghe (mặc định: mọi địa chỉ)")
    p.add_argument("--port", type=int, default=8443, help="cổng (mặc định 8443)")

    token = db(actions.add_parser("token", help="mã xác thực cấp cho từng xã"))
    kinds = token.add_subparsers(dest="token_command", parser_class=type(token))
    kinds.required = True
    a = db(kinds.add_parser("add", help="cấp mã mới cho một xã (chỉ hiện một lần)"))
    a.add_argument("--commune", required=True, help="mã xã (hoặc tên xã đã gửi gói dữ liệu)")
    a = db(kinds.add_parser("revoke", help="thu hồi một mã"))
    a.add_argument("id", help="mã số của mã xác thực (xem `inbox token list`)")
    a = db(kinds.add_parser("list", help="các mã đã cấp"))
    a.add_argument("--json", action="store_true")

    p = db(actions.add_parser("list", help="các báo cáo đã nhận"))
    p.add_argument("--month", help="tháng báo cáo, MM/YYYY (ví dụ 10/2026)")
    p.add_argument("--json", action="store_true")
    p = db(actions.add_parser("save", help="lưu một báo cáo đã nhận thành tệp PDF"))
    p.add_argument("receipt", help="mã biên nhận (có thể gõ phần đầu)")
    p.add_argument("--out", type=Path, required=True, help="tệp PDF")


def _when(stamp: str | None) -> str:
    """A stored UTC time as the officer reads it: dd/mm/yyyy HH:MM, local time."""
    if not stamp:
        return ""
    return datetime.fromisoformat(stamp).astimezone().strftime("%d/%m/%Y %H:%M")


def cmd_inbox(path: Path, args: argparse.Namespace) -> int:
    """Run one `inbox …` command; returns the exit code."""
    from cli.security_commands import finish_reading, open_for_command

    command = args.inbox_command
    if command == "serve":
        return _serve(path, args)
    reading = command == "list" or (command == "token" and args.token_command == "list")
    with open_for_command(path, args, reading=reading) as reg:
        if command == "token":
            code = _token(reg, args)
        elif command == "list":
            code = _list(reg, args)
        else:
            code = _save(reg, args)
        if reading:
            finish_reading(reg)
    return code


def _serve(path: Path, args: argparse.Namespace) -> int:
    from cli.security_commands import open_for_command
    from db.province.receiver import InboxApp
    from db.province.server import InboxServer

    def log(line: str) -> None:
        print(line, flush=True)

    with open_for_command(path, args) as reg:
        server = InboxServer(InboxApp(reg, log=log), args.cert, args.key, host=args.host,
                             port=args.port)  # fmt: skip
        server.start()
        try:
            print(f"Đang nhận báo cáo tại {args.host}:{server.port} (HTTPS). Địa chỉ các xã nhập "
                  f"trong cài đặt: https://<tên máy này trong chứng chỉ>:{server.port}/bao-cao",
                  flush=True)  # fmt: skip
            print("Nhấn Ctrl+C để dừng.", file=sys.stderr, flush=True)
            server.wait()
        except KeyboardInterrupt:
            print("Đã dừng nhận báo cáo.", file=sys.stderr)
        finally:
            server.stop()
    return 0


def _token(reg: Any, args: argparse.Namespace) -> int:
    from cli.output import dump_json
    from db.province import tokens

    action = args.token_command
    if action == "add":
        made, secret = tokens.add_token(reg, args.commune)
        name = f"{made.commune_name} " if made.commune_name else ""
        print(
            f"Đã cấp mã xác thực {made.id[:8]} cho xã {name}(mã xã {made.commune_id}). Mã chỉ "
            "in ra một lần (một dòng riêng): hãy chuyển cho xã theo đường an toàn; xã nhập mã "
            "trong Cài đặt, hoặc lưu vào một tệp rồi chạy `report outbox config --token-file TỆP "
            "--ca CA-CỦA-TỈNH.pem`.",
            file=sys.stderr,
        )
        others = [t for t in tokens.list_tokens(reg)
                  if t.active and t.commune_id == made.commune_id and t.id != made.id]  # fmt: skip
        if others:
            listed = ", ".join(t.id[:8] for t in others)
            print(f"Lưu ý: xã này còn mã khác đang dùng ({listed}); khi xã đã dùng mã mới, hãy "
                  "thu hồi mã cũ bằng `inbox token revoke MÃ`.", file=sys.stderr)  # fmt: skip
        print(secret)
        return 0
    if action == "revoke":
        done = tokens.revoke_token(reg, args.id)
        print(f"Đã thu hồi mã {done.id[:8]} (…{done.hint}) của xã {done.commune_id}.")
        return 0
    issued = tokens.list_tokens(reg)
    if args.json:
        dump_json([{**t.__dict__, "active": t.active} for t in issued])
        return 0
    if not issued:
        print("Chưa cấp mã xác thực nào (inbox token add --commune MÃ-XÃ).")
    for t in issued:
        state = f"đã thu hồi {_when(t.revoked_at)}" if t.revoked_at else "đang dùng"
        used = f", gửi lần cuối {_when(t.last_used_at)}" if t.last_used_at else ""
        print(f"{t.id[:8]}  …{t.hint}  {t.commune_name or '(chưa rõ tên)'}  {t.commune_id}  "
              f"cấp {_when(t.created_at)}  {state}{used}")  # fmt: skip
    return 0


def _list(reg: Any, args: argparse.Namespace) -> int:
    from cli.output import dump_json
    from db.province import inbox

    month = inbox.parse_month(args.month) if args.month else None
    reports = inbox.received(reg, month=month)
    if args.json:
        dump_json([r.__dict__ for r in reports])
        return 0
    if not reports:
        when = f" tháng {args.month}" if args.month else ""
        print(f"Hộp thư của tỉnh chưa nhận báo cáo nào{when}.")
    for r in reports:
        print(f"{r.unit or r.commune_id:<32} tháng {r.month_text()}  bản {r.version:<3} "
              f"nhận {_when(r.received_at)}  biên nhận {r.receipt_id}")  # fmt: skip
    return 0


def _save(reg: Any, args: argparse.Namespace) -> int:
    from db.core.files import atomic_write
    from db.province import inbox
    from db.store.audit import log_event
    from reports.outbox import REPORT_WORDING

    report, pdf = inbox.report_pdf(reg, args.receipt)
    target = args.out if args.out.suffix.lower() == ".pdf" else args.out.with_suffix(".pdf")
    atomic_write(target, pdf, REPORT_WORDING, private=True)
    log_event(reg, "export", {"report": report.title, "receipt": report.receipt_id,
                              "to": str(target), "sha256": report.sha256})  # fmt: skip
    print(f"Đã lưu {target} ({report.unit}, {report.title}, bản {report.version}).")
    return 0
