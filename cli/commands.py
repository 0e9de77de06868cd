"""The commands behind `python main.py <command>`; each returns its exit code."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cli.output import dump_json
from cli.report_commands import cmd_report  # noqa: F401 - `main.py report …`
from cli.security_commands import (  # noqa: F401 - `main.py backup|restore|recover`
    cmd_backup,
    cmd_recover,
    cmd_restore,
    finish_reading,
    open_for_command,
)
from db.core.dates import show
from db.core.errors import RegisterDamaged, RegisterFileError

if TYPE_CHECKING:
    from db.store.register import Register

# Each command imports what it needs when it runs: `find` does not load the due list, the
# figures or the reports (a command's start-up is most of a quick search's time).


def cmd_demo(path: Path, args: argparse.Namespace) -> int:
    """Fill a new (or empty) register with realistic synthetic data."""
    from db.demo.fill import fill_demo

    with open_for_command(path, args, create=True) as reg:
        people = reg.db.execute("SELECT count(*) FROM persons").fetchone()[0]
        if people:
            raise RegisterFileError(
                f"Sổ “{path}” đã có {people} người; dữ liệu mẫu chỉ tạo trong sổ mới hoặc trống."
            )
        started = time.perf_counter()
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] > 1 or done == total:
                last[0] = now
                print(f"  {stage}: {done:,}/{total:,}".replace(",", "."), file=sys.stderr)

        counts = fill_demo(reg, persons=args.persons, seed=args.seed, progress=progress)
    took = time.perf_counter() - started
    print(f"Đã tạo sổ mẫu “{path}” trong {took:.1f} giây:")
    for table, count in counts.items():
        print(f"  {table}: {count:,}".replace(",", "."))
    return 0


def cmd_stats(path: Path, args: argparse.Namespace) -> int:
    """The figures for a date."""
    from cli.province_commands import commune_scope
    from db.figures.stats import MOVEMENTS, figures
    from db.law.categories import LABELS, Category
    from db.store.records import snapshot

    with open_for_command(path, args, reading=True) as reg:
        # (--commune: one commune of a register holding several, on a connection of its own)
        with commune_scope(reg, args.commune) as one, snapshot(one):
            data = figures(one, args.on)
            unit = _unit(one, args.commune)
        finish_reading(reg)
    if args.json:
        dump_json(data)
        return 0
    print(f"SỐ LIỆU NGÀY {show(data['on'])} (kỳ từ {show(data['period']['start'])}){unit}")
    print(f"\nI. Người trong sổ đang quản lý, theo dõi: {data['people_total']}")
    for code, count in data["categories"].items():
        print(f"   {LABELS[Category(code)]:<52} {count:>7}")
    a = data["addicts"]
    print(
        f"   Người nghiện: chưa cai {a['untreated']}, tại gia đình/cộng đồng {a['rehab_home']}, "
        f"tại cơ sở {a['rehab_facility']}, bắt buộc {a['rehab_compulsory']}, "
        f"methadone {a['methadone']}"
    )
    print("\n   Biến động trong kỳ:")
    for key, label in MOVEMENTS.items():
        print(f"   {label:<52} {data['movements'][key]:>7}")
    t = data["tests"]
    print(
        f"\nII. Xét nghiệm trong kỳ: {t['total']} lượt (định kỳ {t['periodic']}, đột xuất "
        f"{t['surprise']}), dương tính {t['positive']}; quá hạn xét nghiệm: {t['overdue']} người"
    )
    if t["by_substance"]:
        print(
            "   Dương tính theo chất: "
            + ", ".join(f"{k} {v}" for k, v in t["by_substance"].items())
        )
    print("\nIII. Theo thôn, bản:")
    for v in data["villages"]:
        print(
            f"   {v['name']:<28} dân số {v['population']:>6}  trong sổ {v['people']:>5}  "
            f"SD+nghiện {v['users_addicts']:>5}  XN {v['tests']:>5}  dương tính {v['positives']:>4}"
        )
    print("\nIV. Tiêu chí xã không ma túy:")
    for c in data["criteria"]:
        mark = {True: "đạt", False: "CHƯA ĐẠT", None: "—"}[c["met"]]
        value = "—" if c["value"] is None else c["value"]
        print(f"   {c['label']:<62} {value!s:>10}  (chỉ tiêu {c['target'] or '—'}) {mark}")
    h = data["hotspot"]
    verdict = "XÃ TRỌNG ĐIỂM LOẠI I" if h["type_one"] else "không thuộc diện trọng điểm loại I"
    print(f"   Tiêu chí trọng điểm (QĐ 28/2025): đạt {h['met']}/{h['needed']} → {verdict}")
    return 0


def _unit(reg: Register, commune: str | None) -> str:
    """What follows a heading when one commune was asked for: " — <its unit name>"."""
    if not commune:
        return ""
    from db.commune.settings import get_settings

    settings = get_settings(reg)
    return f" — {settings['unit_name'] or settings['commune_name'] or reg.commune_id}"


def cmd_find(path: Path, args: argparse.Namespace) -> int:
    """Search people."""
    from db.persons.episodes import status_label
    from db.persons.search import find
    from db.store.records import snapshot

    with open_for_command(path, args, reading=True) as reg:
        with snapshot(reg):  # one state of the register, whoever writes meanwhile
            rows = find(reg, args.text, limit=args.limit)
        finish_reading(reg)
    if args.json:
        dump_json(rows)
        return 0
    if not rows:
        print(f"Không tìm thấy ai khớp “{args.text}”.")
        return 0
    for row in rows:
        status = status_label(row["categories"]) or "không còn quản lý"
        print(
            f"{row['full_name']:<28} {show(row['birth_date']):<11} {row['id_number'] or '—':<13} "
            f"{row['village'] or '—':<20} {status}"
        )
    print(f"({len(rows)} người)")
    return 0


def cmd_due(path: Path, args: argparse.Namespace) -> int:
    """What is due and overdue."""
    from cli.province_commands import commune_scope
    from db.duties.due import KIND_LABELS, due_items
    from db.store.records import snapshot

    with open_for_command(path, args, reading=True) as reg:
        with commune_scope(reg, args.commune) as one, snapshot(one):
            items = due_items(one, args.on)
            unit = _unit(one, args.commune)
        finish_reading(reg)
    if args.json:
        dump_json([i.as_dict() for i in items])
        return 0
    overdue = sum(1 for i in items if i.overdue)
    print(f"Việc cần làm: {len(items)} (quá hạn {overdue}){unit}")
    for i in items:
        flag = "QUÁ HẠN" if i.overdue else "đến hạn"
        print(
            f"{show(i.due)} {flag:<8} {KIND_LABELS[i.kind]:<36} {i.person.get('full_name', ''):<26}"
            f" {i.person.get('village') or '':<18} {i.text}"
        )
    return 0


def cmd_check(path: Path, args: argparse.Namespace) -> int:
    """The integrity check: the file, the register's rules and the change log's hash chain."""
    from db.store.check import check_register

    try:
        with open_for_command(path, args, reading=True, verify_seal=False) as reg:
            problems = check_register(reg)  # before anything is written: the login comes after
            finish_reading(reg)
    except RegisterDamaged as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        _suggest_backups(path)
        return exc.exit_code
    if not problems:
        print(f"Tệp sổ “{path}” toàn vẹn: không phát hiện lỗi (kể cả nhật ký thay đổi).")
        return 0
    print(f"Tệp sổ “{path}” có {len(problems)} vấn đề:", file=sys.stderr)
    for p in problems:
        print(f"  - {p.what}: {p.detail}", file=sys.stderr)
    if any(p.what.startswith(("Tệp", "Trang")) for p in problems):
        _suggest_backups(path)
    return 3


def _suggest_backups(path: Path) -> None:
    """Name the newest backups and the command that restores one."""
    from db.security.backup import list_backups

    found = list_backups(path)[:3]
    if not found:
        print("Không thấy bản sao lưu tự động cạnh sổ; hãy tìm bản sao lưu trên USB.",
              file=sys.stderr)  # fmt: skip
        return
    print("Các bản sao lưu mới nhất:", file=sys.stderr)
    for b in found:
        print(f"  {b.made:%d/%m/%Y %H:%M}  {b.path}", file=sys.stderr)
    print(f'Khôi phục: python main.py restore --db "{path}" "{found[0].path}"', file=sys.stderr)
