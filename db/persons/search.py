"""Search: case-, diacritic- and đ-insensitive, over name, other names, ID number and village.

Every person row keeps a folded `search_text` (lowercase, no diacritics, đ → d) indexed by FTS5;
a query is folded the same way and each word matches as a prefix. Results come in the Vietnamese
order (given name first), from the stored `sort_key`.
"""

from __future__ import annotations

import re
from typing import Any

from db.core.textfold import fold
from db.law.categories import STATUS_ORDER
from db.store.register import Register

_WORD = re.compile(r"[0-9a-z]+")


def fts_query(text: str) -> str:
    """The FTS5 query for what the officer typed: every folded word as a prefix, all required."""
    return " ".join(f'"{word}"*' for word in _WORD.findall(fold(text)))


def matching_rids(text: str) -> tuple[str, list[Any]] | None:
    """A SELECT of the row ids (persons.rid) matching `text`, with its parameters; None when
    the text holds no word or number (everyone matches)."""
    query = fts_query(text)
    if not query:
        return None
    digits = re.sub(r"\D", "", text)
    # Spaces, dots and dashes typed or pasted into a number are dropped, as in db.persons.cccd.
    if len(digits) >= 4 and digits == re.sub(r"[\s.\-]", "", text):
        # Only digits: an ID number, found from its start, middle or end. (A substring scan of
        # one short column; cheaper than the word index when half the commune shares a prefix.)
        # (As a subquery: it reads the covering index on id_number, not every row in order.)
        return "SELECT rid FROM persons WHERE id_number LIKE ?", [f"%{digits}%"]
    return "SELECT rowid AS rid FROM persons_fts WHERE persons_fts MATCH ?", [query]


def match_sql(text: str, alias: str = "p") -> tuple[str, list[Any]]:
    """A WHERE fragment (and its parameters) selecting the persons matching `text`."""
    found = matching_rids(text)
    if found is None:
        return "1", []
    sql, params = found
    return f"{alias}.rid IN ({sql})", params


def matches_at_least(reg: Register, text: str, count: int) -> bool:
    """Whether `text` matches `count` rows or more (deleted people included), read from the
    word or number index alone and stopping at `count`. An empty text matches nobody here."""
    found = matching_rids(text)
    if found is None:
        return False
    sql, params = found
    limited = f"SELECT count(*) FROM ({sql} LIMIT ?)"
    return int(reg.db.execute(limited, [*params, count]).fetchone()[0]) >= count


# Open categories of a person today, as "user,addict"; used by lists to show the status. From
# the covering index of live episodes (m013): SQLite would otherwise pick episodes_person and
# read (on an encrypted register: decrypt) a table page for every episode of every row shown.
STATUS_SQL = (
    "(SELECT group_concat(e.category) FROM episodes e INDEXED BY episodes_person_state "
    "WHERE e.person_id = p.id "
    "AND e.deleted = 0 AND e.start_date <= :on AND (e.end_date IS NULL OR e.end_date > :on))"
)


def find(reg: Register, text: str, limit: int = 100) -> list[dict[str, Any]]:
    """People matching `text`, in Vietnamese order, with their open categories today."""
    where, params = match_sql(text)
    named = {f"p{i}": value for i, value in enumerate(params)}
    for i in range(len(params)):
        where = where.replace("?", f":p{i}", 1)
    sql = (
        "SELECT p.id, p.full_name, p.other_names, p.birth_date, p.sex, p.id_number, "
        f"v.name AS village, {STATUS_SQL} AS categories "
        "FROM persons p LEFT JOIN villages v ON v.id = p.village_id "
        f"WHERE p.deleted = 0 AND {where} ORDER BY p.sort_key LIMIT :limit"
    )
    rows = reg.db.query(sql, {**named, "on": reg.today().isoformat(), "limit": limit})
    return [{**row, "categories": split_categories(row["categories"])} for row in rows]


def split_categories(value: str | None) -> list[str]:
    """The categories of a group_concat, in the order the status shows them (as
    db.persons.episodes.status_order; kept here: a list asks this for every row it shows)."""
    if not value:
        return []
    return sorted(set(value.split(",")), key=_STATUS_RANK.__getitem__)


_STATUS_RANK = {c.value: i for i, c in enumerate(STATUS_ORDER)}
