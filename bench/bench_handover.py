"""Speed of the USB handover at scale: a full bundle made, imported into an empty register, and
imported again — each beside a raw baseline measured in the same run (the machine is shared and
noisy; the ratio to the baseline is what carries over to another machine).

    python bench/bench_handover.py [--persons 100000] [--db PATH] [--out docs/handover.md]
                                   [--password-file FILE --user NAME]
                                   [--bundle FILE] [--work DIR] [--encrypted-only]

Not part of the tests. `--db` reuses a filled register (a demo register is filled there first
if the file does not exist; 100,000 people take ~1.5 min). The register is copied, so the file
given is not changed. With --password-file the register given is an encrypted one (as officers
use; e.g. the one bench_encrypted.py keeps): it is opened with that password, and the raw
baselines read the plain copy beside it (`plain.db`, as bench_encrypted.py makes).
`--bundle` reuses a full bundle made from that register before (with this script's
passphrase; the export is then not measured), `--work` keeps the bundle and the registers in a
folder instead of a temporary one (a bundle made there is reused by the next run).

The import into an empty *encrypted* register (what officers have) is measured beside raw
SQLCipher: `executemany` of the same rows into another empty encrypted register, same schema,
indexes and triggers, one transaction. Each figure is printed with its wall and CPU seconds
(the CPU time of the whole process, both threads: the machine is shared, and CPU time moves
less with the load than wall time) and the load average.
Targets (issues 5 and 12, at 100,000 people and 1,000,000 tests): export ≤ 30 s,
import into an empty (encrypted) register ≤ 60 s and within 2× of its baseline, re-import of
the same bundle ≤ 20 s.
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


CPU: dict[str, float] = {}  # the CPU seconds of the last timed call, under "last"


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call takes, and what it returned (its CPU seconds go to CPU["last"])."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    result = call()
    CPU["last"] = time.process_time() - cpu
    return time.perf_counter() - started, result


def load() -> str:
    """The 1-minute load average, as the figures are read beside it."""
    return f"{os.getloadavg()[0]:.1f}"


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


def baseline_insert_encrypted(source: Path, target: Path) -> float:
    """Raw SQLCipher: executemany of the same rows into an empty encrypted register (same schema,
    indexes and FTS triggers, the import's page cache) in one transaction, on its own
    connection — what SQLCipher itself costs. The rows are read from the plain `source`."""
    reg, _ = create_register(target, "chihuy", "Mật khẩu sổ 2026!", today=lambda: ON)
    src = sqlite3.connect(source)
    with reg:
        dst = reg.conn
        dst.execute("PRAGMA cache_size = -262144")
        started, cpu = time.perf_counter(), time.process_time()
        dst.execute("BEGIN")
        for table in receive.HANDOVER_TABLES:
            if table == "settings":  # the new register has its own
                continue
            names = _columns(src, table)
            rows = src.execute(f"SELECT {', '.join(names)} FROM [{table}]")
            dst.executemany(
                f"INSERT INTO [{table}] ({', '.join(names)}) "
                f"VALUES ({', '.join('?' * len(names))})",
                rows,
            )
        dst.execute("COMMIT")
        seconds = time.perf_counter() - started
        CPU["last"] = time.process_time() - cpu
    src.close()
    return seconds


def baseline_read(path: Path) -> float:
    """Reading the bundle file once (the least a check of it costs)."""
    started = time.perf_counter()
    bundle.file_sha256(path)
    return time.perf_counter() - started


WORK_FILES = ("laptop.db", "province.db", "raw.db", "secret.db", "raw-secret.db")


def _fresh(path: Path) -> Path:
    """`path` with no file left of an earlier run (the register and its side files)."""
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    return path


def _secs(seconds: float, cpu: float | None) -> str:
    return f"{seconds:.1f} s" + ("" if cpu is None else f" (CPU {cpu:.1f} s)")


def export(source: Path, folder: Path, access: dict[str, Any] | None) -> tuple[Path, float, float]:
    """A full bundle of a copy of `source` (the register given is not changed)."""
    work = _fresh(folder / "laptop.db")
    for suffix in ("", ".keys", ".anchor"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{work}{suffix}")
    with open_register(work, today=lambda: ON, **(access or {})) as reg:
        seconds, made = timed(
            lambda: send.export_bundle(reg, folder, PASS, full=True, receiver="Tỉnh")
        )
    print(f"bundle: {made.path} (reuse it with --bundle)", file=sys.stderr)
    return made.path, seconds, CPU["last"]


def run(source: Path, folder: Path, access: dict[str, Any] | None = None,
        made: Path | None = None, encrypted_only: bool = False) -> list[list[str]]:  # fmt: skip
    plain = source.with_name("plain.db") if access else source
    rows: list[list[str]] = []

    def row(what: str, target: float | None, seconds: float, base: float, base_what: str,
            note: str = "", cpu: float | None = None,
            base_cpu: float | None = None) -> None:  # fmt: skip
        verdict = "" if target is None else ("ok" if seconds <= target else "**missed**")
        rows.append([
            what, f"≤ {target:g} s" if target else "", _secs(seconds, cpu),
            f"{_secs(base, base_cpu)} ({base_what})", f"{seconds / base:.1f}×" if base else "—",
            verdict + (f" — {note}" if note else "") + f"; load {load()}",
        ])  # fmt: skip
        print(" | ".join(rows[-1]), file=sys.stderr)

    with sqlite3.connect(plain) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
            for t in receive.HANDOVER_TABLES
        }
    total = sum(counts.values())
    if made is None:
        made, seconds, cpu = export(source, folder, access)
        base = baseline_dump(plain, folder / "dump.jsonl.z")
        note = f"{total:,} rows".replace(",", ".") + f", bundle {made.stat().st_size / 1e6:.0f} MB"
        row("export (full bundle)" + (" of the encrypted register" if access else ""), 30,
            seconds, base, "sqlite3 read + JSON lines + zlib", note, cpu)  # fmt: skip

    def into(reg: Any, again: bool = False) -> Any:
        return receive.import_bundle(reg, made, PASS, accept_other_commune=True, again=again)

    # The registers officers use are encrypted (SQLCipher): every page is encrypted on write.
    secret = _fresh(folder / "secret.db")
    reg, _ = create_register(secret, "chihuy", "Mật khẩu sổ 2026!", today=lambda: ON)
    with reg:
        seconds, result = timed(lambda: into(reg))
        cpu = CPU["last"]
        assert result.total.new == total - counts["settings"], result.total
        base = baseline_insert_encrypted(plain, _fresh(folder / "raw-secret.db"))
        base_cpu = CPU["last"]
        what = "SQLCipher executemany, same rows"
        row("import into an empty encrypted register", 60, seconds, base, what, "", cpu, base_cpu)
        seconds, again = timed(lambda: into(reg))
        assert not again.tables
        row("re-import of the same bundle (encrypted)", 20, seconds, baseline_read(made),
            "reading the file once", "verified, then found in the import log")  # fmt: skip
        seconds, merged = timed(lambda: into(reg, again=True))
        assert merged.total.new == merged.total.changed == 0
        note = "every row compared: what a second, different bundle of the same rows costs"
        row("the same rows merged again (encrypted, no log)", None, seconds, base, what, note,
            CPU["last"], base_cpu)  # fmt: skip
    rows.append([f"encrypted register after import: {secret.stat().st_size / 1e6:.0f} MB",
                 "", "", "", "", ""])  # fmt: skip
    if encrypted_only:
        return rows
    empty = _fresh(folder / "province.db")
    open_register(empty, create=True).close()
    with open_register(empty, today=lambda: ON) as province:
        seconds, result = timed(lambda: into(province))
        cpu = CPU["last"]
        assert result.total.new == total - counts["settings"], result.total
        base = baseline_insert(plain, _fresh(folder / "raw.db"))
        row("import into an empty plain register", 60, seconds, base,
            "sqlite3 executemany, same rows", "", cpu)  # fmt: skip
        seconds, merged = timed(lambda: into(province, again=True))
        assert merged.total.new == merged.total.changed == 0
        row("the same rows merged again (plain, no log)", None, seconds, base,
            "sqlite3 executemany, same rows", "", CPU["last"])  # fmt: skip
        try:
            pages = province.conn.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'handover_base%'"
            ).fetchone()[0]
        except sqlite3.Error:  # an SQLite built without the dbstat table
            pages = None
    part = f", of which handover_base {pages / 1e6:.0f} MB" if pages else ""
    size = empty.stat().st_size
    rows.append([f"plain register after import: {size / 1e6:.0f} MB{part}", "", "", "", "", ""])
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
    parser.add_argument("--bundle", type=Path, help="a full bundle of --db made before: reused")
    parser.add_argument("--work", type=Path, help="folder for the bundle and registers (kept)")
    parser.add_argument("--encrypted-only", action="store_true",
                        help="only the encrypted register (no plain import)")  # fmt: skip
    args = parser.parse_args()
    access = None
    if args.password_file:
        password = args.password_file.read_text(encoding="utf-8").splitlines()[0]
        access = {"user": args.user, "password": password, "log_login": False}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.work or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        source = args.db or folder / "demo.db"
        if source.parent.resolve() == folder.resolve() and source.name in WORK_FILES:
            parser.error(f"--db {source.name} would be overwritten: name it otherwise")
        if not source.exists():
            print(f"Filling a demo register of {args.persons:,} people…", file=sys.stderr)
            with open_register(source, create=True, today=lambda: ON) as reg:
                fill_demo(reg, persons=args.persons, seed=1, on=ON)
        rows = run(source, folder, access, args.bundle, args.encrypted_only)
    if args.out:
        write(args.out, rows, args.persons)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
