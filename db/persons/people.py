"""People on the register: checking a form, adding, changing, finding possible duplicates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from db.core.dates import PartialDate, future_error, parse_partial, partial_from_iso
from db.core.errors import NotFound, UserError, ValidationError
from db.core.textfold import clean, fold, sort_key
from db.persons.cccd import check_id
from db.store import records
from db.store.register import Register

FIELDS: dict[str, str] = {
    "full_name": "Họ và tên",
    "other_names": "Tên gọi khác",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "id_number": "Số CCCD",
    "village_id": "Thôn/bản",
    "permanent_address": "Nơi thường trú",
    "current_address": "Nơi ở hiện tại",
    "occupation": "Nghề nghiệp",
    "phone": "Số điện thoại",
    "family_contact": "Người thân liên hệ",
    "notes": "Ghi chú",
}
_TEXT_FIELDS = (
    "other_names", "ethnicity", "permanent_address", "current_address", "occupation",
    "family_contact", "notes",
)  # fmt: skip
_PHONE = re.compile(r"^\+?[\d\s.\-]{8,15}$")
_SEX_WORDS = {"m": "M", "nam": "M", "f": "F", "nu": "F", "nữ": "F"}


def parse_sex(value: object) -> str | None:
    """'M', 'F' or None from what a form or a spreadsheet says ("Nam", "Nữ", "nu", …)."""
    if value in (None, ""):
        return None
    word = fold(str(value))
    if word in _SEX_WORDS:
        return _SEX_WORDS[word]
    raise UserError(f"Giới tính: “{value}” không hợp lệ (Nam hoặc Nữ).", field="sex")


def phone_error(phone: str, label: str = "Số điện thoại") -> str | None:
    """The message when a (cleaned) phone number is not one, else None ("" is fine)."""
    if phone and not _PHONE.match(phone):
        return f"{label}: “{phone}” không hợp lệ."
    return None


def check_person(reg: Register, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Cleaned values of a person form and an error message per wrong field.

    The window calls this as the officer types; `add_person`/`update_person` refuse to save
    while any error remains.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    name = clean(data.get("full_name"))
    if not name:
        errors["full_name"] = "Họ và tên: không được để trống."
    elif not any(ch.isalpha() for ch in name):
        errors["full_name"] = f"Họ và tên: “{name}” không phải là tên người."
    values["full_name"] = name
    for key in _TEXT_FIELDS:
        values[key] = clean(data.get(key))

    birth: PartialDate | None = None
    raw_birth = data.get("birth_date")
    if isinstance(raw_birth, PartialDate):
        birth = raw_birth
    elif isinstance(raw_birth, date):
        birth = PartialDate(raw_birth.year, raw_birth.month, raw_birth.day)
    elif raw_birth not in (None, ""):
        try:
            birth = parse_partial(str(raw_birth), FIELDS["birth_date"])
        except UserError as exc:
            errors["birth_date"] = exc.message
    if message := future_error(birth, reg.today(), FIELDS["birth_date"]):
        errors["birth_date"] = message
    values["birth_date"] = birth.iso() if birth else None

    try:
        values["sex"] = parse_sex(data.get("sex"))
    except UserError as exc:
        errors["sex"] = exc.message
        values["sex"] = None

    checked = check_id(
        str(data.get("id_number") or ""),
        birth.year if birth else None,
        values["sex"],
    )
    values["id_number"] = checked.number
    values["id_kind"] = checked.kind
    if checked.error:
        errors["id_number"] = checked.error

    phone = clean(data.get("phone"))
    if message := phone_error(phone):
        errors["phone"] = message
    values["phone"] = phone

    village_id = data.get("village_id") or None
    if village_id:
        row = reg.db.execute(
            "SELECT name FROM villages WHERE id = ? AND deleted = 0", [village_id]
        ).fetchone()
        if row is None:
            errors["village_id"] = "Thôn/bản: không có trong danh sách thôn, bản của xã."
    values["village_id"] = village_id
    return values, errors


def _derived(reg: Register, values: Mapping[str, Any]) -> dict[str, str]:
    village = ""
    if values.get("village_id"):
        row = reg.db.execute(
            "SELECT name FROM villages WHERE id = ?", [values["village_id"]]
        ).fetchone()
        village = row[0] if row else ""
    text = " ".join(
        part
        for part in (
            fold(values.get("full_name")),
            fold(values.get("other_names")),
            values.get("id_number") or "",
            fold(village),
        )
        if part
    )
    return {
        "name_folded": fold(values.get("full_name")),
        "search_text": text,
        "sort_key": sort_key(values.get("full_name")),
    }


def possible_duplicates(
    reg: Register, data: Mapping[str, Any], exclude_id: str | None = None
) -> list[dict[str, Any]]:
    """People already on the register with the same ID number, or same folded name and year."""
    values, _ = check_person(reg, data)
    name = fold(values["full_name"])
    year = (values["birth_date"] or "")[:4]
    found: list[dict[str, Any]] = []
    if values["id_number"]:
        found += [
            {**r, "reason": "Trùng số CCCD/CMND"}
            for r in reg.db.query(
                "SELECT p.id, p.full_name, p.birth_date, p.id_number, v.name AS village "
                "FROM persons p LEFT JOIN villages v ON v.id = p.village_id "
                "WHERE p.id_number = ? AND p.deleted = 0",
                [values["id_number"]],
            )
        ]
    if name and year:
        found += [
            {**r, "reason": "Trùng họ tên và năm sinh"}
            for r in reg.db.query(
                "SELECT p.id, p.full_name, p.birth_date, p.id_number, v.name AS village "
                "FROM persons p LEFT JOIN villages v ON v.id = p.village_id "
                "WHERE p.name_folded = ? AND substr(p.birth_date, 1, 4) = ? AND p.deleted = 0",
                [name, year],
            )
        ]
    seen: set[str] = set()
    unique = []
    for row in found:
        if row["id"] != exclude_id and row["id"] not in seen:
            seen.add(row["id"])
            unique.append(row)
    return unique


def add_person(reg: Register, data: Mapping[str, Any]) -> str:
    """Check and add a person; an ID number already on the register is refused."""
    values, errors = check_person(reg, data)
    if errors:
        raise ValidationError(errors)
    with records.transaction(reg):
        same_id = [
            d for d in possible_duplicates(reg, values) if d["reason"].startswith("Trùng số")
        ]
        if same_id:
            other = same_id[0]
            raise ValidationError(
                {
                    "id_number": f"Số CCCD: {values['id_number']} đã có trong sổ "
                    f"({other['full_name']}, {other.get('village') or 'chưa rõ thôn'})."
                }
            )
        return records.insert(
            reg, "persons", {**values, **_derived(reg, values), "commune_id": reg.commune_id}
        )


def update_person(reg: Register, person_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Check and change a person's fields (the others stay); returns what changed."""
    current = records.get(reg, "persons", person_id)
    merged = {k: current.get(k) for k in FIELDS} | dict(data)
    values, errors = check_person(reg, merged)
    if errors:
        raise ValidationError(errors)
    with records.transaction(reg):
        if values["id_number"] and values["id_number"] != current["id_number"]:
            same = [
                d
                for d in possible_duplicates(reg, values, exclude_id=person_id)
                if d["reason"].startswith("Trùng số")
            ]
            if same:
                raise ValidationError(
                    {"id_number": f"Số CCCD: đã có trong sổ ({same[0]['full_name']})."}
                )
        return records.update(reg, "persons", person_id, {**values, **_derived(reg, values)})


def refresh_village_search(reg: Register, village_id: str) -> None:
    """After a village is renamed, its people are found by the new name."""
    with records.transaction(reg):
        for row in reg.db.query(
            "SELECT * FROM persons WHERE village_id = ? AND deleted = 0", [village_id]
        ):
            derived = _derived(reg, row)
            if derived["search_text"] != row["search_text"]:
                records.update(reg, "persons", row["id"], {"search_text": derived["search_text"]})


def get_person(reg: Register, person_id: str) -> dict[str, Any]:
    """A person with the village name; NotFound if missing or deleted."""
    rows = list(
        reg.db.query(
            "SELECT p.*, v.name AS village FROM persons p "
            "LEFT JOIN villages v ON v.id = p.village_id WHERE p.id = ?",
            [person_id],
        )
    )
    if not rows or rows[0]["deleted"]:
        raise NotFound(f"Không tìm thấy người có mã “{person_id}”.")
    return rows[0]


def delete_person(reg: Register, person_id: str) -> None:
    """Remove a person entered by mistake (soft: the deletion is kept and travels)."""
    records.soft_delete(reg, "persons", person_id)


def birth_of(person: Mapping[str, Any]) -> PartialDate | None:
    """A stored person's birth date as a PartialDate."""
    return partial_from_iso(person.get("birth_date"))


def count_people(reg: Register) -> int:
    """How many people the register holds (deleted ones aside)."""
    return int(reg.db.execute("SELECT count(*) FROM persons WHERE deleted = 0").fetchone()[0])


def person_tables(reg: Register) -> tuple[str, ...]:
    """The tables whose rows belong to one person (a `person_id` column and a soft-delete flag):
    what goes with a person who is deleted or merged, whichever tables later versions add."""
    found = []
    for (table,) in reg.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
        "AND name NOT LIKE '%fts%' AND name <> 'persons' ORDER BY rootpage"
    ):
        columns = {row[1] for row in reg.db.execute(f"PRAGMA table_info([{table}])")}
        if {"id", "person_id", "deleted"} <= columns:
            found.append(table)
    return tuple(found)
