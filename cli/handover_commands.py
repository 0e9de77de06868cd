"""`python main.py export | import | conflicts`: the register on a USB stick.

    export --db PATH --out FILE|FOLDER [--full | --since-last RECEIVER] [--to RECEIVER]
           [--passphrase-file FILE] [--record FILE.pdf]
    import --db PATH FILE [--dry-run] [--accept-other-commune | --take-over]
           [--passphrase-file FILE] [--record FILE.pdf]
    conflicts --db PATH [--resolve ID --keep local|remote]

The bundle's passphrase (not the register's password) comes from --passphrase-file FILE, else
the environment variable SOTHEODOI_PASSPHRASE, else it is asked for on the terminal: never an
argument, which others could read in the process list. Exit codes: 0 done; 2 bad input or
another commune's bundle not accepted; 3 a bad bundle or a wrong passphrase; 4 disk full or the
stick gone; 5 not allowed for this account (resolving conflicts is the chief's).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.security_commands import add_access_arguments, open_for_command
from db.core.errors import UserError

# The handover and its PDF record (ReportLab) are imported by the commands that use them.
if TYPE_CHECKING:
    from db.handover import receive

ENV_PASSPHRASE = "SOTHEODOI_PASSPHRASE"
COLUMNS = (
    ("new", "mới"),
    ("changed", "thay đổi"),
    ("unchanged", "không đổi"),
    ("conflicts", "xung đột"),
    ("skipped", "bỏ qua"),
)


def add_handover_parsers(sub: Any) -> None:
    """Add `export`, `import` and `conflicts` to the main parser's subcommands."""

    def command(name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        # No abbreviations: "--passphrase SECRET" must be refused, not read as a file name.
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, allow_abbrev=False)
        p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="tệp sổ")
        add_access_arguments(p)
        p.set_defaults(handler=handler)
        return p

    def passphrase(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--passphrase-file",
            type=Path,
            metavar="TỆP",
            help=f"đọc mật khẩu gói từ dòng đầu của tệp (hoặc biến môi trường {ENV_PASSPHRASE})",
        )
        p.add_argument("--record", type=Path, metavar="TỆP.pdf", help="lập biên bản bàn giao")

    p = command("export", "xuất gói dữ liệu bàn giao (mã hóa) ra USB", cmd_export)
    p.add_argument("--out", type=Path, required=True, help="tệp gói hoặc thư mục (ổ USB)")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--full", action="store_true", help="gói đầy đủ (mặc định)")
    kind.add_argument(
        "--since-last",
        metavar="BÊN_NHẬN",
        help="gói bổ sung: những gì thay đổi từ gói trước gửi cho bên nhận này",
    )
    p.add_argument("--to", metavar="BÊN_NHẬN", default="", help="tên bên nhận (gói đầy đủ)")
    passphrase(p)
    p = command("import", "nhập gói dữ liệu bàn giao vào sổ", cmd_import)
    p.add_argument("file", type=Path, help="tệp gói (.sotd)")
    p.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không ghi vào sổ")
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--accept-other-commune",
        action="store_true",
        help="nhận dữ liệu của xã khác vào sổ tổng hợp (giữ nguyên xã của bản ghi)",
    )
    who.add_argument(
        "--take-over",
        action="store_true",
        help="sổ còn trống: nhận làm sổ của đơn vị mình (bàn giao, máy thứ hai)",
    )
    passphrase(p)
    p = command("conflicts", "xem và giải quyết xung đột sau khi nhập gói", cmd_conflicts)
    p.add_argument("--resolve", type=int, metavar="SỐ", help="số của xung đột cần giải quyết")
    p.add_argument(
        "--keep",
        choices=("local", "remote"),
        help="giữ giá trị ở máy này (local) hay giá trị nhận được (remote)",
    )


def _first_line(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise UserError(
            f"Không đọc được tệp mật khẩu gói “{path}”: {exc.strerror or exc}."
        ) from exc
    if not lines or not lines[0]:
        raise UserError(f"Tệp mật khẩu gói “{path}” trống.")
    return lines[0]


def ask_passphrase(args: argparse.Namespace, *, new: bool) -> str:
    """The bundle's passphrase from the file, the environment, or typed (twice for a new one)."""
    if getattr(args, "passphrase_file", None) is not None:
        return _first_line(args.passphrase_file)
    if os.environ.get(ENV_PASSPHRASE):
        return os.environ[ENV_PASSPHRASE]
    if not (sys.stdin and sys.stdin.isatty()):
        raise UserError(
            f"Cần mật khẩu gói: dùng --passphrase-file TỆP hoặc biến môi trường {ENV_PASSPHRASE}, "
            "hoặc chạy lệnh trong cửa sổ dòng lệnh để gõ."
        )
    typed = getpass.getpass("Mật khẩu gói: ")
    if new:
        from db.handover.bundle import check_passphrase

        weak = check_passphrase(typed)
        if weak:
            raise UserError(weak)
        if getpass.getpass("Nhập lại mật khẩu gói: ") != typed:
            raise UserError("Hai lần nhập mật khẩu gói không giống nhau; chưa có gì được ghi.")
    return typed


def _progress(text: str, done: int, total: int) -> None:
    if total > 1 and done in (0, total):
        print(f"  {text}…", file=sys.stderr)


def _sha(sha: str) -> str:
    return " ".join(sha[i : i + 8] for i in range(0, len(sha), 8))


def cmd_export(path: Path, args: argparse.Namespace) -> int:
    """Make a bundle (full by default, or incremental for a receiver)."""
    from db.handover import receive, send
    from reports.handover import facts_for_export, write_handover_record

    full = not args.since_last
    receiver = args.since_last or args.to
    secret = ask_passphrase(args, new=True)
    with open_for_command(path, args) as reg:
        made = send.export_bundle(
            reg, args.out, secret, full=full, receiver=receiver, progress=_progress
        )
        record = write_handover_record(reg, facts_for_export(reg, made.seq), args.record) \
            if args.record else None  # fmt: skip
    kind = "đầy đủ" if made.kind == "full" else "bổ sung"
    print(f"Đã ghi gói {kind} số {made.seq}: {made.path}")
    if made.fell_back:
        print(f"(Chưa từng gửi gói cho “{receiver}” nên đây là gói đầy đủ.)")
    print(f"SHA-256: {_sha(made.sha256)}")
    for table, count in made.counts.items():
        if count:
            print(f"  {receive.TABLE_LABELS[table]:<22} {count:>9,}".replace(",", "."))
    if record:
        print(f"Biên bản bàn giao: {record}")
    print("Hãy đọc mã SHA-256 cho bên nhận đối chiếu; trao mật khẩu gói trực tiếp, không gửi kèm.")
    return 0


def _show(preview: receive.Preview) -> None:
    from db.handover import receive

    src = preview.manifest.get("source", {})
    kind = "đầy đủ" if preview.manifest.get("kind") == "full" else "bổ sung"
    print(f"Gói {kind} số {preview.manifest.get('seq')} của {preview.source_label}")
    print(f"SHA-256: {_sha(preview.sha256)}")
    if preview.other_commune:
        print(
            f"Lưu ý: gói là dữ liệu của {src.get('unit_name') or 'một xã khác'}, không phải "
            "của sổ này."
        )
    print(f"  {'':<22}" + "".join(f"{label:>11}" for _, label in COLUMNS))
    for table, counts in preview.tables.items():
        values = counts.as_dict()
        if any(values.values()):
            print(
                f"  {receive.TABLE_LABELS[table]:<22}"
                + "".join(f"{values[key]:>11,}".replace(",", ".") for key, _ in COLUMNS)
            )
    for note in preview.notes:
        print(f"Lưu ý: {note}")


def cmd_import(path: Path, args: argparse.Namespace) -> int:
    """Preview (--dry-run) or import a bundle."""
    from db.handover import conflicts, receive
    from reports.handover import facts_for_import, write_handover_record

    secret = ask_passphrase(args, new=False)
    with open_for_command(path, args) as reg:
        if args.dry_run:
            preview = receive.preview_bundle(reg, args.file, secret, progress=_progress)
            _show(preview)
            if preview.imported_at:
                print("Gói này đã được nhập trước đây; nhập lại sẽ không thay đổi gì.")
            if preview.other_commune:
                print("Nhập thật cần --accept-other-commune (sổ tổng hợp) hoặc --take-over.")
            print("Xem trước: chưa ghi gì vào sổ.")
            return 0
        result = receive.import_bundle(
            reg,
            args.file,
            secret,
            progress=_progress,
            accept_other_commune=args.accept_other_commune,
            take_over=args.take_over,
        )
        if not result.tables:
            print(
                f"Gói này đã được nhập lúc {conflicts.when(result.imported_at or '')}; "
                "không có gì thay đổi."
            )
            return 0
        _show(result)
        record = None
        if args.record and result.import_no is not None:
            record = write_handover_record(
                reg, facts_for_import(reg, result.import_no), args.record
            )
        waiting = conflicts.count_open(reg)
    print("Đã nhập gói vào sổ." + (" Đã nhận làm sổ của đơn vị mình." if result.took_over else ""))
    if waiting:
        print(f"Có {waiting} xung đột chờ chỉ huy quyết định: python main.py conflicts --db …")
    if record:
        print(f"Biên bản bàn giao: {record}")
    return 0


def cmd_conflicts(path: Path, args: argparse.Namespace) -> int:
    """List open conflicts, or resolve one."""
    from db.handover import conflicts

    with open_for_command(path, args) as reg:
        if args.resolve is not None:
            if not args.keep:
                raise UserError("Cần --keep local (giữ giá trị ở máy này) hoặc --keep remote.")
            conflicts.resolve_conflict(reg, args.resolve, args.keep)
            print(f"Đã giải quyết xung đột số {args.resolve}.")
            return 0
        rows = conflicts.open_conflicts(reg)
    if not rows:
        print("Không có xung đột nào chờ giải quyết.")
        return 0
    for c in rows:
        print(f"[{c['id']}] {c['table_label']} — {c['record']} — {c['field_label']}:")
        print(f"     máy này:    {c['local_shown']}  ({c['local_by']}, {c['local_when']})")
        print(f"     nhận được:  {c['remote_shown']}  ({c['remote_by']}, {c['remote_when']})")
    print(f"({len(rows)} xung đột; giải quyết: --resolve SỐ --keep local|remote)")
    return 0
