"""The audit trail: events worth recording (logins, prints, exports, backups), the whole log with
filters, and the check of the hash chain that shows an edited, deleted or reordered entry.

Row changes are logged by `db.store.records` in the transaction that makes them; `log_event` is for
what leaves the laptop or touches access — a printed person sheet, an Excel export, a backup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from db.core.chain import CHAINED_COLUMNS, GENESIS, entry_hash
from db.core.stamps import now_utc
from db.core.textfold import fold
from db.store.history import readable
from db.store.records import log_change, transaction

if TYPE_CHECKING:  # db.store.register logs a login through this module
    from db.store.register import Register

# Kinds of events, as stored in change_log.action (row changes are insert/update/delete/bulk).
EVENT_KINDS = (
    "login", "print", "export", "backup", "restore", "recover", "encrypt", "password",
    "sign_off", "rekey", "seal",
)  # fmt: skip
_SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, said in Vietnamese (`seq`: the log entry, if one)."""

    what: str
    detail: str = ""
    seq: int | None = None


def log_event(
    reg: Register, kind: str, details: dict[str, Any], *, table: str = "", row_id: str = "*"
) -> None:
    """Record an event in the chained log, in its own transaction.

    `kind` is one of EVENT_KINDS; a person sheet passes table="persons", row_id=<person id>,
    so the print shows in that person's history. A register opened read-only (on media that
    cannot be written) records nothing: a print or an export from it still goes ahead.
    """
    if not kind:
        raise ValueError("an event needs a kind")
    if reg.read_only:
        return
    with transaction(reg):
        log_change(reg, now_utc(), table, row_id, kind, details)


def verify_chain(reg: Register) -> list[Problem]:
    """Every break in the change log's hash chain (an empty list: no entry edited or removed)."""
    problems: list[Problem] = []
    expected, last_seq = GENESIS, 0
    listed = ", ".join(f"[{c}]" for c in CHAINED_COLUMNS)
    cursor = reg.db.execute(f"SELECT seq, {listed}, prev_hash, hash FROM change_log ORDER BY seq")
    for seq, *values, prev_hash, stored in cursor:
        where = f"mục #{seq} ({values[0][:19].replace('T', ' ')}, {values[1]})"
        if prev_hash != expected:
            gap = f"; thiếu các mục #{last_seq + 1}–#{seq - 1}" if seq > last_seq + 1 else ""
            problems.append(Problem(
                "Nhật ký bị xóa mục hoặc đảo thứ tự",
                f"chuỗi đứt giữa mục #{last_seq} và {where}{gap}", seq,
            ))  # fmt: skip
        if entry_hash(prev_hash, *values) != stored:
            problems.append(Problem("Nhật ký bị sửa", f"nội dung {where} đã bị thay đổi", seq))
        expected, last_seq = stored, seq
    row = reg.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'").fetchone()
    if row and int(row[0]) > last_seq:
        problems.append(Problem(
            "Nhật ký bị xóa mục ở cuối",
            f"nhật ký từng có đến mục #{row[0]}, nay chỉ còn đến mục #{last_seq}", last_seq + 1,
        ))  # fmt: skip
    if len(problems) > _SHOWN_PROBLEMS:
        more = len(problems) - _SHOWN_PROBLEMS
        problems = [*problems[:_SHOWN_PROBLEMS], Problem("Và còn nữa", f"{more} chỗ khác")]
    return problems


def chain_summary(reg: Register) -> tuple[int, list[Problem]]:
    """(entries in the log, problems of its chain) — for the audit screen's status line."""
    total = int(reg.db.execute("SELECT count(*) FROM change_log").fetchone()[0])
    return total, verify_chain(reg)


def log_users(reg: Register) -> list[str]:
    """Everyone who appears in the log, by name."""
    return [r[0] for r in reg.db.execute("SELECT DISTINCT user FROM change_log ORDER BY user")]


def audit_log(
    reg: Register,
    *,
    person: str = "",
    user: str = "",
    since: date | None = None,
    until: date | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """The log, newest first, filtered by a person's name or id, a user and a date range.

    Each row names the person it concerns (`person_id`, `person_name`), if any. Dates are
    compared on the stored UTC time's date (close enough for a filter; the screen shows local
    time).
    """
    where: list[str] = ["1"]
    params: dict[str, object] = {"limit": limit}
    matched = ""
    if person.strip():
        matched = (
            "WITH matched(id) AS (SELECT id FROM persons WHERE id = :id OR name_folded LIKE :name) "
        )
        where.append(
            "(c.row_id IN matched OR c.row_id IN (SELECT id FROM episodes WHERE person_id IN "
            "matched UNION ALL SELECT id FROM drug_tests WHERE person_id IN matched "
            "UNION ALL SELECT id FROM contacts WHERE person_id IN matched))"
        )
        params["id"] = person.strip()
        params["name"] = f"%{fold(person)}%"
    if user:
        where.append("c.user = :user")
        params["user"] = user
    if since:
        where.append("c.at >= :since")
        params["since"] = since.isoformat()
    if until:
        where.append("c.at < date(:until, '+1 day')")
        params["until"] = until.isoformat()
    rows = reg.db.query(
        f"{matched}SELECT c.seq, c.at, c.user, c.device_id, c.table_name, c.row_id, c.action, "
        "c.changes, p.id AS person_id, p.full_name AS person_name FROM change_log c "
        "LEFT JOIN episodes e ON e.id = c.row_id LEFT JOIN drug_tests t ON t.id = c.row_id "
        "LEFT JOIN contacts k ON k.id = c.row_id "
        "LEFT JOIN persons p ON p.id = COALESCE(e.person_id, t.person_id, k.person_id, c.row_id) "
        f"WHERE {' AND '.join(where)} ORDER BY c.seq DESC LIMIT :limit",
        params,
    )
    return [readable(row) for row in rows]
