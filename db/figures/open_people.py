"""The people open on a day, one tuple each, and their counts per village (db.figures.stats)."""

from __future__ import annotations

from collections import Counter

from db.law.categories import TREATMENT
from db.store.register import Register

_OPEN = "e.deleted = 0 AND e.start_date <= :on AND (e.end_date IS NULL OR e.end_date > :on)"
# A user or an addict "with a file" is under a decision: the management decision, or the
# decision of the rehab or substitution treatment an addict went into (with no separate
# management decision on the addict episode).
_FILED = ", ".join(f"'{c}'" for c in ("user", "addict", *(t.value for t in TREATMENT)))
# A live person's village from its covering index (m013): SQLite would pick the id's unique
# index and read (encrypted: decrypt) a table page per person or test joined.
LIVE_PERSONS = "persons p INDEXED BY persons_live_village"
USERS_ADDICTS = frozenset({"user", "addict"})


# (person, village id, categories open, 1 if a user or addict with a file) of each live person
# open on a day: plain tuples, as there is one per managed person.
OpenPerson = tuple[str, str, frozenset[str], int]


def open_people(reg: Register, on: str) -> list[OpenPerson]:
    return [
        (person, village or "", frozenset(cats.split(",")), has_file)
        for person, village, cats, has_file in reg.db.execute(
            "SELECT e.person_id, p.village_id, group_concat(e.category) AS cats, "
            f"max(CASE WHEN e.category IN ({_FILED}) AND e.decision_no <> '' "
            "THEN 1 ELSE 0 END) AS has_file "
            f"FROM episodes e JOIN {LIVE_PERSONS} ON p.id = e.person_id WHERE {_OPEN} "
            "AND p.deleted = 0 GROUP BY e.person_id",
            {"on": on},
        )
    ]


def count_per_village(people: list[OpenPerson]) -> dict[str, Counter[str]]:
    """Open categories, people and users+addicts counted per village id ("" = no village)."""
    per_village: dict[str, Counter[str]] = {}
    for _, village_id, cats, _ in people:
        village = per_village.get(village_id)
        if village is None:
            village = per_village[village_id] = Counter()
        for cat in cats:
            village[cat] += 1
        village["people"] += 1
        if not USERS_ADDICTS.isdisjoint(cats):
            village["users_addicts"] += 1
    return per_village
