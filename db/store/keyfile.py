"""The key file beside a register (`<register>.keys`): its slots, recovery slot and wrong-password
counts, written atomically and read back within bounds.

Every field is checked when the file is read (db.store.keyslots holds what the fields mean): the
scrypt cost (n a power of two in [2^14, 2^20], r in 1–16, p in 1–4 — a file asking for 2^30
would take 128 GiB), the sizes of salts, nonces and keys, the number of slots and the file's
size. Anything else is refused with `KeysFileError` (exit 3) saying what to do, never a
traceback.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.core.errors import KeysFileError
from db.core.files import atomic_write
from db.store.keyslots import (
    KEY_BYTES,
    MAX_LOGIN,
    SCRYPT_N_MAX,
    SCRYPT_N_MIN,
    SCRYPT_P_MAX,
    SCRYPT_R_MAX,
    Envelope,
    RecoverySlot,
    Slot,
    b64,
    envelope_json,
)

KEYS_SUFFIX = ".keys"
FORMAT = "so-theo-doi/keys"
VERSION = 2
MAX_FILE_BYTES = 1 << 20
MAX_SLOTS = 500


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
            data["recovery"] = {"public": b64(self.recovery.public),
                                "envelope": envelope_json(self.recovery.envelope)}  # fmt: skip
            if self.recovery.previous is not None:
                data["recovery"]["previous"] = envelope_json(self.recovery.previous)
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
    previous = data.get("previous")
    return Slot(login, salt, nonce, wrapped, n, r, p, 2, public,
                _envelope(data.get("envelope"), KEY_BYTES),
                None if previous is None else _envelope(previous, KEY_BYTES))  # fmt: skip


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
        before = found.get("previous")
        recovery = RecoverySlot(
            _bytes(found.get("public"), "public", 32, 32),
            _envelope(found.get("envelope"), 2 * KEY_BYTES),
            None if before is None else _envelope(before, 2 * KEY_BYTES),
        )
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
