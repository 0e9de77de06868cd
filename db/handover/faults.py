"""What the register refuses while a bundle is written, said in words that name the record.

Every value is checked before the merge (db/handover/validate.py); what remains depends on the
register itself: a row pointing to a person or village this register does not have (a bundle
lost on the way), two rows with one key, and two episodes of one kind that overlap for one
person. Each becomes an `InvalidBundle` naming the record; the import's transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from db.core.dates import show
from db.handover.bundle import InvalidBundle
from db.handover.tables import TABLE_LABELS
from db.law.categories import SHORT_LABELS
from db.store.register import Register
from db.store.sqlerrors import is_foreign_key

_KEPT = "Sổ không bị thay đổi."
_IN = 400


def _label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def _missing_parent(
    reg: Register, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[Sequence[Any], str, str, Any] | None:
    """The first row pointing to a record the register lacks: (row, column, parent, value)."""
    keys = reg.conn.execute(f"PRAGMA foreign_key_list([{table}])").fetchall()
    for _, _, parent, column, target, *_ in keys:
        if column not in columns:
            continue
        at = columns.index(column)
        wanted = sorted({r[at] for r in rows if r[at] is not None})
        found: set[Any] = set()
        for start in range(0, len(wanted), _IN):
            part = wanted[start : start + _IN]
            found.update(
                r[0]
                for r in reg.conn.execute(
                    f"SELECT [{target or 'id'}] FROM [{parent}] WHERE [{target or 'id'}] IN "
                    f"({','.join('?' * len(part))})",
                    part,
                )
            )
        for row in rows:
            if row[at] is not None and row[at] not in found:
                return row, column, parent, row[at]
    return None


def explain(
    reg: Register,
    path: Path,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    exc: BaseException,
) -> InvalidBundle:
    """An integrity error of SQLite while writing a batch, as a message naming the record."""
    name = Path(path).name
    if is_foreign_key(exc):
        found = _missing_parent(reg, table, columns, rows) if rows else None
        where = ""
        if found is not None:
            row, _column, parent, value = found
            row_id = row[columns.index("id")] if "id" in columns else "?"
            where = (
                f" ({_label(table)} mã {row_id} trỏ tới {_label(parent).lower()} mã {value} "
                "mà sổ này chưa có)"
            )
        return InvalidBundle(
            f"Gói “{name}” thiếu bản ghi gốc mà sổ này chưa có{where}: có thể một gói trước "
            "chưa được nhập. Hãy nhập các gói trước, hoặc xin bên gửi một gói đầy đủ. " + _KEPT
        )
    text = str(exc)
    reason = "hai bản ghi trùng mã hoặc trùng khóa" if "UNIQUE" in text else "vi phạm ràng buộc"
    return InvalidBundle(
        f"Gói “{name}” có dữ liệu không hợp lệ ở bảng {_label(table)}: {reason} ({text}). " + _KEPT
    )


def overlapping_episode(reg: Register, path: Path, persons: Iterable[str]) -> InvalidBundle | None:
    """Two live episodes of one kind overlapping for one of these people, once merged.

    The live episodes of a few hundred people at a time (one indexed lookup by person), paired
    here: a self-join in SQL let the planner walk every episode of a category for each one
    (quadratic: minutes for a full bundle of 100,000 people)."""
    people = sorted(set(persons))
    for start in range(0, len(people), _IN):
        part = people[start : start + _IN]
        kinds: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for episode_id, person, category, begin, end in reg.conn.execute(
            "SELECT id, person_id, category, start_date, COALESCE(end_date, '9999') "
            f"FROM episodes WHERE person_id IN ({','.join('?' * len(part))}) AND deleted = 0",
            part,
        ):
            kinds.setdefault((person, category), []).append((episode_id, begin, end))
        for (person, category), spans in sorted(kinds.items()):
            found = _overlap(spans)
            if found is not None:
                return _overlap_error(reg, path, person, category, *found)
    return None


def _overlap(spans: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """The start dates of the first two (by id) of these episodes whose times overlap."""
    if len(spans) < 2:
        return None
    spans = sorted(spans)
    for n, (_, a_start, a_end) in enumerate(spans):
        for _, b_start, b_end in spans[n + 1 :]:
            if a_start < b_end and b_start < a_end:
                return a_start, b_start
    return None


def _overlap_error(reg: Register, path: Path, person: str, category: Any, first: str,
                   second: str) -> InvalidBundle:  # fmt: skip
    row = reg.conn.execute("SELECT full_name FROM persons WHERE id = ?", [person]).fetchone()
    full_name = row[0] if row else None
    who = f"“{full_name}” (mã {person})" if full_name else f"mã {person}"
    kind = SHORT_LABELS.get(category, category)
    return InvalidBundle(
        f"Gói “{Path(path).name}” làm người {who} có hai diện quản lý cùng loại "
        f"({kind}) chồng thời gian nhau (từ {show(first)} và từ {show(second)}). Hãy sửa "
        "ở một bên (kết thúc diện cũ) rồi lập lại gói. " + _KEPT
    )
