"""The demo's people while they are made: one compact row each, written in id order.

A person's row is held as its texts joined by a unit separator in UTF-8 until every person is
made (they are written in the order of their ids, which is known only then): a tuple of 18
strings took three times the memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from db.store.register import Register

PERSON_COLUMNS = (
    "id", "full_name", "other_names", "birth_date", "sex", "ethnicity", "id_number", "id_kind",
    "village_id", "permanent_address", "current_address", "occupation", "phone",
    "family_contact", "notes", "name_folded", "search_text", "sort_key", "commune_id",
)  # fmt: skip


# Texts in the order of PERSON_COLUMNS without the commune, joined by _SEP, in UTF-8.
PersonRow = bytes
_SEP = "\x1f"
_ID_NUMBER, _ID_KIND, _SEARCH_TEXT = (
    PERSON_COLUMNS.index(c) for c in ("id_number", "id_kind", "search_text")
)


def pack(row: dict[str, Any]) -> PersonRow:
    """A person's row (without the commune) as one UTF-8 text."""
    return _SEP.join(row[c] for c in PERSON_COLUMNS[:-1]).encode()


def unpack(packed: PersonRow) -> list[str]:
    """The texts of a packed row, in the order of PERSON_COLUMNS without the commune."""
    values = packed.decode().split(_SEP)
    if len(values) != len(PERSON_COLUMNS) - 1:
        raise ValueError(f"a person's text holds the separator: {values}")
    return values


def packed_id(packed: PersonRow) -> bytes:
    """The person's id (the first text): the order the people are written in."""
    return packed.split(_SEP.encode(), 1)[0]


def in_order(people: list[PersonRow], commune_id: str) -> Iterator[tuple[str, ...]]:
    """The people's rows with the commune, emptying the list as they go."""
    people.reverse()
    while people:
        yield (*unpack(people.pop()), commune_id)


def drop_taken_ids(reg: Register, people: list[PersonRow]) -> None:
    """Drop an ID number a person already on the register has (a fill into a real register)."""
    mine = {n for n in (unpack(p)[_ID_NUMBER] for p in people) if n}
    if not mine:
        return
    clash = {
        r[0]
        for r in reg.db.execute("SELECT DISTINCT id_number FROM persons WHERE id_number <> ''")
        if r[0] in mine
    }
    for i, p in enumerate(people):
        row = unpack(p)
        if row[_ID_NUMBER] in clash:
            row[_SEARCH_TEXT] = row[_SEARCH_TEXT].replace(f" {row[_ID_NUMBER]}", "")
            row[_ID_NUMBER], row[_ID_KIND] = "", ""
            people[i] = _SEP.join(row).encode()
