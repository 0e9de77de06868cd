"""Possible duplicates on the register, for a person to review, and pairs marked "not a duplicate".

Four signs, strongest first: the same CCCD; the same folded name and birth year; close names in
the same village (folded names at most one letter apart: a letter typed wrong, left out or
added); the same given name and birth year in the same village. Each is found by grouping in
SQL — the ID-number and folded-name indexes, and for close names every name's variants with one
letter left out, grouped by village (two names one edit apart share a variant) — never by
comparing every pair in Python. A pair whose known sexes differ is not offered (unless the CCCD
is the same). A pair marked "not a duplicate" is remembered and not offered again.

Merging a pair (the chief's) is in db.persons.merging.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
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
_LIVE = "deleted = 0"
_YEAR = "substr(birth_date, 1, 4)"
# The given name (the last word) of a folded name: rtrim drops the letters after the last space.
_GIVEN = "substr(name_folded, length(rtrim(name_folded, replace(name_folded, ' ', ''))) + 1)"
_LONGEST_NAME = 120


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


def _pairs_in(groups: Iterable[tuple[str]]) -> set[tuple[str, str]]:
    """Every pair of ids within each group (ids joined by commas)."""
    found: set[tuple[str, str]] = set()
    for (joined,) in groups:
        ids = sorted(set(joined.split(",")))
        found.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return found


def _by_sign(reg: Register) -> dict[str, set[tuple[str, str]]]:
    db = reg.db
    found = {
        "cccd": _pairs_in(db.execute(
            f"SELECT group_concat(id) FROM persons WHERE {_LIVE} AND id_number <> '' "
            "GROUP BY id_number HAVING count(*) > 1")),
        "name_year": _pairs_in(db.execute(
            f"SELECT group_concat(id) FROM persons WHERE {_LIVE} AND birth_date IS NOT NULL "
            f"GROUP BY name_folded, {_YEAR} HAVING count(*) > 1")),
        "given_year": _pairs_in(db.execute(
            f"SELECT group_concat(id) FROM persons WHERE {_LIVE} AND birth_date IS NOT NULL "
            f"AND village_id IS NOT NULL GROUP BY village_id, {_YEAR}, {_GIVEN} "
            "HAVING count(*) > 1")),
        # Variant 0 is the name itself; variant i leaves out its i-th letter.
        "close_name": _pairs_in(db.execute(
            "WITH RECURSIVE pos(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM pos WHERE i < ?), "
            "keyed AS (SELECT p.id, p.village_id AS v, CASE WHEN pos.i = 0 THEN p.name_folded "
            "ELSE substr(p.name_folded, 1, pos.i - 1) || substr(p.name_folded, pos.i + 1) END "
            "AS k FROM persons p JOIN pos ON pos.i <= length(p.name_folded) "
            f"WHERE p.{_LIVE} AND p.village_id IS NOT NULL) "
            "SELECT group_concat(DISTINCT id) FROM keyed GROUP BY v, k "
            "HAVING count(DISTINCT id) > 1", [_LONGEST_NAME])),
    }  # fmt: skip
    return found


def dismissed(reg: Register) -> set[tuple[str, str]]:
    """The pairs marked as not duplicates."""
    return {
        (a, b)
        for a, b in reg.db.execute(
            "SELECT person_a, person_b FROM duplicate_dismissals WHERE deleted = 0"
        )
    }


def _sexes(reg: Register, ids: set[str]) -> dict[str, str | None]:
    return dict(
        reg.db.execute(
            "SELECT id, sex FROM persons WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted(ids))],
        ).fetchall()
    )


def possible_pairs(reg: Register, limit: int = 500) -> list[Pair]:
    """Pairs of live records that may be one person, strongest signs first, then by name."""
    signs: dict[tuple[str, str], list[str]] = {}
    for sign, pairs in _by_sign(reg).items():
        for pair in pairs:
            signs.setdefault(pair, []).append(sign)
    for pair in dismissed(reg):
        signs.pop(pair, None)
    sex = _sexes(reg, {i for pair in signs for i in pair})
    order = list(SIGNS)
    kept = [
        Pair(a, b, tuple(sorted(s, key=order.index)))
        for (a, b), s in signs.items()
        if "cccd" in s or not (sex.get(a) and sex.get(b) and sex[a] != sex[b])
    ]
    names = dict(
        reg.db.execute(
            "SELECT id, sort_key FROM persons WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted({p.first for p in kept}))],
        ).fetchall()
    )
    kept.sort(key=lambda p: ([order.index(s) for s in p.signs], names.get(p.first, ""), p.second))
    return kept[:limit]


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
