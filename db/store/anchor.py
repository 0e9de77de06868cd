"""The change log's head, written down outside the file: a short code that later shows whether
the newest entries were deleted or rewritten.

`chain_anchor(reg)` is `<seq>-<first 12 hex digits of that entry's hash>`, e.g.
`1834-3F9A0C7B21E4`. Backups record it (in their log entry); bundles and the monthly report print
it. `verify_anchor(reg, code)` says whether the register still holds that entry unchanged: an
anchor taken earlier must always be found, since the log only grows.

The newest anchor is also **kept beside the register** (`<register>.anchor`), sealed with an
HMAC under a key derived from the register's key, and renewed when a connection closes (never
moved back: an older head than the one kept is left for `check` to report). Deleting the newest
log entries — which the hash chain alone cannot show once the counter is reset too — is then
caught by `check` against it. Someone holding the key can rewrite this file as well; anchors
printed on paper or kept in a backup elsewhere are what they cannot reach.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3.dbapi2 as sqlcipher

from db.core.chain import GENESIS
from db.core.errors import UserError
from db.core.files import atomic_write
from db.store.sqlerrors import DB_ERRORS

if TYPE_CHECKING:
    from db.store.register import Register

_CODE = re.compile(r"^\s*(\d+)-([0-9A-Fa-f]{12})\s*$")


def chain_head(conn: sqlite3.Connection | Any) -> tuple[int, str]:
    """(seq, hash) of the newest log entry; (0, GENESIS) for an empty log."""
    row = conn.execute("SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def anchor_code(seq: int, entry_hash: str) -> str:
    """The short code of one log entry."""
    return f"{seq}-{entry_hash[:12].upper()}"


def chain_anchor(reg: Register) -> str:
    """The short code of the register's newest log entry (to print or keep elsewhere)."""
    return anchor_code(*chain_head(reg.conn))


def parse_anchor(code: str) -> tuple[int, str] | None:
    """(seq, hash prefix in lowercase) of a code, or None if it is not one."""
    match = _CODE.match(code)
    return None if match is None else (int(match.group(1)), match.group(2).lower())


def holds(conn: sqlite3.Connection | Any, seq: int, hash_prefix: str) -> bool | None:
    """Whether the log holds entry `seq` with that hash (None: the entry is not there at all)."""
    if seq == 0:
        return True
    row = conn.execute("SELECT hash FROM change_log WHERE seq = ?", [seq]).fetchone()
    if row is None:
        return None
    return str(row[0]).startswith(hash_prefix.lower())


def verify_anchor(reg: Register, code: str) -> str | None:
    """What is wrong with the register against an anchor taken earlier (None: it holds it)."""
    parsed = parse_anchor(code)
    if parsed is None:
        return f"“{code}” không phải mã mốc nhật ký (dạng 1234-3F9A0C7B21E4)."
    seq, prefix = parsed
    found = holds(reg.conn, seq, prefix)
    if found is None:
        head = chain_head(reg.conn)[0]
        return (
            f"Nhật ký không còn mục #{seq} của mốc {code} (nay chỉ đến mục #{head}): các mục "
            "mới nhất đã bị xóa, hoặc sổ đã bị thay bằng một bản cũ hơn."
        )
    if not found:
        return f"Mục #{seq} của nhật ký không còn như lúc ghi mốc {code}: nhật ký đã bị viết lại."
    return None


ANCHOR_SUFFIX = ".anchor"
_MAC_INFO = b"so-theo-doi/anchor/v1"


def anchor_path(db_path: Path) -> Path:
    """The file beside a register that keeps its newest anchor."""
    return db_path.with_name(db_path.name + ANCHOR_SUFFIX)


def _mac(key: bytes | None, seq: int, entry_hash: str) -> str:
    secret = hmac.new(key or b"plain", _MAC_INFO, hashlib.sha256).digest()
    return hmac.new(secret, f"{seq}:{entry_hash}".encode(), hashlib.sha256).hexdigest()


def kept(db_path: Path, key: bytes | None) -> tuple[int, str] | str | None:
    """The anchor kept beside the register: (seq, hash), a problem with the file, or None."""
    try:
        data = json.loads(anchor_path(db_path).read_bytes()[:4096])
        seq, entry_hash, mac = int(data["seq"]), str(data["hash"]), str(data["mac"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return "tệp mốc nhật ký cạnh sổ bị hỏng"
    # A key change killed before the kept anchor was renewed leaves it under the key before
    # (which the key file still holds as `previous` until the change is finished).
    previous = getattr(key, "previous", None)
    candidates = [key] if previous is None else [key, bytes(previous)]
    if not any(hmac.compare_digest(mac, _mac(k, seq, entry_hash)) for k in candidates):
        return "tệp mốc nhật ký cạnh sổ bị sửa, hoặc là của sổ khác"
    return seq, entry_hash


def keep(reg: Register, *, force: bool = False) -> None:
    """Keep the register's newest anchor beside it (never an older one, unless `force`: after
    a restore or a key change). Nothing on read-only media or for a plain register; failures
    are not the caller's."""
    if reg.read_only or reg.key is None:  # (a plain register has nothing to seal it with)
        return
    with contextlib.suppress(UserError, OSError, sqlite3.Error, sqlcipher.Error, *DB_ERRORS):
        seq, entry_hash = chain_head(reg.conn)
        before = kept(reg.path, reg.key)
        if not force and isinstance(before, tuple) and before[0] >= seq:
            return
        data = {"seq": seq, "hash": entry_hash, "mac": _mac(reg.key, seq, entry_hash),
                "code": anchor_code(seq, entry_hash)}  # fmt: skip
        atomic_write(anchor_path(reg.path), json.dumps(data).encode("utf-8"), private=True)


def kept_problem(reg: Register, found: tuple[int, str] | str | None) -> str | None:
    """What the anchor kept beside the register (`found`: `kept()`, read before the caller's
    read snapshot began) says is wrong with its log (None: nothing)."""
    if found is None or isinstance(found, str):
        return found
    return verify_anchor(reg, anchor_code(*found))
