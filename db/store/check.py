"""The integrity check: SQLite's own checks, the search index, the register's invariants and
the audit trail's hash chain."""

from __future__ import annotations

from db.store.audit import Problem, verify_chain
from db.store.register import Register

__all__ = ["Problem", "check_register", "file_problems"]


def file_problems(reg: Register, *, quick: bool = False) -> list[Problem]:
    """SQLite's check of the file (and SQLCipher's page check when encrypted).

    `quick` uses quick_check (skips index/table cross-checks: the check at every start).
    """
    pragma = "quick_check" if quick else "integrity_check"
    result = [row[0] for row in reg.db.execute(f"PRAGMA {pragma}").fetchall()]
    problems = [] if result == ["ok"] else [Problem("Tệp cơ sở dữ liệu bị hỏng", line)
                                            for line in result[:20]]  # fmt: skip
    if reg.encrypted and not quick:
        pages = reg.db.execute("PRAGMA cipher_integrity_check").fetchall()
        problems += [Problem("Trang dữ liệu mã hóa bị hỏng", str(p[0])) for p in pages[:20]]
    return problems


def check_register(reg: Register) -> list[Problem]:
    """Everything found wrong with the register (an empty list: the file is sound)."""
    problems = file_problems(reg)
    if problems:
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
    return problems + verify_chain(reg)
