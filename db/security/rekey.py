"""Changing the register's key (revocation): old key slots then open only old backups.

Every account's password unlocks the same database key, so an account that is disabled — or a
password someone else may know — still opens every copy of the register made while that slot
was valid, and, without a key change, the register itself from any backup's key file. Changing
the key (the chief only; `disable_account(..., rotate=True)`, `reset_password(..., rotate=True)`)
makes a new random key, re-encrypts the register under it, and gives it to every remaining
account through its slot's envelope (db.store.keyslots) and to the recovery code through the
recovery slot — without anyone's password. Backups made before keep the old key: they still open
with the old passwords (and the recovery code), and only they do.

Crash safety: the register is held alone (db.store.hold; refused while others have it open),
copied under the new key into a temporary file (`sqlcipher_export`) and checked; the key file is
then written with each envelope holding the new key *and* the one before (`previous`); the copy
replaces the register in one rename; the key file is written again without the old key. A kill
at any moment leaves a register that the key file opens (opening tries the previous key when
the new one does not fit).

Files sealed under the register's key outside it (the outbox of reports, reports.build) must
follow: the caller passes `after` (reports.build.reseal_outbox), run once the register is on the
new key and *before* the key file forgets the old one. A kill before it has run, or a caller that
passes nothing, leaves the old key in the key file, so the next session still has it
(`Unlocked.previous`) and the outbox follows by itself there (reports.build.outbox_for).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.core import files
from db.core.errors import NotAllowed, RegisterFileError, UserError
from db.store import anchor, hold, keys, keyslots, lockout
from db.store.audit import log_event
from db.store.connect import connect_file, make_private, sidecars
from db.store.permissions import CHIEF, refusal
from db.store.register import Register, _open
from db.store.schema import APPLICATION_ID

Follow = Callable[[Register, bytes], object]  # (the session on the new key, the old key)


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _counts(conn: Any) -> dict[str, int]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: int(conn.execute(f"SELECT count(*) FROM [{n}]").fetchone()[0]) for n in names}


def _export(conn: Any, work: Path, new_key: bytes) -> None:
    """The open register, copied into `work` under `new_key`, and checked against it."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _counts(conn)
    conn.execute(f"ATTACH DATABASE ? AS rekeyed KEY {keys.sql_key(new_key)}", [str(work)])
    try:
        make_private(work)
        conn.execute("SELECT sqlcipher_export('rekeyed')")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute(f"PRAGMA rekeyed.user_version = {version}")
        conn.execute(f"PRAGMA rekeyed.application_id = {APPLICATION_ID}")
    finally:
        conn.execute("DETACH DATABASE rekeyed")
    files.fsync_file(work)
    with contextlib.closing(connect_file(work, new_key)) as check:
        sound = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if not sound or _counts(check) != before:
            raise RegisterFileError("Bản sổ mã hóa bằng khóa mới không khớp bản cũ; sổ không đổi.")


def _new_keyfile(
    path: Path, new_key: bytes, old_key: bytes, secret: bytes, dropped: set[str],
    keep_previous: bool,
) -> tuple[keys.KeyFile, list[str]]:  # fmt: skip
    """The key file with every remaining slot (and the recovery slot) given the new key;
    returns it and the accounts whose old-style slots cannot follow (they need a new password)."""
    keyfile = keys.read_keys(path)
    previous = old_key if keep_previous else None
    slots: dict[str, keyslots.Slot] = {}
    stranded = []
    for login, slot in keyfile.slots.items():
        if login in dropped:
            continue
        renewed = keyslots.reenvelope(slot, new_key, previous)
        if renewed is None:
            stranded.append(login)
            continue
        slots[login] = renewed
    recovery = keyfile.recovery
    if recovery is not None:
        recovery = keyslots.recovery_slot(recovery.public, new_key, secret, previous)
    return keys.KeyFile(slots, recovery, keyfile.lockout), stranded


def rotate_key(reg: Register, *, reason: str = "", drop: tuple[str, ...] = (),
               after: Follow | None = None) -> list[str]:  # fmt: skip
    """Re-encrypt the register under a new key (the chief only; see the module). `drop`: slots
    removed in the same step (a disabled account). `after(reg, old_key)`: what is sealed under
    the register's key outside it follows (reports.build.reseal_outbox); without it the key
    file keeps the old key for the next session. Returns the accounts that now need a new
    password (slots from before version 2, which only their password could have renewed).

    Every other instance must be closed (the window's workers too): RegisterLocked otherwise.
    """
    if reg.role != CHIEF:
        raise refusal(reg, "đổi khóa mã hóa của sổ")
    if reg.key is None:
        raise RegisterFileError("Sổ này chưa mã hóa: không có khóa để đổi.")
    secret = keys.chief_secret_of(reg.key)
    if secret is None:
        raise NotAllowed("Đổi khóa cần khóa niêm phong của chỉ huy: hãy đăng nhập bằng mật khẩu.")
    if keys.read_keys(reg.path).recovery is None:
        raise RegisterFileError(
            "Sổ này chưa có ngăn khôi phục trong tệp khóa, nên sau khi đổi khóa mã khôi phục sẽ "
            "không mở được sổ. Hãy dùng mã khôi phục một lần (lệnh recover) rồi đổi khóa."
        )
    old_key, new_key = bytes(reg.key), secrets.token_bytes(keys.KEY_BYTES)
    path, work = reg.path, reg.path.with_name(reg.path.name + ".doi-khoa.tmp")
    if reg.hold is not None:
        reg.hold.release()
    try:
        held = hold.alone(path, "đổi khóa mã hóa của sổ")
    except BaseException:
        reg.hold = hold.share(path)  # refused: the session goes on as it was
        raise
    stranded: list[str] = []
    closed = False
    try:
        _remove(work, *sidecars(work))
        try:
            _export(reg.conn, work, new_key)
            with lockout.editing_keys(path):
                keyfile, stranded = _new_keyfile(path, new_key, old_key, secret, set(drop), True)
                keys.write_keys(path, keyfile)  # both keys: whichever file is in place opens
                reg.conn.close()
                closed = True
                _remove(*sidecars(path))  # merged by the export's checkpoint
                files.replace(work, path)
        finally:
            _remove(work, *sidecars(work))
            if closed:  # the session goes on, on whichever file is in place
                either = keys.Unlocked(new_key, secret, previous=old_key)
                fresh = _open(path, key=either, user=reg.user, today=reg.today, role=CHIEF,
                              held=held)  # fmt: skip
                reg.db, reg.key = Database(fresh.conn), fresh.key
        # The kept anchor is sealed under the register's key: renewed at once (until then a kill
        # leaves one that `check` cannot read), and again with the rekey entry.
        anchor.keep(reg, force=True)
        log_event(reg, "rekey", {"reason": reason, "removed": sorted(drop),
                                 "need_new_password": stranded})  # fmt: skip
        anchor.keep(reg, force=True)
        if after is not None:
            try:
                after(reg, old_key)  # a kill here: the key file still holds the old key
            except (UserError, OSError):
                # The key did change; what follows it (the outbox, locked or on a full disk)
                # does so at the next opening, from the old key the key file still holds.
                return stranded
            with lockout.editing_keys(path):  # followed: the old key is forgotten
                keyfile, _ = _new_keyfile(path, new_key, old_key, secret, set(), False)
                keys.write_keys(path, keyfile)
    finally:
        held.share()
        reg.hold = held
    return stranded
