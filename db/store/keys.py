"""The database key, the recovery code, and the key slots that let each password unlock it.

The register is encrypted with a random 256-bit key. That key is derived (HKDF) from the 160-bit
secret written out as the **recovery code**, so the code alone opens the file (and every backup
made before the key was ever changed), even when the key file is lost. After a key change the
code opens the register through the key file's recovery slot. Each account's password unlocks a
**slot** (db.store.keyslots), kept in a small JSON file beside the register, `<register>.keys`,
because SQLCipher encrypts every page of the database itself.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from db.core.errors import ValidationError, WrongRecoveryCode
from db.core.textfold import clean, fold
from db.store import keyslots
from db.store.keyfile import KEYS_SUFFIX, KeyFile, copy_keys, keys_path, read_keys, write_keys
from db.store.keyslots import Slot, Unlocked, chief_secret_of

# scrypt cost: 2^17 × 8 × 128 bytes = 128 MiB and ~0.3 s per try here (OWASP's minimum for
# scrypt). Each slot stores its own parameters, so raising them later needs no migration.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSWORD = 8
KEY_BYTES = 32
RECOVERY_BYTES = 20  # 160 bits: 32 base-32 letters, in 8 groups of 4
_RECOVERY_SALT = b"so-theo-doi/db-key/v1"
_RECOVERY_PAIR_INFO = b"so-theo-doi/recovery-pair/v2"
# Letters people confuse with digits, read as the letter base 32 means.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


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


def recovery_secret(code: str) -> bytes:
    """The secret a recovery code writes out; WrongRecoveryCode if it is mistyped."""
    letters = "".join(ch for ch in code.upper() if ch.isalnum()).translate(_LOOKALIKES)
    try:
        secret = base64.b32decode(letters)
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != RECOVERY_BYTES:
        raise WrongRecoveryCode(
            "Mã khôi phục không đúng: cần đủ 32 chữ và số (8 nhóm 4 ký tự) như đã ghi lại."
        )
    return secret


def key_from_recovery(code: str) -> bytes:
    """The database key a recovery code first stood for (before any key change)."""
    return _key_from_secret(recovery_secret(code))


def recovery_pair(secret: bytes) -> tuple[bytes, bytes]:
    """(private, public) of the recovery slot's key pair, derived from the recovery secret."""
    seed = HKDF(hashes.SHA256(), KEY_BYTES, _RECOVERY_SALT, _RECOVERY_PAIR_INFO).derive(secret)
    return keyslots.key_pair(seed)


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


# --- Slots (db.store.keyslots holds their format and the key file). ----------------------------


def wrap(key: bytes, login: str, password: str, chief_secret: bytes | None = None) -> Slot:
    """A new slot: `key` reachable with `password` for `login` (and the chief secret, if given).

    The cost is the program's (SCRYPT_N), never below what a key file may hold (2^14).
    """
    n = max(SCRYPT_N, keyslots.SCRYPT_N_MIN)  # read now: tests lower the cost
    return keyslots.make_slot(key, login, password, n, SCRYPT_R, SCRYPT_P, chief_secret)


def unwrap(slot: Slot, password: str) -> Unlocked:
    """The database key (carrying the chief secret if the slot holds it), or WrongPassword."""
    return keyslots.open_slot(slot, password)


def burn_time(password: str) -> None:
    """Spend a slot's worth of scrypt, so an unknown login answers as slowly as a known one."""
    n = max(SCRYPT_N, keyslots.SCRYPT_N_MIN)
    keyslots.kek(password, b"\0" * 16, n, SCRYPT_R, SCRYPT_P)


# The key file's names, kept importable from here.
__all__ = [
    "KEYS_SUFFIX", "KeyFile", "Slot", "Unlocked", "burn_time", "check_login", "check_new_password",
    "chief_secret_of", "copy_keys", "key_from_recovery", "keys_path", "new_recovery",
    "normalize_login", "read_keys", "recovery_pair", "recovery_secret", "sql_key", "unwrap",
    "wrap", "write_keys",
]  # fmt: skip
