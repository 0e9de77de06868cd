"""Speed of the window on a big register: open to the today screen, a search keystroke,
scrolling the whole register, and memory. Each beside a raw-SQLite baseline from the same run.

    python bench/bench_gui.py [--persons 100000] [--db PATH] [--out docs/benchmarks-gui.md]

Not part of the tests. Runs offscreen (QT_QPA_PLATFORM=offscreen is set if nothing is).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from db.demo.fill import fill_demo
from db.store.register import open_register

ON = date(2026, 11, 20)


def _build(path: Path, persons: int) -> None:
    with open_register(path, create=True, today=lambda: ON) as reg:
        fill_demo(reg, persons=persons, seed=1, on=ON)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="reuse a register built before")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks-gui.md"))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    path = args.db or Path(tmp) / "bench.db"
    if not path.exists():
        print(f"building a {args.persons:,}-person register…", file=sys.stderr)
        # In a child process: the window's memory below must not include the building.
        child = multiprocessing.get_context("spawn").Process(
            target=_build, args=(path, args.persons)
        )
        child.start()
        child.join()
    gc.collect()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
    app = QApplication.instance() or QApplication([])
    from gui.main_window import MainWindow

    rows: list[tuple[str, float, float, str]] = []
    raw = sqlite3.connect(path)

    # 1. Open to the today screen.
    started = time.perf_counter()
    reg = open_register(path, today=lambda: ON)
    window = MainWindow(reg)
    window.resize(1280, 760)
    window.show()
    app.processEvents()
    opened = time.perf_counter() - started
    # The due list is computed off the UI thread: time until it is on screen too.
    today = window.page("today")
    while today.model.rowCount() == 0 and time.perf_counter() - started < 30:
        app.processEvents()
        time.sleep(0.005)
    listed = time.perf_counter() - started
    t = time.perf_counter()
    raw.execute("SELECT count(*) FROM persons").fetchone()
    raw.execute("SELECT person_id, max(test_date) FROM drug_tests GROUP BY person_id").fetchall()
    base = time.perf_counter() - t
    rows.append(("open the window to the today screen", opened, base, "≤ 2 s"))
    rows.append(("…and the day's due list on it (computed in the background)", listed, base, ""))

    # 2. A search keystroke: filter in SQL, then the visible rows drawn.
    page = window.page("register")
    window.nav.setCurrentRow(1)
    app.processEvents()
    times, bases = [], []
    # Clearing the box ("") is a keystroke too: the whole register again.
    texts = ("d", "du", "duc", "nguyen", "nguyen v", "lo van", "0140", "ban pa", "thi", "a", "")
    for text in texts:
        t = time.perf_counter()
        page.search.setText(text)
        page.apply_filter()
        window.repaint()
        app.processEvents()
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        raw.execute(
            "SELECT rowid FROM persons WHERE search_text LIKE ? ORDER BY sort_key LIMIT 40",
            [f"%{text}%"],
        ).fetchall()
        bases.append(time.perf_counter() - t)
    rows.append(("search keystroke (worst of 11)", max(times), max(bases), "≤ 100 ms"))
    rows.append(
        ("search keystroke (median)", statistics.median(times), statistics.median(bases), "")
    )

    # 3. Scroll the whole register, a screenful at a time.
    page.search.setText("")
    page.apply_filter()
    model = page.model
    total = model.rowCount()
    view = page.view
    step = max(view.viewport().height() // max(view.rowHeight(0), 1), 1)
    worst = 0.0
    t_all = time.perf_counter()
    for first in range(0, total, step * 50):  # every 50th screenful, so it ends in time
        t = time.perf_counter()
        view.scrollTo(model.index(first, 0))
        view.viewport().repaint()
        app.processEvents()
        worst = max(worst, time.perf_counter() - t)
    scrolled = time.perf_counter() - t_all
    t = time.perf_counter()
    raw.execute(
        "SELECT * FROM persons ORDER BY sort_key LIMIT 40 OFFSET ?", [total // 2]
    ).fetchall()
    base = time.perf_counter() - t
    rows.append(
        (f"one screenful while scrolling {total:,} people (worst)", worst, base, "smooth (< 50 ms)")
    )
    rows.append(("whole scroll pass (every 50th screen)", scrolled, 0.0, ""))
    memory = _rss_mb()
    window.close()
    reg.close()

    lines = [
        "# The window's speed at 100,000 people",
        "",
        f"Measured {date.today().isoformat()} on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, offscreen Qt; "
        f"{total:,} people. Baselines are raw SQLite queries of the same shape in the same run.",
        "",
        "| figure | measured | raw-SQLite baseline | target |",
        "|---|---:|---:|---|",
    ]
    for name, value, base, target in rows:
        lines.append(f"| {name} | {value * 1000:,.0f} ms | {base * 1000:,.1f} ms | {target} |")
    lines.append(f"| peak memory (whole process) | {memory:,.0f} MB | | ≤ 300 MB |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
