"""The change log's hash chain: each entry's hash covers its content and the previous hash.

Editing an entry changes its hash; deleting or moving one breaks the link the next entry holds.
The canonical form is the JSON array of the stored values, so the hash can be recomputed from
the row as it is read back.
"""

from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64  # the "previous hash" of the first entry
CHAINED_COLUMNS = ("at", "user", "device_id", "table_name", "row_id", "action", "changes")


def entry_hash(prev_hash: str, *values: object) -> str:
    """SHA-256 over the previous hash and the entry's values in `CHAINED_COLUMNS` order."""
    canonical = json.dumps([prev_hash, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
