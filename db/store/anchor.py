"""The change log's head, written down outside the file: a short code that later shows whether
the newest entries were deleted or rewritten.

`chain_anchor(reg)` is `<seq>-<first 12 hex digits of that entry's hash>`, e.g. `1834-3F9A0C7B21E4`.
Backups record it (their log entry and the key file beside them); bundles and the monthly report
print it. `verify_anchor(reg, code)` says whether the register still holds that entry unchanged:
an anchor taken earlier must always be found, since the log only grows.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

from db.core.chain import GENESIS

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
