"""Everyone under management on a day, with what the due list asks of each: the categories
open, the latest test and residence check, the last release from a facility and the last day
out of reach. One query over small indexes (m016), as it runs over every managed person
(~35,000 at 100,000 people); plain tuples out.
"""

from __future__ import annotations

from db.law.categories import IN_FACILITY
from db.store.register import Register

# Ways an episode ends that take the person out of the officer's reach: moved to another
# commune (the file goes there), absconded, died or in prison. A residence check or a test after
# that is nothing the officer can do, even if an episode was left open by mistake.
GONE = ("moved_away", "absconded", "died", "prison")
_FACILITIES = ", ".join(f"'{c.value}'" for c in IN_FACILITY)
_GONE = ", ".join(f"'{kind}'" for kind in GONE)


def _ended(index: str, kinds: str, where: str) -> str:
    """The last day an episode of the person ended in `where` (up to `on`), from a partial
    index of such episodes (m016: a few thousand entries, not all 200,000)."""
    return (
        f"(SELECT max(x.end_date) FROM episodes x INDEXED BY {index} "
        "WHERE x.person_id = o.person_id "
        f"AND x.deleted = 0 AND x.{where} IN ({kinds}) AND x.end_date <= :on)"
    )


def _latest(column: str, asked: str) -> str:
    """A person's latest live test or residence check up to `on`: kept in `person_last` (by
    triggers, migration m016); asked of the table only when the latest is after `on` (a past
    day's list)."""
    return (
        f"CASE WHEN l.{column} IS NULL THEN NULL WHEN l.{column} <= :on THEN l.{column} "
        f"ELSE {asked} END"
    )


_LAST_TEST = _latest(
    "last_test",
    "(SELECT max(t.test_date) FROM drug_tests t WHERE t.person_id = o.person_id "
    "AND t.deleted = 0 AND t.test_date <= :on)",
)
_LAST_CHECK = _latest(
    "last_check",
    "(SELECT max(c.contact_date) FROM contacts c WHERE c.person_id = o.person_id "
    "AND c.kind = 'residence_check' AND c.deleted = 0 AND c.contact_date <= :on)",
)


def open_by_person(
    reg: Register, on: str, with_checks: bool = True
) -> list[tuple[str, str, str | None, str | None, str | None, str | None]]:
    """(person, "cat=start,…", last test, last residence check, last release from a facility,
    last day gone from reach) of everyone with an open episode; plain tuples, as this runs over
    every managed person."""
    last_check = _LAST_CHECK if with_checks else "NULL"
    released = _ended("episodes_released", _FACILITIES, "category") if with_checks else "NULL"
    return list(
        reg.db.execute(
            f"SELECT o.person_id, o.starts, {_LAST_TEST} AS last_test, "
            f"{last_check} AS last_check, {released} AS released, "
            f"{_ended('episodes_gone', _GONE, 'end_kind')} AS gone "
            "FROM (SELECT person_id, group_concat(category || '=' || start_date) AS starts "
            # Two halves so each keeps a small index: still open, and ended only after `on`
            # (none for today's list).
            "FROM (SELECT person_id, category, start_date FROM episodes INDEXED BY episodes_open "
            "WHERE deleted = 0 AND end_date IS NULL AND start_date <= :on "
            "UNION ALL SELECT person_id, category, start_date FROM episodes "
            "WHERE deleted = 0 AND end_date > :on AND start_date <= :on) "
            "GROUP BY person_id) o "
            "LEFT JOIN person_last l ON l.person_id = o.person_id",
            {"on": on},
        )
    )
