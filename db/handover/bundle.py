"""The handover bundle file: encrypted, authenticated, written whole or not at all.

    SOTDBUN1 | u16 format | u32 header length | header JSON (KDF, salt, nonce prefix; nothing
    personal) | chunks: u32 length + AES-256-GCM(chunk), the last one being the manifest.

The key comes from the passphrase with scrypt and a random salt. Chunks follow the STREAM
construction: the nonce is a random 7-byte prefix, the chunk's 4-byte index and a "last" flag,
and every chunk is authenticated with the header as associated data. So a changed byte anywhere,
a missing or reordered chunk, a cut-off file or one glued from two bundles all fail to decrypt;
a file is read twice (verified whole first, then merged), and neither pass keeps more than one
chunk in memory. The body inside is zlib-compressed JSON lines: per table a line naming its
columns, then one JSON array per row.

Here: the format's constants, its errors, the passphrase and the key. Writing is in
db/handover/bundle_write.py, reading in db/handover/bundle_read.py.
"""

from __future__ import annotations

import hashlib
import json
import struct
import unicodedata
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from db.core.errors import UserError

MAGIC = b"SOTDBUN1"
FORMAT_VERSION = 1
READABLE_VERSIONS = (1,)
SUFFIX = ".sotd"
CHUNK_SIZE = 1 << 20
KDF_N = 1 << 16  # ~0.25 s and 64 MiB on these machines; tests pass a smaller n
# Readers accept weaker settings than writers use (tests write with n = 2**10); the bounds keep
# a crafted header from asking for absurd memory or time. scrypt needs 128·n·r bytes: writers
# ask 64 MiB (n = 2**16, r = 8); a reader gives at most twice that, and at most four times the
# writers' work (n·r·p), before spending anything.
MIN_KDF_N, MAX_KDF_N = 1 << 10, 1 << 20
MAX_KDF_R, MAX_KDF_P = 16, 4
MAX_KDF_MEMORY = 128 << 20
MAX_KDF_WORK = 1 << 21
# The body is inflated a piece at a time, and no line (one row) may be longer than this: a
# crafted line of zeros that would inflate to gigabytes is refused after a few megabytes.
PIECE = 1 << 20
MAX_LINE = 4 << 20
BATCH_BYTES = 2 << 20
MIN_PASSPHRASE = 8
PREFIX = struct.Struct(">8sHI")
LENGTH = struct.Struct(">I")
TAG = 16
MAX_HEADER = 4096
BATCH = 2000

Progress = Callable[[int, int], None]
# One encoder made once: json.dumps with options builds a new one for every call.
ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class BundleError(UserError):
    """A bundle that cannot be read: refused before anything reaches the register."""

    exit_code = 3


class NotABundle(BundleError):
    """Empty, or some other kind of file."""


class WrongPassphrase(BundleError):
    """The passphrase does not open the bundle."""


class NewerBundle(BundleError):
    """Made by a newer version of the program."""


class DamagedBundle(BundleError):
    """Changed, cut short or glued together: authentication failed somewhere."""


class InvalidBundle(BundleError):
    """Authentic (made with the right passphrase) but holding values the register refuses."""


class OlderBundle(BundleError):
    """Older than a bundle already imported from the same laptop: it would undo newer values."""


class BundleWriteError(UserError):
    """The bundle could not be written (stick pulled out, read-only, no permission)."""

    exit_code = 4


def damaged(path: Path, detail: str) -> DamagedBundle:
    return DamagedBundle(
        f"Gói “{path.name}” bị hỏng hoặc đã bị sửa đổi ({detail}); không có gì được nhập vào "
        "sổ. Hãy chép lại gói từ máy gửi."
    )


def check_passphrase(passphrase: str) -> str | None:
    """Why a passphrase is too weak to make a bundle with, or None."""
    if len(passphrase) < MIN_PASSPHRASE:
        return f"Mật khẩu gói phải có ít nhất {MIN_PASSPHRASE} ký tự."
    if len(set(passphrase)) < 4:
        return "Mật khẩu gói quá đơn giản (lặp lại ít ký tự)."
    return None


def passphrase_strength(passphrase: str) -> tuple[int, str]:
    """A rough 0–3 score and a Vietnamese hint for the form."""
    if check_passphrase(passphrase):
        return 0, "Yếu: cần ít nhất 8 ký tự, không lặp lại."
    kinds = sum(
        any(test(ch) for ch in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    if len(passphrase) >= 16 or (len(passphrase) >= 12 and kinds >= 3):
        return 3, "Mạnh."
    if len(passphrase) >= 10 and kinds >= 2:
        return 2, "Khá: dài hơn (12 ký tự trở lên, có chữ hoa, số) thì an toàn hơn."
    return 1, "Tạm được: nên dài hơn và có cả chữ hoa, số, ký hiệu."


def _normal(passphrase: str) -> bytes:
    # The same words typed on two keyboards (composed or decomposed letters) give one key.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def kdf_cost_ok(n: int, r: int, p: int) -> bool:
    """Whether scrypt parameters read from a header are within what a reader will spend."""
    return (
        MIN_KDF_N <= n <= MAX_KDF_N
        and not n & (n - 1)
        and 1 <= r <= MAX_KDF_R
        and 1 <= p <= MAX_KDF_P
        and 128 * n * r <= MAX_KDF_MEMORY
        and n * r * p <= MAX_KDF_WORK
    )


def derive_key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """The AES key and a check value (stored in the header to tell a wrong passphrase)."""
    out = Scrypt(salt=salt, length=48, n=n, r=r, p=p).derive(_normal(passphrase))
    return out[:32], out[32:]


def nonce_for(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", index, last)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, for an officer to compare with the handover record."""
    sha = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def regions(data: bytes) -> dict[str, tuple[int, int]]:
    """Where the header, the first body chunk, its tag and the manifest lie (tamper tests)."""
    _, _, length = PREFIX.unpack_from(data)
    spans: list[tuple[int, int]] = []
    at = PREFIX.size + length
    while at < len(data):
        (size,) = LENGTH.unpack_from(data, at)
        spans.append((at, at + LENGTH.size + size))
        at += LENGTH.size + size
    out = {"magic": (0, 8), "header": (8, PREFIX.size + length), "manifest": spans[-1]}
    out["manifest_tag"] = (spans[-1][1] - TAG, spans[-1][1])
    if len(spans) > 1:
        out["body"] = spans[0]
        out["body_tag"] = (spans[0][1] - TAG, spans[0][1])
    return out
