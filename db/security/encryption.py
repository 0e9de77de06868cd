"""Making an encrypted register, converting a plain one, and opening one with the recovery code.

Each writes the new file beside the old under a temporary name, checks it, and only then puts it
in place with a rename, so a crash or a full disk leaves the register as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from db.core import files
from db.core.errors import RegisterFileError, UserError, WrongRecoveryCode
from db.core.textfold import clean
from db.store import keys, lockout, records, sqlerrors
from db.store.audit import log_event
from db.store.register import (
    CHIEF,
    SQLITE_HEADER,
    Register,
    _open,
    connect_file,
    copy_with_keys,
    open_register,
    register_state,
)
from db.store.schema import APPLICATION_ID

PLAIN_COPY_SUFFIX = ".truoc-ma-hoa.bak"


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


@contextlib.contextmanager
def _disk_errors(path: Path, what: str) -> Iterator[None]:
    """A failed write of the new file (a full disk above all): a clear message, the old file
    untouched."""
    wording = files.Wording(what=what, kept="sổ không bị thay đổi")
    try:
        yield
    except OSError as exc:
        raise files.write_error(path, exc, wording) from exc
    except sqlerrors.DB_ERRORS as exc:
        if sqlerrors.is_full(exc):
            raise files.disk_full(path, wording) from exc
        raise


def _add_chief(reg: Register, login: str, full_name: str, password: str) -> None:
    records.insert(reg, "accounts", {"login": login, "full_name": clean(full_name), "role": CHIEF})
    keyfile = keys.KeyFile({login: keys.wrap(reg.key or b"", login, password)})
    keys.write_keys(reg.path, keyfile)


def create_register(
    path: str | os.PathLike[str],
    user: str,
    password: str,
    *,
    full_name: str = "",
    today: Callable[[], date] = date.today,
) -> tuple[Register, str]:
    """A new encrypted register whose first account is the chief's; returns it and the
    recovery code (to be shown once, and written down)."""
    path = Path(path).expanduser()
    if register_state(path) not in ("missing", "empty"):
        raise RegisterFileError(f"Đã có tệp “{path}”; sổ mới chỉ tạo ở tệp chưa có hoặc trống.")
    login = keys.check_login(user)
    keys.check_new_password(password, login)
    code, key = keys.new_recovery()
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.with_name(path.name + ".tao-moi.tmp")
    _remove(work, keys.keys_path(work), *_sidecars(work))
    try:
        with _disk_errors(path, "tạo sổ"):
            with _open(work, key=key, user=login, today=today, role=CHIEF) as reg:
                _add_chief(reg, login, full_name, password)
            files.replace(keys.keys_path(work), keys.keys_path(path))
            files.replace(work, path)
    finally:
        _remove(work, keys.keys_path(work), *_sidecars(work))
    return open_register(path, user=login, key=key, today=today), code


def _counts(conn: object) -> dict[str, int]:
    execute = conn.execute  # type: ignore[attr-defined]
    names = [r[0] for r in execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: int(execute(f"SELECT count(*) FROM [{n}]").fetchone()[0]) for n in names}


def encrypt_register(
    path: str | os.PathLike[str],
    user: str,
    password: str,
    *,
    full_name: str = "",
    today: Callable[[], date] = date.today,
) -> tuple[Register, str]:
    """Convert a plain register into an encrypted one with a first chief account.

    A verified plain copy (`<name>.truoc-ma-hoa.bak`) is kept until the encrypted file has been
    checked and opened; then it and the older plain copies made before migrations are removed
    (they hold the same personal data in clear). Returns the register and the recovery code.
    """
    path = Path(path).expanduser()
    if register_state(path) in ("missing", "empty"):
        return create_register(path, user, password, full_name=full_name, today=today)
    if register_state(path) != "plain":
        raise RegisterFileError(f"Sổ “{path}” đã được mã hóa.")
    login = keys.check_login(user)
    keys.check_new_password(password, login)
    open_register(path, today=today).close()  # refuses a foreign/newer file; migrates
    code, key = keys.new_recovery()
    plain_copy = path.with_name(path.name + PLAIN_COPY_SUFFIX)
    work = path.with_name(path.name + ".ma-hoa.tmp")
    _remove(work, keys.keys_path(work), *_sidecars(work))
    try:
        with _disk_errors(path, "mã hóa sổ"):
            with contextlib.closing(connect_file(path, cipher=True)) as source:
                source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                copy_with_keys(source, plain_copy, None)
                with contextlib.closing(connect_file(plain_copy)) as check:
                    if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                        raise RegisterFileError(f"Không chép được sổ “{path}” trước khi mã hóa.")
                before = _counts(source)
                source.execute(f"ATTACH DATABASE ? AS encrypted KEY {keys.sql_key(key)}", [
                    str(work)])  # fmt: skip
                source.execute("SELECT sqlcipher_export('encrypted')")
                version = source.execute("PRAGMA user_version").fetchone()[0]
                source.execute(f"PRAGMA encrypted.user_version = {int(version)}")
                source.execute(f"PRAGMA encrypted.application_id = {APPLICATION_ID}")
                source.execute("DETACH DATABASE encrypted")
            with contextlib.closing(connect_file(work, key)) as check:
                sound = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                if not sound or _counts(check) != before:
                    raise RegisterFileError(
                        f"Bản mã hóa của sổ “{path}” không khớp bản gốc; sổ chưa bị thay đổi."
                    )
            with _open(work, key=key, user=login, today=today, role=CHIEF) as reg:
                _add_chief(reg, login, full_name, password)
                log_event(reg, "encrypt", {"by": login})
            with work.open("rb") as handle:
                if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                    raise RegisterFileError("Bản mã hóa vẫn là tệp không mã hóa.")
            _remove(*_sidecars(path))
            files.replace(keys.keys_path(work), keys.keys_path(path))
            files.replace(work, path)
    finally:
        _remove(work, keys.keys_path(work), *_sidecars(work))
    reg = open_register(path, user=login, key=key, today=today)
    for old in path.parent.glob(f"{path.name}.truoc-*.bak"):
        with old.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                _remove(old)  # a plain copy: personal data in clear
    return reg, code


def unlock_with_recovery(
    path: str | os.PathLike[str],
    code: str,
    new_password: str,
    *,
    user: str | None = None,
    today: Callable[[], date] = date.today,
) -> Register:
    """Open the register with the recovery code and give an account a new password.

    `user`: the account (by default the first active chief's). Works without the key file too:
    a new one is written with this account's slot (others then need a password reset).
    """
    path = Path(path).expanduser()
    if register_state(path) != "encrypted":
        raise RegisterFileError(f"Sổ “{path}” không phải sổ đã mã hóa.")
    key = keys.key_from_recovery(code)
    wrong = WrongRecoveryCode(
        f"Mã khôi phục không mở được sổ “{path}”: mã gõ sai, hoặc là mã của sổ khác."
    )
    with _open(path, key=key, user=None, today=today, role=CHIEF, wrong_key=wrong) as reg:
        query = "SELECT login FROM accounts WHERE disabled = 0 AND deleted = 0"
        args: list[str] = []
        if user is not None:
            query += " AND login = ?"
            args.append(keys.normalize_login(user))
        row = reg.db.execute(query + " ORDER BY role = 'chief' DESC, created_at", args).fetchone()
        if row is None:
            raise UserError(f"Không có tài khoản “{user}” đang dùng được trong sổ này.")
        login = str(row[0])
        keys.check_new_password(new_password, login)
        try:
            keyfile = keys.read_keys(path)
        except UserError:
            keyfile = keys.KeyFile()  # lost or damaged: start again with this account
        keyfile.slots[login] = keys.wrap(key, login, new_password)
        keys.write_keys(path, keyfile)
    lockout.record_success(path, login)
    reg = open_register(path, user=login, key=key, today=today)
    log_event(reg, "recover", {"login": login})
    return reg
