"""Opening a register with the recovery code and giving an account a new password.

The code opens the register through the key file's recovery slot (which a key change keeps up to
date), or — the key file lost, or a register made before recovery slots — through the key it
first stood for (db.store.keys). The code holder is the register's last authority: the account
given a new password, if a chief's, gets the chief secret back (db.store.seal); where no slot
holds that secret any more, a new one is made and the seal signed again with it — only if the
seal still holds, so a direct edit of the accounts is never accepted this way (the chief then
repairs it: db.security.seal_repair).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from db.core.errors import RegisterFileError, UserError, WrongRecoveryCode
from db.store import keys, keyslots, lockout, records, seal
from db.store.audit import log_event
from db.store.connect import register_state
from db.store.register import CHIEF, Register, _open, open_register


def _candidates(path: Path, code: str) -> list[bytes]:
    """The keys the code may stand for, the recovery slot's first."""
    secret = keys.recovery_secret(code)
    found: list[bytes] = []
    try:
        keyfile = keys.read_keys(path)
    except UserError:
        keyfile = None
    if keyfile is not None and keyfile.recovery is not None:
        private = keys.recovery_pair(secret)[0]
        unlocked = keyslots.open_recovery(keyfile.recovery, private)
        if unlocked is not None:
            found.append(unlocked)
    found.append(keys.Unlocked(keys.key_from_recovery(code)))
    return found


def _open_with_code(path: Path, code: str, today: Callable[[], date]) -> Register:
    wrong = WrongRecoveryCode(
        f"Mã khôi phục không mở được sổ “{path}”: mã gõ sai, hoặc là mã của sổ khác."
    )
    for key in _candidates(path, code):
        try:
            return _open(path, key=key, user=None, today=today, role=CHIEF, wrong_key=wrong,
                         verify_seal=False)  # fmt: skip
        except WrongRecoveryCode:
            continue
    raise wrong


def _chief_secret(reg: Register) -> bytes | None:
    """The chief secret for this session: the recovery slot's, or a new one if the seal still
    holds (or the register was never sealed); None if the seal is broken and no slot has it."""
    secret = keys.chief_secret_of(reg.key)
    if secret is not None:
        return secret
    if seal.problems(reg.conn, None, must_be_sealed=False):
        return None
    secret = seal.new_chief_secret()
    with records.transaction(reg):
        seal.write(reg, secret)
    return secret


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
    a new one is written with this account's slot and the recovery slot (others then need a
    password reset).
    """
    path = Path(path).expanduser()
    if register_state(path) != "encrypted":
        raise RegisterFileError(f"Sổ “{path}” không phải sổ đã mã hóa.")
    secret_of_code = keys.recovery_secret(code)
    with _open_with_code(path, code, today) as reg:
        query = "SELECT login, role FROM accounts WHERE disabled = 0 AND deleted = 0"
        args: list[str] = []
        if user is not None:
            query += " AND login = ?"
            args.append(keys.normalize_login(user))
        row = reg.db.execute(query + " ORDER BY role = 'chief' DESC, created_at", args).fetchone()
        if row is None:
            raise UserError(f"Không có tài khoản “{user}” đang dùng được trong sổ này.")
        login, role = str(row[0]), str(row[1])
        keys.check_new_password(new_password, login)
        assert reg.key is not None
        chief_secret = _chief_secret(reg)
        key = keys.Unlocked(reg.key, chief_secret)
        with lockout.editing_keys(path):
            try:
                keyfile = keys.read_keys(path)
            except UserError:
                keyfile = keys.KeyFile()  # lost or damaged: start again with this account
            given = chief_secret if role == CHIEF else None
            keyfile.slots[login] = keys.wrap(key, login, new_password, given)
            if chief_secret is not None:
                public = keys.recovery_pair(secret_of_code)[1]
                keyfile.recovery = keyslots.recovery_slot(public, key, chief_secret)
            keys.write_keys(path, keyfile)
    lockout.record_success(path, login)
    session_key = keys.Unlocked(key, given)  # an officer's session never holds the secret
    reg = open_register(path, user=login, key=session_key, today=today)
    log_event(reg, "recover", {"login": login})
    return reg
