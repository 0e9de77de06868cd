"""The database key, the recovery code, and the key slots that let each password unlock it.

The register is encrypted with a random 256-bit key. That key is derived (HKDF) from the 160-bit
secret written out as the **recovery code**, so the code alone opens the file (and every backup),
even when the key file is lost. Each account's password unlocks a **slot**: the key wrapped with
AES-256-GCM under a key derived from the password with scrypt (memory-hard). Slots live in a small
JSON file beside the register, `<register>.keys`, because SQLCipher encrypts every page of the
database itself; changing a password rewrites that file, never the register.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from db.core.errors import KeysFileError, ValidationError, WrongPassword, WrongRecoveryCode
from db.core.files import atomic_write
from db.core.textfold import clean, fold

KEYS_SUFFIX = ".keys"
FORMAT = "so-theo-doi/keys"
VERSION = 1
# scrypt cost: 2^17 × 8 × 128 bytes = 128 MiB and ~0.3 s per try here (OWASP's minimum for
# scrypt). Each slot stores its own parameters, so raising them later needs no migration.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSWORD = 8
KEY_BYTES = 32
RECOVERY_BYTES = 20  # 160 bits: 32 base-32 letters, in 8 groups of 4
_RECOVERY_SALT = b"so-theo-doi/db-key/v1"
_SLOT_AAD = b"so-theo-doi/slot/v1\x00"
# Letters people confuse with digits, read as the letter base 32 means.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def keys_path(db_path: Path) -> Path:
    """The key file that belongs beside a register file."""
    return db_path.with_name(db_path.name + KEYS_SUFFIX)


def sql_key(key: bytes) -> str:
    """The key as SQLCipher's raw-key literal (no PBKDF2 on every open: the key is random)."""
    return f"\"x'{key.hex()}'\""


# --- The recovery code. -------------------------------------------------------------------------


def _key_from_secret(secret: bytes) -> bytes:
    return HKDF(hashes.SHA256(), KEY_BYTES, _RECOVERY_SALT, b"").derive(secret)


def new_recovery() -> tuple[str, bytes]:
    """A new recovery code and the database key it stands for."""
    secret = secrets.token_bytes(RECOVERY_BYTES)
    letters = base64.b32encode(secret).decode("ascii")
    code = "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))
    return code, _key_from_secret(secret)


def key_from_recovery(code: str) -> bytes:
    """The database key a recovery code stands for; WrongRecoveryCode if it is mistyped."""
    letters = "".join(ch for ch in code.upper() if ch.isalnum()).translate(_LOOKALIKES)
    try:
        secret = base64.b32decode(letters)
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != RECOVERY_BYTES:
        raise WrongRecoveryCode(
            "Mã khôi phục không đúng: cần đủ 32 chữ và số (8 nhóm 4 ký tự) như đã ghi lại."
        )
    return _key_from_secret(secret)


# --- Logins and passwords. ----------------------------------------------------------------------


def normalize_login(name: str) -> str:
    """The form a login name is stored and compared in: lowercase, no diacritics, đ → d."""
    return fold(name)


def check_new_password(password: str, login: str, field_name: str = "password") -> None:
    """Refuse a password too short to resist guessing, naming the field."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError({field_name: f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."})
    if fold(password) == login:
        raise ValidationError({field_name: "Mật khẩu không được trùng tên đăng nhập."})


def check_login(name: str) -> str:
    """A valid login name, normalized; ValidationError naming the field otherwise."""
    login = normalize_login(clean(name))
    if not 2 <= len(login) <= 40:
        raise ValidationError({"login": "Tên đăng nhập cần từ 2 đến 40 ký tự."})
    return login


def _password_bytes(password: str) -> bytes:
    # The same letters typed on two keyboards may arrive composed or decomposed.
    return unicodedata.normalize("NFC", password).encode("utf-8")


# --- Slots and the key file. --------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """The database key wrapped under one account's password."""

    login: str
    salt: bytes
    nonce: bytes
    wrapped: bytes
    n: int
    r: int
    p: int

    def as_json(self) -> dict[str, Any]:
        b64 = base64.b64encode
        return {
            "login": self.login, "kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p,
            "salt": b64(self.salt).decode(), "nonce": b64(self.nonce).decode(),
            "wrapped": b64(self.wrapped).decode(),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        b64 = base64.b64decode
        if data.get("kdf") != "scrypt":
            raise ValueError("unknown kdf")
        return cls(
            login=str(data["login"]), salt=b64(data["salt"]), nonce=b64(data["nonce"]),
            wrapped=b64(data["wrapped"]), n=int(data["n"]), r=int(data["r"]), p=int(data["p"]),
        )  # fmt: skip


def _kek(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(_password_bytes(password))


def wrap(key: bytes, login: str, password: str) -> Slot:
    """A new slot: `key` locked with `password` for `login`."""
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    n, r, p = SCRYPT_N, SCRYPT_R, SCRYPT_P  # read now: tests lower the cost
    wrapped = AESGCM(_kek(password, salt, n, r, p)).encrypt(nonce, key, _SLOT_AAD + login.encode())
    return Slot(login, salt, nonce, wrapped, n, r, p)


def unwrap(slot: Slot, password: str) -> bytes:
    """The database key, or WrongPassword (GCM's tag is the password check)."""
    kek = _kek(password, slot.salt, slot.n, slot.r, slot.p)
    try:
        return AESGCM(kek).decrypt(slot.nonce, slot.wrapped, _SLOT_AAD + slot.login.encode())
    except InvalidTag:
        raise WrongPassword("Tên đăng nhập hoặc mật khẩu không đúng.") from None


def burn_time(password: str) -> None:
    """Spend a slot's worth of scrypt, so an unknown login answers as slowly as a known one."""
    _kek(password, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)


@dataclass
class KeyFile:
    """Every slot of one register, by login."""

    slots: dict[str, Slot] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "note": "Khóa mở sổ theo dõi (đã mã hóa bằng mật khẩu). Giữ tệp này cạnh tệp sổ; "
            "thiếu tệp này chỉ mở được sổ bằng mã khôi phục.",
            "slots": [s.as_json() for s in sorted(self.slots.values(), key=lambda s: s.login)],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def read_keys(db_path: Path) -> KeyFile:
    """The register's key file; KeysFileError (with what to do) if missing or damaged."""
    path = keys_path(db_path)
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") != FORMAT:
            raise ValueError("not a key file")
        if int(data.get("version", 0)) > VERSION:
            raise KeysFileError(
                f"Tệp khóa “{path}” do phiên bản mới hơn của chương trình tạo ra. "
                "Hãy cập nhật chương trình Sổ theo dõi."
            )
        slots = [Slot.from_json(s) for s in data["slots"]]
    except FileNotFoundError:
        raise KeysFileError(
            f"Không tìm thấy tệp khóa “{path}” bên cạnh sổ đã mã hóa, nên mật khẩu không mở "
            "được sổ. Hãy chép lại tệp khóa từ nơi đã chép sổ (hoặc từ bản sao lưu), hoặc mở sổ "
            "bằng mã khôi phục rồi đặt mật khẩu mới."
        ) from None
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise KeysFileError(
            f"Tệp khóa “{path}” bị hỏng. Hãy chép lại tệp khóa từ bản sao lưu, hoặc mở sổ bằng "
            "mã khôi phục rồi đặt mật khẩu mới."
        ) from exc
    return KeyFile({s.login: s for s in slots})


def write_keys(db_path: Path, keyfile: KeyFile) -> None:
    """Replace the key file atomically (never half-written)."""
    atomic_write(keys_path(db_path), keyfile.to_bytes(), private=True)


def copy_keys(db_path: Path, target_db: Path) -> None:
    """Copy a register's key file to sit beside another file (a backup, a copy), atomically."""
    atomic_write(keys_path(target_db), keys_path(db_path).read_bytes(), private=True)
