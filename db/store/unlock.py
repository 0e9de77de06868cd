"""Unlocking an encrypted register with an account's password, with the growing delays.

The whole try — the delay check, scrypt, and counting the result — holds the key file's lock
(db.store.lockout), so tries made in parallel are counted one after another.
"""

from __future__ import annotations

import time
from pathlib import Path

from db.core.errors import PasswordRequired, WrongPassword
from db.store import keys, lockout
from db.store.keyslots import Unlocked


def unlock(
    path: Path, user: str | None, password: str, clock: lockout.Clock = time.time
) -> tuple[str, Unlocked, int]:
    """(login, database key, wrong tries before this one) from an account's password.

    The key carries the chief secret when the account's slot holds it (db.store.seal).
    """
    with lockout.editing_keys(path):
        keyfile = keys.read_keys(path)
        if user is None:
            if len(keyfile.slots) != 1:
                raise PasswordRequired(
                    f"Sổ “{path}” có nhiều tài khoản: hãy cho biết tên đăng nhập."
                )
            user = next(iter(keyfile.slots))
        login = keys.normalize_login(user)
        lockout.check(path, login, clock)
        slot = keyfile.slots.get(login)
        try:
            if slot is None:
                keys.burn_time(password)
                raise WrongPassword("Tên đăng nhập hoặc mật khẩu không đúng.")
            key = keys.unwrap(slot, password)
        except WrongPassword:
            count = lockout.record_failure(path, login if slot is not None else None, clock)
            wait = lockout.delay_after(count)
            if wait:
                raise WrongPassword(
                    f"Tên đăng nhập hoặc mật khẩu không đúng (sai {count} lần liền; "
                    f"lần thử sau phải đợi {wait} giây)."
                ) from None
            raise
        return login, key, lockout.record_success(path, login)
