"""Roles: who may do what is decided in db/, not by what the window hides.

**cán bộ** (officer) keeps the records; **chỉ huy** (station chief) also manages accounts and
settings, signs off decisions and resolves handover conflicts. A plain register (tests, files from
before encryption) has no accounts and acts as the chief's. Accounts themselves live in
`db.security.auth`; this module is the check every layer above the store may call.
"""

from __future__ import annotations

from db.core.errors import NotAllowed
from db.store.register import CHIEF, OFFICER, Register

ROLE_LABELS = {OFFICER: "Cán bộ", CHIEF: "Chỉ huy"}


def require_chief(reg: Register, what: str = "làm việc này") -> None:
    """NotAllowed unless the signed-in account is the station chief's."""
    if reg.role != CHIEF:
        raise NotAllowed(
            f"Chỉ tài khoản chỉ huy mới được {what}; tài khoản “{reg.user}” là cán bộ. "
            "Hãy nhờ chỉ huy đăng nhập để làm."
        )
