"""Key slots and the key file beside a register: what each password unlocks, read with bounds.

A **slot** (version 2) gives each account an X25519 key pair. Its private half (and, for a
chief, the register's chief secret — db.store.seal) is wrapped with AES-256-GCM under a key
scrypt derives from the account's password; the database key reaches the account in an
**envelope** sealed to its public half. So a chief can give every remaining account the new
database key after changing it (`reenvelope`: key rotation, db.security.rekey) without knowing
anyone's password, and a changed password rewraps only the private half. Version 1 slots (the
database key wrapped directly under the password) still open and are upgraded at the account's
next login. The **recovery slot** is an envelope to a key pair derived from the recovery code.

The key file that holds them is read and written by db.store.keyfile, within bounds.
"""

from __future__ import annotations

import base64
import secrets
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from db.core.errors import WrongPassword

KEY_BYTES = 32
SCRYPT_N_MIN, SCRYPT_N_MAX = 2**14, 2**20
SCRYPT_R_MAX, SCRYPT_P_MAX = 16, 4
MAX_LOGIN = 80
_SLOT_AAD = b"so-theo-doi/slot/v1\x00"
_SLOT2_AAD = b"so-theo-doi/slot/v2\x00"
_ENVELOPE_INFO = b"so-theo-doi/envelope/v2"
_RAW = serialization.Encoding.Raw


class Unlocked(bytes):
    """The database key as a password or the recovery code unlocked it, with the chief secret
    when the slot held one (db.store.seal). It *is* the key (bytes), so it passes wherever the
    key goes — a worker's `reopen`, the window's login — and the secret travels with it.

    `previous`: during a key change (db.security.rekey) the slot also holds the key before it,
    for the moment when the key file is new and the register not yet (a crash right then)."""

    chief_secret: bytes | None
    previous: bytes | None

    def __new__(cls, key: bytes, chief_secret: bytes | None = None,
                previous: bytes | None = None) -> Unlocked:  # fmt: skip
        made = super().__new__(cls, key)
        made.chief_secret = chief_secret
        made.previous = previous
        return made

    def other(self) -> Unlocked | None:
        """The key before a key change, carrying the same chief secret (None: none pending)."""
        return None if self.previous is None else Unlocked(self.previous, self.chief_secret)


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
    previous: Envelope | None = None  # the key before a key change still in progress

    @property
    def chief(self) -> bool:
        """Whether the slot holds the chief secret (version 2 only)."""
        return self.version == 2 and len(self.wrapped) == 2 * KEY_BYTES + 16

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "login": self.login, "kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p,
            "salt": b64(self.salt), "nonce": b64(self.nonce), "wrapped": b64(self.wrapped),
        }  # fmt: skip
        if self.version == 2 and self.envelope is not None:
            data.update(v=2, public=b64(self.public), envelope=envelope_json(self.envelope))
        if self.previous is not None:
            data["previous"] = envelope_json(self.previous)
        return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def envelope_json(envelope: Envelope) -> dict[str, str]:
    return {"eph": b64(envelope.eph), "nonce": b64(envelope.nonce), "ct": b64(envelope.ct)}


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
        previous = None
        if slot.previous is not None:
            previous = open_envelope(inner[:KEY_BYTES], slot.previous, _aad(slot.login))
    except InvalidTag:
        raise WrongPassword("Tên đăng nhập hoặc mật khẩu không đúng.") from None
    return Unlocked(key, inner[KEY_BYTES:] or None, previous)


def reenvelope(slot: Slot, key: bytes, previous: bytes | None = None) -> Slot | None:
    """The slot with the new database key in its envelope, and the one before it while the
    change is in progress (None: a version 1 slot, which only its password can renew)."""
    if slot.version != 2:
        return None
    aad = _aad(slot.login)
    return replace(
        slot,
        envelope=seal_to(slot.public, bytes(key), aad),
        previous=None if previous is None else seal_to(slot.public, previous, aad),
    )


@dataclass(frozen=True)
class RecoverySlot:
    """The database key and the chief secret, sealed to the recovery code's key pair (and the
    key before a key change still in progress)."""

    public: bytes
    envelope: Envelope
    previous: Envelope | None = None


_RECOVERY_AAD = b"so-theo-doi/recovery/v2"


def recovery_slot(public: bytes, key: bytes, chief_secret: bytes,
                  previous: bytes | None = None) -> RecoverySlot:  # fmt: skip
    """A recovery slot giving `key` and `chief_secret` to whoever holds the recovery code."""
    before = None
    if previous is not None:
        before = seal_to(public, bytes(previous) + chief_secret, _RECOVERY_AAD)
    return RecoverySlot(public, seal_to(public, bytes(key) + chief_secret, _RECOVERY_AAD), before)


def open_recovery(slot: RecoverySlot, private: bytes) -> Unlocked | None:
    """What the recovery slot holds, or None if this code is not its own."""
    try:
        payload = open_envelope(private, slot.envelope, _RECOVERY_AAD)
        previous = None
        if slot.previous is not None:
            previous = open_envelope(private, slot.previous, _RECOVERY_AAD)[:KEY_BYTES]
    except InvalidTag:
        return None
    return Unlocked(payload[:KEY_BYTES], payload[KEY_BYTES:] or None, previous)
