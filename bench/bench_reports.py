"""Speed of the monthly report: a 500-person commune (target ≤ 1 s) and a 100,000-person
register (target ≤ 15 s), each beside a raw ReportLab baseline from the same run (a plain table
of as many rows as the report's tables, no register, no layout).

    python bench/bench_reports.py [--big 100000] [--db-small PATH] [--db-big PATH]
                                  [--out docs/reports.md]

Not part of the tests. Builds the demo registers (fill_demo) unless given; the big one takes a
couple of minutes. Writes the table between the bench markers of the --out file.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Table

from db.demo.fill import fill_demo
from db.store.register import Register, open_register
from reports.build import monthly_report, outbox_for
from reports.monthly import gather
from reports.monthly_pages import render_monthly
from reports.typeface import load_fonts

ON = date(2026, 11, 20)
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def accelerated() -> bool:
    """Whether ReportLab's C accelerator (the rl-accel package) is in use."""
    from reportlab.lib import rl_accel

    return type(rl_accel.fp_str).__name__ == "builtin_function_or_method"


def register(path: Path | None, persons: int, folder: Path) -> Path:
    if path and path.exists():
        return path
    target = path or folder / f"demo-{persons}.db"
    print(f"building a {persons:,}-person register…", file=sys.stderr)
    started = time.perf_counter()
    with open_register(target, create=True, today=lambda: ON) as reg:
        fill_demo(reg, persons=persons, seed=1, on=ON)
    print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return target


def baseline(rows: int, fonts_name: str) -> float:
    """A ReportLab PDF of one plain table with `rows` rows of 11 short cells."""
    data = [[str(i), f"Thôn {i}", *[str(i % 97)] * 9] for i in range(rows)]
    started = time.perf_counter()
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=A4, initialFontName=fonts_name)
    table = Table(data, repeatRows=1)
    table.setStyle([("FONT", (0, 0), (-1, -1), fonts_name, 11)])
    doc.build([table])
    return time.perf_counter() - started


def measure(path: Path, runs: int, folder: Path) -> dict[str, float]:
    reg: Register = open_register(path, today=lambda: ON)
    try:
        fonts = load_fonts()
        steps: dict[str, list[float]] = {"gather": [], "render": [], "total": []}
        rows = 0
        for run in range(runs):
            started = time.perf_counter()
            data = gather(reg, 2026, 10)
            gathered = time.perf_counter()
            pdf = render_monthly(data, fonts)
            steps["gather"].append(gathered - started)
            steps["render"].append(time.perf_counter() - gathered)
            box = outbox_for(reg, folder / f"outbox-{path.stem}-{run}")
            started = time.perf_counter()
            monthly_report(reg, (2026, 10), outbox=box)
            steps["total"].append(time.perf_counter() - started)
            rows = len(data.figures["villages"]) + min(len(data.due), 1500) + 40
        result = {k: statistics.median(v) for k, v in steps.items()}
        result["pages"] = len(PdfReader(io.BytesIO(pdf)).pages)
        result["baseline"] = statistics.median(baseline(rows, fonts.regular) for _ in range(runs))
        result["rows"] = rows
        result["people"] = reg.db.execute("SELECT count(*) FROM persons").fetchone()[0]
        result["tests"] = reg.db.execute("SELECT count(*) FROM drug_tests").fetchone()[0]
        return result
    finally:
        reg.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--db-small", type=Path)
    parser.add_argument("--db-big", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("docs/reports.md"))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    started = time.perf_counter()
    load_fonts()
    font_load = time.perf_counter() - started
    small = measure(register(args.db_small, args.small, folder), args.runs, folder)
    big = measure(register(args.db_big, args.big, folder), max(1, args.runs - 1), folder)
    lines = [
        START,
        f"Measured {date.today().strftime('%d/%m/%Y')} on {platform.machine()}, Python "
        f"{platform.python_version()}, ReportLab C accelerator (rl-accel): "
        f"{'yes' if accelerated() else 'no'}. Median of {args.runs} runs (big: "
        f"{max(1, args.runs - 1)}); fonts loaded once per process in {font_load:.2f} s.",
        "",
        "| register | figures, series, due list | drawing the PDF | whole report (incl. outbox) "
        "| target | pages | baseline: plain table of the same rows |",
        "|---|---|---|---|---|---|---|",
    ]
    cases = [
        (f"{small['people']:,} people", small, 1.0),
        (f"{big['people']:,} people, {big['tests']:,} tests", big, 15.0),
    ]
    for label, r, target in cases:
        verdict = "met" if r["total"] <= target else "MISSED"
        lines.append(
            f"| {label} | {r['gather']:.2f} s | {r['render']:.2f} s | **{r['total']:.2f} s** "
            f"| ≤ {target:g} s ({verdict}) | {int(r['pages'])} "
            f"| {r['baseline']:.2f} s ({int(r['rows']):,} rows) |"
        )
    lines.append(END)
    table = "\n".join(lines)
    print(table)
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else f"{START}\n{END}\n"
    if START in text and END in text:
        text = text[: text.index(START)] + table + text[text.index(END) + len(END) :]
    else:
        text += "\n" + table + "\n"
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
