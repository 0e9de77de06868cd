"""Acting as the chief on a sealed register takes the chief secret, not only the chief's name.

Everyone who can open the register holds its key, so an officer can open the file with the key
naming the chief's login and get the chief's role from the accounts row. What the seal protects
(accounts, settings) already needs the chief secret (db.store.seal); the chief's other powers
that replace or remove files — restoring a backup, deleting old backups — ask for it here too:
the key must carry the secret the register's seal was signed with, which only a chief's slot
(unlocked with the chief's password) or the recovery code gives. A register never sealed (plain,
or from before the seal) goes by the role alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from db.store import keys, seal
from db.store.register import CHIEF, Register


def holds_chief_secret(conn: Any, key: bytes | None) -> bool:
    """Whether `key` carries the chief secret that the seal in `conn` was signed with."""
    secret = keys.chief_secret_of(key)
    if secret is None:
        return False
    found = seal.stored(conn)
    return found is None or found.public_key == seal.public_of(secret)


def needs_secret(path: Path, key: bytes | None) -> bool:
    """Whether the register at `path` is sealed, so that the chief's powers need the secret."""
    return key is not None and seal.must_be_sealed(path)


def acts_as_chief(reg: Register) -> bool:
    """Whether this session may do what only the chief does to the register's files."""
    if reg.role != CHIEF:
        return False
    return not needs_secret(reg.path, reg.key) or holds_chief_secret(reg.conn, reg.key)
