"""Restoring a backup over the register: the chief's, alone, never plain, whole after a crash.

- **Who**: the station chief (the account's row in the register, or in the backup when the
  register no longer opens). A plain register has no accounts and acts as the chief's. On a
  sealed register the key must also carry the chief secret its seal was signed with, so someone
  holding an officer's key cannot restore by naming the chief.
- **Never plain**: a plain backup is refused over an encrypted register (it would leave the
  register readable without a password, and its first user would make themselves chief).
- **Alone**: the register is held alone (db.store.hold) for the whole replacement, so it is
  refused while the window or any command has the register open — nothing a running instance
  reported saved can be replaced under it — and nobody can open it half-replaced.
- **Whole after a crash**: the old register is first merged with its WAL (a checkpoint) and
  copied whole, with any WAL that could not be merged, to `<name>.hong-<time>.bak`; the checked
  copy of the backup then replaces it in one rename. A kill at any moment leaves the old register
  or the new one at the path, and the old one is always in the kept copy too.
- **Told**: the restore is logged in the restored register with how many log entries the old one
  had beyond the backup (they are in the kept copy, not lost), and both chain anchors.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from db.core import files
from db.core.errors import BackupDamaged, NotAllowed, RegisterFileError
from db.security.chief import holds_chief_secret, needs_secret
from db.security.verify import verify_file, writing
from db.store import anchor, hold, keys
from db.store.anchor import anchor_code, chain_head, holds
from db.store.audit import log_event
from db.store.connect import connect_file, key_opens, make_private, register_state, sidecars
from db.store.register import CHIEF, _open, default_user
from db.store.sqlerrors import DB_ERRORS

_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Restored:
    """What a restore did: the kept copy of the old register and what it held beyond the backup.

    `lost_entries`: log entries of the old register after the backup's newest one (None: the old
    register did not open, or it is not a later state of the backup).
    """

    kept: Path | None
    lost_entries: int | None
    backup_anchor: str
    old_anchor: str | None


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _account_role(path: Path, key: bytes, login: str | None, *, sound: bool = False
                  ) -> str | None:  # fmt: skip
    """The role of an active account in a register file (None: no such active account);
    RegisterFileError if the file does not open with the key (or, `sound`, fails SQLite's quick
    check: a damaged register's rows are not trusted)."""
    try:
        with contextlib.closing(connect_file(path, key)) as conn:
            if not key_opens(conn):
                raise RegisterFileError(f"“{path}” không mở được bằng khóa này.")
            if sound and conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise RegisterFileError(f"“{path}” bị hỏng.")
            if login is None:
                return None
            row = conn.execute(
                "SELECT role FROM accounts WHERE login = ? AND disabled = 0 AND deleted = 0",
                [login],
            ).fetchone()
    except DB_ERRORS as exc:
        raise RegisterFileError(f"“{path}” không đọc được.") from exc
    return None if row is None else str(row[0])


def _signed_by_chief(path: Path, key: bytes) -> bool:
    """Whether `key` carries the chief secret the register's seal was signed with (a key
    unwrapped from a chief's slot does; an officer's key naming the chief does not)."""
    try:
        with contextlib.closing(connect_file(path, key)) as conn:
            return holds_chief_secret(conn, key)
    except DB_ERRORS:
        return False


def _require_chief(register_path: Path, backup: Path, key: bytes | None, login: str | None
                   ) -> None:  # fmt: skip
    """NotAllowed unless `login` is an active chief of the register (or, when the register no
    longer opens, of the backup)."""
    if key is None:
        return  # a plain register has no accounts: the chief's
    try:
        role = _account_role(register_path, key, login, sound=True)
        opens = True
    except RegisterFileError:
        opens = False
    if not opens:
        if login is None:
            return  # a damaged register at start (the window): whoever unlocked the backup
        role = _account_role(backup, key, login)
    sealed = opens and needs_secret(register_path, key)
    if role == CHIEF and sealed and not _signed_by_chief(register_path, key):
        raise NotAllowed(
            "Khôi phục sổ cần khóa niêm phong của chỉ huy: hãy đăng nhập bằng mật khẩu của chỉ "
            "huy; sổ không bị thay đổi."
        )
    if role != CHIEF:
        raise NotAllowed(
            f"Chỉ tài khoản chỉ huy mới được khôi phục sổ từ bản sao lưu"
            f"{'' if login is None else f'; tài khoản “{login}” không phải chỉ huy'}. "
            "Hãy nhờ chỉ huy đăng nhập để làm; sổ không bị thay đổi."
        )


def _check_source(register_path: Path, backup: Path, key: bytes | None) -> bool:
    """Refuse a backup that cannot be restored; returns whether it is encrypted."""
    state = register_state(backup)
    if state not in ("plain", "encrypted"):
        raise BackupDamaged(f"Không có bản sao lưu “{backup}” (tệp trống hoặc không tồn tại).")
    encrypted_now = (register_state(register_path) == "encrypted"
                     or keys.keys_path(register_path).exists())  # fmt: skip
    if state == "plain" and (encrypted_now or key is not None):
        raise RegisterFileError(
            f"Bản sao lưu “{backup}” là tệp KHÔNG mã hóa, còn sổ “{register_path}” đã mã hóa: "
            "khôi phục bản này sẽ để lộ dữ liệu (ai cũng đọc được, không cần mật khẩu) nên bị "
            "từ chối. Hãy chọn một bản sao lưu đã mã hóa của sổ này; sổ không bị thay đổi."
        )
    if state == "encrypted" and key is None:
        raise RegisterFileError(f"Bản sao lưu “{backup}” đã mã hóa: cần mật khẩu để khôi phục.")
    problems = verify_file(backup, key if state == "encrypted" else None)
    if problems:
        raise BackupDamaged(
            f"Bản sao lưu “{backup}” không dùng được: {problems[0].what.lower()}"
            f"{f' ({problems[0].detail})' if problems[0].detail else ''}. Sổ hiện tại không bị "
            "thay đổi; hãy chọn bản sao lưu khác."
        )
    return state == "encrypted"


def _settle(path: Path, key: bytes | None) -> tuple[int, str] | None:
    """Merge the old register's WAL into it (nobody else has it open) and read its chain head;
    None if it does not open (damaged): its WAL then stays for the kept copy."""
    try:
        with contextlib.closing(connect_file(path, key)) as conn:
            if key is not None and not key_opens(conn):
                return None
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            head = chain_head(conn)
    except DB_ERRORS:
        return None
    return head


def _keep_old(path: Path) -> Path:
    """A whole copy of the old register (and any WAL not merged into it), fsynced.

    Each file is copied under a temporary name and renamed when whole: killed while copying,
    the restore leaves a `.tmp` the next opening clears, never a half copy under the kept name
    (its WAL is renamed first, so the kept copy never opens without the commits it holds)."""
    kept = path.with_name(f"{path.name}.hong-{datetime.now().strftime(_STAMP)}.bak")
    pairs = []
    wal = sidecars(path)[0]
    if wal.exists() and wal.stat().st_size > 0:
        pairs.append((wal, kept.with_name(kept.name + "-wal")))
    pairs.append((path, kept))
    for source, target in pairs:
        part = path.with_name(f"{path.name}.hong.tmp")
        shutil.copyfile(source, part)
        make_private(part)
        files.fsync_file(part)
        os.replace(part, target)
    files.sync_folder(path.parent)
    return kept


def _lost(kept: Path, key: bytes | None, old: tuple[int, str] | None, new: tuple[int, str]
          ) -> int | None:  # fmt: skip
    if old is None:
        return None
    try:
        with contextlib.closing(connect_file(kept, key)) as conn:
            if holds(conn, new[0], new[1]) is not True:
                return None  # the backup is not an earlier state of this register
    except DB_ERRORS:
        return None
    return old[0] - new[0]


def restore(register_path: Path, backup: Path, key: bytes | None, *, login: str | None = None
            ) -> Restored:  # fmt: skip
    """Put a checked backup in place of the register (see the module); nothing changes if the
    backup fails its check, the account is not the chief's, or the register is open elsewhere."""
    register_path, backup = Path(register_path), Path(backup)
    encrypted = _check_source(register_path, backup, key)
    source_key = key if encrypted else None
    login = None if login is None else keys.normalize_login(login)
    _require_chief(register_path, backup, source_key, login)
    work = register_path.with_name(register_path.name + ".khoi-phuc.tmp")
    temporaries = [work, *sidecars(work), work.with_name(work.name + "-journal")]
    with hold.alone(register_path, "khôi phục sổ") as held:
        kept = old = None
        try:
            with writing(register_path, "khôi phục", backup.stat().st_size * 2):
                shutil.copyfile(backup, work)
                make_private(work)
                files.fsync_file(work)
                if verify_file(work, source_key):
                    raise BackupDamaged(
                        f"Chép bản sao lưu “{backup}” bị lỗi; sổ không bị thay đổi."
                    )
                with contextlib.closing(connect_file(work, source_key)) as conn:
                    new = chain_head(conn)
                if register_path.exists():
                    old = _settle(register_path, source_key)
                    kept = _keep_old(register_path)
                # The old file's WAL must never be replayed into the restored one: merged above,
                # or (a damaged file) kept beside the kept copy.
                _remove(*sidecars(register_path))
                files.replace(work, register_path)
                if keys.keys_path(backup).exists() and not keys.keys_path(register_path).exists():
                    keys.copy_keys(backup, register_path)
        finally:
            _remove(*temporaries)
        lost = None if kept is None else _lost(kept, source_key, old, new)
        result = Restored(kept, lost, anchor_code(*new), None if old is None else anchor_code(*old))
        if encrypted and not keys.keys_path(register_path).exists():
            raise RegisterFileError(
                f"Đã khôi phục sổ “{register_path}” nhưng không có tệp khóa; hãy mở bằng mã khôi "
                "phục."
            )
        with _open(register_path, key=source_key, user=login or default_user(), today=date.today,
                   role=CHIEF, held=held) as reg:  # fmt: skip
            log_event(reg, "restore", {
                "from": str(backup), "kept": str(kept or ""), "lost_entries": lost,
                "backup_anchor": result.backup_anchor, "old_anchor": result.old_anchor,
            })  # fmt: skip
            anchor.keep(reg, force=True)  # the log now ends here, by the chief's choice
    return result


def restore_backup(register_path: Path, backup: Path, key: bytes | None, *,
                   login: str | None = None) -> Path | None:  # fmt: skip
    """`restore`, returning the kept copy of the old file (None: there was none)."""
    return restore(register_path, backup, key, login=login).kept
