"""The integrity check: SQLite's own checks, the search index, and the register's invariants."""

from __future__ import annotations

from dataclasses import dataclass

from db.register import Register


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, said in Vietnamese."""

    what: str
    detail: str = ""


def check_register(reg: Register) -> list[Problem]:
    """Everything found wrong with the register (an empty list: the file is sound)."""
    problems: list[Problem] = []
    result = [row[0] for row in reg.db.execute("PRAGMA integrity_check").fetchall()]
    if result != ["ok"]:
        problems += [Problem("Tệp cơ sở dữ liệu bị hỏng", line) for line in result[:20]]
        return problems  # nothing else can be trusted
    for table, rowid, parent, _ in reg.db.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(
            Problem("Bản ghi trỏ tới bản ghi không tồn tại", f"{table} #{rowid} → {parent}")
        )
    try:
        reg.db.execute("INSERT INTO persons_fts (persons_fts) VALUES ('integrity-check')")
    except Exception as exc:  # noqa: BLE001 - any failure here means the index is off
        problems.append(Problem("Chỉ mục tìm kiếm không khớp dữ liệu", str(exc)))
    for table, column in (("episodes", "person_id"), ("drug_tests", "person_id"),
                          ("contacts", "person_id")):  # fmt: skip
        orphans = reg.db.execute(
            f"SELECT count(*) FROM {table} x WHERE x.deleted = 0 AND NOT EXISTS "
            f"(SELECT 1 FROM persons p WHERE p.id = x.{column})"
        ).fetchone()[0]
        if orphans:
            problems.append(Problem(f"Bản ghi {table} không có người tương ứng", str(orphans)))
    overlapping = reg.db.execute(
        "SELECT count(*) FROM episodes a JOIN episodes b ON a.person_id = b.person_id "
        "AND a.category = b.category AND a.id < b.id WHERE a.deleted = 0 AND b.deleted = 0 "
        "AND a.start_date < COALESCE(b.end_date, '9999') "
        "AND b.start_date < COALESCE(a.end_date, '9999')"
    ).fetchone()[0]
    if overlapping:
        problems.append(
            Problem("Một người có hai diện cùng loại chồng lên nhau", f"{overlapping} cặp")
        )
    return problems
