"""The processes `bench_encrypted.py` times: a command of `main.py` with its phases measured from
inside, a raw SQLCipher/SQLite query, and the window. Each prints one JSON line on stdout.

    python bench/bench_children.py command <main.py arguments…>
    python bench/bench_children.py raw <plain|encrypted> <register> <find|due|stats|report> <day>
    python bench/bench_children.py window <register> <day> [--password-file FILE --user NAME]

Not a test, not part of the program. The command is run through `cli.main.main` unchanged; the
only thing added is a clock around the key slot's scrypt (`db.store.keys.unwrap`) and around
the call that does the command's work, so the figure after unlocking can be shown apart.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The call that does each command's work, wrapped where the command looks it up.
WORK = {
    "find": ("db.persons.search", "find"),
    "due": ("db.duties.due", "due_items"),
    "stats": ("db.figures.stats", "figures"),
    "report": ("reports.build", "monthly_report"),
}


def _clocked(owner: Any, name: str, spent: list[float]) -> None:
    real: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(real)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - began)

    setattr(owner, name, wrapper)


def _same_engine() -> None:
    """Open a plain register through SQLCipher's SQLite (no key): the plain baseline then runs
    the same SQLite version and query planner as the encrypted register (Python's own sqlite3
    here is older: 3.40 reads table rows for partial indexes that 3.53 answers alone)."""
    import db.store.opening

    real = getattr(db.store.opening, "connect_file")  # noqa: B009 - re-exported by import

    def connect_file(path: Path, key: bytes | None = None, **options: Any) -> Any:
        return real(path, key, **{**options, "cipher": True})

    setattr(db.store.opening, "connect_file", connect_file)  # noqa: B010


def command(argv: list[str]) -> dict[str, Any]:
    import importlib

    import cli.main
    import db.store.keys
    import db.store.register

    if os.environ.get("BENCH_SAME_ENGINE"):
        _same_engine()

    unlock: list[float] = []
    work: list[float] = []
    _clocked(db.store.keys, "unwrap", unlock)
    if argv and argv[0] in WORK:
        module, name = WORK[argv[0]]
        _clocked(importlib.import_module(module), name, work)
    imported = time.perf_counter() - STARTED
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main.main(argv)
    if code != 0:
        raise SystemExit(f"main.py {' '.join(argv)} → {code}")
    return {
        "imports": imported,
        "unlock": sum(unlock),
        "work": sum(work),
        "out": len(out.getvalue()),
    }


_MINIMAL = {
    # The least SQL each command's answer needs.
    "find": "SELECT p.id, p.full_name FROM persons p WHERE p.deleted = 0 AND p.rid IN (SELECT "
    'rowid FROM persons_fts WHERE persons_fts MATCH \'"nguyen"* "van"*\') '
    "ORDER BY p.sort_key LIMIT 50",
    "due": "SELECT person_id, max(test_date) FROM drug_tests WHERE deleted = 0 "
    "AND test_date <= :on GROUP BY person_id",
    "stats": "SELECT category, count(*) FROM episodes WHERE deleted = 0 AND start_date <= :on "
    "AND (end_date IS NULL OR end_date > :on) GROUP BY category",
}


def raw(kind: str, path: str, what: str, day: str) -> dict[str, Any]:
    """Connect (with the raw key for SQLCipher), run the minimal query; seconds after imports."""
    # The same SQLite (SQLCipher's, without a key for the plain copy) for both.
    import sqlcipher3.dbapi2 as driver

    if what == "report":
        from reportlab.lib.pagesizes import A4
        from reportlab.platypus import SimpleDocTemplate, Table
    began = time.perf_counter()
    conn = driver.connect(path)
    if kind == "encrypted":
        conn.execute(f"PRAGMA key = \"x'{os.environ['BENCH_KEY']}'\"")
    rows = conn.execute(_MINIMAL.get(what, _MINIMAL["stats"]), {"on": day}).fetchall()
    if what == "report":
        # The figures' minimal query, the due list's, and a plain table of the report's size.
        rows += conn.execute(_MINIMAL["due"], {"on": day}).fetchall()
        # As many table rows as the report's: the villages, up to 1,500 due, ~40 figures.
        size = conn.execute("SELECT count(*) FROM villages").fetchone()[0] + 1540
        data = [[str(i), f"Thôn {i}", *[str(i % 97)] * 9] for i in range(size)]
        SimpleDocTemplate(io.BytesIO(), pagesize=A4).build([Table(data, repeatRows=1)])
    return {"work": time.perf_counter() - began, "rows": len(rows)}


def window(path: str, day: str, password_file: str | None, user: str | None) -> dict[str, Any]:
    """Open the window to the today list, type a search, open a person (offscreen Qt)."""
    import tempfile
    from datetime import date

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    import db.store.keys
    from db.store.register import open_register

    if os.environ.get("BENCH_SAME_ENGINE"):
        _same_engine()
    unlock: list[float] = []
    _clocked(db.store.keys, "unwrap", unlock)
    folder = tempfile.mkdtemp()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
    app = QApplication.instance() or QApplication([])
    from gui.main_window import MainWindow

    imported = time.perf_counter() - STARTED
    on = date.fromisoformat(day)
    began = time.perf_counter()
    password = (
        Path(password_file).read_text(encoding="utf-8").splitlines()[0] if password_file else None
    )
    reg = open_register(Path(path), user=user, password=password, today=lambda: on)
    win = MainWindow(reg)
    win.resize(1280, 760)
    win.show()
    app.processEvents()
    shown = time.perf_counter() - began
    today: Any = win.page("today")
    while today.model.rowCount() == 0 and time.perf_counter() - began < 120:
        app.processEvents()
        time.sleep(0.005)
    listed = time.perf_counter() - began
    page = win.register_page()
    win.nav.setCurrentRow(1)
    app.processEvents()
    keystrokes = []
    for text in ("n", "ng", "nguyen", "nguyen v", "nguyen van", "duc", "lo van", "ban pa"):
        t = time.perf_counter()
        page.search.setText(text)
        page.apply_filter()
        win.repaint()
        app.processEvents()
        keystrokes.append(time.perf_counter() - t)
    person = reg.db.execute(
        "SELECT person_id FROM drug_tests WHERE deleted = 0 GROUP BY person_id "
        "ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    t = time.perf_counter()
    win.open_person(person)
    win.repaint()
    app.processEvents()
    opened = time.perf_counter() - t
    win.close()
    reg.close()
    return {
        "imports": imported,
        "unlock": sum(unlock),
        "shown": shown - sum(unlock),
        "listed": listed - sum(unlock),
        "keystroke_worst": max(keystrokes),
        "keystroke_median": sorted(keystrokes)[len(keystrokes) // 2],
        "person": opened,
    }


def main() -> None:
    what, rest = sys.argv[1], sys.argv[2:]
    if what == "command":
        found = command(rest)
    elif what == "raw":
        found = raw(*rest)
    else:
        options = dict(zip(rest[2::2], rest[3::2], strict=True))
        found = window(rest[0], rest[1], options.get("--password-file"), options.get("--user"))
    print(json.dumps(found))


if __name__ == "__main__":
    main()
