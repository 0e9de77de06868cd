"""Accounts and the chief's settings, sealed with a key only the chief holds.

Every account knows the register's key, so anyone who opens the file directly could set their
own role to chief or change a setting only the chief may change. The **seal** makes that show:
the protected rows (`PROTECTED`: every account row; every setting, since all are the chief's)
are written out in a canonical form and signed with an Ed25519 key derived from the register's
**chief secret**, which only the chief's key slots and the recovery slot hold (db.store.keyslots).
The signed form, the signature and the public key are kept in the `seal` table.

- **At every open** the current rows must equal the signed form and the signature must hold
  (and, in a chief's session, be the chief secret's own): otherwise the open is refused
  (`SealBroken`, exit 3) naming what differs and how the chief repairs it (`repair`: undo the
  edit, or accept it). Everyone's session checks the signature; only the chief's can tell a
  seal re-signed by someone else — see docs/security.md for what that leaves possible.
- **Every write** of a protected row is re-sealed in the same transaction (`reseal`, called by
  db.store.records), which needs the chief secret: a session without it is refused.
- A register whose key file has version-2 slots or a recovery slot has been sealed: a missing
  seal there is a broken one. Only a register from before (version-1 slots) opens unsealed
  until its chief next signs in with a password (db.store.register then seals it).
- A bundle never changes these rows: `protected_tables()` / `protected_setting_keys()` say which.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from db.core.errors import NotAllowed, RegisterFileError
from db.core.stamps import now_utc
from db.store.keyfile import read_keys
from db.store.keyslots import chief_secret_of

if TYPE_CHECKING:
    from db.store.register import Register

SECRET_BYTES = 32
_INFO = b"so-theo-doi/seal/v1"
# Which columns of which tables are sealed (their metadata columns are not: the log has them).
PROTECTED: dict[str, tuple[str, ...]] = {
    "accounts": ("id", "login", "full_name", "role", "disabled", "deleted"),
    "settings": ("id", "key", "value", "deleted"),
    # The province's inbox (db.province.tokens): a token added directly would let anyone
    # upload as that commune. Its last use is not sealed (every upload writes it).
    "inbox_tokens": ("id", "commune_id", "token_hash", "revoked_at"),
}
_NAME = {"accounts": "login", "settings": "key", "inbox_tokens": "commune_id"}
_LABEL = {"accounts": "tài khoản", "settings": "cài đặt", "inbox_tokens": "mã gửi báo cáo của xã"}


class SealBroken(RegisterFileError):
    """Protected rows differ from what the chief sealed (a direct edit of the file)."""

    def __init__(self, message: str, differences: list[str]) -> None:
        super().__init__(message)
        self.differences = differences


def protected_tables() -> tuple[str, ...]:
    """Tables no bundle may change (and no account but the chief's)."""
    return tuple(PROTECTED)


def protected_setting_keys() -> None:
    """Which settings are sealed: None means every key (every setting is the chief's)."""
    return None


def new_chief_secret() -> bytes:
    """A fresh chief secret (kept only in the chief's slots and the recovery slot)."""
    return secrets.token_bytes(SECRET_BYTES)


def _signing_key(secret: bytes) -> Ed25519PrivateKey:
    seed = HKDF(hashes.SHA256(), 32, None, _INFO).derive(secret)
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_of(secret: bytes) -> str:
    """The seal's public key (hex) that a chief secret signs with."""
    raw = (
        _signing_key(secret)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return raw.hex()


def rows(conn: Any) -> dict[str, list[dict[str, Any]]]:
    """The protected rows as they are now, in a fixed order."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table, columns in PROTECTED.items():
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [table]).fetchone() is None:
            continue  # a table a later migration makes (nothing in it to seal yet)
        listed = ", ".join(f"[{c}]" for c in columns)
        cursor = conn.execute(f"SELECT {listed} FROM [{table}] ORDER BY id")
        found[table] = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    return found


def _canonical(data: dict[str, list[dict[str, Any]]]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Sealed:
    """The seal row: the signed form of the protected rows."""

    body: str
    signature: str
    public_key: str
    sealed_at: str
    sealed_by: str


def stored(conn: Any) -> Sealed | None:
    """The seal row, if the register has one (None also before the migration made the table)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'seal'").fetchone() is None:
        return None
    row = conn.execute(
        "SELECT body, signature, public_key, sealed_at, sealed_by FROM seal WHERE id = 1"
    ).fetchone()
    return None if row is None else Sealed(*(str(v) for v in row))


def trusted_rows(conn: Any, chief_secret: bytes | None) -> dict[str, list[dict[str, Any]]] | None:
    """The rows as the chief sealed them, if the seal can be trusted for that: present, its
    signature sound, and (given the secret) signed with it. None otherwise."""
    seal = stored(conn)
    if seal is None or not _signature_holds(seal):
        return None
    if chief_secret is not None and public_of(chief_secret) != seal.public_key:
        return None
    return sealed_rows(conn)


def _signature_holds(seal: Sealed) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(seal.public_key)).verify(
            bytes.fromhex(seal.signature), seal.body.encode("utf-8")
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _differences(sealed: dict[str, Any], now: dict[str, list[dict[str, Any]]]) -> list[str]:
    found: list[str] = []
    for table in PROTECTED:
        before = {r["id"]: r for r in sealed.get(table, []) if isinstance(r, dict)}
        after = {r["id"]: r for r in now.get(table, [])}
        label, name = _LABEL[table], _NAME[table]
        for row_id in sorted(set(before) | set(after), key=str):
            old, new = before.get(row_id), after.get(row_id)
            if old == new:
                continue
            who = (new or old or {}).get(name, row_id)
            if old is None:
                found.append(f"{label} “{who}” được thêm thẳng vào tệp")
            elif new is None:
                found.append(f"{label} “{who}” bị xóa thẳng khỏi tệp")
            else:
                changed = [f"{k}: {old.get(k)!r} → {new.get(k)!r}" for k in PROTECTED[table]
                           if old.get(k) != new.get(k)]  # fmt: skip
                found.append(f"{label} “{who}”: {', '.join(changed)}")
    return found


def must_be_sealed(db_path: Path) -> bool:
    """Whether the register has been sealed (its key file is of the sealed kind: version-2
    slots or a recovery slot), so a missing seal is a removed one."""
    try:
        keyfile = read_keys(db_path)
    except RegisterFileError:
        return False
    return keyfile.recovery is not None or any(s.version == 2 for s in keyfile.slots.values())


def problems(conn: Any, chief_secret: bytes | None, must_be_sealed: bool) -> list[str]:
    """What is wrong with the seal (an empty list: sound, or a register never sealed)."""
    seal = stored(conn)
    if seal is None:
        return ["niêm phong của chỉ huy bị xóa khỏi tệp"] if must_be_sealed else []
    if not _signature_holds(seal):
        return ["chữ ký niêm phong không đúng (niêm phong bị sửa)"]
    if chief_secret is not None and public_of(chief_secret) != seal.public_key:
        return ["niêm phong được ký bằng khóa không phải của chỉ huy (bị ký lại)"]
    try:
        sealed = json.loads(seal.body)
    except ValueError:
        return ["nội dung niêm phong hỏng"]
    return _differences(sealed if isinstance(sealed, dict) else {}, rows(conn))


def broken(path: object, differences: list[str]) -> SealBroken:
    """The message that refuses an open whose protected rows were edited directly."""
    shown = "; ".join(differences[:8]) + ("; …" if len(differences) > 8 else "")
    return SealBroken(
        f"Tài khoản hoặc cài đặt của sổ “{path}” đã bị sửa trực tiếp ngoài chương trình, không "
        f"khớp niêm phong của chỉ huy: {shown}. Sổ không được mở để quyền hạn không bị đổi trái "
        f'phép. Chỉ huy sửa bằng lệnh: python main.py repair-seal --db "{path}" (đưa về như đã '
        "niêm phong), hoặc thêm --accept nếu chính chỉ huy đã sửa và chấp nhận thay đổi.",
        differences,
    )


def write(reg: Register, secret: bytes) -> None:
    """Sign the protected rows as they are now (inside the caller's transaction)."""
    body = _canonical(rows(reg.conn))
    signature = _signing_key(secret).sign(body.encode("utf-8")).hex()
    reg.conn.execute(
        "INSERT INTO seal (id, body, signature, public_key, sealed_at, sealed_by) "
        "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, "
        "signature = excluded.signature, public_key = excluded.public_key, "
        "sealed_at = excluded.sealed_at, sealed_by = excluded.sealed_by",
        [body, signature, public_of(secret), now_utc(), reg.user],
    )


def reseal(reg: Register) -> None:
    """After a write of protected rows: sign them again, with the session's chief secret.

    A plain register has no seal. An encrypted one needs the secret: a session without it (an
    officer; a chief whose slot predates the seal) is refused, and the write with it.
    """
    if reg.key is None:
        return
    secret = chief_secret_of(reg.key)
    if secret is None:
        raise NotAllowed(
            "Thay đổi tài khoản và cài đặt cần khóa niêm phong của chỉ huy, mà phiên đăng nhập "
            f"này (“{reg.user}”) không có. Hãy đăng nhập bằng mật khẩu của tài khoản chỉ huy "
            "(nếu vẫn không được, nhờ chỉ huy khác đặt lại mật khẩu, hoặc dùng mã khôi phục)."
        )
    write(reg, secret)


def sealed_rows(conn: Any) -> dict[str, list[dict[str, Any]]] | None:
    """The protected rows as the chief last sealed them (None: no seal)."""
    seal = stored(conn)
    if seal is None:
        return None
    data = json.loads(seal.body)
    return data if isinstance(data, dict) else None
