"""The credentials the province issues to communes: one bearer token per commune, revocable.

A token is 256 random bits (URL-safe text) shown once when it is made; the register keeps only
its SHA-256 (a token this long needs no slow hash: there is nothing to guess), the commune it
speaks for and its last four characters to tell tokens apart. Issuing and revoking are the
chief's and are logged (as credential events, like the commune's own upload credential).

A commune is named by its code — the id of its register (`register_id` in what it uploads; the
commune sees it with `report outbox list --json`) — or, when the province register already knows
the commune from its bundles, by a unique part of that code or of its name.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from db.core.errors import NotFound, UserError
from db.core.stamps import new_id, now_utc
from db.core.textfold import fold
from db.store import seal
from db.store.audit import log_event
from db.store.records import transaction
from db.store.register import Register
from db.store.roles import require_chief

_CODE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_COLUMNS = "id, commune_id, commune_name, hint, created_at, created_by, revoked_at, last_used_at"


@dataclass(frozen=True)
class Token:
    """An issued token as the register keeps it (never the token itself)."""

    id: str
    commune_id: str
    commune_name: str
    hint: str
    created_at: str
    created_by: str
    revoked_at: str | None
    last_used_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def token_hash(token: str) -> str:
    """What the register keeps of a token."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def known_communes(reg: Register) -> dict[str, str]:
    """Communes this register knows from bundles it received: code → name."""
    rows = reg.conn.execute(
        "SELECT commune_id, commune_name, unit_name FROM handover_peers ORDER BY last_seen"
    ).fetchall()
    return {str(c): str(n or u or "") for c, n, u in rows if c and c != reg.commune_id}


def resolve_commune(reg: Register, text: str) -> tuple[str, str]:
    """(code, name) of the commune `text` names: its code, or a unique part of a known
    commune's code or name. UserError naming the field `commune` otherwise."""
    wanted = (text or "").strip()
    if not wanted:
        raise UserError("Cần mã xã (--commune).", field="commune")
    known = known_communes(reg)
    code = wanted.lower()
    if _CODE.fullmatch(code):
        return code, known.get(code, "")
    folded = fold(wanted)
    found = {c: n for c, n in known.items() if c.startswith(code) or (folded and folded in fold(n))}
    if len(found) == 1:
        return next(iter(found.items()))
    if found:
        names = ", ".join(f"{n or '?'} ({c[:8]})" for c, n in found.items())
        raise UserError(f"“{wanted}” khớp nhiều xã: {names}. Hãy gõ rõ hơn.", field="commune")
    raise UserError(
        f"Không biết xã “{wanted}”: cần mã xã (dạng xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, xã xem "
        "bằng `report outbox list --json`, mục register_id) hoặc tên một xã đã gửi gói dữ liệu "
        "cho tỉnh.",
        field="commune",
    )


def _token(row: tuple[object, ...]) -> Token:
    return Token(*(None if v is None else str(v) for v in row))  # type: ignore[arg-type]


def add_token(reg: Register, commune: str) -> tuple[Token, str]:
    """Issue a new token for a commune (the chief): (what is kept, the token to hand over)."""
    require_chief(reg, "cấp mã xác thực cho xã")
    code, name = resolve_commune(reg, commune)
    secret = secrets.token_urlsafe(32)
    row = (new_id(), code, name, token_hash(secret), secret[-4:], now_utc(), reg.user)
    with transaction(reg):
        reg.conn.execute(
            "INSERT INTO inbox_tokens (id, commune_id, commune_name, token_hash, hint, "
            "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            row,
        )
        # A credential event: the write path lets only the chief log it (db.store.permissions).
        seal.reseal(reg)  # tokens are sealed by the chief: one added directly is refused at open
        log_event(reg, "password", {"what": "inbox_token", "action": "add", "token_id": row[0],
                                    "commune_id": code, "token": f"…{secret[-4:]}"})  # fmt: skip
    return get_token(reg, row[0]), secret


def get_token(reg: Register, token_id: str) -> Token:
    """One token by its id, or by the first characters of it."""
    wanted = token_id.strip().lower()
    rows = reg.conn.execute(
        f"SELECT {_COLUMNS} FROM inbox_tokens WHERE substr(id, 1, ?) = ? ORDER BY created_at",
        [len(wanted), wanted],
    ).fetchall()
    if len(rows) == 1 and wanted:
        return _token(rows[0])
    if len(rows) > 1:
        raise UserError(f"Mã “{token_id}” khớp {len(rows)} mã xác thực; hãy gõ thêm ký tự.")
    raise NotFound(f"Không có mã xác thực “{token_id}” (xem bằng `inbox token list`).")


def revoke_token(reg: Register, token_id: str) -> Token:
    """Revoke one token (the chief): uploads carrying it are refused from now on."""
    require_chief(reg, "thu hồi mã xác thực của xã")
    token = get_token(reg, token_id)
    if not token.active:
        return token
    with transaction(reg):
        reg.conn.execute(
            "UPDATE inbox_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?",
            [now_utc(), reg.user, token.id],
        )
        seal.reseal(reg)
        log_event(reg, "password", {"what": "inbox_token", "action": "revoke",
                                    "token_id": token.id, "commune_id": token.commune_id,
                                    "token": f"…{token.hint}"})  # fmt: skip
    return get_token(reg, token.id)


def list_tokens(reg: Register) -> list[Token]:
    """Every token issued, active ones first, then by commune and date."""
    rows = reg.conn.execute(
        f"SELECT {_COLUMNS} FROM inbox_tokens "
        "ORDER BY revoked_at IS NOT NULL, commune_name, commune_id, created_at"
    ).fetchall()
    return [_token(r) for r in rows]


def find_token(reg: Register, presented: str) -> Token | None:
    """The token `presented` is, revoked or not (None: not one this province issued)."""
    if not presented:
        return None
    row = reg.conn.execute(
        f"SELECT {_COLUMNS} FROM inbox_tokens WHERE token_hash = ?", [token_hash(presented)]
    ).fetchone()
    return None if row is None else _token(row)
