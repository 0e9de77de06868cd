"""Roles: who may do what is decided in db/, not by what the window hides.

**cán bộ** (officer) keeps the records; **chỉ huy** (station chief) also manages accounts and
settings, signs off decisions and resolves handover conflicts. A plain register (tests, files from
before encryption) has no accounts and acts as the chief's. Accounts themselves live in
`db.security.auth`; this module is the check every layer above the store may call, and
`db.store.permissions` the table of writes that need the chief, checked on the write path.
"""

from __future__ import annotations

from db.store.permissions import CHIEF, OFFICER, refusal
from db.store.register import Register

ROLE_LABELS = {OFFICER: "Cán bộ", CHIEF: "Chỉ huy"}


def require_chief(reg: Register, what: str = "làm việc này") -> None:
    """NotAllowed unless the signed-in account is the station chief's (for what is not a write:
    writes are checked on the write path itself, by db.store.permissions)."""
    if reg.role != CHIEF:
        raise refusal(reg, what)
