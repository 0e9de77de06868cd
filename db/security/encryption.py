"""Making an encrypted register, converting a plain one, and opening one with the recovery code.

Each writes the new file beside the old under a temporary name, checks it, and only then puts it
in place with a rename, so a crash or a full disk leaves the register as it was. Converting holds
the register alone (db.store.hold) and makes no plain copy: the plain file itself stays in place,
untouched, until the verified encrypted one replaces it. The recovery code is handed to
`show_code` *before* that rename, so whoever converts has seen it before the plain file is gone
(a crash before the rename leaves the plain register and a code that opens nothing; the next
conversion shows a new one). A crash after it leaves the encrypted register, and the next start
removes any plain copy a migration made (db.store.leftovers).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from db.core import files
from db.core.errors import RegisterFileError
from db.core.textfold import clean
from db.security.recovery import unlock_with_recovery
from db.store import hold, keys, keyslots, records, seal, sqlerrors
from db.store.audit import log_event
from db.store.connect import SQLITE_HEADER, connect_file, make_private, register_state, sidecars
from db.store.register import CHIEF, Register, _open, open_register
from db.store.schema import APPLICATION_ID

# Made by earlier versions while converting; removed wherever found beside an encrypted register.
PLAIN_COPY_SUFFIX = ".truoc-ma-hoa.bak"
ShowCode = Callable[[str], None]


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


_sidecars = sidecars


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


def _add_chief(reg: Register, login: str, full_name: str, password: str, code: str) -> None:
    """The first chief: a new chief secret in their slot and in the recovery slot, and the
    accounts sealed with it (db.store.seal)."""
    assert reg.key is not None
    secret = seal.new_chief_secret()
    reg.key = keys.Unlocked(reg.key, secret)
    records.insert(reg, "accounts", {"login": login, "full_name": clean(full_name), "role": CHIEF})
    public = keys.recovery_pair(keys.recovery_secret(code))[1]
    keyfile = keys.KeyFile(
        {login: keys.wrap(reg.key, login, password, secret)},
        recovery=keyslots.recovery_slot(public, reg.key, secret),
    )
    keys.write_keys(reg.path, keyfile)


def create_register(
    path: str | os.PathLike[str],
    user: str,
    password: str,
    *,
    full_name: str = "",
    today: Callable[[], date] = date.today,
    show_code: ShowCode | None = None,
) -> tuple[Register, str]:
    """A new encrypted register whose first account is the chief's; returns it and the
    recovery code (to be shown once, and written down: `show_code` gets it before the new file
    is put in place, so a register never exists whose code nobody saw)."""
    path = Path(path).expanduser()
    if register_state(path) not in ("missing", "empty"):
        raise RegisterFileError(f"Đã có tệp “{path}”; sổ mới chỉ tạo ở tệp chưa có hoặc trống.")
    login = keys.check_login(user)
    keys.check_new_password(password, login)
    code, key = keys.new_recovery()
    with files.write_errors(path, files.Wording(what="tạo sổ")):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    work = path.with_name(path.name + ".tao-moi.tmp")
    with hold.alone(path, "tạo sổ") as held:
        _remove(work, keys.keys_path(work), *_sidecars(work))
        try:
            with _disk_errors(path, "tạo sổ"):
                with _open(work, key=key, user=login, today=today, role=CHIEF, held=held) as reg:
                    _add_chief(reg, login, full_name, password, code)
                    key = reg.key or key  # now carrying the chief secret
                if show_code is not None:
                    show_code(code)
                if register_state(path) not in ("missing", "empty"):
                    raise RegisterFileError(f"Đã có tệp “{path}” (vừa được tạo ở nơi khác).")
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
    show_code: ShowCode | None = None,
) -> tuple[Register, str]:
    """Convert a plain register into an encrypted one with a first chief account.

    Holds the register alone throughout; the plain file is replaced only by an encrypted copy
    that was checked (integrity, the row count of every table) and opened, after `show_code`
    was given the recovery code. The plain copies earlier migrations made are then removed (they
    hold the same personal data in clear). Returns the register and the recovery code.
    """
    path = Path(path).expanduser()
    if register_state(path) in ("missing", "empty"):
        return create_register(path, user, password, full_name=full_name, today=today,
                               show_code=show_code)  # fmt: skip
    if register_state(path) != "plain":
        raise RegisterFileError(f"Sổ “{path}” đã được mã hóa.")
    login = keys.check_login(user)
    keys.check_new_password(password, login)
    work = path.with_name(path.name + ".ma-hoa.tmp")
    with hold.alone(path, "mã hóa sổ") as held:
        _open(path, key=None, user=None, today=today, held=held).close()  # refuses a foreign or
        # newer file; migrates
        code, key = keys.new_recovery()
        _remove(work, keys.keys_path(work), *_sidecars(work))
        try:
            with _disk_errors(path, "mã hóa sổ"):
                _export(path, work, key)
                with _open(work, key=key, user=login, today=today, role=CHIEF, held=held) as reg:
                    _add_chief(reg, login, full_name, password, code)
                    log_event(reg, "encrypt", {"by": login})
                    key = reg.key or key  # now carrying the chief secret
                with work.open("rb") as handle:
                    if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                        raise RegisterFileError("Bản mã hóa vẫn là tệp không mã hóa.")
                if show_code is not None:
                    show_code(code)  # before the plain file is gone
                _remove(*_sidecars(path))  # merged into the file by the export's checkpoint
                files.replace(keys.keys_path(work), keys.keys_path(path))
                files.replace(work, path)
        finally:
            _remove(work, keys.keys_path(work), *_sidecars(work))
        for old in path.parent.glob(f"{path.name}.truoc-*.bak"):
            with old.open("rb") as handle:
                if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                    _remove(old)  # a plain copy: personal data in clear
    reg = open_register(path, user=login, key=key, today=today)
    return reg, code


def _export(path: Path, work: Path, key: bytes) -> None:
    """An encrypted copy of the plain register at `path`, checked against it."""
    with contextlib.closing(connect_file(path, cipher=True)) as source:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RegisterFileError(f"Sổ “{path}” bị hỏng nên chưa mã hóa được; sổ chưa bị đổi.")
        before = _counts(source)
        source.execute(f"ATTACH DATABASE ? AS encrypted KEY {keys.sql_key(key)}", [str(work)])
        make_private(work)
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


__all__ = ["PLAIN_COPY_SUFFIX", "create_register", "encrypt_register", "unlock_with_recovery"]
