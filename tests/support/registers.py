"""Test helpers for registers: the day tests live on, the test password, row counts and logs."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from db.store.register import Register

# The day every test register lives on: Friday 20 November 2026.
TODAY = date(2026, 11, 20)

PASSWORD = "mật-khẩu-chỉ-huy"


def count(reg: Register, table: str, where: str = "1", params: list[Any] | None = None) -> int:
    """Rows of a table (deleted ones too) matching a condition."""
    row = reg.db.execute(f"SELECT count(*) FROM [{table}] WHERE {where}", params or []).fetchone()
    return int(row[0])


def log_entries(reg: Register, row_id: str) -> list[dict[str, Any]]:
    """The change log of one row, oldest first, with `changes` decoded."""
    rows = reg.db.query("SELECT * FROM change_log WHERE row_id = ? ORDER BY seq", [row_id])
    return [{**r, "changes": json.loads(r["changes"])} for r in rows]


def episodes_of(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """Every episode of a person, oldest first."""
    return list(
        reg.db.query(
            "SELECT * FROM episodes WHERE person_id = ? ORDER BY start_date, created_at",
            [person_id],
        )
    )
