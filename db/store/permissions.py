"""Which writes need the station chief: one table, checked on the one write path.

Every change to the register goes through `db.store.records` (rows) or its `log_change` (events
and rows merged from a bundle), and both ask `require` before anything is written; so a write
that needs the chief is refused in db/, whichever screen, command, import or script asks for it.

- Row changes of `CHIEF_TABLES` (accounts; settings — every setting is the chief's to change).
- Events in `CHIEF_EVENTS` (signing off a decision, restoring a backup, changing the register's
  key); a `password` event for another account (a reset); a `password` event for one's own
  account (changing one's password) is anyone's.
- Everything else — people, episodes, tests, contacts, places, the calendar, prints, exports,
  backups, logins — is any account's. A plain register (no accounts) acts as the chief's.
"""

from __future__ import annotations

from typing import Protocol

from db.core.errors import NotAllowed

CHIEF = "chief"
OFFICER = "officer"

ROW_ACTIONS = frozenset({"insert", "update", "delete", "bulk"})
CHIEF_TABLES: dict[str, str] = {
    "accounts": "thay đổi tài khoản",
    "settings": "thay đổi cài đặt",
    "province_plan": "đặt chỉ tiêu kế hoạch của tỉnh",
}
CHIEF_EVENTS: dict[str, str] = {
    "sign_off": "duyệt quyết định",
    "restore": "khôi phục sổ từ bản sao lưu",
    "rekey": "đổi khóa mã hóa của sổ",
    "seal": "niêm phong lại tài khoản và cài đặt",
}


class _Session(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def user(self) -> str: ...


def chief_needed(table: str, action: str, changes: object = None, user: str = "") -> str | None:
    """What a write is, in words, if it needs the chief (None: any account may make it)."""
    if action in ROW_ACTIONS:
        return CHIEF_TABLES.get(table)
    if action in CHIEF_EVENTS:
        return CHIEF_EVENTS[action]
    if action == "password":
        login = changes.get("login") if isinstance(changes, dict) else None
        kind = changes.get("kind") if isinstance(changes, dict) else None
        if login != user or kind != "change":
            return "đặt lại mật khẩu của tài khoản khác"
    return None


def refusal(reg: _Session, what: str) -> NotAllowed:
    """The message for a write the signed-in account's role may not make."""
    return NotAllowed(
        f"Chỉ tài khoản chỉ huy mới được {what}; tài khoản “{reg.user}” là cán bộ. "
        "Hãy nhờ chỉ huy đăng nhập để làm."
    )


def require(reg: _Session, table: str, action: str, changes: object = None) -> None:
    """NotAllowed unless the signed-in account may make this write."""
    if reg.role == CHIEF:
        return
    what = chief_needed(table, action, changes, reg.user)
    if what is not None:
        raise refusal(reg, what)
