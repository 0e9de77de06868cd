"""Sealed files: what the outbox keeps beside an encrypted register, encrypted and authenticated.

    key = outbox_key(reg.key)                    # HKDF-SHA256 from the register's key
    blob = seal(key, entry_id, "pdf", data)      # a random nonce per file
    data = unseal(key, blob, entry_id, "pdf")    # SealBroken if anything is off

    "SOTDOBX1" | u32 header length | header (JSON, ASCII: format, entry id, part, key id)
    | 12-byte nonce | AES-256-GCM(data) with the magic, length and header as associated data

The header names the entry and the part (the figures or the PDF), so a file moved under another
entry's name, or a PDF given as an entry, fails authentication; the key id tells a file sealed
under another register's key (or before the register's key changed) from a damaged one.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"SOTDOBX1"
FORMAT = 1
_LENGTH = struct.Struct(">I")
_NONCE = 12
_MAX_HEADER = 1024
_SALT = b"sotheodoi/outbox"
_INFO = b"outbox files v1"


class SealBroken(Exception):
    """A sealed file that cannot be opened: changed, cut short, renamed, or another key's."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def outbox_key(register_key: bytes) -> bytes:
    """The outbox's AES-256 key, derived from the register's key (never the same bytes)."""
    return HKDF(hashes.SHA256(), 32, _SALT, _INFO).derive(register_key)


def key_id(key: bytes) -> str:
    """A short public name of a key (which key sealed a file), not the key."""
    return hashlib.sha256(b"sotheodoi outbox key id" + key).hexdigest()[:16]


@dataclass(frozen=True)
class Header:
    """What a sealed file says about itself, in clear (nothing personal)."""

    entry_id: str
    part: str
    kid: str


def seal(key: bytes, entry_id: str, part: str, data: bytes) -> bytes:
    """`data` encrypted and authenticated under `key`, naming its entry and part."""
    header = json.dumps(
        {"v": FORMAT, "id": entry_id, "part": part, "kid": key_id(key)}, separators=(",", ":")
    ).encode("ascii")
    aad = MAGIC + _LENGTH.pack(len(header)) + header
    nonce = os.urandom(_NONCE)
    return aad + nonce + AESGCM(key).encrypt(nonce, data, aad)


def read_header(blob: bytes) -> tuple[Header, int]:
    """The header of a sealed file and where its nonce starts; SealBroken if it has none."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _LENGTH.size:
        raise SealBroken("không phải tệp niêm phong của hộp thư đi")
    (length,) = _LENGTH.unpack_from(blob, len(MAGIC))
    start = len(MAGIC) + _LENGTH.size
    if length > _MAX_HEADER or len(blob) < start + length + _NONCE + 16:
        raise SealBroken("tệp bị cắt cụt")
    try:
        raw = json.loads(blob[start : start + length].decode("ascii"))
        header = Header(str(raw["id"]), str(raw["part"]), str(raw["kid"]))
        version = raw["v"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise SealBroken("phần đầu tệp không đọc được") from exc
    if version != FORMAT:
        raise SealBroken("định dạng tệp không đúng")
    return header, start + length


def unseal(key: bytes, blob: bytes, entry_id: str | None, part: str) -> bytes:
    """The data of a sealed file, checked to be `part` of `entry_id` (any entry if None)."""
    header, at = read_header(blob)
    if header.kid != key_id(key):
        raise SealBroken("tệp được niêm phong bằng khóa khác")
    if header.part != part or (entry_id is not None and header.entry_id != entry_id):
        raise SealBroken("tệp không thuộc báo cáo này")
    nonce = blob[at : at + _NONCE]
    try:
        return AESGCM(key).decrypt(nonce, blob[at + _NONCE :], blob[:at])
    except InvalidTag as exc:
        raise SealBroken("tệp đã bị thay đổi") from exc
