"""`python main.py province report --month MM/YYYY --out FILE.pdf`: the provincial monthly report.

The Decree 30 report of the provincial police for a month (reports/provincial.py): the
province's totals, a table of communes, the communes whose report is not in, the plan's
progress. Any past month can be printed again; its figures are those as of the month's end.
Exit codes as for every command (0 done; 2 bad input; 3 the register file).

Registered under `province` (cli/province_commands.py) with one call:
`add_province_report_parser(actions)`, where `actions` is the `province` parser's subparsers.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

# Nothing heavy at import time: `main.py --help` must not load the register (issue 12).


def add_province_report_parser(actions: Any) -> argparse.ArgumentParser:
    """Add `report` to the subparsers of `province`; returns its parser."""
    from cli.security_commands import add_access_arguments

    p: argparse.ArgumentParser = actions.add_parser(
        "report", help="báo cáo tháng của Công an tỉnh (PDF, theo Nghị định 30)"
    )
    p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="tệp sổ của tỉnh")
    add_access_arguments(p)
    p.add_argument("--month", required=True, help="tháng báo cáo, MM/YYYY (ví dụ 10/2026)")
    p.add_argument("--out", type=Path, required=True, help="tệp PDF")
    p.set_defaults(handler=cmd_province_report)
    return p


def cmd_province_report(path: Path, args: argparse.Namespace) -> int:
    """Write the provincial report of `--month` to `--out`; returns the exit code."""
    from cli.security_commands import open_for_command
    from reports.provincial import provincial_report

    with open_for_command(path, args) as reg:
        written = provincial_report(reg, args.month, args.out)
    print(f"Đã lập báo cáo tháng {args.month} của Công an tỉnh: {written}")
    return 0
