"""Time stamps and ids as the register stores them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def now_utc() -> str:
    """The current time as stored: ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A UUID made on this laptop."""
    return str(uuid.uuid4())
