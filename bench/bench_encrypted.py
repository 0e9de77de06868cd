"""The encrypted register as officers run it: whole commands as processes, the window, cold
start and memory, each beside the same work on a plain copy and a raw SQLCipher/SQLite query
measured in the same run (the machine is shared and noisy; the ratio is what carries over).

    python bench/bench_encrypted.py [--persons 100000] [--folder /tmp/bench/sotd-100000]
                                    [--runs 3] [--out docs/benchmarks.md] [--skip-window]

Not part of the tests. The folder keeps the registers between runs (never the repository): an
encrypted register filled by `main.py demo` (timed, as a process), and a plain copy of it made
with `sqlcipher_export` (the same rows, pages and indexes, only not encrypted). Every command
runs through `bench/bench_children.py`, which times the key slot's scrypt and the command's
work from inside the process; start-up is `main.py --help` as a whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHILD = str(ROOT / "bench" / "bench_children.py")
PYTHON = sys.executable
USER, PASSWORD = "chihuy", "Mật khẩu đo tốc độ 2026!"
START, END = "<!-- bench-encrypted:start -->", "<!-- bench-encrypted:end -->"


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, dict[str, Any]]:
    """A process: its wall seconds and the JSON it printed."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        text=True,
    )
    out, err = proc.communicate()
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return wall, json.loads(lines[-1]) if lines else {}


def _child_peak_mb() -> float:
    """The largest peak memory (MB) of the children waited for so far."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def peak_of(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Peak memory of one process alone (GNU time's %M; 0 when it is not installed)."""
    if not Path("/usr/bin/time").exists():
        return 0.0
    done = subprocess.run(
        ["/usr/bin/time", "-f", "PEAK %M", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    found = [line for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    return int(found[-1].split()[1]) / 1024 if found else 0.0


def median_runs(
    argv: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[float, dict[str, float]]:
    """Median wall seconds and median of each inside figure, over `runs` runs after a warm-up."""
    run(argv, env)
    walls, inside = [], []
    for _ in range(runs):
        wall, found = run(argv, env)
        walls.append(wall)
        inside.append(found)
    keys = [k for k, v in inside[0].items() if isinstance(v, (int, float))]
    return statistics.median(walls), {k: statistics.median(f[k] for f in inside) for k in keys}


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


# --- the registers -----------------------------------------------------------------------------


def build(folder: Path, persons: int) -> dict[str, Any]:
    """The encrypted register (`main.py demo`, timed) and its plain copy; reused when there."""
    folder.mkdir(parents=True, exist_ok=True)
    enc, plain, secret = folder / "enc.db", folder / "plain.db", folder / "password.txt"
    if not secret.exists():
        secret.write_text(PASSWORD + "\n", encoding="utf-8")
    password = secret.read_text(encoding="utf-8").splitlines()[0]
    facts: dict[str, Any] = {}
    if not enc.exists():
        print(f"filling {persons:,} people (main.py demo)…", file=sys.stderr)
        argv = [
            PYTHON,
            "main.py",
            "demo",
            "--persons",
            str(persons),
            "--db",
            str(enc),
            "--password-file",
            str(secret),
            "--user",
            USER,
        ]
        facts["fill_load"] = load()
        began = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        facts["fill"] = time.perf_counter() - began
        facts["fill_peak"] = _child_peak_mb()
    from db.store.connect import connect_file
    from db.store.register import open_register
    from db.store.schema import APPLICATION_ID, KNOWN_MIGRATIONS
    from db.store.unlock import unlock

    began = time.perf_counter()
    _, key, _ = unlock(enc, USER, password)
    facts["unlock_in_process"] = time.perf_counter() - began
    facts["key"] = bytes(key).hex()
    # Migrate both before measuring (a new program's first open), and time that once.
    began = time.perf_counter()
    open_register(enc, user=USER, key=key, log_login=False).close()
    facts["migrate"] = time.perf_counter() - began
    if not plain.exists():
        print("making the plain copy (sqlcipher_export)…", file=sys.stderr)
        conn = connect_file(enc, bytes(key))
        conn.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
        conn.close()
        with sqlite3.connect(plain) as copy:
            copy.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            copy.execute(f"PRAGMA user_version = {len(KNOWN_MIGRATIONS)}")
    open_register(plain).close()
    for path in folder.glob("*.bak*"):  # the copies a migration keeps: not needed here
        path.unlink()
    facts["size"] = enc.stat().st_size
    facts["plain_size"] = plain.stat().st_size
    return facts


def kdf_cost(enc: Path) -> str:
    from db.store import keys

    slot = keys.read_keys(enc).slots[USER]
    return f"scrypt n=2^{int(slot.n).bit_length() - 1}, r={slot.r}, p={slot.p}"


# --- the measures ------------------------------------------------------------------------------


def commands(folder: Path, day: str, month: str, runs: int, key: str) -> list[dict[str, Any]]:
    enc, plain = folder / "enc.db", folder / "plain.db"
    access = ["--password-file", str(folder / "password.txt"), "--user", USER]
    outbox = folder / "outbox"
    cases = [
        ("find", ["find", "nguyen van", "--limit", "50"], 0.050),
        ("due", ["due", "--on", day], 1.0),
        ("stats", ["stats", "--on", day], 1.0),
        ("report", ["report", "monthly", "--month", month, "--outbox", str(outbox)], 10.0),
    ]
    rows = []
    help_wall, _ = median_runs([PYTHON, "main.py", "--help"], runs)
    bare_wall, _ = median_runs([PYTHON, "-c", "pass"], runs)
    rows.append(
        {
            "what": "`main.py --help` (start-up)",
            "target": 0.25,
            "result": help_wall,
            "plain": None,
            "raw": bare_wall,
            "raw_what": "`python -c pass`",
            "load": load(),
            "peak": peak_of([PYTHON, "main.py", "--help"]),
        }
    )
    for name, argv, target in cases:
        print(f"  {name}…", file=sys.stderr)
        e_wall, e = median_runs([PYTHON, CHILD, "command", *argv, "--db", str(enc), *access], runs)
        p_wall, p = median_runs(
            [PYTHON, CHILD, "command", *argv, "--db", str(plain)], runs, {"BENCH_SAME_ENGINE": "1"}
        )
        _, r_enc = median_runs(
            [PYTHON, CHILD, "raw", "encrypted", str(enc), name, day], runs, {"BENCH_KEY": key}
        )
        _, r_plain = median_runs([PYTHON, CHILD, "raw", "plain", str(plain), name, day], runs)
        peak = peak_of([PYTHON, "main.py", *argv, "--db", str(enc), *access])
        rows.append(
            {
                "what": f"`{' '.join(argv[:2]) if name == 'report' else name}`",
                "target": target,
                "result": e["work"],
                "plain": p["work"],
                "raw": r_enc["work"],
                "raw_plain": r_plain["work"],
                "whole": e_wall,
                "whole_plain": p_wall,
                "imports": e["imports"],
                "unlock": e["unlock"],
                "load": load(),
                "peak": peak,
            }
        )
    return rows


def cold_due(folder: Path, day: str, runs: int) -> dict[str, Any]:
    """The due list right after the register file left the OS cache (posix_fadvise DONTNEED)."""
    access = ["--password-file", str(folder / "password.txt"), "--user", USER]
    found: dict[str, list[float]] = {"enc": [], "plain": []}
    for _ in range(runs):
        for kind, extra in (("enc", access), ("plain", [])):
            path = folder / f"{kind}.db"
            for each in (path, path.with_name(path.name + "-wal")):
                if each.exists():
                    with each.open("rb") as handle:
                        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            _, inside = run(
                [PYTHON, CHILD, "command", "due", "--on", day, "--db", str(path), *extra],
                {"BENCH_SAME_ENGINE": "1"},
            )
            found[kind].append(inside["work"])
    return {
        "result": statistics.median(found["enc"]),
        "plain": statistics.median(found["plain"]),
        "load": load(),
    }


def window(folder: Path, day: str) -> dict[str, dict[str, float]]:
    access = ["--password-file", str(folder / "password.txt"), "--user", USER]
    result = {}
    for kind, extra in (("enc", access), ("plain", [])):
        argv = [PYTHON, CHILD, "window", str(folder / f"{kind}.db"), day, *extra]
        _, found = run(argv, {"BENCH_SAME_ENGINE": "1"})
        found["peak"] = peak_of(argv)
        result[kind] = found
    return result


def fill_baseline(folder: Path, rows: int, key: str) -> float:
    """Raw SQLCipher: executemany of as many 17-column rows into a bare table (same pragmas)."""
    import sqlcipher3.dbapi2 as sqlcipher

    path = folder / "fill-baseline.db"
    conn = sqlcipher.connect(str(path), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{key}'\"")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"CREATE TABLE t (id TEXT, {', '.join(f'c{i}' for i in range(16))})")
        values = (
            "2026-11-20",
            "periodic",
            "urine_strip",
            "MET,AMP,MDMA,KET,THC,MOP",
            "",
            "negative",
            "Lò Văn Hải",
            "Trụ sở Công an xã",
            "",
            "2026-11-20T00:00:00",
            "bench",
            "2026-11-20T00:00:00",
            "bench",
            "device",
            "0",
            "person",
        )
        began = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO t VALUES ({', '.join('?' * 17)})",
            ((f"{i:032x}", *values) for i in range(rows)),
        )
        conn.execute("COMMIT")
        return time.perf_counter() - began
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- the table ---------------------------------------------------------------------------------


def secs(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:,.0f} ms" if value < 1 else f"{value:,.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a and b else "—"


def verdict(value: float | None, target: float | None) -> str:
    if value is None or target is None:
        return ""
    return "met" if value <= target else "**missed**"


def target_text(value: float | None) -> str:
    return "" if value is None else f"≤ {secs(value)}"


def table(rows: list[dict[str, Any]]) -> list[str]:
    head = [
        "figure",
        "target",
        "encrypted",
        "plain copy",
        "raw SQLCipher",
        "raw SQLite",
        "encrypted / plain",
        "verdict",
        "load",
        "peak RSS",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append(
            "| "
            + " | ".join(
                [
                    r["what"],
                    target_text(r.get("target")),
                    secs(r.get("result")),
                    secs(r.get("plain")),
                    secs(r.get("raw")) + (f" ({r['raw_what']})" if r.get("raw_what") else ""),
                    secs(r.get("raw_plain")),
                    ratio(r.get("result"), r.get("plain")),
                    verdict(r.get("result"), r.get("target")),
                    r.get("load", ""),
                    f"{r['peak']:,.0f} MB" if r.get("peak") else "",
                ]
            )
            + " |"
        )
    return lines


def machine() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
    import sqlcipher3.dbapi2 as sqlcipher

    cipher = sqlcipher.connect(":memory:").execute("PRAGMA cipher_version").fetchone()[0]
    return (
        f"{os.cpu_count()} × {names[0] if names else platform.machine()}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"SQLCipher {cipher} (SQLite {sqlcipher.sqlite_version}), plain SQLite "
        f"{sqlite3.sqlite_version}"
    )


def markers(persons: int) -> tuple[str, str]:
    """The markers of a register size's figures in the --out file (100,000: the plain ones)."""
    if persons == 100_000:
        return START, END
    return f"<!-- bench-encrypted-{persons}:start -->", f"<!-- bench-encrypted-{persons}:end -->"


def write(out: Path, lines: list[str], persons: int = 100_000) -> None:
    """Put the figures between the bench markers of `out` (the text around them stays); at the
    end of the file when it has no such markers yet."""
    start, end = markers(persons)
    block = "\n".join([start, *lines, end])
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if start in old and end in old:
        text = old[: old.index(start)] + block + old[old.index(end) + len(end) :]
    elif old:
        text = f"{old.rstrip()}\n\n{block}\n"
    else:
        text = f"# Benchmarks\n\n{block}\n"
    out.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, help="where the registers are kept between runs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--day", default="", help="the register's day (default: the fill's)")
    parser.add_argument("--out", type=Path, help="Markdown file to write the figures into")
    parser.add_argument("--skip-window", action="store_true")
    args = parser.parse_args()
    folder = args.folder or Path("/tmp/bench") / f"sotd-{args.persons}"
    started_load = load()
    facts = build(folder, args.persons)
    enc = folder / "enc.db"
    day = args.day or date.fromtimestamp(enc.stat().st_mtime).isoformat()
    first = date.fromisoformat(day).replace(day=1)
    month = (
        f"{(first.year - 1 if first.month == 1 else first.year):04d}-"
        f"{(12 if first.month == 1 else first.month - 1):02d}"
    )
    rows = commands(folder, day, month, args.runs, facts["key"])
    unlock = statistics.median(r["unlock"] for r in rows if r.get("unlock"))
    rows.insert(
        1,
        {
            "what": f"unlock (the key slot's {kdf_cost(enc)})",
            "target": 0.5,
            "result": unlock,
            "load": load(),
        },
    )
    cold = cold_due(folder, day, max(1, args.runs - 1))
    rows.append({"what": "`due` cold (file dropped from the OS cache)", "target": 3.0, **cold})
    if "fill" in facts:
        with sqlite3.connect(folder / "plain.db") as conn:
            written = sum(
                conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0]
                for t in ("villages", "persons", "episodes", "drug_tests", "contacts")
            )
        rows.insert(
            0,
            {
                "what": f"fill (`demo --persons {args.persons}`, {written:,} rows)",
                "target": 60.0 * args.persons / 100_000,
                "result": facts["fill"],
                "raw": fill_baseline(folder, written, facts["key"]),
                "raw_what": "executemany, bare table",
                "load": facts["fill_load"],
                "peak": facts["fill_peak"],
            },
        )
    lines = table(rows)
    details = [
        "",
        "| command | whole process, encrypted | of it: start-up and imports | unlock "
        "| work | whole process, plain copy |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "whole" in r:
            details.append(
                f"| {r['what']} | {secs(r['whole'])} | {secs(r['imports'])} | "
                f"{secs(r['unlock'])} | {secs(r['result'])} | {secs(r['whole_plain'])} |"
            )
    lines += details
    if not args.skip_window:
        print("  the window…", file=sys.stderr)
        w = window(folder, day)
        lines += [
            "",
            "| window (offscreen Qt) | target | encrypted | plain copy | encrypted / plain |",
            "|---|---|---|---|---|",
        ]
        for key, label, target in (
            ("listed", "open to the today list (after unlock; list computed in background)", 2.0),
            ("shown", "…window shown (before the list arrives)", None),
            ("keystroke_worst", "search keystroke, worst of 8", 0.1),
            ("keystroke_median", "search keystroke, median of 8", None),
            ("person", "open a person", None),
            ("peak", "peak RSS (MB)", 300.0),
        ):
            e, p = w["enc"][key], w["plain"][key]
            shown_e, shown_p = (
                (f"{e:,.0f} MB", f"{p:,.0f} MB") if key == "peak" else (secs(e), secs(p))
            )
            goal = (
                ""
                if target is None
                else (f"≤ {target:g} MB" if key == "peak" else target_text(target))
            )
            lines.append(f"| {label} | {goal} | {shown_e} | {shown_p} | {ratio(e, p)} |")
    per_person = facts["size"] / args.persons / 1024
    lines += [
        "",
        f"Machine: {machine()}. Date {date.today().isoformat()}; register day {day}; medians of "
        f"{args.runs} runs after a warm-up. Load average (1, 5, 15 min) at the start "
        f"{started_load}, at the end {load()}.",
        f"File: {facts['size'] / 1e6:,.0f} MB encrypted, {facts['plain_size'] / 1e6:,.0f} MB plain "
        f"({per_person:,.1f} KiB per person); migrating it to this version took "
        f"{facts['migrate']:.1f} s on this run's first open (0 when already migrated).",
    ]
    print("\n".join(lines))
    if args.out:
        write(args.out, lines, args.persons)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
