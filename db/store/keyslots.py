"""Key slots and the key file beside a register: what each password unlocks, read with bounds.

A **slot** (version 2) gives each account an X25519 key pair. Its private half (and, for a
chief, the register's chief secret — db.store.seal) is wrapped with AES-256-GCM under a key
scrypt derives from the account's password; the database key reaches the account in an
**envelope** sealed to its public half. So a chief can give every remaining account the new
database key after changing it (`reenvelope`: key rotation, db.security.rekey) without knowing
anyone's password, and a changed password rewraps only the private half. Version 1 slots (the
database key wrapped directly under the password) still open and are upgraded at the account's
next login. The **recovery slot** is an envelope to a key pair derived from the recovery code.

Every field is checked when the file is read: the scrypt cost (n a power of two in
[2^14, 2^20], r in 1–16, p in 1–4 — a file asking for 2^30 would take 128 GiB), the sizes of
salts, nonces and keys, the number of slots and the file's size. Anything else is refused with
`KeysFileError` (exit 3) saying what to do, never a traceback.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from db.core.errors import KeysFileError, WrongPassword
from db.core.files import atomic_write

KEYS_SUFFIX = ".keys"
FORMAT = "so-theo-doi/keys"
VERSION = 2
KEY_BYTES = 32
SCRYPT_N_MIN, SCRYPT_N_MAX = 2**14, 2**20
SCRYPT_R_MAX, SCRYPT_P_MAX = 16, 4
MAX_FILE_BYTES = 1 << 20
MAX_SLOTS = 500
MAX_LOGIN = 80
_SLOT_AAD = b"so-theo-doi/slot/v1\x00"
_SLOT2_AAD = b"so-theo-doi/slot/v2\x00"
_ENVELOPE_INFO = b"so-theo-doi/envelope/v2"
_RAW = serialization.Encoding.Raw


class Unlocked(bytes):
    """The database key as a password or the recovery code unlocked it, with the chief secret
    when the slot held one (db.store.seal). It *is* the key (bytes), so it passes wherever the
    key goes — a worker's `reopen`, the window's login — and the secret travels with it."""

    chief_secret: bytes | None

    def __new__(cls, key: bytes, chief_secret: bytes | None = None) -> Unlocked:
        made = super().__new__(cls, key)
        made.chief_secret = chief_secret
        return made


def chief_secret_of(key: bytes | None) -> bytes | None:
    """The chief secret carried by an unlocked key, if any."""
    return getattr(key, "chief_secret", None)


@dataclass(frozen=True)
class Envelope:
    """A payload sealed to an X25519 public key (an ephemeral key pair, HKDF, AES-256-GCM)."""

    eph: bytes
    nonce: bytes
    ct: bytes


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(_RAW, serialization.PublicFormat.Raw)


def _raw_private(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def _envelope_key(shared: bytes, eph: bytes, public: bytes) -> bytes:
    return HKDF(hashes.SHA256(), KEY_BYTES, None, _ENVELOPE_INFO + eph + public).derive(shared)


def seal_to(public: bytes, payload: bytes, aad: bytes) -> Envelope:
    """`payload` readable only with the private half of `public`."""
    eph_key = X25519PrivateKey.generate()
    eph = _raw_public(eph_key.public_key())
    shared = eph_key.exchange(X25519PublicKey.from_public_bytes(public))
    nonce = secrets.token_bytes(12)
    ct = AESGCM(_envelope_key(shared, eph, public)).encrypt(nonce, payload, aad)
    return Envelope(eph, nonce, ct)


def open_envelope(private: bytes, envelope: Envelope, aad: bytes) -> bytes:
    """The payload of an envelope (InvalidTag if it is not for this key or was altered)."""
    key = X25519PrivateKey.from_private_bytes(private)
    public = _raw_public(key.public_key())
    shared = key.exchange(X25519PublicKey.from_public_bytes(envelope.eph))
    aead = AESGCM(_envelope_key(shared, envelope.eph, public))
    return aead.decrypt(envelope.nonce, envelope.ct, aad)


def key_pair(seed: bytes | None = None) -> tuple[bytes, bytes]:
    """(private, public) raw X25519 keys; from `seed` (32 bytes) when given."""
    private = X25519PrivateKey.from_private_bytes(seed) if seed else X25519PrivateKey.generate()
    return _raw_private(private), _raw_public(private.public_key())


def password_bytes(password: str) -> bytes:
    # The same letters typed on two keyboards may arrive composed or decomposed.
    return unicodedata.normalize("NFC", password).encode("utf-8")


def kek(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """The key a password gives (scrypt; the parameters are checked before this is called)."""
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(password_bytes(password))


@dataclass(frozen=True)
class Slot:
    """What one account's password unlocks (version 1: the database key itself; 2: a private
    key and, for a chief, the chief secret, with the database key in `envelope`)."""

    login: str
    salt: bytes
    nonce: bytes
    wrapped: bytes
    n: int
    r: int
    p: int
    version: int = 1
    public: bytes = b""
    envelope: Envelope | None = None

    @property
    def chief(self) -> bool:
        """Whether the slot holds the chief secret (version 2 only)."""
        return self.version == 2 and len(self.wrapped) == 2 * KEY_BYTES + 16

    def as_json(self) -> dict[str, Any]:
        b64 = _b64
        data: dict[str, Any] = {
            "login": self.login, "kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p,
            "salt": b64(self.salt), "nonce": b64(self.nonce), "wrapped": b64(self.wrapped),
        }  # fmt: skip
        if self.version == 2 and self.envelope is not None:
            data.update(v=2, public=b64(self.public), envelope=_envelope_json(self.envelope))
        return data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _envelope_json(envelope: Envelope) -> dict[str, str]:
    return {"eph": _b64(envelope.eph), "nonce": _b64(envelope.nonce), "ct": _b64(envelope.ct)}


def _aad(slot_login: str) -> bytes:
    return _SLOT2_AAD + slot_login.encode("utf-8")


def make_slot(key: bytes, login: str, password: str, n: int, r: int, p: int,
              chief_secret: bytes | None = None) -> Slot:  # fmt: skip
    """A version 2 slot for `login`: a new key pair, the database key in its envelope."""
    private, public = key_pair()
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    inner = private + (chief_secret or b"")
    wrapped = AESGCM(kek(password, salt, n, r, p)).encrypt(nonce, inner, _aad(login))
    envelope = seal_to(public, bytes(key), _aad(login))
    return Slot(login, salt, nonce, wrapped, n, r, p, 2, public, envelope)


def open_slot(slot: Slot, password: str) -> Unlocked:
    """The database key (with the chief secret, if the slot has it); WrongPassword otherwise
    (GCM's tag is the password check)."""
    aead = AESGCM(kek(password, slot.salt, slot.n, slot.r, slot.p))
    try:
        if slot.version == 1:
            return Unlocked(aead.decrypt(slot.nonce, slot.wrapped, _SLOT_AAD + slot.login.encode()))
        inner = aead.decrypt(slot.nonce, slot.wrapped, _aad(slot.login))
        assert slot.envelope is not None
        key = open_envelope(inner[:KEY_BYTES], slot.envelope, _aad(slot.login))
    except InvalidTag:
        raise WrongPassword("Tên đăng nhập hoặc mật khẩu không đúng.") from None
    return Unlocked(key, inner[KEY_BYTES:] or None)


def reenvelope(slot: Slot, key: bytes) -> Slot | None:
    """The slot with the new database key in its envelope (None: a version 1 slot, which only
    its password can renew)."""
    if slot.version != 2:
        return None
    return replace(slot, envelope=seal_to(slot.public, bytes(key), _aad(slot.login)))


@dataclass(frozen=True)
class RecoverySlot:
    """The database key and the chief secret, sealed to the recovery code's key pair."""

    public: bytes
    envelope: Envelope


_RECOVERY_AAD = b"so-theo-doi/recovery/v2"


def recovery_slot(public: bytes, key: bytes, chief_secret: bytes) -> RecoverySlot:
    """A recovery slot giving `key` and `chief_secret` to whoever holds the recovery code."""
    return RecoverySlot(public, seal_to(public, bytes(key) + chief_secret, _RECOVERY_AAD))


def open_recovery(slot: RecoverySlot, private: bytes) -> Unlocked | None:
    """What the recovery slot holds, or None if this code is not its own."""
    try:
        payload = open_envelope(private, slot.envelope, _RECOVERY_AAD)
    except InvalidTag:
        return None
    return Unlocked(payload[:KEY_BYTES], payload[KEY_BYTES:] or None)


@dataclass
class KeyFile:
    """Every slot of one register, by login; the recovery slot; the wrong-password counts."""

    slots: dict[str, Slot] = field(default_factory=dict)
    recovery: RecoverySlot | None = None
    lockout: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "note": "Khóa mở sổ theo dõi (đã mã hóa bằng mật khẩu). Giữ tệp này cạnh tệp sổ; "
            "thiếu tệp này chỉ mở được sổ bằng mã khôi phục.",
            "slots": [s.as_json() for s in sorted(self.slots.values(), key=lambda s: s.login)],
        }
        if self.recovery is not None:
            data["recovery"] = {"public": _b64(self.recovery.public),
                                "envelope": _envelope_json(self.recovery.envelope)}  # fmt: skip
        if self.lockout:
            data["lockout"] = self.lockout
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


class _Bad(ValueError):
    """A field of the key file is not what this program writes."""


def _bytes(data: Any, name: str, low: int, high: int) -> bytes:
    if not isinstance(data, str) or len(data) > 4 * high:
        raise _Bad(name)
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise _Bad(name) from None
    if not low <= len(raw) <= high:
        raise _Bad(name)
    return raw


def _int(data: Any, name: str, low: int, high: int) -> int:
    if isinstance(data, bool) or not isinstance(data, int) or not low <= data <= high:
        raise _Bad(name)
    return data


def _envelope(data: Any, payload: int) -> Envelope:
    if not isinstance(data, dict):
        raise _Bad("envelope")
    return Envelope(_bytes(data.get("eph"), "eph", 32, 32), _bytes(data.get("nonce"), "nonce",
                    12, 12), _bytes(data.get("ct"), "ct", payload + 16, payload + 16))  # fmt: skip


def parse_slot(data: Any) -> Slot:
    """A slot from its JSON, every field checked (ValueError naming the field otherwise)."""
    if not isinstance(data, dict) or data.get("kdf") != "scrypt":
        raise _Bad("kdf")
    login = data.get("login")
    if not isinstance(login, str) or not 1 <= len(login) <= MAX_LOGIN:
        raise _Bad("login")
    n = _int(data.get("n"), "n", SCRYPT_N_MIN, SCRYPT_N_MAX)
    if n & (n - 1):
        raise _Bad("n")  # not a power of two
    r = _int(data.get("r"), "r", 1, SCRYPT_R_MAX)
    p = _int(data.get("p"), "p", 1, SCRYPT_P_MAX)
    version = _int(data.get("v", 1), "v", 1, 2)
    salt = _bytes(data.get("salt"), "salt", 16, 64)
    nonce = _bytes(data.get("nonce"), "nonce", 12, 12)
    if version == 1:
        wrapped = _bytes(data.get("wrapped"), "wrapped", KEY_BYTES + 16, KEY_BYTES + 16)
        return Slot(login, salt, nonce, wrapped, n, r, p)
    wrapped = _bytes(data.get("wrapped"), "wrapped", KEY_BYTES + 16, 2 * KEY_BYTES + 16)
    if len(wrapped) not in (KEY_BYTES + 16, 2 * KEY_BYTES + 16):
        raise _Bad("wrapped")
    public = _bytes(data.get("public"), "public", 32, 32)
    return Slot(login, salt, nonce, wrapped, n, r, p, 2, public, _envelope(data.get("envelope"),
                KEY_BYTES))  # fmt: skip


def _lockout(data: Any) -> dict[str, dict[str, float]]:
    if data is None:
        return {}
    if not isinstance(data, dict) or len(data) > MAX_SLOTS + 1:
        raise _Bad("lockout")
    clean: dict[str, dict[str, float]] = {}
    for login, entry in data.items():
        if not isinstance(login, str) or len(login) > MAX_LOGIN or not isinstance(entry, dict):
            raise _Bad("lockout")
        failures, last = entry.get("failures", 0), entry.get("last", 0)
        if isinstance(failures, bool) or not isinstance(failures, int) or not 0 <= failures < 10**9:
            raise _Bad("lockout")
        if isinstance(last, bool) or not isinstance(last, int | float) or not 0 <= last < 1e11:
            raise _Bad("lockout")
        clean[login] = {"failures": failures, "last": float(last)}
    return clean


def parse(raw: bytes) -> KeyFile:
    """A key file from its bytes; ValueError (or _Bad) if anything in it is off."""
    if len(raw) > MAX_FILE_BYTES:
        raise _Bad("size")
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _Bad("format")
    slots_data = data.get("slots")
    if not isinstance(slots_data, list) or len(slots_data) > MAX_SLOTS:
        raise _Bad("slots")
    slots = [parse_slot(s) for s in slots_data]
    recovery = None
    if data.get("recovery") is not None:
        found = data["recovery"]
        if not isinstance(found, dict):
            raise _Bad("recovery")
        recovery = RecoverySlot(_bytes(found.get("public"), "public", 32, 32),
                                _envelope(found.get("envelope"), 2 * KEY_BYTES))  # fmt: skip
    return KeyFile({s.login: s for s in slots}, recovery, _lockout(data.get("lockout")))


def keys_path(db_path: Path) -> Path:
    """The key file that belongs beside a register file."""
    return db_path.with_name(db_path.name + KEYS_SUFFIX)


def read_keys(db_path: Path) -> KeyFile:
    """The register's key file; KeysFileError (with what to do) if missing, damaged or not
    within what this program writes."""
    path = keys_path(db_path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        version = _declared_version(raw)
        if version > VERSION:
            raise KeysFileError(
                f"Tệp khóa “{path}” do phiên bản mới hơn của chương trình tạo ra. "
                "Hãy cập nhật chương trình Sổ theo dõi."
            )
        return parse(raw)
    except FileNotFoundError:
        raise KeysFileError(
            f"Không tìm thấy tệp khóa “{path}” bên cạnh sổ đã mã hóa, nên mật khẩu không mở "
            "được sổ. Hãy chép lại tệp khóa từ nơi đã chép sổ (hoặc từ bản sao lưu), hoặc mở sổ "
            "bằng mã khôi phục rồi đặt mật khẩu mới."
        ) from None
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise KeysFileError(
            f"Tệp khóa “{path}” bị hỏng hoặc bị sửa (không đúng định dạng chương trình ghi"
            f"{f': mục {exc}' if isinstance(exc, _Bad) else ''}). Hãy chép lại tệp khóa từ bản "
            "sao lưu, hoặc mở sổ bằng mã khôi phục rồi đặt mật khẩu mới."
        ) from exc


def _declared_version(raw: bytes) -> int:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return 0
    version = data.get("version", 0) if isinstance(data, dict) else 0
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def write_keys(db_path: Path, keyfile: KeyFile) -> None:
    """Replace the key file atomically (never half-written), readable by this user only."""
    atomic_write(keys_path(db_path), keyfile.to_bytes(), private=True)


def copy_keys(db_path: Path, target_db: Path) -> None:
    """Copy a register's key file to sit beside another file (a backup, a copy), atomically."""
    atomic_write(keys_path(target_db), keys_path(db_path).read_bytes(), private=True)
