"""`python main.py province …`: the provincial overview, the plan's targets, one commune.

    province [--month MM/YYYY] [--sort ten|gan-dat|qua-han|duong-tinh|chua-bao-cao] [--json]
    province plan list [--json]
    province plan set --year 2025 --communes 92 --villages 1500 --total-communes 204
                      --total-villages 2303 --name "Kế hoạch …" [--number 125/KH-UBND]
    province report --month MM/YYYY --out FILE.pdf          (cli/province_report_command.py)

`--commune CODE` on `stats`, `due` and `report monthly` runs them on one commune of a
register that received several communes' bundles (db.province.scope): CODE is the commune's
code or a unique part of its code or name. Exit codes as for every command.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Nothing heavy at import time: `main.py --help` must not load the register (issue 12).
if TYPE_CHECKING:
    from db.province.overview import CommuneRow
    from db.store.register import Register

SORT_KEYS = ("ten", "gan-dat", "qua-han", "duong-tinh", "chua-bao-cao")
COMMUNE_HELP = "chỉ một xã trong sổ nhiều xã: mã xã, hoặc một phần mã hay tên xã"


def add_commune_argument(parser: argparse.ArgumentParser) -> None:
    """`--commune CODE` on a command that can run on one commune."""
    parser.add_argument("--commune", metavar="MÃ_XÃ", help=COMMUNE_HELP)


def add_province_parsers(sub: Any, command: Callable[[str, str], argparse.ArgumentParser]
                         ) -> None:  # fmt: skip
    """Add `province` (the overview) with `plan` and `report` under it."""
    p = command("province", "tổng hợp các xã của tỉnh, chỉ tiêu kế hoạch, báo cáo của tỉnh")
    p.add_argument("--month", help="tháng, MM/YYYY (mặc định: tháng này)")
    p.add_argument("--sort", choices=SORT_KEYS, default="ten",
                   help="sắp xếp: tên xã, gần đạt tiêu chí, quá hạn xét nghiệm, dương tính, "
                   "chưa gửi báo cáo")  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_province)
    actions = p.add_subparsers(dest="province_command", parser_class=type(p))
    plan = actions.add_parser("plan", help="chỉ tiêu kế hoạch xã, thôn không ma túy theo năm")
    steps = plan.add_subparsers(dest="plan_command", parser_class=type(p))
    steps.required = True
    a = _with_access(steps.add_parser("list", help="các chỉ tiêu đã đặt"))
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=cmd_plan_list)
    a = _with_access(steps.add_parser("set", help="đặt chỉ tiêu một năm (chỉ huy)"))
    a.add_argument("--year", type=int, required=True, help="năm (chỉ tiêu đến hết năm)")
    a.add_argument("--communes", type=int, required=True, help="số xã đạt không ma túy")
    a.add_argument("--villages", type=int, required=True, help="số thôn, bản đạt không ma túy")
    a.add_argument("--total-communes", type=int, required=True, help="tổng số xã của tỉnh")
    a.add_argument("--total-villages", type=int, required=True, help="tổng số thôn, bản")
    a.add_argument("--name", required=True, help="tên kế hoạch")
    a.add_argument("--number", default="", help="số kế hoạch (ví dụ 125/KH-UBND)")
    a.set_defaults(handler=cmd_plan_set)
    from cli.province_report_command import add_province_report_parser

    add_province_report_parser(actions)


def _with_access(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    from cli.security_commands import add_access_arguments

    p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="tệp sổ của tỉnh")
    add_access_arguments(p)
    return p


@contextlib.contextmanager
def commune_scope(reg: Register, commune: str | None) -> Iterator[Register]:
    """The register itself (no `--commune`), or the one commune `commune` names in it."""
    if not commune:
        yield reg
        return
    from db.province.scope import scoped
    from db.province.tokens import resolve_commune

    code, _ = resolve_commune(reg, commune)
    with scoped(reg, code) as one:
        yield one


def _month(text: str | None, today: date) -> date:
    if not text:
        return today.replace(day=1)
    from db.province.inbox import parse_month

    year, month = parse_month(text).split("-")
    return date(int(year), int(month), 1)


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone().strftime("%d/%m/%Y %H:%M")


def _row_json(row: CommuneRow) -> dict[str, Any]:
    return dataclasses.asdict(row)


def cmd_province(path: Path, args: argparse.Namespace) -> int:
    """The overview: one line per commune of the register, the totals, the year's target."""
    from cli.output import dump_json
    from cli.security_commands import finish_reading, open_for_command
    from db.province import plan
    from db.province.overview import commune_rows, province_totals, sort_rows

    with open_for_command(path, args, reading=True) as reg:
        month = _month(args.month, reg.today())
        rows = sort_rows(commune_rows(reg, month), args.sort)
        totals = province_totals(rows)
        progress = plan.progress(reg, month.year, rows)
        finish_reading(reg)
    if args.json:
        dump_json({"month": f"{month:%m/%Y}", "communes": [_row_json(r) for r in rows],
                   "totals": totals, "plan": dataclasses.asdict(progress)})  # fmt: skip
        return 0
    print(f"TỔNG HỢP CÁC XÃ — THÁNG {month:%m/%Y} ({len(rows)} xã)")
    if not rows:
        print("Sổ chưa có dữ liệu của xã nào: hãy nhập gói dữ liệu của các xã (import "
              "--accept-other-commune).")  # fmt: skip
        return 0
    head = (f"{'Xã':<26} {'Người':>6} {'SD':>4} {'Nghiện':>6} {'XN':>5} {'D.tính':>6} "
            f"{'Q.hạn':>5} {'Tiêu chí':>8} {'Thôn KMT':>8} {'Nay/ĐK':>9}  {'Gói mới nhất':<16} "
            "Báo cáo")  # fmt: skip
    print(head)
    for r in rows:
        met = f"{sum(r.criteria.values())}/{len(r.criteria)}"
        base = f"{r.count_vs_baseline[0]}/{r.count_vs_baseline[1]}" if r.baseline_set else "—"
        report = "đã nhận" if r.report_in else "CHƯA"
        print(
            f"{r.name[:26]:<26} {r.people:>6} {r.by_category['user']:>4} "
            f"{r.by_category['addict']:>6} {r.tests_month:>5} {r.positives_month:>6} "
            f"{r.overdue_tests:>5} {met:>8} {f'{r.villages_drug_free}/{r.villages_total}':>8} "
            f"{base:>9}  {_when(r.latest_bundle_at):<16} {report}"
        )
    t = totals
    print(
        f"\nCộng: {t['people']} người; xét nghiệm {t['tests_month']} lượt, dương tính "
        f"{t['positives_month']}; quá hạn xét nghiệm {t['overdue_tests']} người; xã đạt mọi tiêu "
        f"chí {t['communes_drug_free']}/{t['communes']}; thôn, bản không ma túy "
        f"{t['villages_drug_free']}/{t['villages_total']}; báo cáo đã nhận "
        f"{t['reports_in']}/{t['communes']}."
    )
    _print_progress(progress)
    return 0


def _print_progress(progress: Any) -> None:
    target = progress.target
    if target is None:
        print(f"Chưa đặt chỉ tiêu năm {progress.year} (province plan set).")
    else:
        print(
            f"Chỉ tiêu năm {target.year} ({target.plan_text()}): {target.communes}/"
            f"{target.total_communes} xã, {target.villages}/{target.total_villages} thôn, bản; "
            f"hiện đạt {progress.communes_met} xã (còn thiếu {progress.communes_short}), "
            f"{progress.villages_met} thôn, bản (còn thiếu {progress.villages_short})."
        )
    if progress.closest:
        print("Gần đạt tiêu chí nhất: " + ", ".join(progress.closest[:5]))


def cmd_plan_list(path: Path, args: argparse.Namespace) -> int:
    """The targets set, by year."""
    from cli.output import dump_json
    from cli.security_commands import finish_reading, open_for_command
    from db.province.plan import targets

    with open_for_command(path, args, reading=True) as reg:
        found = targets(reg)
        finish_reading(reg)
    if args.json:
        dump_json([dataclasses.asdict(t) for t in found])
        return 0
    if not found:
        print("Chưa đặt chỉ tiêu năm nào (province plan set).")
    for t in found:
        print(f"{t.year}: {t.communes}/{t.total_communes} xã, {t.villages}/{t.total_villages} "
              f"thôn, bản — {t.plan_text()}")  # fmt: skip
    return 0


def cmd_plan_set(path: Path, args: argparse.Namespace) -> int:
    """Set one year's target (the chief)."""
    from cli.security_commands import open_for_command
    from db.province.plan import set_target

    with open_for_command(path, args) as reg:
        t = set_target(reg, args.year, args.communes, args.villages, args.total_communes,
                       args.total_villages, args.name, args.number)  # fmt: skip
    print(f"Đã đặt chỉ tiêu năm {t.year}: {t.communes}/{t.total_communes} xã, "
          f"{t.villages}/{t.total_villages} thôn, bản ({t.plan_text()}).")  # fmt: skip
    return 0


def commune_monthly(reg: Register, args: argparse.Namespace) -> int:
    """`report monthly --commune CODE --out FILE.pdf`: one commune's monthly report made from
    the province's register, to read (not put in any outbox: the commune sends its own); the
    print is in the province register's audit log."""
    from db.core.errors import UserError
    from db.province.inbox import parse_month
    from db.province.tokens import resolve_commune
    from reports.commune_monthly import save_commune_monthly

    if args.out is None:
        raise UserError("Báo cáo tháng của một xã (--commune): cần --out TỆP.pdf.", field="out")
    year, month = (int(x) for x in parse_month(args.month).split("-"))
    code, _ = resolve_commune(reg, args.commune)
    out, name = save_commune_monthly(reg, code, year, month, Path(args.out))
    print(f"Đã lập báo cáo tháng {month:02d}/{year} của {name}: {out}")
    return 0
