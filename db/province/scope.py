"""One commune of a register that holds several: a read-only register that sees only its rows.

    with scoped(reg, commune_id) as one:       # every db function, unchanged, on one commune
        figures(one); due_items(one); ...

How: the scoped register is a connection of its own on which the commune's tables shadow the
register's. SQLite resolves an unqualified table name in the `temp` schema first, so on this
connection `persons` is `temp.persons`, not `main.persons`:

- `persons` and `episodes` are copied into temp tables with every index of the originals,
  under the same names. They could not be views: the figures and the due list name indexes
  (`persons p INDEXED BY persons_live_village`, `episodes INDEXED BY episodes_planned`), and
  SQLite refuses INDEXED BY on a view ("no such index"). A commune's people and episodes are a
  few thousand rows (copied in milliseconds); the big tables stay where they are.
- The person's other rows (tests, contacts, absences, monitoring orders, declarations, the
  management team) are views over `main`, filtered through the commune's people; villages,
  hotspots, prevention models and incidents are views filtered by `commune_id`.
- `settings` and `calendar_days`: a commune's own register keeps its settings; a register
  that received another commune's bundles keeps that commune's (db.commune.settings
  `keep_commune_settings`, table `commune_settings`), and the scoped register sees those, with
  the register's own for any key the commune never sent.

The connection refuses every write (`PRAGMA query_only`, and the register is marked read-only,
so `records.transaction` says so in Vietnamese before trying).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from db.core.errors import UserError
from db.store.register import Register

# Tables copied (their indexes are named in queries), and the rows that hang on a person.
COPIED = ("persons", "episodes")
BY_PERSON = (
    "drug_tests",
    "contacts",
    "absences",
    "monitoring_orders",
    "substance_declarations",
    "management_team",
)
BY_COMMUNE = ("villages", "hotspots", "prevention_models", "incidents")
_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+", re.IGNORECASE)
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+", re.IGNORECASE)


def known_commune(reg: Register, commune_id: str) -> bool:
    """Whether the register holds anything of this commune (its own commune always counts)."""
    if commune_id == reg.commune_id:
        return True
    for sql in (
        "SELECT 1 FROM persons WHERE commune_id = ? LIMIT 1",
        "SELECT 1 FROM villages WHERE commune_id = ? LIMIT 1",
        "SELECT 1 FROM handover_peers WHERE commune_id = ? LIMIT 1",
    ):
        if reg.conn.execute(sql, [commune_id]).fetchone():
            return True
    return False


def _checked(reg: Register, commune_id: str) -> str:
    if not _ID.fullmatch(commune_id or ""):
        raise UserError(f"Mã xã “{commune_id}” không hợp lệ.")
    if not known_commune(reg, commune_id):
        raise UserError(
            f"Sổ không có dữ liệu của xã mã “{commune_id}” (chưa nhận gói dữ liệu nào của xã)."
        )
    return commune_id


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _has_table(reg: Register, name: str) -> bool:
    row = reg.conn.execute(
        "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?", [name]
    ).fetchone()
    return row is not None


def _columns(reg: Register, table: str) -> list[str]:
    return [r[1] for r in reg.conn.execute(f"PRAGMA main.table_info([{table}])")]


def shadow(reg: Register, commune_id: str) -> None:
    """Make this connection see one commune only (the temp tables and views of the module
    docstring). The caller's connection: use `scoped` for a connection of its own."""
    conn = reg.conn
    cid = _quoted(commune_id)
    # The copies are made from the tables' own definitions (types, `rid` as the rowid,
    # defaults), not with CREATE TABLE AS; their REFERENCES would name the temp views, so
    # foreign keys are off while they are filled (nothing is written to them afterwards).
    keys_on = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    for table, where in (
        ("persons", f"commune_id = {cid}"),
        ("episodes", "person_id IN (SELECT id FROM temp.persons)"),
    ):
        (sql,) = conn.execute(
            "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", [table]
        ).fetchone()
        conn.execute(_CREATE_TABLE.sub("CREATE TEMP TABLE ", sql, count=1))
        conn.execute(f"INSERT INTO temp.[{table}] SELECT * FROM main.[{table}] WHERE {where}")
    conn.execute(f"PRAGMA foreign_keys = {int(keys_on)}")
    for table in COPIED:
        for (sql,) in conn.execute(
            "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            [table],
        ).fetchall():
            conn.execute(_CREATE_INDEX.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX temp.", sql))
    for table in BY_PERSON:
        conn.execute(
            f"CREATE TEMP VIEW [{table}] AS SELECT * FROM main.[{table}] "
            "WHERE person_id IN (SELECT id FROM temp.persons)"
        )
    for table in BY_COMMUNE:
        conn.execute(
            f"CREATE TEMP VIEW [{table}] AS SELECT * FROM main.[{table}] WHERE commune_id = {cid}"
        )
    if commune_id != reg.commune_id and _has_table(reg, "commune_settings"):
        # The commune's settings, as it sent them; the program's defaults for keys it never
        # sent (a bundle carries only the settings changed from them), never the province's.
        columns = _columns(reg, "settings")
        kept = ", ".join(
            {"id": "'kept-' || c.key", "key": "c.key", "value": "c.value", "deleted": "0",
             "updated_at": "c.received_at", "created_at": "c.received_at"}.get(n, "''")
            for n in columns
        )  # fmt: skip
        conn.execute(
            f"CREATE TEMP VIEW settings ({', '.join(columns)}) AS "
            f"SELECT {kept} FROM main.commune_settings c WHERE c.commune_id = {cid}"
        )
    reg.commune_id = commune_id
    reg.read_only = True
    conn.execute("PRAGMA query_only = ON")


@contextlib.contextmanager
def scoped(reg: Register, commune_id: str) -> Iterator[Register]:
    """A read-only register, on a connection of its own, that holds one commune only."""
    _checked(reg, commune_id)
    one = reg.reopen()
    try:
        shadow(one, commune_id)
        yield one
    finally:
        one.close()
