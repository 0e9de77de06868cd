"""Contacts with a person: home visits, counselling, job support, residence checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from db.core.dates import future_error, parse_date
from db.core.errors import UserError, ValidationError
from db.persons.people import get_person
from db.store import records
from db.store.register import Register

KINDS = {
    "residence_check": "Kiểm tra cư trú hằng tháng",
    "home_visit": "Thăm gia đình",
    "counselling": "Tư vấn, giáo dục",
    "job_support": "Hỗ trợ việc làm",
    "report_in": "Trình diện Công an xã",
    "other": "Khác",
}


def add_contact(
    reg: Register,
    person_id: str,
    contact_date: date | str,
    kind: str,
    *,
    at_address: bool | None = None,
    officer: str = "",
    notes: str = "",
) -> str:
    """Record a contact; a residence check says whether the person was living at the address."""
    get_person(reg, person_id)
    errors: dict[str, str] = {}
    try:
        when = parse_date(contact_date, "Ngày")
        if message := future_error(when, reg.today(), "Ngày"):
            errors["contact_date"] = message
    except UserError as exc:
        errors["contact_date"] = exc.message
    if kind not in KINDS:
        errors["kind"] = f"Loại tiếp xúc “{kind}” không hợp lệ."
    if errors:
        raise ValidationError(errors)
    return records.insert(
        reg,
        "contacts",
        {
            "person_id": person_id,
            "contact_date": when.isoformat(),
            "kind": kind,
            "at_address": None if at_address is None else int(at_address),
            "officer": officer.strip(),
            "notes": notes.strip(),
        },
    )


def contacts_of(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """A person's contacts, newest first."""
    return list(
        reg.db.query(
            "SELECT * FROM contacts WHERE person_id = ? AND deleted = 0 "
            "ORDER BY contact_date DESC, created_at DESC",
            [person_id],
        )
    )
