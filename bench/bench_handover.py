"""Speed of the USB handover at scale: a full bundle made, imported into an empty register, and
imported again — each beside a raw baseline measured in the same run (the machine is shared and
noisy; the ratio to the baseline is what carries over to another machine).

    python bench/bench_handover.py [--persons 100000] [--db PATH] [--out docs/handover.md]
                                   [--password-file FILE --user NAME]

Not part of the tests. `--db` reuses a filled register (a demo register is filled there first
if the file does not exist; 100,000 people take ~1.5 min). The register is copied, so the file
given is not changed. With --password-file the register given is an encrypted one (as officers
use; e.g. the one bench_encrypted.py keeps): it is opened with that password, and the raw
baselines read the plain copy beside it (`plain.db`, as bench_encrypted.py makes).
Targets (issue 5, at 100,000 people and 1,000,000 tests): export ≤ 30 s,
import into an empty register ≤ 60 s, re-import of the same bundle ≤ 20 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.demo.fill import fill_demo
from db.handover import bundle, receive, send
from db.security.encryption import create_register
from db.store.register import open_register

ON = date(2026, 11, 20)
PASS = "mật khẩu gói để đo tốc độ"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call takes, and what it returned."""
    gc.collect()
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])") if r[1] != "rid"]


def baseline_dump(source: Path, out: Path) -> float:
    """Plain sqlite3: read every row of the bundle's tables, one JSON line each, zlib, a file."""
    conn = sqlite3.connect(source)
    started = time.perf_counter()
    packer = zlib.compressobj(6)
    with out.open("wb") as handle:
        for table in receive.HANDOVER_TABLES:
            sql = f"SELECT {', '.join(_columns(conn, table))} FROM [{table}]"
            lines = []
            for row in conn.execute(sql):
                lines.append(json.dumps(row, ensure_ascii=False))
                if len(lines) >= 5000:
                    handle.write(packer.compress(("\n".join(lines) + "\n").encode()))
                    lines = []
            handle.write(packer.compress(("\n".join(lines) + "\n").encode()))
        handle.write(packer.flush())
        handle.flush()
        os.fsync(handle.fileno())
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def baseline_insert(source: Path, target: Path) -> float:
    """Plain sqlite3: executemany of the same rows into an empty register (same schema, indexes
    and FTS triggers) in one transaction — what SQLite itself costs."""
    open_register(target, create=True).close()
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA cache_size = -262144")
    dst.execute("PRAGMA foreign_keys = ON")
    started = time.perf_counter()
    dst.execute("BEGIN")
    for table in receive.HANDOVER_TABLES:
        names = _columns(src, table)
        rows = src.execute(f"SELECT {', '.join(names)} FROM [{table}]")
        dst.executemany(
            f"INSERT INTO [{table}] ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            rows,
        )
    dst.execute("COMMIT")
    seconds = time.perf_counter() - started
    src.close()
    dst.close()
    return seconds


def baseline_read(path: Path) -> float:
    """Reading the bundle file once (the least a check of it costs)."""
    started = time.perf_counter()
    bundle.file_sha256(path)
    return time.perf_counter() - started


def run(source: Path, folder: Path, access: dict[str, Any] | None = None) -> list[list[str]]:
    work = folder / "laptop.db"
    for suffix in ("", ".keys", ".anchor"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{work}{suffix}")
    plain = source.with_name("plain.db") if access else source
    rows: list[list[str]] = []

    def row(what: str, target: float | None, seconds: float, base: float, base_what: str,
            note: str = "") -> None:  # fmt: skip
        verdict = "" if target is None else ("ok" if seconds <= target else "**missed**")
        rows.append([
            what, f"≤ {target:g} s" if target else "", f"{seconds:.1f} s",
            f"{base:.1f} s ({base_what})", f"{seconds / base:.1f}×" if base else "—",
            verdict + (f" — {note}" if note else ""),
        ])  # fmt: skip
        print(" | ".join(rows[-1]), file=sys.stderr)

    with open_register(work, today=lambda: ON, **(access or {})) as reg:
        counts = {
            t: reg.conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
            for t in receive.HANDOVER_TABLES
        }
        seconds, made = timed(
            lambda: send.export_bundle(reg, folder, PASS, full=True, receiver="Tỉnh")
        )
    total = sum(counts.values())
    note = f"{total:,} rows".replace(",", ".") + f", bundle {made.size / 1e6:.0f} MB"
    row("export (full bundle)" + (" of the encrypted register" if access else ""), 30, seconds,
        baseline_dump(plain, folder / "dump.jsonl.z"),
        "sqlite3 read + JSON lines + zlib", note)  # fmt: skip

    empty = folder / "province.db"
    open_register(empty, create=True).close()
    with open_register(empty, today=lambda: ON) as province:
        seconds, result = timed(
            lambda: receive.import_bundle(province, made.path, PASS, accept_other_commune=True)
        )
        assert result.total.new == total - counts["settings"], result.total
        base = baseline_insert(plain, folder / "raw.db")
        row("import into an empty register", 60, seconds, base, "sqlite3 executemany, same rows")
        seconds, again = timed(
            lambda: receive.import_bundle(province, made.path, PASS, accept_other_commune=True)
        )
        assert not again.tables
        row("re-import of the same bundle", 20, seconds, baseline_read(made.path),
            "reading the file once", "verified, then found in the import log")  # fmt: skip
        seconds, merged = timed(
            lambda: receive.import_bundle(
                province, made.path, PASS, accept_other_commune=True, again=True
            )
        )
        assert merged.total.new == merged.total.changed == 0
        note = "every row compared: what a second, different bundle of the same rows costs"
        row("the same rows merged again (no log)", None, seconds, base,
            "sqlite3 executemany, same rows", note)  # fmt: skip
        try:
            pages = province.conn.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'handover_base%'"
            ).fetchone()[0]
        except sqlite3.Error:  # an SQLite built without the dbstat table
            pages = None
    size = empty.stat().st_size
    # The registers officers use are encrypted (SQLCipher): every page is encrypted on write.
    secret = folder / "secret.db"
    reg, _ = create_register(secret, "chihuy", "Mật khẩu sổ 2026!", today=lambda: ON)
    with reg:
        seconds, result = timed(
            lambda: receive.import_bundle(reg, made.path, PASS, accept_other_commune=True)
        )
    row("import into an empty encrypted register", 60, seconds, base,
        "sqlite3 executemany, same rows (plain)")  # fmt: skip
    part = f", of which handover_base {pages / 1e6:.0f} MB" if pages else ""
    rows.append([f"register after import: {size / 1e6:.0f} MB{part}", "", "", "", "", ""])
    return rows


def machine() -> str:
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPU, "
        f"SQLite {sqlite3.sqlite_version}, cryptography {metadata.version('cryptography')}"
    )


def write(out: Path, rows: list[list[str]], persons: int) -> None:
    header = ["what", "target", "result", "baseline", "ratio", "verdict"]
    lines = [
        START,
        f"Measured {date.today():%d/%m/%Y} on {machine()}; "
        + f"{persons:,} people.".replace(",", "."),
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
        END,
    ]
    text = out.read_text(encoding="utf-8") if out.exists() else f"{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    out.write_text(before + "\n".join(lines) + after, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="a filled register to reuse (filled if missing)")
    parser.add_argument("--out", type=Path, help="Markdown file to write the table into")
    parser.add_argument("--password-file", type=Path, help="the --db register is encrypted")
    parser.add_argument("--user", default="chihuy")
    args = parser.parse_args()
    access = None
    if args.password_file:
        password = args.password_file.read_text(encoding="utf-8").splitlines()[0]
        access = {"user": args.user, "password": password, "log_login": False}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = args.db or folder / "demo.db"
        if not source.exists():
            print(f"Filling a demo register of {args.persons:,} people…", file=sys.stderr)
            with open_register(source, create=True, today=lambda: ON) as reg:
                fill_demo(reg, persons=args.persons, seed=1, on=ON)
        rows = run(source, folder, access)
    if args.out:
        write(args.out, rows, args.persons)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
