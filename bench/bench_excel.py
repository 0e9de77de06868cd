"""Speed and peak memory of the Excel import (`plan_import`, then `apply_import` into an empty
plain and an empty encrypted register) at 100,000 rows.

    python bench/bench_excel.py [--rows 100000] [--old DIR]

Not part of the tests. Writes a list of `--rows` people with the template's columns (years typed
as numbers, real dates, CCCDs as text, a category and its dates on every row) as .xlsx (openpyxl,
shared strings, as Excel saves) and as UTF-8 CSV, then times in a fresh process each:
reading every row with the import's reader (python-calamine) and with openpyxl's read-only mode
(the reader used before), and `plan_import` of each file into an empty register. `--old DIR`
also times `plan_import` from another checkout of the program (e.g. `git archive <commit> | tar
-x -C DIR`), for a before/after figure. Peak memory is the process's VmHWM (Linux). A baseline
loop is timed in the same run: the machine is shared and noisy, the ratio is what carries over.
The whole imports (`plan_import` then `apply_import`, with a progress callback) stand beside their
target (≤ 30 s at 100,000 rows), with how often the progress was called and its longest silence,
the write's share, and with `--check` `check_register` of the register afterwards (the hash
chain, the seals; not timed). `--import-only` leaves out the readers and the CSV, `--only` keeps
the steps named.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from db.excel.common import PEOPLE_COLUMNS  # noqa: E402

VILLAGES = [f"Bản {n}" for n in range(1, 61)]
CATEGORIES = ["Sử dụng trái phép", "Nghiện", "Cai nghiện tại gia đình", "Điều trị methadone"]

_CHILD = r"""
import json, re, sys, time
from datetime import date
from pathlib import Path
sys.path.insert(0, ".")
from openpyxl import load_workbook
from db.excel.importer import apply_import, plan_import
from db.store.register import open_register
what, source, folder = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
rows = 0
if what == "import-encrypted":
    from db.security.encryption import create_register
    reg, _ = create_register(folder / "so.db", "chihuy", "Mật khẩu đo tốc độ 2026!",
                             today=lambda: date(2026, 11, 20))
elif what in ("plan", "import"):
    reg = open_register(folder / "so.db", create=True, today=lambda: date(2026, 11, 20))
calls, gaps = [0], [0.0, 0.0]  # progress calls; (last call, longest gap) in seconds
def progress(label, done, total):
    now = time.perf_counter() - start
    calls[0] += 1
    gaps[1] = max(gaps[1], now - gaps[0])
    gaps[0] = now
start = time.perf_counter()
if what == "calamine":
    from db.excel.book import open_book
    with open_book(source) as book:
        for name in book.sheet_names:
            rows += sum(1 for _ in book.sheet(name).rows())
elif what == "openpyxl":
    book = load_workbook(source, read_only=True, data_only=True)
    for sheet in book.worksheets:
        rows += sum(1 for _ in sheet.iter_rows(values_only=True))
    book.close()
elif what == "plan":
    rows = plan_import(reg, source, progress).importable
else:
    plan = plan_import(reg, source, progress)
    planned = time.perf_counter() - start
    apply_import(reg, plan, progress)
    rows = reg.db.execute("SELECT count(*) FROM persons").fetchone()[0]
seconds = time.perf_counter() - start
gaps[1] = max(gaps[1], seconds - gaps[0])
problems = None
if what.startswith("import") and "--check" in sys.argv[4:]:
    from db.store.check import check_register
    problems = [str(p) for p in check_register(reg)]
status = Path("/proc/self/status")
hwm = re.search(r"VmHWM:\s+(\d+) kB", status.read_text()) if status.exists() else None
peak = int(hwm.group(1)) // 1024 if hwm else 0
print(json.dumps({"seconds": seconds, "peak_mb": peak, "rows": rows, "progress": calls[0],
                  "gap": gaps[1], "write": seconds - planned if what.startswith("import") else 0,
                  "problems": problems}))
"""


def _people(count: int) -> list[list[object]]:
    fields = [f for f, _ in PEOPLE_COLUMNS]
    rows: list[list[object]] = []
    for i in range(count):
        year = 1970 + i % 35
        sex = "Nam" if i % 3 else "Nữ"
        century = ("0" if sex == "Nam" else "1") if year < 2000 else ("2" if sex == "Nam" else "3")
        values = {
            "stt": i + 1,
            "full_name": f"Người Thứ {i}",
            "birth_date": year if i % 2 else date(year, 1 + i % 12, 1 + i % 28),
            "sex": sex,
            "id_number": f"014{century}{year % 100:02d}{i:06d}",
            "ethnicity": "Thái",
            "village": VILLAGES[i % len(VILLAGES)],
            "permanent_address": "Mường Bú",
            "occupation": "Làm ruộng",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "start_date": date(2025, 1, 1) + timedelta(days=i % 600),
            "decision_no": f"{i}/QĐ-UBND",
            "decision_date": date(2024, 12, 1) + timedelta(days=i % 600),
        }
        rows.append([values.get(f) for f in fields])
    return rows


def write_files(folder: Path, count: int) -> tuple[Path, Path]:
    """The same list as .xlsx and as CSV."""
    headers = [h for _, h in PEOPLE_COLUMNS]
    rows = _people(count)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Đối tượng")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    xlsx = folder / "ds.xlsx"
    book.save(xlsx)
    text = folder / "ds.csv"
    with text.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(headers)
        for row in rows:
            out.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])
    return xlsx, text


def measure(tree: Path, what: str, source: Path, folder: Path, *extra: str) -> dict[str, Any]:
    """One step in a fresh process from `tree`: its seconds, peak memory (MB) and rows."""
    work = Path(tempfile.mkdtemp(dir=folder))
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, what, str(source), str(work), *extra],
        cwd=tree, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--old", type=Path, help="another checkout, for a before/after figure")
    parser.add_argument(
        "--import-only", action="store_true",
        help="only the preview and the whole imports (not the readers, not the CSV)",
    )  # fmt: skip
    parser.add_argument(
        "--only", nargs="+", choices=["calamine", "openpyxl", "plan", "import", "import-encrypted"],
        help="only these steps",
    )  # fmt: skip
    parser.add_argument(
        "--check", action="store_true",
        help="check each imported register (db.store.check; at 100,000 rows far longer than "
        "the import itself)",
    )  # fmt: skip
    args = parser.parse_args()
    start = time.perf_counter()
    sum(i * i for i in range(3_000_000))
    baseline = time.perf_counter() - start
    print(f"{platform.platform()}, Python {platform.python_version()}")
    print(f"baseline loop sum(i * i for i in range(3_000_000)): {baseline:.2f} s")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        start = time.perf_counter()
        xlsx, text = write_files(folder, args.rows)
        print(
            f"{args.rows:,} rows written in {time.perf_counter() - start:.1f} s: "
            f".xlsx {xlsx.stat().st_size / 2**20:.1f} MB, .csv {text.stat().st_size / 2**20:.1f} MB"
        )
        steps = [
            ("read every row, python-calamine (.xlsx)", ROOT, "calamine", xlsx),
            ("read every row, openpyxl read-only (.xlsx)", ROOT, "openpyxl", xlsx),
            ("read every row, csv module (.csv)", ROOT, "calamine", text),
            ("plan_import .xlsx", ROOT, "plan", xlsx),
            ("plan_import .csv", ROOT, "plan", text),
            ("whole import .xlsx (preview + write), plain register", ROOT, "import", xlsx),
            ("whole import .xlsx (preview + write), encrypted register", ROOT,
             "import-encrypted", xlsx),
        ]  # fmt: skip
        if args.only:
            steps = [step for step in steps if step[2] in args.only]
        if args.import_only:
            steps = [step for step in steps if step[2].startswith(("plan", "import"))]
            steps = [step for step in steps if step[3] == xlsx]
        if args.old:
            steps.append(("plan_import .xlsx, --old checkout", args.old, "plan", xlsx))
        print(
            "| step | seconds | target | × baseline | peak MB | rows | progress calls "
            "(longest gap) | of it: write | register check |\n|---|---|---|---|---|---|---|---|---|"
        )
        for label, tree, what, source in steps:
            found = measure(tree, what, source, folder, *(["--check"] if args.check else []))
            target = "≤ 30 s" if what.startswith("import") else "—"
            write = f"{found['write']:.1f} s" if what.startswith("import") else "—"
            problems = found["problems"]
            check = "—" if problems is None else "; ".join(problems) or "sound"
            print(
                f"| {label} | {found['seconds']:.1f} | {target} | "
                f"{found['seconds'] / baseline:.1f} | {found['peak_mb']:.0f} | "
                f"{found['rows']:,.0f} | {found['progress']:,.0f} ({found['gap']:.1f} s) | "
                f"{write} | {check} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
