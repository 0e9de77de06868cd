"""Speed of the register at scale: fill, search, the due list and the figures for a date, each
beside a raw-SQLite baseline measured in the same run (the machine is shared and noisy; the
ratio to the baseline is what carries over to another machine).

    python bench/bench_register.py [--persons 100000] [--out docs/benchmarks.md] [--db PATH]

Not part of the tests. Builds a fresh register in a temporary folder with `fill_demo` (or uses
--db, filling it first if it does not exist) and prints a table; with --out, writes it as
Markdown with the machine it ran on.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.demo.fill import fill_demo
from db.duties.due import due_items
from db.persons.search import find
from db.store.register import Register, open_register

ON = date(2026, 11, 20)
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass
class Row:
    """One line of the table: what, its target, the result and the baseline (seconds)."""

    what: str
    target: float | None
    result: float | None
    baseline: float | None
    baseline_what: str
    note: str = ""

    def cells(self) -> list[str]:
        ratio = f"{self.result / self.baseline:.1f}×" if self.result and self.baseline else "—"
        if self.result is None:
            verdict = "skipped"
        elif self.target is None:
            verdict = ""
        else:
            verdict = "ok" if self.result <= self.target else "**missed**"
        return [
            self.what,
            _target(self.target),
            _secs(self.result),
            f"{_secs(self.baseline)} ({self.baseline_what})",
            ratio,
            verdict + (f" — {self.note}" if self.note else ""),
        ]


def _target(value: float | None) -> str:
    if value is None:
        return ""
    return f"≤ {value * 1000:g} ms" if value < 1 else f"≤ {value:g} s"


def _secs(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def timed(call: Callable[[], Any]) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def median_of(call: Callable[[], Any], times: int = 3) -> float:
    """The median of a few runs (after the first, which also warms the cache)."""
    call()
    return statistics.median(timed(call) for _ in range(times))


# --- fill --------------------------------------------------------------------------------------


def fill(path: Path, persons: int) -> tuple[float, dict[str, int], list[tuple[str, float]]]:
    """Seconds to fill a new register, the counts, and the seconds each stage took."""
    stages: list[tuple[str, float]] = []
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        if not stages or stages[-1][0] != stage:
            stages.append((stage, time.perf_counter()))
        print(f"\r  {stage}: {done:,}/{total:,}          ", end="", file=sys.stderr, flush=True)

    with open_register(path, create=True, today=lambda: ON) as reg:
        counts = fill_demo(reg, persons=persons, seed=1, on=ON, progress=progress)
    seconds = time.perf_counter() - started
    print(file=sys.stderr)
    ends = [t for _, t in stages[1:]] + [started + seconds]
    spans = [(name, end - begun) for (name, begun), end in zip(stages, ends, strict=True)]
    return seconds, counts, spans


def fill_baseline(folder: Path, rows: int) -> float:
    """Plain sqlite3 executemany of as many rows into a bare 17-column table (same pragmas)."""
    path = folder / "baseline.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        columns = [f"c{i}" for i in range(16)]
        conn.execute(f"CREATE TABLE t (id TEXT, {', '.join(columns)})")
        stamp = "2026-11-20T00:00:00.000+00:00"
        values = ("2026-11-20", "periodic", "urine_strip", "MET,AMP,MDMA,KET,THC,MOP", "",
                  "negative", "Lò Văn Hải", "Trụ sở Công an xã", "", stamp, "bench", stamp,
                  "bench", "device", "0", "person")  # fmt: skip
        sql = f"INSERT INTO t VALUES ({', '.join('?' for _ in range(17))})"
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(sql, ((f"{i:032x}", *values) for i in range(rows)))
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- search ------------------------------------------------------------------------------------


def queries(reg: Register) -> list[str]:
    """~20 things an officer types: given names, family + middle, part of a CCCD, a village."""
    one = reg.db.execute(
        "SELECT name_folded, id_number FROM persons WHERE id_kind = 'cccd' ORDER BY rid LIMIT 1 "
        "OFFSET (SELECT count(*) / 2 FROM persons)"
    ).fetchone()
    village = reg.db.execute("SELECT name_folded FROM villages ORDER BY rowid LIMIT 1").fetchone()
    return [
        "duc", "minh", "pao", "xuan", "chu", "nguyen van", "lo van", "giang a", "sung thi",
        "quang van duc", "hoang thi", "cam van", "vang a chu", "den", "lo thi xuan",
        one[0], one[1][3:9], one[1][-5:], village[0], "ban pa",
    ]  # fmt: skip


def search_times(reg: Register, texts: list[str]) -> list[float]:
    for text in texts:  # warm the cache, as in a session that has been open a while
        find(reg, text)
    return [timed(functools.partial(find, reg, text)) for text in texts]


def like_times(reg: Register, texts: list[str]) -> list[float]:
    sql = "SELECT id, full_name FROM persons WHERE search_text LIKE ? LIMIT 100"

    def like(text: str) -> list[Any]:
        return reg.conn.execute(sql, [f"%{text}%"]).fetchall()

    for text in texts:
        like(text)
    return [timed(functools.partial(like, text)) for text in texts]


# --- the run -----------------------------------------------------------------------------------


def measure(reg: Register, fill_row: Row | None) -> list[Row]:
    rows = [fill_row] if fill_row else []
    gc.collect()
    texts = queries(reg)
    found, like = search_times(reg, texts), like_times(reg, texts)
    rows.append(Row(f"one search (median of {len(texts)})", 0.050, statistics.median(found),
                    statistics.median(like), "LIKE '%x%'"))  # fmt: skip
    rows.append(Row(f"one search (worst of {len(texts)})", 0.050, max(found), max(like),
                    "LIKE '%x%'"))  # fmt: skip
    gc.collect()
    due = median_of(lambda: due_items(reg, ON))
    last_tests = median_of(
        lambda: reg.conn.execute(
            "SELECT person_id, max(test_date) FROM drug_tests GROUP BY person_id"
        ).fetchall()
    )
    count = len(due_items(reg, ON))
    rows.append(Row(f"the whole due list ({count:,} items)", 1.0, due, last_tests,
                    "last test per person"))  # fmt: skip
    gc.collect()
    open_sql = (
        "SELECT category, count(*) FROM episodes WHERE deleted = 0 AND start_date <= :on "
        "AND (end_date IS NULL OR end_date > :on) GROUP BY category"
    )
    per_category = median_of(lambda: reg.conn.execute(open_sql, {"on": ON.isoformat()}).fetchall())
    try:
        from db.figures.stats import figures
    except ImportError as exc:
        note = f"db.figures.stats not importable: {exc}"
        rows.append(Row("the figures for a date", 1.0, None, per_category,
                        "open episodes per category", note))  # fmt: skip
    else:
        gc.collect()
        rows.append(Row("the figures for a date", 1.0, median_of(lambda: figures(reg, ON)),
                        per_category, "open episodes per category"))  # fmt: skip
    return rows


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [
        f"- Date: {date.today().isoformat()}; register day {ON.isoformat()}",
        f"- CPU: {os.cpu_count()} × {cpu}; load average at the end {load}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"sqlite-utils {metadata.version('sqlite-utils')}, "
        f"{platform.system()} {platform.release()}",
    ]


def table(rows: list[Row]) -> list[str]:
    head = ["measure", "target", "result", "baseline (raw SQLite)", "result / baseline", ""]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(row.cells()) + " |" for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--out", type=Path, help="write the figures here as Markdown")
    parser.add_argument("--db", type=Path, help="use (or fill and keep) this register")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = args.db or folder / "register.db"
        fill_row: Row | None = None
        counts: dict[str, int] = {}
        spans: list[tuple[str, float]] = []
        if not path.exists():
            print(f"filling {args.persons:,} people…", file=sys.stderr)
            seconds, counts, spans = fill(path, args.persons)
            gc.collect()
            written = sum(counts.values())
            fill_row = Row(f"fill {args.persons:,} people ({written:,} rows)", 60.0, seconds,
                           fill_baseline(folder, written), "executemany, bare table")  # fmt: skip
        gc.collect()
        with open_register(path, today=lambda: ON) as reg:
            persons = reg.db["persons"].count
            rows = measure(reg, fill_row)
    lines = table(rows)
    if spans:
        lines += ["", "Fill, by stage: " + "; ".join(f"{n} {s:.1f} s" for n, s in spans) + "."]
        lines += ["", "Rows written: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + "."]
    print("\n".join(lines))
    if args.out:
        write(args.out, [f"Measured with {persons:,} people:", "", *machine(), "", *lines])
    return 0


def write(out: Path, lines: list[str]) -> None:
    """Put the figures between the bench markers of `out` (the text around them stays)."""
    block = "\n".join([START, *lines, END])
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in old and END in old:
        text = old[: old.index(START)] + block + old[old.index(END) + len(END) :]
    else:
        text = f"# Register benchmarks\n\n`python bench/bench_register.py --out {out}`\n\n{block}\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
