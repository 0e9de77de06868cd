"""Possible duplicates on the register, for a person to review, and pairs marked "not a duplicate".

Four signs, strongest first: the same CCCD; the same folded name and birth year; close names in
the same village (folded names at most one letter apart: a letter typed wrong, left out or
added); the same given name and birth year in the same village. Candidates are grouped in SQL
from covering indexes (m010: by ID number; by folded name; by village), so only the few records
that share a number, a name, or a village and a given name or the rest of the name ever meet —
two names one letter apart (within a word) share one or the other — never every pair in Python.
A pair whose known sexes differ is not offered (unless the CCCD is the same); a pair marked "not
a duplicate" is remembered and not offered again.

Merging a pair (the chief's) is in db.persons.merging.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from db.core.errors import ValidationError
from db.persons.episodes import open_episodes, status_label
from db.persons.people import get_person
from db.store import records
from db.store.register import Register

SIGNS = {
    "cccd": "Trùng số CCCD/CMND",
    "name_year": "Trùng họ tên và năm sinh",
    "close_name": "Họ tên gần giống, cùng thôn/bản",
    "given_year": "Cùng tên, năm sinh và thôn/bản",
}
_SEP, _NEXT = "\x1f", "\x1e"  # between a member's fields, between members
# One member of a group, packed from the covering index: id, sex, birth year, folded name.
_MEMBER = (
    f"id || '{_SEP}' || coalesce(sex, '') || '{_SEP}' || coalesce(substr(birth_date, 1, 4), '') "
    f"|| '{_SEP}' || name_folded"
)
# The given name (the last word) of a folded name: rtrim drops the letters after the last space;
# what is left (the family and middle names) is the rest.
_REST = "rtrim(name_folded, replace(name_folded, ' ', ''))"
_GIVEN = f"substr(name_folded, length({_REST}) + 1)"
# Strongest first: the groups each sign's pairs are found in.
_GROUPS = (
    ("cccd", "persons_dup_id", "deleted = 0 AND id_number <> ''", "id_number"),
    ("name_year", "persons_dup_name", "deleted = 0 AND birth_date IS NOT NULL",
     "name_folded, substr(birth_date, 1, 4)"),
    # Names one letter apart (within a word) share either their given name or the rest.
    ("same_given", "persons_dup_village", "deleted = 0 AND village_id IS NOT NULL",
     f"village_id, {_GIVEN}"),
    ("same_rest", "persons_dup_village", "deleted = 0 AND village_id IS NOT NULL",
     f"village_id, {_REST}"),
)  # fmt: skip


@dataclass(frozen=True)
class Pair:
    """Two records that may be one person (`first` < `second`), and the signs that say so."""

    first: str
    second: str
    signs: tuple[str, ...]

    @property
    def reasons(self) -> str:
        """The signs, in words."""
        return "; ".join(SIGNS[s] for s in self.signs)


def one_edit(a: str, b: str) -> bool:
    """Whether two texts are at most one letter apart (one typed wrong, left out or added)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]


def _given(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def signs_of(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[str, ...]:
    """The signs two records (id_number, full/folded name, birth date, village) show."""
    year_a, year_b = str(a.get("birth_date") or "")[:4], str(b.get("birth_date") or "")[:4]
    same_year = bool(year_a) and year_a == year_b
    village = bool(a.get("village_id")) and a.get("village_id") == b.get("village_id")
    name_a, name_b = a["name_folded"], b["name_folded"]
    found = {
        "cccd": bool(a.get("id_number")) and a.get("id_number") == b.get("id_number"),
        "name_year": same_year and name_a == name_b,
        "close_name": village and one_edit(name_a, name_b),
        "given_year": village and same_year and _given(name_a) == _given(name_b),
    }
    return tuple(s for s in SIGNS if found[s])


def _members(packed: str) -> list[dict[str, str]]:
    members = []
    for item in packed.split(_NEXT):
        person_id, sex, year, name = item.split(_SEP)
        members.append({"id": person_id, "sex": sex, "year": year, "name": name})
    return sorted(members, key=lambda m: m["id"])


def _combinations(ids: list[str]) -> Iterator[tuple[str, str]]:
    ordered = sorted(set(ids))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            yield a, b


def _group_pairs(sign: str, members: list[dict[str, str]]) -> Iterator[tuple[str, str]]:
    """The pairs worth showing within one group. Names one letter apart are found through
    their one-letter-shorter variants (two such names share one), so a big group (a village
    full of "Lò Văn …") costs its size times a word's length, not its size squared."""
    sex = {m["id"]: m["sex"] for m in members}

    def fine(pair: tuple[str, str]) -> bool:
        a, b = sex[pair[0]], sex[pair[1]]
        return sign == "cccd" or not (a and b and a != b)

    if sign in ("cccd", "name_year"):
        yield from filter(fine, _combinations([m["id"] for m in members]))
        return
    # Within the group one part of the name is the same; the other part's variants with one
    # letter left out meet names one letter apart (and the same name and year: given_year).
    buckets: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for m in members:
        name, person_id = m["name"], m["id"]
        given = _given(name)
        part = name[: len(name) - len(given)] if sign == "same_given" else given
        for variant in {part, *[part[:i] + part[i + 1 :] for i in range(len(part))]}:
            buckets["close", variant].append(person_id)
        if m["year"] and sign == "same_given":
            buckets["given", m["year"]].append(person_id)
    names = {m["id"]: m["name"] for m in members}
    for key, ids in buckets.items():
        if len(ids) < 2:
            continue
        for pair in _combinations(ids):
            if fine(pair) and (key[0] == "given" or one_edit(names[pair[0]], names[pair[1]])):
                yield pair


def _candidates(reg: Register, limit: int) -> list[tuple[str, str]]:
    """Up to `limit` pairs, strongest groups first; each group comes from an index, grouped in
    SQL, so only the few records that share a number, a name or a village meet."""
    skip = dismissed(reg)
    found: dict[tuple[str, str], None] = {}
    for sign, index, where, group in _GROUPS:
        for (packed,) in reg.db.execute(
            f"SELECT group_concat({_MEMBER}, char(30)) FROM persons INDEXED BY {index} "
            f"WHERE {where} GROUP BY {group} HAVING count(*) > 1"
        ):
            for pair in _group_pairs(sign, _members(packed)):
                if pair not in skip:
                    found[pair] = None
                    if len(found) >= limit:
                        return list(found)
    return list(found)


def dismissed(reg: Register) -> set[tuple[str, str]]:
    """The pairs marked as not duplicates."""
    rows = reg.db.execute("SELECT person_a, person_b FROM duplicate_dismissals WHERE deleted = 0")
    return {(a, b) for a, b in rows}


def possible_pairs(reg: Register, limit: int = 500) -> list[Pair]:
    """Pairs of live records that may be one person (at most `limit`), strongest sign first,
    then by name; pairs marked as not duplicates are left out."""
    pairs = _candidates(reg, limit)
    rows = {r["id"]: r for r in reg.db.query(
        "SELECT id, id_number, name_folded, birth_date, village_id, sort_key FROM persons "
        "WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted({i for pair in pairs for i in pair}))])}  # fmt: skip
    found = [Pair(a, b, signs_of(rows[a], rows[b])) for a, b in pairs]
    order = list(SIGNS)
    found = [p for p in found if p.signs]
    found.sort(key=lambda p: (order.index(p.signs[0]), rows[p.first]["sort_key"],
                              rows[p.second]["sort_key"]))  # fmt: skip
    return found


def card(reg: Register, person_id: str) -> dict[str, Any]:
    """A record as the review shows it beside its pair: identity, status and how much it holds."""
    person = get_person(reg, person_id)
    counts = {
        table: int(
            reg.db.execute(
                f"SELECT count(*) FROM [{table}] WHERE person_id = ? AND deleted = 0", [person_id]
            ).fetchone()[0]
        )
        for table in ("episodes", "drug_tests", "contacts", "management_team")
    }
    status = status_label([e["category"] for e in open_episodes(reg, person_id)])
    return {**person, "status": status, "counts": counts}


def cards(reg: Register, ids: Sequence[str]) -> list[dict[str, Any]]:
    """`card` of each id, in order."""
    return [card(reg, i) for i in ids]


def dismiss(reg: Register, first: str, second: str) -> str:
    """Remember that two records are two people: the pair is not offered again."""
    a, b = sorted((first, second))
    if a == b:
        raise ValidationError({"pair": "Hai bản ghi phải là hai người khác nhau."})
    get_person(reg, a)
    get_person(reg, b)
    if (a, b) in dismissed(reg):
        raise ValidationError({"pair": "Cặp này đã được đánh dấu không phải trùng."})
    return records.insert(reg, "duplicate_dismissals", {"person_a": a, "person_b": b})
