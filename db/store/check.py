"""The integrity check: SQLite's own checks, the search index, the register's invariants and
the audit trail's hash chain."""

from __future__ import annotations

import time

from db.core.errors import UserError
from db.store import anchor, seal
from db.store.audit import Problem, verify_chain
from db.store.keyfile import read_keys
from db.store.keyslots import chief_secret_of
from db.store.reconcile import reconcile
from db.store.records import snapshot
from db.store.register import Register

__all__ = ["Problem", "check_register", "file_problems"]


def file_problems(reg: Register, *, quick: bool = False, pages: bool = True) -> list[Problem]:
    """SQLite's check of the file (and SQLCipher's page check when encrypted, unless `pages`
    is False).

    `quick` uses quick_check (skips index/table cross-checks: the check at every start).
    """
    pragma = "quick_check" if quick else "integrity_check"
    result = [row[0] for row in reg.db.execute(f"PRAGMA {pragma}").fetchall()]
    problems = [] if result == ["ok"] else [Problem("Tệp cơ sở dữ liệu bị hỏng", line)
                                            for line in result[:20]]  # fmt: skip
    if reg.encrypted and not quick and pages:
        problems += page_problems(reg)
    return problems


def page_problems(reg: Register) -> list[Problem]:
    """SQLCipher's check of every page's HMAC in the file."""
    return [Problem("Trang dữ liệu mã hóa bị hỏng", p) for p in _bad_pages(reg)[:20]]


def _bad_pages(reg: Register, tries: int = 3) -> list[str]:
    """SQLCipher's check of every page's HMAC, as it reads the file directly (not through
    SQLite's cache and WAL): a page that another program's checkpoint is writing, or has just
    grown the file for, can read torn or empty. Run outside any read transaction (one would hold
    such a checkpoint back); only pages found bad on every try are reported."""
    bad: list[str] | None = None
    for attempt in range(tries):
        found = [str(r[0]) for r in reg.db.execute("PRAGMA cipher_integrity_check").fetchall()]
        bad = found if bad is None else [p for p in bad if p in found]
        if not bad:
            return []
        if attempt + 1 < tries:
            time.sleep(0.3)
    return bad or []


def check_register(reg: Register) -> list[Problem]:
    """Everything found wrong with the register (an empty list: the file is sound).

    Reads only, in one snapshot: it runs beside writers and on read-only media, and a check
    never writes anything before (or while) it verifies.
    """
    if reg.encrypted:
        pages = page_problems(reg)  # before the snapshot: see _bad_pages
        if pages:
            return pages
    # The anchor kept beside the file before the snapshot: a writer that commits and renews it
    # while the check reads must not make the snapshot look cut short.
    kept = anchor.kept(reg.path, reg.key)
    with snapshot(reg):
        return _check(reg, kept)


def _check(reg: Register, kept_before: tuple[int, str] | str | None) -> list[Problem]:
    problems = file_problems(reg, pages=False)
    if problems:
        return problems  # nothing else can be trusted
    if reg.encrypted:
        secret = chief_secret_of(reg.key)
        for found in seal.problems(reg.conn, secret, seal.must_be_sealed(reg.path)):
            problems.append(Problem("Tài khoản hoặc cài đặt bị sửa ngoài chương trình", found))
        problems += [Problem("Tài khoản không khớp tệp khóa", p) for p in _slot_problems(reg)]
    problems += [Problem("Bản ghi không khớp nhật ký thay đổi", line) for line in reconcile(reg)]
    kept = anchor.kept_problem(reg, kept_before)
    if kept:
        problems.append(Problem("Nhật ký không khớp mốc giữ cạnh sổ", kept))
    for table, rowid, parent, _ in reg.db.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(
            Problem("Bản ghi trỏ tới bản ghi không tồn tại", f"{table} #{rowid} → {parent}")
        )
    # The search index's entries against the people (read-only: FTS5's own integrity-check is
    # an INSERT, which would need the write lock; row contents are checked against the log).
    missing, stray = reg.db.execute(
        "SELECT (SELECT count(*) FROM persons p WHERE NOT EXISTS "
        "(SELECT 1 FROM persons_fts_docsize d WHERE d.id = p.rid)), "
        "(SELECT count(*) FROM persons_fts_docsize d WHERE NOT EXISTS "
        "(SELECT 1 FROM persons p WHERE p.rid = d.id))"
    ).fetchone()
    if missing or stray:
        problems.append(Problem(
            "Chỉ mục tìm kiếm không khớp dữ liệu",
            f"{missing} người không có trong chỉ mục, {stray} mục chỉ mục không có người",
        ))  # fmt: skip
    for table, column in (("episodes", "person_id"), ("drug_tests", "person_id"),
                          ("contacts", "person_id")):  # fmt: skip
        orphans = reg.db.execute(
            f"SELECT count(*) FROM {table} x WHERE x.deleted = 0 AND NOT EXISTS "
            f"(SELECT 1 FROM persons p WHERE p.id = x.{column})"
        ).fetchone()[0]
        if orphans:
            problems.append(Problem(f"Bản ghi {table} không có người tương ứng", str(orphans)))
    problems += _orphans(reg)
    if stale := _person_last_stale(reg):
        problems.append(Problem(
            "Lần xét nghiệm / kiểm tra cư trú gần nhất lưu sẵn không khớp dữ liệu (sửa tệp ngoài "
            "chương trình?)", f"{stale} người: danh sách đến hạn của họ có thể sai",
        ))  # fmt: skip
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
    # The same absence recorded on two laptops arrives as two rows (db/handover); its days
    # count once in the episode's end, so taking one back would move the end back wrongly.
    absences = reg.db.execute(
        "SELECT count(*) FROM absences a JOIN absences b ON a.episode_id = b.episode_id "
        "AND a.id < b.id WHERE a.deleted = 0 AND b.deleted = 0 "
        "AND a.start_date <= b.end_date AND b.start_date <= a.end_date"
    ).fetchone()[0]
    if absences:
        problems.append(Problem(
            "Hai lần vắng mặt không báo cáo chồng lên nhau (thường do hai máy cùng ghi một lần "
            "vắng)", f"{absences} cặp: giữ một, bỏ lần kia và kiểm tra lại ngày kết thúc",
        ))  # fmt: skip
    return problems + verify_chain(reg)


def _person_last_stale(reg: Register) -> int:
    """People whose kept latest test or residence check (`person_last`, m016, read by the due
    list) differs from their tests and contacts: its triggers keep it equal, so only a file
    changed outside the program can make it differ."""
    return int(reg.db.execute(
        "WITH t AS (SELECT person_id, max(test_date) AS m FROM drug_tests WHERE deleted = 0 "
        "GROUP BY person_id), c AS (SELECT person_id, max(contact_date) AS m FROM contacts "
        "WHERE deleted = 0 AND kind = 'residence_check' GROUP BY person_id), "
        "k AS (SELECT person_id FROM t UNION SELECT person_id FROM c "
        "UNION SELECT person_id FROM person_last) "
        "SELECT count(*) FROM k LEFT JOIN t ON t.person_id = k.person_id "
        "LEFT JOIN c ON c.person_id = k.person_id "
        "LEFT JOIN person_last l ON l.person_id = k.person_id "
        "WHERE l.last_test IS NOT t.m OR l.last_check IS NOT c.m"
    ).fetchone()[0])  # fmt: skip


# A person's rows of Law 120/2025 and post-rehab management, and what each points to.
_PARENTS = {
    "absences": (("person_id", "persons", "người"), ("episode_id", "episodes", "diện quản lý")),
    "monitoring_orders": (("person_id", "persons", "người"),
                          ("episode_id", "episodes", "diện quản lý")),
    "substance_declarations": (("person_id", "persons", "người"),),
    "management_team": (("person_id", "persons", "người"),),
}  # fmt: skip
_TABLE_WORDS = {"absences": "Vắng mặt", "monitoring_orders": "Lệnh giám sát điện tử",
                "substance_declarations": "Khai báo chất sử dụng",
                "management_team": "Thành viên tổ quản lý"}  # fmt: skip
_NAMED = 10  # records named per table and parent; the rest counted


def _orphans(reg: Register) -> list[Problem]:
    """Live rows whose person or episode is not in the register, each named by its id."""
    found: list[Problem] = []
    for table, parents in _PARENTS.items():
        for column, parent, word in parents:
            ids = [r[0] for r in reg.db.execute(
                f"SELECT x.id FROM [{table}] x WHERE x.deleted = 0 AND x.[{column}] IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM [{parent}] p WHERE p.id = x.[{column}]) "
                "ORDER BY x.id")]  # fmt: skip
            if not ids:
                continue
            more = f" và {len(ids) - _NAMED} bản ghi khác" if len(ids) > _NAMED else ""
            found.append(Problem(
                f"{_TABLE_WORDS[table]} không có {word} tương ứng",
                f"{table}: {', '.join(ids[:_NAMED])}{more}",
            ))  # fmt: skip
    return found


def _slot_problems(reg: Register) -> list[str]:
    """Accounts against their key slots: an active account needs a slot, a slot an active
    account (a slot added to the key file is someone who could open the register)."""
    try:
        slots = set(read_keys(reg.path).slots)
    except UserError:
        return []  # said at login already (and a recovery-code open has none to compare)
    active = {r[0] for r in reg.conn.execute(
        "SELECT login FROM accounts WHERE disabled = 0 AND deleted = 0")}  # fmt: skip
    found = [f"khóa mở sổ của “{login}” không thuộc tài khoản nào đang dùng"
             for login in sorted(slots - active)]  # fmt: skip
    found += [f"tài khoản “{login}” không có khóa mở sổ" for login in sorted(active - slots)]
    return found
