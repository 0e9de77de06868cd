"""What a password login brings up to date, while the password is at hand.

- A version 1 slot (the database key wrapped straight under the password) becomes a version 2
  slot (db.store.keyslots), so a later key change can reach it without the password.
- The first chief to sign in to a register made before the seal existed creates the register's
  chief secret, keeps it in their own slot and seals the accounts and settings (db.store.seal).
  (Other chiefs of such a register get the secret when a chief with it resets their password;
  the recovery slot gets it at the next use of the recovery code.)

Nothing here runs on read-only media or for a plain register.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.core.errors import UserError
from db.store import keys, lockout, records, seal
from db.store.permissions import CHIEF

if TYPE_CHECKING:
    from db.store.register import Register


def after_login(reg: Register, password: str) -> None:
    """Upgrade the signed-in account's slot and, for a chief of an unsealed register, seal it."""
    if reg.key is None or reg.read_only:
        return
    secret = keys.chief_secret_of(reg.key)
    new_secret = None
    if (reg.role == CHIEF and secret is None and seal.stored(reg.conn) is None
            and not seal.must_be_sealed(reg.path)):  # fmt: skip
        new_secret = seal.new_chief_secret()
    try:
        with lockout.editing_keys(reg.path):
            keyfile = keys.read_keys(reg.path)
            slot = keyfile.slots.get(reg.user)
            if slot is None or (slot.version == 2 and new_secret is None):
                return
            keyfile.slots[reg.user] = keys.wrap(reg.key, reg.user, password, new_secret or secret)
            if new_secret is None:
                keys.write_keys(reg.path, keyfile)
            else:  # the seal and the slot that can renew it stand or fall together
                with records.transaction(reg):
                    seal.write(reg, new_secret)
                    keys.write_keys(reg.path, keyfile)
    except UserError:
        return  # a key file that cannot be written now: the upgrade waits for the next login
    if new_secret is not None:
        reg.key = keys.Unlocked(reg.key, new_secret)
