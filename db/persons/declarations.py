"""The substances a person under management declares using (Law 120/2025/QH15: users must
declare the substances they use), each declaration with the day it was made.

Substances are kept as the test slips' codes where known ("MET", "HER"), a name typed that is not
one of them as typed (db.persons.drugtests.parse_substances). A later declaration does not erase
an earlier one: the latest is what the person declares now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from db.core.dates import future_error, parse_date
from db.core.errors import UserError, ValidationError
from db.persons.drugtests import SUBSTANCES, parse_substances
from db.persons.people import get_person
from db.store import records
from db.store.register import Register

_LABEL = "Ngày khai báo"


def substances_text(codes: Iterable[str]) -> str:
    """Codes as the officer reads them: "Methamphetamine (ma túy đá), Heroin"."""
    return ", ".join(SUBSTANCES.get(c, c) for c in codes if c)


def check_declaration(
    reg: Register, declared_on: date | str | None, substances: Iterable[str] | str | None
) -> dict[str, str]:
    """What is wrong with this declaration (field → message: "declared_on", "substances")."""
    errors: dict[str, str] = {}
    if declared_on is None or declared_on == "":
        errors["declared_on"] = f"{_LABEL}: không được để trống."
    else:
        try:
            day = parse_date(declared_on, _LABEL)
        except UserError as exc:
            errors["declared_on"] = exc.message
        else:
            if message := future_error(day, reg.today(), _LABEL):
                errors["declared_on"] = message
    if not parse_substances(substances):
        errors["substances"] = "Chất sử dụng: ghi ít nhất một chất người này khai đã sử dụng."
    return errors


def declare_substances(
    reg: Register,
    person_id: str,
    declared_on: date | str,
    substances: Iterable[str] | str,
    notes: str = "",
) -> str:
    """Record the substances a person declared on a day ("MET, heroin" or codes); logged."""
    get_person(reg, person_id)
    errors = check_declaration(reg, declared_on, substances)
    if errors:
        raise ValidationError(errors)
    return records.insert(
        reg,
        "substance_declarations",
        {
            "person_id": person_id,
            "declared_on": parse_date(declared_on, _LABEL).isoformat(),
            "substances": ",".join(parse_substances(substances)),
            "notes": notes.strip(),
        },
    )


def declarations_of(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """A person's declarations, newest first, with the substances as codes (`codes`) and as
    the officer reads them (`text`)."""
    rows = list(
        reg.db.query(
            "SELECT * FROM substance_declarations WHERE person_id = ? AND deleted = 0 "
            "ORDER BY declared_on DESC, created_at DESC",
            [person_id],
        )
    )
    for row in rows:
        row["codes"] = row["substances"].split(",")
        row["text"] = substances_text(row["codes"])
    return rows


def latest_declaration(reg: Register, person_id: str) -> dict[str, Any] | None:
    """The person's latest declaration (what they declare using now), or None."""
    return next(iter(declarations_of(reg, person_id)), None)
