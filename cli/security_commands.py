"""Passwords on the command line, and `backup`, `restore`, `recover`.

Every command that opens a register calls `open_for_command`: the password comes from
`--password-file FILE`, else the environment variable SOTHEODOI_PASSWORD, else a prompt on the
terminal — never from an argument (others see those in the process list). A plain register from
before encryption is converted when a password is given; a new register gets its first chief
account, and its recovery code is printed once (on stderr, so stdout stays the command's result).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.core.errors import NotAllowed, PasswordRequired, UserError

# The register, its keys and the security modules (sqlite-utils, cryptography) are imported by
# the commands that use them, so `main.py --help` and the parser stay quick to start.
if TYPE_CHECKING:
    from db.store.register import Register

ENV_PASSWORD = "SOTHEODOI_PASSWORD"


def add_access_arguments(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """--password-file and --user (on the main parser, and again on each command)."""
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--password-file", type=Path, default=default, metavar="TỆP",
        help=f"đọc mật khẩu từ dòng đầu của tệp (hoặc đặt biến môi trường {ENV_PASSWORD})",
    )  # fmt: skip
    parser.add_argument("--user", default=default, metavar="TÊN", help="tên đăng nhập")


def add_security_parsers(sub: Any, command: Any) -> None:
    """`backup`, `restore`, `recover`."""
    p = command("backup", "sao lưu sổ (đã mã hóa, có kiểm tra đọc lại) vào một thư mục")
    p.add_argument("--to", type=Path, required=True, metavar="THƯ_MỤC", help="thư mục, ổ USB")
    p.add_argument("--keep", type=int, help="giữ lại bao nhiêu bản mới nhất (mặc định: cài đặt)")
    p = command("restore", "khôi phục sổ từ một bản sao lưu (giữ lại bản sổ cũ)")
    p.add_argument("source", type=Path, metavar="TỪ", help="tệp sao lưu")
    p = command("recover", "mở sổ bằng mã khôi phục khi quên mật khẩu, đặt mật khẩu mới")
    p.add_argument("--code-file", type=Path, metavar="TỆP", help="đọc mã khôi phục từ tệp")
    p = command(
        "change-key", "chỉ huy: đổi khóa mã hóa của sổ (sau khi khóa tài khoản, lộ mật khẩu)"
    )
    p.add_argument("--disable", metavar="TÊN", help="khóa tài khoản này rồi đổi khóa")
    p.set_defaults(handler=cmd_change_key)
    p = command("repair-seal", "chỉ huy: đưa tài khoản, cài đặt bị sửa thẳng vào tệp về như cũ")
    p.add_argument(
        "--accept",
        action="store_true",
        help="giữ thay đổi hiện tại và niêm phong lại (khi chính chỉ huy đã sửa)",
    )
    p.set_defaults(handler=cmd_repair_seal)


def _first_line(path: Path, what: str) -> str:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"Không đọc được {what} “{path}”: {exc.strerror or exc}.") from exc
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise UserError(f"Tệp {what} “{path}” trống.")
    return lines[0]


def given_password(args: argparse.Namespace) -> str | None:
    """The password from --password-file or the environment, if one was given."""
    file = getattr(args, "password_file", None)
    if file is not None:
        return _first_line(file, "mật khẩu")
    return os.environ.get(ENV_PASSWORD) or None


def ask_password(args: argparse.Namespace, *, new: bool = False) -> str:
    """The password given, or typed at the terminal (twice for a new one)."""
    given = given_password(args)
    if given is not None:
        return given
    if not (sys.stdin and sys.stdin.isatty()):
        raise PasswordRequired(
            f"Cần mật khẩu: dùng --password-file TỆP hoặc biến môi trường {ENV_PASSWORD}, "
            "hoặc chạy lệnh trong cửa sổ dòng lệnh để gõ mật khẩu."
        )
    password = getpass.getpass("Mật khẩu mới: " if new else "Mật khẩu: ")
    if new and getpass.getpass("Nhập lại mật khẩu mới: ") != password:
        raise UserError("Hai lần nhập mật khẩu không giống nhau; chưa có gì thay đổi.")
    return password


def print_recovery_code(code: str, login: str) -> None:
    """The recovery code, once, with what it is for."""
    print(
        f"\nĐã tạo tài khoản chỉ huy “{login}”. MÃ KHÔI PHỤC của sổ (chỉ hiện MỘT lần):\n\n"
        f"    {code}\n\n"
        "Hãy chép mã này ra giấy và cất nơi an toàn. Khi quên hết mật khẩu, mã này mở được sổ\n"
        "và mọi bản sao lưu (python main.py recover). Ai có mã này cũng mở được sổ.\n",
        file=sys.stderr,
    )


def open_for_command(path: Path, args: argparse.Namespace, *, create: bool = False,
                     reading: bool = False, verify_seal: bool = True) -> Register:  # fmt: skip
    """Open the register for a command, asking for the password as needed (see the module).

    `reading`: the command only reads; its login entry is written by `finish_reading` after it
    has read (so a reader never waits for the write lock before reading, and `check` verifies
    before anything is written), or not at all on read-only media.
    """
    from db.store import keys
    from db.store.register import default_user, open_register, register_state

    user = getattr(args, "user", None)
    state = register_state(path)
    if state == "encrypted":
        if not keys.keys_path(path).exists() and given_password(args) is None:
            return open_register(path)  # no key file beside it: says what the file may be
        return open_register(path, user=user, password=ask_password(args),
                             log_login=not reading, verify_seal=verify_seal)  # fmt: skip
    if state == "missing" and not create:
        return open_register(path)  # says it is not there
    new = state == "missing" or (state == "empty" and create)
    password = ask_password(args, new=True) if new else given_password(args)
    if password is None:
        return open_register(path, user=user)  # a plain register from before encryption
    login = keys.check_login(user or default_user())
    if state == "plain":
        print(f"Sổ “{path}” chưa được mã hóa: đang mã hóa…", file=sys.stderr)
    from db.security.encryption import encrypt_register  # (only to make or convert one)

    reg, _ = encrypt_register(path, login, password,
                              show_code=lambda code: print_recovery_code(code, login))  # fmt: skip
    return reg


def finish_reading(reg: Register) -> None:
    """The login entry of a reading command, written after it read (see open_for_command)."""
    from db.store.register import record_login

    if reg.failed_before is not None and not reg.read_only and not record_login(reg):
        print(
            "Lưu ý: sổ đang bận ghi ở chương trình khác nên lượt mở sổ này chưa được ghi vào "
            "nhật ký.",
            file=sys.stderr,
        )


def cmd_backup(path: Path, args: argparse.Namespace) -> int:
    """A verified backup into a folder (deleting older ones with --keep: the chief only)."""
    from db.security.backup import make_backup
    from db.store import keys

    with open_for_command(path, args, reading=True) as reg:
        made = make_backup(reg, args.to, keep=args.keep)
        finish_reading(reg)
    print(f"Đã sao lưu sổ “{path}” vào “{made}” (đã đọc lại và kiểm tra).")
    if keys.keys_path(made).exists():
        print(f"Tệp khóa đi kèm: “{keys.keys_path(made)}” (cần để mở bằng mật khẩu).")
    return 0


def cmd_restore(path: Path, args: argparse.Namespace) -> int:
    """Replace the register with a checked backup, keeping the old file (the chief only)."""
    from db.security.restore import restore
    from db.store import keys
    from db.store.check import file_problems
    from db.store.register import open_register, register_state, unlock

    source: Path = args.source
    key = login = None
    if register_state(source) == "encrypted" or keys.keys_path(path).exists():
        owner = path if keys.keys_path(path).exists() else source
        login, key, _ = unlock(owner, getattr(args, "user", None), ask_password(args))
    done = restore(path, source, key, login=login)
    print(f"Đã khôi phục sổ “{path}” từ “{source}” (bản sao lưu đã được kiểm tra).")
    if done.kept:
        print(f"Bản sổ cũ được giữ lại ở “{done.kept}”.")
        if done.lost_entries:
            print(
                f"Sổ cũ có {done.lost_entries} mục nhật ký sau bản sao lưu này (mốc "
                f"{done.old_anchor}); các thay đổi đó không có trong sổ đã khôi phục nhưng vẫn "
                f"còn trong bản giữ lại.",
                file=sys.stderr,
            )
    print(f"Mốc nhật ký của sổ đã khôi phục: {done.backup_anchor}.")
    try:
        with open_register(path, user=login, key=key, log_login=False) as reg:
            problems = file_problems(reg)
    except NotAllowed as exc:  # an account added after the backup is not in it
        print(f"Lưu ý: {exc.message}", file=sys.stderr)
        return 0
    for p in problems:
        print(f"  - {p.what}: {p.detail}", file=sys.stderr)
    return 3 if problems else 0


def cmd_recover(path: Path, args: argparse.Namespace) -> int:
    """Open with the recovery code and set a new password."""
    from db.security.encryption import unlock_with_recovery

    if args.code_file is not None:
        code = _first_line(args.code_file, "mã khôi phục")
    elif sys.stdin and sys.stdin.isatty():
        code = getpass.getpass("Mã khôi phục: ")
    else:
        raise UserError("Cần mã khôi phục: dùng --code-file TỆP, hoặc gõ trong cửa sổ dòng lệnh.")
    password = ask_password(args, new=True)
    with unlock_with_recovery(path, code, password, user=getattr(args, "user", None)) as reg:
        print(f"Đã mở sổ bằng mã khôi phục và đặt mật khẩu mới cho tài khoản “{reg.user}”.")
    return 0


def cmd_repair_seal(path: Path, args: argparse.Namespace) -> int:
    """The chief undoes (or accepts) direct edits of accounts and settings."""
    from db.security.seal_repair import repair_seal

    found = repair_seal(path, getattr(args, "user", None), ask_password(args), accept=args.accept)
    if not found:
        print(f"Niêm phong tài khoản và cài đặt của sổ “{path}” vẫn đúng; không có gì phải sửa.")
        return 0
    done = "Đã giữ và niêm phong lại" if args.accept else "Đã đưa về như đã niêm phong"
    print(f"{done} ({len(found)} chỗ):")
    for line in found:
        print(f"  - {line}")
    return 0


def _outbox_follows(reg: Register, old_key: bytes) -> None:
    """The reports sealed in the register's outbox, sealed again under its new key (an outbox
    never used has nothing to follow)."""
    from reports.build import reseal_outbox
    from reports.outbox import default_folder

    if default_folder(reg.path).is_dir():
        reseal_outbox(reg, old_key)


def cmd_change_key(path: Path, args: argparse.Namespace) -> int:
    """The chief changes the register's key (disabling an account first, if asked)."""
    from db.security.auth import disable_account
    from db.security.rekey import rotate_key
    from db.store import keys

    with open_for_command(path, args) as reg:
        if args.disable:
            stranded = disable_account(reg, args.disable, rotate=True, after=_outbox_follows)
            print(f"Đã khóa tài khoản “{keys.normalize_login(args.disable)}”.")
        else:
            stranded = rotate_key(reg, reason="chỉ huy đổi khóa", after=_outbox_follows)
    print(
        f"Đã đổi khóa mã hóa của sổ “{path}”. Mật khẩu và mã khôi phục vẫn dùng như cũ; khóa mở "
        "cũ (trong tệp khóa của các bản sao lưu trước) chỉ còn mở được các bản sao lưu đó."
    )
    for login in stranded:
        print(f"Tài khoản “{login}” cần được đặt lại mật khẩu (khóa mở kiểu cũ).", file=sys.stderr)
    return 0
