"""`python main.py absence`: record an unreported absence of a person under post-rehab management.

The absence does not count toward the period (Law 73/2021 Art. 40): the period's end moves by
as many days (db.duties.actions.record_absence, the same call the window makes).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.security_commands import add_access_arguments, open_for_command
from db.core.dates import parse_date, show
from db.core.errors import NotFound, UserError

# The register and the duties are imported when the command runs (a quick `main.py --help`).
if TYPE_CHECKING:
    from db.store.register import Register


def _day(text: str) -> date:
    try:
        return parse_date(text, "Ngày")
    except UserError:
        raise argparse.ArgumentTypeError(
            f"ngày “{text}” không hợp lệ (dd/mm/yyyy hoặc YYYY-MM-DD)"
        ) from None


def add_episode_parsers(sub: Any) -> None:
    """Add `absence` to the main parser's subcommands."""
    p = sub.add_parser("absence", help="ghi thời gian vắng mặt không báo cáo (quản lý sau cai)")
    p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="tệp sổ")
    add_access_arguments(p)
    p.add_argument("--id", required=True, help="mã người trong sổ, hoặc số CCCD/CMND")
    p.add_argument("--from", dest="start", type=_day, required=True, help="vắng mặt từ ngày")
    p.add_argument("--to", dest="end", type=_day, required=True, help="đến ngày (tính cả ngày này)")
    p.add_argument("--note", default="", help="ghi chú")
    p.set_defaults(handler=cmd_absence)


def person_id_of(reg: Register, given: str) -> str:
    """The person a command names: their id on the register, or their CCCD/CMND number."""
    from db.persons.people import get_person
    from db.persons.search import find

    text = given.strip()
    try:
        return str(get_person(reg, text)["id"])
    except NotFound:
        pass
    found = [r for r in find(reg, text, limit=5) if r["id_number"] == text]
    if len(found) != 1:
        raise UserError(f"Không tìm thấy người có mã hoặc số CCCD/CMND “{text}” trong sổ.")
    return str(found[0]["id"])


def cmd_absence(path: Path, args: argparse.Namespace) -> int:
    """Record the absence on the person's open post-rehab period; say the new end."""
    from db.duties.actions import record_absence
    from db.duties.applies import episodes_for, refusal
    from db.persons.people import get_person

    with open_for_command(path, args) as reg:
        person = person_id_of(reg, args.id)
        periods = episodes_for(reg, "absence", person)
        if not periods:
            raise UserError(refusal(reg, "absence", person) or "Không có diện để ghi vắng mặt.")
        outcome = record_absence(reg, periods[0]["id"], args.start, args.end, args.note)
        name = get_person(reg, person)["full_name"]
    days = (args.end - args.start).days + 1
    print(
        f"Đã ghi {name} vắng mặt {days} ngày ({show(args.start)}–{show(args.end)}); thời hạn "
        f"quản lý sau cai nghiện nay kết thúc ngày {show(outcome.deadline)}."
    )
    return 0
